/*
 * work.c - chapter 5's scaling benchmark guest: TOTAL rounds of arithmetic split evenly
 * over the CPUs, each on its own cache line; the BSP times start to all done with RDTSC.
 * Option: total=N rounds.
 */
#include <atomic.h>
#include <multiboot.h>
#include <smp.h>
#include <stdio.h>
#include <x86.h>

#define TOTAL      (1l << 26)
#define CACHE_LINE 64

/* One result a CPU, a cache line each, so that no two CPUs write the same line. */
static struct {
    volatile uint64_t value;
} __attribute__((aligned(CACHE_LINE))) results[SMP_MAX_CPUS];

static long share;
static volatile long go, done;

/* A few rounds of xorshift: arithmetic only, no memory. */
static void crunch(int cpu)
{
    uint64_t x = 88172645463325252ull + (uint64_t)cpu;

    for (long i = 0; i < share; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    results[cpu].value = x;
    atomic_add(&done, 1);
}

static void ap_main(int cpu)
{
    while (!atomic_read(&go))
        cpu_relax();
    crunch(cpu);
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    int ncpus = smp_start(ap_main);
    share = multiboot_cmdline_number(mbi, "total", TOTAL) / ncpus;

    uint64_t start = rdtsc();
    atomic_write(&go, 1);
    crunch(0);
    while (atomic_read(&done) < ncpus)
        cpu_relax();
    uint64_t ticks = rdtsc() - start;
    printf("work: %d cpus, %lu tsc ticks\n", ncpus, (unsigned long)ticks);
    return 0;
}
