/*
 * lab-rdtscp.c - the test guest of lab "rdtscp" (chapter 6).
 *
 * RDTSCP (0F 01 F9) reads the time-stamp counter as RDTSC does, and also the TSC_AUX
 * MSR, which an operating system sets to the number of the CPU: a program learns in one
 * instruction both the time and which CPU it was measured on. CPUID 0x80000001 says in
 * EDX bit 27 whether the CPU has it. Before the lab is done, the interpreter does not say
 * so, WRMSR to TSC_AUX raises #GP, and RDTSCP raises #UD; this guest tries each step
 * anyway, so the runtime's exception report shows how far it got.
 */
#include <stdio.h>
#include <x86.h>

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EDX_RDTSCP   (1u << 27)
#define MSR_TSC_AUX        0xc0000103u
#define AUX_VALUE          42

static uint32_t cpuid_edx(uint32_t leaf)
{
    uint32_t a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
    return d;
}

/* RDTSC alone, then RDTSCP at once: the TSC they read may differ by the MOVs between. */
static void rdtsc_then_rdtscp(uint64_t *tsc, uint64_t *tscp, uint64_t *aux)
{
    uint32_t lo, hi, lo2, hi2;
    uint64_t rcx = ~0ull; /* RDTSCP writes ECX, so the upper half of RCX must read 0 */

    __asm__ volatile("rdtsc\n\t"
                     "mov %%eax, %0\n\t"
                     "mov %%edx, %1\n\t"
                     "rdtscp"
                     : "=r"(lo), "=r"(hi), "=a"(lo2), "=d"(hi2), "+c"(rcx));
    *tsc = (uint64_t)hi << 32 | lo;
    *tscp = (uint64_t)hi2 << 32 | lo2;
    *aux = rcx;
}

int main(void)
{
    /* [lab-rdtscp] */
    uint64_t tsc, first, second, aux, aux2;

    printf("rdtscp: %s\n",
           cpuid_edx(CPUID_EXT_FEATURES) & CPUID_EDX_RDTSCP ? "supported" : "not supported");
    wrmsr(MSR_TSC_AUX, AUX_VALUE);
    rdtsc_then_rdtscp(&tsc, &first, &aux);
    rdtsc_then_rdtscp(&tsc, &second, &aux2);
    printf("aux %lu\n", aux);
    printf("tsc advanced: %s\n", second > first ? "yes" : "no");
    printf("rdtscp - rdtsc: %ld\n", (long)(second - tsc));
    /* [lab-rdtscp] */
    return aux == AUX_VALUE && aux2 == AUX_VALUE && second > first ? 0 : 1;
}
