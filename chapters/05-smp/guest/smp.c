/*
 * smp.c - chapter 5's default guest: every CPU starts, says its APIC ID, counts into two
 * shared counters (one under a spinlock, one with LOCK XADD) and exchanges IPIs; the BSP
 * checks the totals. Options: iter=N (increments per CPU), end=ap (the last AP ends the
 * machine instead of the BSP, while the others wait).
 */
#include <atomic.h>
#include <intc.h>
#include <irq.h>
#include <lapic.h>
#include <multiboot.h>
#include <smp.h>
#include <spinlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86.h>

#define ITER       100000 /* increments of each counter per CPU */
#define IPI_VECTOR 0x40

static long iter = ITER;
static int ncpus, end_by_ap;

static struct spinlock counter_lock = SPINLOCK_INIT;
static struct spinlock ipi_lock = SPINLOCK_INIT; /* one AP's IPI to the BSP at a time */
static volatile long locked_count;               /* only under counter_lock */
static volatile long xadd_count;                 /* only with atomic_add */
static volatile long cpus_done;

/* Each CPU's IPIs, counted by its own handler: one writer each, no lock needed. */
static volatile long ipis[SMP_MAX_CPUS];

static void on_ipi(int vector)
{
    (void)vector;
    ipis[smp_cpu()]++;
}

/* Spins until *p reaches want. Returns 0, or -1 when it gave up. */
/* [work] */
/* What every CPU does, interrupts on: the counters, then its IPIs. */
static void work(int cpu)
{
    smp_printf("cpu %d: apic id %d\n", cpu, lapic_id());
    for (long i = 0; i < iter; i++) {
        spin_lock(&counter_lock);
        locked_count++;
        spin_unlock(&counter_lock);
        atomic_add(&xadd_count, 1);
    }
    if (cpu != 0) {
        /* One AP at a time, each waiting until the BSP has counted its IPI: fixed IPIs of
         * one vector that reach a CPU before it takes the first merge into its one IRR
         * bit (SDM), so seven sent at once may arrive as two. */
        spin_lock(&ipi_lock);
        long before = atomic_read(&ipis[0]);
        lapic_send_fixed(0, IPI_VECTOR);
        smp_wait_for(&ipis[0], before + 1);
        spin_unlock(&ipi_lock);
    } else {
        for (int ap = 1; ap < ncpus; ap++)
            lapic_send_fixed((uint8_t)ap, IPI_VECTOR);
    }
    atomic_add(&cpus_done, 1);
}
/* [work] */

/* Waits for every CPU's work and IPIs, then prints the summary. Returns 0 if all is right. */
static int check(void)
{
    long want = ncpus * iter, total = 0;
    int bad = 0;

    if (smp_wait_for(&cpus_done, ncpus) < 0)
        smp_printf("smp: only %ld of %d cpus finished\n", atomic_read(&cpus_done), ncpus), bad = 1;
    for (int cpu = 0; cpu < ncpus; cpu++) {
        long expect = cpu == 0 ? ncpus - 1 : 1;
        if (smp_wait_for(&ipis[cpu], expect) < 0 || ipis[cpu] != expect)
            smp_printf("smp: cpu %d received %ld ipis, expected %ld\n", cpu, ipis[cpu], expect),
                bad = 1;
        total += ipis[cpu];
    }
    if (locked_count != want)
        smp_printf("smp: locked counter %ld, expected %ld\n", locked_count, want), bad = 1;
    if (xadd_count != want)
        smp_printf("smp: xadd counter %ld, expected %ld\n", xadd_count, want), bad = 1;
    smp_printf("smp: %d cpus, locked %ld, xadd %ld, ipis %ld: %s\n", ncpus, locked_count,
               xadd_count, total, bad ? "FAIL" : "ok");
    return bad;
}

static void ap_main(int cpu)
{
    irq_enable();
    work(cpu);
    if (end_by_ap && cpu == ncpus - 1) {
        int bad = check();
        smp_printf("ended by cpu %d\n", cpu);
        exit(bad);
    }
    for (;;)
        wait_for_interrupt();
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    iter = multiboot_cmdline_number(mbi, "iter", ITER);
    end_by_ap = multiboot_cmdline_has(mbi, "end=ap");
    ncpus = smp_cpus();

    irq_init();
    intc_init(INTC_APIC);
    irq_set_handler(IPI_VECTOR, on_ipi);
    irq_enable();
    int running = smp_start(ap_main);
    if (running != ncpus) {
        smp_printf("smp: %d of %d cpus started\n", running, ncpus);
        return 1;
    }
    work(0);
    if (end_by_ap && ncpus > 1) {
        for (;;)
            wait_for_interrupt();
    }
    return check();
}
