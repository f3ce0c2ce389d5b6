/*
 * lab-kvmclock.c - the test guest of lab "tsc-kvmclock" (chapter 6).
 *
 * kvmclock is KVM's paravirtual clock. CPUID leaf 0x40000000 says "KVMKVMKVM" when the
 * hypervisor is KVM, and leaf 0x40000001 EAX bit 3 (KVM_FEATURE_CLOCKSOURCE2) that it has
 * the clock at MSRs 0x4b564d00 and 0x4b564d01. The guest writes to MSR_KVM_SYSTEM_TIME_NEW
 * the guest-physical address of a struct pvclock_vcpu_time_info, with bit 0 set to enable
 * it; the hypervisor fills the structure, and from then on the guest computes nanoseconds
 * from the TSC alone, with no exit. MSR_KVM_WALL_CLOCK_NEW takes the address of a struct
 * pvclock_wall_clock, which the hypervisor fills once, at the write, with the wall-clock
 * time at which the kvmclock read 0.
 *
 * Each structure is the CPU's own; RDTSCP (lab "rdtscp") gives the TSC together with
 * TSC_AUX, which the guest sets to its CPU number, so one instruction tells which CPU's
 * structure goes with the TSC it read. The guest prints only lines that are the same on
 * KVM and on the interpreter when both are right; a number appears only with a failure.
 * Exits 0 when every check holds.
 */
#include <pit.h>
#include <stdio.h>
#include <x86.h>

#define MSR_TSC_AUX              0xc0000103u
#define MSR_KVM_WALL_CLOCK_NEW   0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW  0x4b564d01u
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define CPUID_EDX_RDTSCP         (1u << 27)
#define YEAR_2020                1577836800u /* 2020-01-01, in seconds since 1970 */

/* [lab-kvmclock-abi] */
/* The structures of KVM's ABI (Linux's Documentation/virt/kvm/x86/msr.rst). */
struct pvclock_vcpu_time_info {
    uint32_t version; /* odd while the hypervisor updates the structure */
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* the TSC at system_time */
    uint64_t system_time;       /* nanoseconds, at tsc_timestamp */
    uint32_t tsc_to_system_mul; /* ns = ((tsc delta shifted by tsc_shift) * mul) >> 32 */
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad[2];
} __attribute__((packed));

struct pvclock_wall_clock {
    uint32_t version;
    uint32_t sec; /* the wall-clock time when the kvmclock read 0 */
    uint32_t nsec;
} __attribute__((packed));
/* [lab-kvmclock-abi] */

static volatile struct pvclock_vcpu_time_info clock __attribute__((aligned(32)));
static volatile struct pvclock_wall_clock wall __attribute__((aligned(16)));
static int bad;

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static uint64_t rdtscp(uint32_t *aux)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux));
    return (uint64_t)hi << 32 | lo;
}

/* Nanoseconds now, by the structure; *version gets the version it was read under. */
static uint64_t kvmclock_ns(uint32_t *version)
{
    uint64_t tsc, ns;
    uint32_t v, aux;

    do {
        v = clock.version;
        __asm__ volatile("" ::: "memory");
        tsc = rdtscp(&aux);
        uint64_t delta = tsc - clock.tsc_timestamp;
        if (clock.tsc_shift >= 0)
            delta <<= clock.tsc_shift;
        else
            delta >>= -clock.tsc_shift;
        ns = clock.system_time +
             (uint64_t)(((unsigned __int128)delta * clock.tsc_to_system_mul) >> 32);
        __asm__ volatile("" ::: "memory");
    } while ((v & 1) || v != clock.version);
    if (aux != 0)
        printf("rdtscp: aux %u, not cpu 0\n", aux), bad = 1;
    *version = v;
    return ns;
}

static void say(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
    bad |= !ok;
}

int main(void)
{
    uint32_t r[4], version;
    char sig[13] = {0};

    cpuid(0x40000000, r);
    __builtin_memcpy(sig, &r[1], 4);
    __builtin_memcpy(sig + 4, &r[2], 4);
    __builtin_memcpy(sig + 8, &r[3], 4);
    say("kvm signature", __builtin_memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0);
    cpuid(0x40000001, r);
    say("kvmclock (clocksource2)", (r[0] & KVM_FEATURE_CLOCKSOURCE2) != 0);
    cpuid(0x80000001, r);
    say("rdtscp", (r[3] & CPUID_EDX_RDTSCP) != 0);
    if (bad)
        return 1;

    /* [lab-kvmclock] */
    wrmsr(MSR_TSC_AUX, 0); /* this is CPU 0 */
    uint64_t addr = (uint64_t)(uintptr_t)&clock | 1;
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, addr);
    say("system time msr reads back", rdmsr(MSR_KVM_SYSTEM_TIME_NEW) == addr);
    uint64_t t0 = kvmclock_ns(&version);
    say("version even and not 0", version != 0 && (version & 1) == 0);
    say("scale set", clock.tsc_to_system_mul != 0);

    uint64_t last = t0, backwards = 0;
    for (int n = 0; n < 1000; n++) {
        uint64_t t = kvmclock_ns(&version);
        backwards += t < last;
        last = t;
    }
    say("monotonic over 1000 reads", backwards == 0);

    /* The shortest of three: a vCPU descheduled by a busy host only makes one longer. */
    uint64_t us = ~0ull;
    for (int n = 0; n < 3; n++) {
        uint64_t a = kvmclock_ns(&version);
        pit_delay_us(20000);
        uint64_t b = (kvmclock_ns(&version) - a) / 1000;
        us = b < us ? b : us;
    }
    say("20 ms by the PIT is 20 ms by kvmclock (within 25%)", us >= 15000 && us <= 25000);
    if (us < 15000 || us > 25000)
        printf("kvmclock measured %lu us\n", (unsigned long)us);

    wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)(uintptr_t)&wall);
    say("wall clock version even and not 0", wall.version != 0 && (wall.version & 1) == 0);
    say("wall clock after 2020", wall.sec > YEAR_2020 && wall.nsec < 1000000000u);
    /* [lab-kvmclock] */
    printf("kvmclock: %s\n", bad ? "FAIL" : "ok");
    return bad;
}
