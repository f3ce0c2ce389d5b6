/*
 * smc.c - cross-modifying code, for chapter 5's machines and chapter 6's interpreter: CPU 1
 * rewrites a function that the other CPUs call in a loop, round after round, and each of
 * them must run the new code once it has seen the round published (the SDM's protocol for
 * cross-modifying code: the writer stores the code, then a flag; the executing CPU waits
 * for the flag, serializes with CPUID, then runs the code). Option: rounds=N.
 */
#include <atomic.h>
#include <multiboot.h>
#include <smp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86.h>

#define ROUNDS 300

static long rounds = ROUNDS;
static int ncpus;

/* The function: "mov $imm32, %eax; ret" with the immediate 4-byte aligned, in a page of its
 * own (a write to a page with code costs every CPU its decoded code there), in data that
 * the runtime's page tables leave executable. */
static volatile uint8_t code[4096] __attribute__((aligned(4096))) = {
    0x90, 0x90, 0x90, 0xb8, 0, 0, 0, 0, 0xc3,
};
#define IMM 4

static volatile long published; /* the round whose code is in place */
static volatile long acks;      /* executors that ran a round's code, over all rounds */
static volatile long stale;     /* calls after the flag that ran an older round's code */
static volatile long cpus_done;

static uint32_t call(void)
{
    return ((uint32_t(*)(void))(uintptr_t)code)();
}

static void serialize(void)
{
    uint32_t a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

/* CPU 1: odd rounds patch the immediate a byte at a time, even ones in one 4-byte store. */
static void writer(void)
{
    for (long r = 1; r <= rounds; r++) {
        if (r & 1)
            for (int k = 0; k < 4; k++)
                code[IMM + k] = (uint8_t)(r >> (8 * k));
        else
            *(volatile uint32_t *)&code[IMM] = (uint32_t)r;
        atomic_write(&published, r);
        while (atomic_read(&acks) < r * (ncpus - 1))
            cpu_relax();
    }
}

/* Every other CPU: calls the function all the time, and checks it once a round is out. */
static void executor(void)
{
    for (long r = 1; r <= rounds; r++) {
        while (atomic_read(&published) < r)
            call(); /* while the code changes: any result */
        serialize();
        uint32_t got = call();
        if (got != (uint32_t)r && atomic_add(&stale, 1) < 3)
            smp_printf("smc: round %ld ran the code of round %u\n", r, got);
        atomic_add(&acks, 1);
    }
}

static void ap_main(int cpu)
{
    if (cpu == 1)
        writer();
    else
        executor();
    atomic_add(&cpus_done, 1);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    rounds = multiboot_cmdline_number(mbi, "rounds", ROUNDS);
    ncpus = smp_cpus();
    if (ncpus < 2) {
        smp_printf("smc: needs 2 cpus or more\n");
        return 1;
    }
    int running = smp_start(ap_main);
    if (running != ncpus) {
        smp_printf("smc: %d of %d cpus started\n", running, ncpus);
        return 1;
    }
    executor();
    while (atomic_read(&cpus_done) < ncpus - 1)
        cpu_relax();
    smp_printf("smc: %d cpus, %ld rounds, stale %ld: %s\n", ncpus, rounds, stale,
               stale ? "FAIL" : "ok");
    return stale != 0;
}
