/*
 * lab-pvipi.c - the pv-ipi lab's guest: the BSP sends interrupts to the APs by a
 * hypercall instead of through its local APIC's ICR.
 *
 * The service the lab adds (chapter 3's port): HC_SEND_IPI (6) delivers a fixed interrupt
 * of vector arg[1] to the CPU whose APIC ID is arg[0]; result 0, or HC_EINVAL for an APIC
 * ID the machine does not have or a vector below 32. Each AP notes its APIC ID, enables
 * interrupts and waits in HLT; the BSP sends every AP n IPIs (n=N on the command line,
 * 100 by default), one at a time, each after the last was counted by the AP's handler.
 * Exits 0 when every IPI arrived and the refusals are right, 1 otherwise (HC_SEND_IPI
 * unknown to the machine included).
 */
#include "../../03-io-exits/guest/stepvm.h"

#include <atomic.h>
#include <intc.h>
#include <irq.h>
#include <lapic.h>
#include <multiboot.h>
#include <smp.h>
#include <stdio.h>
#include <x86.h>

#define HC_SEND_IPI 6
#define HC_EINVAL   -22
#define HC_ENOSYS   -38

#define IPI_VECTOR 0x41

static int ncpus;
static volatile long apic_id[SMP_MAX_CPUS]; /* each AP's, once it waits; -1 before */
static volatile long ipis[SMP_MAX_CPUS];    /* counted by each CPU's own handler */

static void on_ipi(int vector)
{
    (void)vector;
    ipis[smp_cpu()]++;
}

static int32_t send_ipi(uint64_t apic, uint64_t vector)
{
    struct hypercall_block b = {.nr = HC_SEND_IPI, .arg = {apic, vector}};
    return hypercall(&b);
}

/* Spins until *p reaches want. Returns 0, or -1 when it gave up. */
static void ap_main(int cpu)
{
    irq_enable();
    atomic_write(&apic_id[cpu], lapic_id());
    for (;;)
        wait_for_interrupt();
}

/* [lab-pvipi] */
/* Sends AP cpu n IPIs, each once the last has arrived. Returns 0, or 1 after saying why. */
static int ping(int cpu, long n)
{
    if (smp_wait_for(&apic_id[cpu], 0) < 0) {
        smp_printf("pvipi: cpu %d never said its apic id\n", cpu);
        return 1;
    }
    for (long k = 1; k <= n; k++) {
        int32_t r = send_ipi((uint64_t)apic_id[cpu], IPI_VECTOR);
        if (r != 0) {
            smp_printf("pvipi: HC_SEND_IPI to apic id %ld returned %d%s\n", apic_id[cpu], r,
                       r == HC_ENOSYS ? " (no such hypercall)" : "");
            return 1;
        }
        if (smp_wait_for(&ipis[cpu], k) < 0) {
            smp_printf("pvipi: cpu %d received %ld of %ld ipis\n", cpu, ipis[cpu], k);
            return 1;
        }
    }
    smp_printf("pvipi: cpu %d received %ld ipis\n", cpu, atomic_read(&ipis[cpu]));
    return 0;
}
/* [lab-pvipi] */

/* The refusals: no such APIC ID, a vector of the exceptions' range. Returns 0 or 1. */
static int refusals(void)
{
    int32_t r = send_ipi(SMP_MAX_CPUS, IPI_VECTOR);
    if (r != HC_EINVAL) {
        smp_printf("pvipi: HC_SEND_IPI to apic id %d returned %d, not HC_EINVAL\n", SMP_MAX_CPUS,
                   r);
        return 1;
    }
    if ((r = send_ipi((uint64_t)apic_id[1], 2)) != HC_EINVAL) {
        smp_printf("pvipi: HC_SEND_IPI of vector 2 returned %d, not HC_EINVAL\n", r);
        return 1;
    }
    return 0;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    long n = multiboot_cmdline_number(mbi, "n", 100);
    int bad = 0;

    (void)magic;
    ncpus = smp_cpus();
    for (int cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
        apic_id[cpu] = -1;
    irq_init();
    intc_init(INTC_APIC);
    irq_set_handler(IPI_VECTOR, on_ipi);
    if (ncpus < 2 || smp_start(ap_main) != ncpus) {
        smp_printf("pvipi: needs 2 or more CPUs, all started\n");
        return 1;
    }
    for (int cpu = 1; !bad && cpu < ncpus; cpu++)
        bad = ping(cpu, n);
    if (!bad)
        bad = refusals();
    smp_printf("pvipi: %s\n", bad ? "FAIL" : "ok");
    return bad;
}
