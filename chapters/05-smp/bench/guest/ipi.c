/*
 * ipi.c - chapter 5's IPI benchmark guest: the BSP sends a fixed IPI to CPU 1, whose
 * handler answers with one back; the round trip, repeated, is timed with RDTSC.
 * Option: iter=N round trips.
 */
#include <atomic.h>
#include <intc.h>
#include <irq.h>
#include <lapic.h>
#include <multiboot.h>
#include <smp.h>
#include <stdio.h>
#include <x86.h>

#define ROUND_TRIPS 10000
#define PING_VECTOR 0x40 /* BSP to CPU 1 */
#define PONG_VECTOR 0x41 /* CPU 1 to the BSP */

static volatile long pings, pongs;

static void on_ping(int vector)
{
    (void)vector;
    pings++;
    lapic_send_fixed(0, PONG_VECTOR);
}

static void on_pong(int vector)
{
    (void)vector;
    pongs++;
}

static void ap_main(int cpu)
{
    (void)cpu;
    for (;;)
        wait_for_interrupt();
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    long n = multiboot_cmdline_number(mbi, "iter", ROUND_TRIPS);

    (void)magic;
    irq_init();
    intc_init(INTC_APIC);
    irq_set_handler(PING_VECTOR, on_ping);
    irq_set_handler(PONG_VECTOR, on_pong);
    irq_enable();
    if (smp_start(ap_main) < 2) {
        printf("ipi: needs 2 cpus\n");
        return 1;
    }
    uint64_t start = rdtsc();
    for (long i = 0; i < n; i++) {
        lapic_send_fixed(1, PING_VECTOR);
        while (atomic_read(&pongs) <= i)
            cpu_relax();
    }
    uint64_t ticks = rdtsc() - start;
    printf("ipi: %ld round trips, %lu tsc ticks each (%ld pings, %ld pongs)\n", n,
           (unsigned long)(n ? ticks / (uint64_t)n : 0), pings, pongs);
    return pings == n && pongs == n ? 0 : 1;
}
