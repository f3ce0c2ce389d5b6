/*
 * lab-park.c - the park-ap lab's guest: APs park themselves in the VMM and the BSP wakes
 * them one by one.
 *
 * Two hypercalls (chapter 3's port, services the lab adds): HC_PARK stops the calling CPU
 * in the VMM until another CPU's HC_UNPARK names it (result 0 then); HC_UNPARK wakes CPU
 * arg[0] (result 0 when it was parked, 1 when it was not, HC_EINVAL for no such CPU).
 * Each AP counts in its heartbeat until it is told to park, parks, and once woken says so
 * and halts. The BSP checks that a parked AP's heartbeat stands still, wakes the APs in
 * turn and checks that each, and only it, resumed. Option: leave=1, the BSP wakes all but
 * the last AP and ends the machine with that one still parked.
 * Exits 0 when every check holds, 1 otherwise (HC_PARK unknown to the machine included).
 */
#include "../../03-io-exits/guest/stepvm.h"

#include <atomic.h>
#include <irq.h>
#include <multiboot.h>
#include <pit.h>
#include <smp.h>
#include <stdio.h>
#include <x86.h>

#define HC_PARK   4
#define HC_UNPARK 5
#define HC_EINVAL -22
#define HC_ENOSYS -38

#define WAIT_MS  2000 /* how long the BSP waits for an AP to do its part */
#define STILL_MS 20   /* how long a parked AP's heartbeat must stand still */

static int ncpus;
static uint64_t tsc_per_ms;
static volatile long heartbeat[SMP_MAX_CPUS]; /* each AP's, counting until it parks */
static volatile long park_now;                /* the BSP's word: park */
static volatile long parking[SMP_MAX_CPUS];   /* 1: about to call HC_PARK */
static volatile long resumed[SMP_MAX_CPUS];   /* 1: back from HC_PARK */
static volatile long result[SMP_MAX_CPUS];    /* what HC_PARK returned */

/* One call: this CPU's own block on its own stack (identity-mapped). */
static int32_t call(uint32_t nr, uint64_t arg)
{
    struct hypercall_block b = {.nr = nr, .arg = {arg}};
    return hypercall(&b);
}

static void ap_main(int cpu)
{
    while (!atomic_read(&park_now))
        heartbeat[cpu]++;
    atomic_write(&parking[cpu], 1);
    atomic_write(&result[cpu], call(HC_PARK, 0));
    atomic_write(&resumed[cpu], 1);
    smp_printf("cpu %d: resumed (park returned %ld)\n", cpu, result[cpu]);
    for (;;)
        wait_for_interrupt(); /* interrupts are off: halted for good */
}

static void delay_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + ms * tsc_per_ms;
    while (rdtsc() < end)
        cpu_relax();
}

/* Waits up to WAIT_MS for *p to become non-zero. Returns 0, or -1 when it did not. */
static int wait_set(const volatile long *p)
{
    uint64_t end = rdtsc() + WAIT_MS * tsc_per_ms;
    while (!atomic_read(p))
        if (rdtsc() > end)
            return -1;
    return 0;
}

/* Returns 1 when AP cpu's heartbeat stands still for STILL_MS and it has not resumed. */
static int still(int cpu)
{
    long before = atomic_read(&heartbeat[cpu]);
    delay_ms(STILL_MS);
    return atomic_read(&heartbeat[cpu]) == before && !atomic_read(&resumed[cpu]);
}

/* Parks every AP and checks each stands still. Returns 0, or 1 after saying why not. */
static int park_all(void)
{
    atomic_write(&park_now, 1);
    for (int cpu = 1; cpu < ncpus; cpu++) {
        if (wait_set(&parking[cpu]) < 0) {
            smp_printf("park: cpu %d never came to park\n", cpu);
            return 1;
        }
    }
    delay_ms(STILL_MS); /* time for their calls to reach the VMM, or to fail */
    for (int cpu = 1; cpu < ncpus; cpu++) {
        if (atomic_read(&resumed[cpu])) {
            smp_printf("park: cpu %d did not park: HC_PARK returned %ld%s\n", cpu, result[cpu],
                       result[cpu] == HC_ENOSYS ? " (no such hypercall)" : "");
            return 1;
        }
        if (!still(cpu)) {
            smp_printf("park: cpu %d is still running\n", cpu);
            return 1;
        }
    }
    smp_printf("park: %d aps parked\n", ncpus - 1);
    return 0;
}

/* Wakes AP cpu and checks that it, and none after it, resumed. Returns 0 or 1. */
static int wake(int cpu)
{
    int32_t r = call(HC_UNPARK, (uint64_t)cpu);
    if (r != 0) {
        smp_printf("park: HC_UNPARK %d returned %d\n", cpu, r);
        return 1;
    }
    if (wait_set(&resumed[cpu]) < 0 || result[cpu] != 0) {
        smp_printf("park: cpu %d did not resume after HC_UNPARK\n", cpu);
        return 1;
    }
    for (int other = cpu + 1; other < ncpus; other++) {
        if (!still(other)) {
            smp_printf("park: cpu %d resumed too, woken by HC_UNPARK %d\n", other, cpu);
            return 1;
        }
    }
    return 0;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    uint64_t t0 = rdtsc();
    int leave = (int)multiboot_cmdline_number(mbi, "leave", 0), bad = 0;

    (void)magic;
    pit_delay_us(10000);
    tsc_per_ms = (rdtsc() - t0) / 10 + 1;
    ncpus = smp_cpus();
    if (ncpus < 2 || smp_start(ap_main) != ncpus) {
        smp_printf("park: needs 2 or more CPUs, all started\n");
        return 1;
    }
    bad = park_all();
    for (int cpu = 1; !bad && cpu < ncpus - leave; cpu++)
        bad = wake(cpu);
    if (!bad && call(HC_UNPARK, 0) != 1) /* the BSP itself: running, not parked */
        smp_printf("park: HC_UNPARK of a running CPU is not 1\n"), bad = 1;
    if (!bad && call(HC_UNPARK, SMP_MAX_CPUS) != HC_EINVAL)
        smp_printf("park: HC_UNPARK of no such CPU is not HC_EINVAL\n"), bad = 1;
    smp_printf("park: %s%s\n", bad ? "FAIL" : "ok", !bad && leave ? ", one left parked" : "");
    return bad;
}
