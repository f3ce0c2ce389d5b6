/*
 * race.c - a guest for chapter 5's machines and chapter 6's interpreter on several CPUs:
 * every CPU races on shared words with each kind of locked read-modify-write (LOCK ADD,
 * INC, DEC, SUB, XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B, OR, BTS, BTR, XCHG, and an ADD
 * across two cache lines) and with plain stores into the same words, and the totals must
 * come out exact. Option: iter=N.
 */
#include <atomic.h>
#include <multiboot.h>
#include <smp.h>
#include <spinlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86.h>

#define ITER 20000

static long iter = ITER;
static int ncpus;

static volatile long xadd_count, cas_count, add_count, inc_dec, sub_count, xchg_count;
static volatile uint32_t inc32;
static volatile uint16_t add16;
static volatile uint64_t cx8 __attribute__((aligned(8)));
static volatile uint64_t cx16[2] __attribute__((aligned(16)));
static volatile uint64_t bits;  /* bit cpu: set and cleared by its CPU with LOCK BTS/BTR */
static volatile uint64_t owned; /* bit cpu: set once by its CPU with LOCK OR */
/* Low half: a count by LOCK ADDQ of the whole word; bytes 4-7: plain stores by CPUs 0-3.
 * A locked add that wrote back a stale byte would lose a CPU's last plain store. */
static volatile uint64_t mixed __attribute__((aligned(8)));
static volatile uint32_t xchg_lock; /* taken with XCHG, released with a plain MOV */
/* A split lock: a 4-byte counter across two cache lines, at bytes 62-65. */
static volatile uint8_t split_line[128] __attribute__((aligned(64)));
#define SPLIT ((volatile uint32_t *)(volatile void *)&split_line[62])
static volatile long cpus_done;

static void take(void)
{
    uint32_t v;
    do {
        v = 1;
        __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(xchg_lock) : : "memory");
        while (v && xchg_lock)
            cpu_relax();
    } while (v);
}

static void release(void)
{
    __asm__ volatile("movl $0, %0" : "=m"(xchg_lock) : : "memory");
}

static void cmpxchg8b_inc(volatile uint64_t *p)
{
    uint64_t old = *p, seen;
    for (;;) {
        uint32_t lo = (uint32_t)old, hi = (uint32_t)(old >> 32);
        uint64_t want = old + 1;
        uint8_t ok;
        __asm__ volatile("lock cmpxchg8b %1; sete %2"
                         : "+a"(lo), "+m"(*p), "=q"(ok), "+d"(hi)
                         : "b"((uint32_t)want), "c"((uint32_t)(want >> 32))
                         : "memory", "cc");
        if (ok)
            return;
        seen = (uint64_t)hi << 32 | lo;
        old = seen;
    }
}

static void cmpxchg16b_inc(volatile uint64_t *p)
{
    uint64_t lo = p[0], hi = p[1];
    for (;;) {
        uint64_t nlo = lo + 1, nhi = hi + (nlo == 0);
        uint8_t ok;
        __asm__ volatile("lock cmpxchg16b %1; sete %2"
                         : "+a"(lo), "+m"(*(volatile unsigned __int128 *)p), "=q"(ok), "+d"(hi)
                         : "b"(nlo), "c"(nhi)
                         : "memory", "cc");
        if (ok)
            return;
    }
}

static void work(int cpu)
{
    for (long i = 0; i < iter; i++) {
        atomic_add(&xadd_count, 1);
        long v = cas_count;
        while (atomic_cas(&cas_count, v, v + 1) != v)
            v = cas_count;
        __asm__ volatile("lock addq $3, %0" : "+m"(add_count) : : "memory");
        __asm__ volatile("lock incq %0; lock incq %0; lock decq %0" : "+m"(inc_dec) : : "memory");
        __asm__ volatile("lock subq $1, %0" : "+m"(sub_count) : : "memory");
        __asm__ volatile("lock incl %0" : "+m"(inc32) : : "memory");
        __asm__ volatile("lock addw $1, %0" : "+m"(add16) : : "memory");
        __asm__ volatile("lock btsq %1, %0" : "+m"(bits) : "r"((long)cpu) : "memory", "cc");
        __asm__ volatile("lock btrq %1, %0" : "+m"(bits) : "r"((long)cpu) : "memory", "cc");
        __asm__ volatile("lock addq $1, %0" : "+m"(mixed) : : "memory", "cc");
        if (cpu < 4)
            ((volatile uint8_t *)&mixed)[4 + cpu] = (uint8_t)i;
        cmpxchg8b_inc(&cx8);
        if (i % 8 == 0)
            cmpxchg16b_inc(cx16);
        __asm__ volatile("lock addl $1, %0" : "+m"(*SPLIT) : : "memory", "cc");
        take();
        xchg_count++;
        release();
    }
    __asm__ volatile("lock orq %1, %0" : "+m"(owned) : "r"(1ul << cpu) : "memory", "cc");
    atomic_add(&cpus_done, 1);
}

static void ap_main(int cpu)
{
    work(cpu);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Prints one check; returns 1 when it failed. */
static int expect(const char *what, uint64_t got, uint64_t want)
{
    if (got == want)
        return 0;
    smp_printf("race: %s is %llu, expected %llu\n", what, (unsigned long long)got,
               (unsigned long long)want);
    return 1;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    iter = multiboot_cmdline_number(mbi, "iter", ITER);
    ncpus = smp_cpus();
    int running = smp_start(ap_main);
    if (running != ncpus) {
        smp_printf("race: %d of %d cpus started\n", running, ncpus);
        return 1;
    }
    work(0);
    while (atomic_read(&cpus_done) < ncpus)
        cpu_relax();
    uint64_t n = (uint64_t)ncpus * (uint64_t)iter, bad = 0;
    bad += expect("xadd", (uint64_t)xadd_count, n);
    bad += expect("cmpxchg", (uint64_t)cas_count, n);
    bad += expect("add", (uint64_t)add_count, 3 * n);
    bad += expect("inc/dec", (uint64_t)inc_dec, n);
    bad += expect("sub", (uint64_t)-sub_count, n);
    bad += expect("inc32", inc32, n);
    bad += expect("add16", add16, n & 0xffff);
    bad += expect("bts/btr", bits, 0);
    bad += expect("or", owned, ncpus == 64 ? ~0ull : (1ull << ncpus) - 1);
    bad += expect("mixed count", mixed & 0xffffffff, n);
    for (int cpu = 0; cpu < ncpus && cpu < 4; cpu++)
        bad +=
            expect("a plain byte", (mixed >> (32 + 8 * cpu)) & 0xff, (uint64_t)(iter - 1) & 0xff);
    bad += expect("cmpxchg8b", cx8, n);
    bad += expect("cmpxchg16b", cx16[0], (uint64_t)ncpus * (uint64_t)((iter + 7) / 8));
    bad += expect("xchg lock", (uint64_t)xchg_count, n);
    bad += expect("split lock", *SPLIT, n & 0xffffffff);
    smp_printf("race: %d cpus, %ld each: %s\n", ncpus, iter, bad ? "FAIL" : "ok");
    return bad != 0;
}
