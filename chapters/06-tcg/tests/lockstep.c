/*
 * lockstep.c - stepvm --lockstep: every book guest of chapters 1-3 that runs at CPL0 runs
 * on KVM and on the interpreter side by side with no difference (in a machine with KVM),
 * and without KVM the option says so in one line.
 */
#include "check_helpers.h"
#include "ch6_tests.h"

#include <immintrin.h>
#include <stdio.h>
#include <string.h>

/* A guest and the machine options it needs (chapter 1's flat binaries start at 0x1000 in
 * real mode; chapter 2's payloads in the mode they are built for). */
struct lockstep_case {
    const char *opt, *arg, *guest;
};

/* Runs one guest in lockstep and prints the run's numbers, or on a difference the whole
 * report (too long for a Check message). Returns 1 when the two agreed. */
static int run_lockstep(const struct lockstep_case *c)
{
    const char *name = strrchr(c->guest, '/') + 1;
    struct run_result r;

    if (c->opt)
        run_builtv(&r, "bin/stepvm", "--lockstep", c->opt, c->arg, c->guest, NULL);
    else
        run_builtv(&r, "bin/stepvm", "--lockstep", c->guest, NULL);
    int agreed = r.status == 0 && strstr(r.out, "\nlockstep: 0 differences\n") != NULL;
    const char *numbers = strstr(r.out, "lockstep: ");
    if (agreed && numbers) /* the line before the verdict: exits, instructions, time */
        printf("%-24s %.*s\n", name, (int)strcspn(numbers, "\n"), numbers);
    else
        printf("%s in lockstep: status %d\n%s%s", name, r.status, r.out, r.err);
    fflush(stdout);
    run_free(&r);
    return agreed;
}

/* Runs every case, then fails naming the guests that differed. */
static void run_all(const struct lockstep_case *cases, size_t n)
{
    char failed[512] = "";

    for (size_t i = 0; i < n; i++)
        if (!run_lockstep(&cases[i]))
            snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed), " %s",
                     strrchr(cases[i].guest, '/') + 1);
    ck_assert_msg(failed[0] == '\0', "KVM and the interpreter differ on:%s (reports above)",
                  failed);
}

START_TEST(chapter1_guests_agree)
{
    static const struct lockstep_case cases[] = {
        {"--load-addr", "0x1000", "guests/ch1/hello.bin"},
        {"--load-addr", "0x1000", "guests/ch1/exitcode.bin"},
        {"--load-addr", "0x1000", "guests/ch1/triple.bin"},
    };

    run_all(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(chapter2_guests_agree)
{
    static const struct lockstep_case cases[] = {
        {NULL, NULL, "guests/ch2/hello.elf"},
        {NULL, NULL, "guests/ch2/memmap.elf"},
        {NULL, NULL, "guests/ch2/fault.elf"},
        {NULL, NULL, "guests/ch2/rom.elf"},
        {NULL, NULL, "guests/ch2/payload32.elf"},
        {NULL, NULL, "guests/ch2/payload64.elf"},
        {"--mode", "real", "guests/ch2/payload-real.bin"},
        {"--mode", "protected", "guests/ch2/payload-protected.bin"},
        {"--mode", "long", "guests/ch2/payload-long.bin"},
    };

    run_all(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(chapter3_guests_agree)
{
    static const struct lockstep_case cases[] = {
        {NULL, NULL, "guests/ch3/devices.elf"},
        {NULL, NULL, "guests/ch3/hcall.elf"},
        {NULL, NULL, "guests/ch3/fwcfg.elf"},
        {NULL, NULL, "guests/ch3/chaos.elf"},
    };

    run_all(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* Chapter 6's own: 32-bit and PAE paging, and the exceptions of traps.elf. */
START_TEST(chapter6_guests_agree)
{
    static const struct lockstep_case cases[] = {
        {NULL, NULL, "guests/ch6/paging.elf"},
        {NULL, NULL, "guests/ch6/protect.elf"},
        {NULL, NULL, "guests/ch6/compat.elf"},
        {"--cmdline", "pf-write", "guests/ch6/traps.elf"},
        {"--cmdline", "pf-user", "guests/ch6/traps.elf"},
        {"--cmdline", "gp", "guests/ch6/traps.elf"},
        {"--cmdline", "de", "guests/ch6/traps.elf"},
        {"--cmdline", "syscall", "guests/ch6/traps.elf"},
        {"--cmdline", "swapgs", "guests/ch6/traps.elf"},
    };

    run_all(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* Whether this CPU's SSE unit acts as hardware does at a corner the guests test: adding a
 * denormal sets MXCSR.DE. QEMU's emulated CPU never sets it, and in the nested machine of
 * the KVM tests the guest's floating-point instructions run on that emulated CPU. */
static int fpu_is_hardware(void)
{
    volatile float tiny = 1e-40f, one = 1.0f;
    unsigned saved = _mm_getcsr();

    _mm_setcsr(0x1f80); /* all masked, flags clear */
    __m128 r = _mm_add_ss(_mm_set_ss(tiny), _mm_set_ss(one));
    __asm__ volatile("" : "+x"(r));
    unsigned flags = _mm_getcsr();
    _mm_setcsr(saved);
    return (flags & 0x2) != 0; /* DE */
}

/* The x87, SSE and SSE2 guests (guest/x87.c, sse.c, simd.c): with the vCPU operation
 * get_fpu on both backends, the FPU state is compared after every instruction too. The
 * x87 and SSE guests print hardware's answers at corners an emulated CPU gets wrong, so
 * they are compared only where KVM runs on a hardware FPU; simd.elf everywhere. */
START_TEST(chapter6_fpu_guests_agree)
{
    static const struct lockstep_case cases[] = {
        {NULL, NULL, "guests/ch6/simd.elf"},
        {NULL, NULL, "guests/ch6/x87.elf"},
        {NULL, NULL, "guests/ch6/sse.elf"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);

    if (!fpu_is_hardware()) {
        printf("NOT COMPARED: x87.elf and sse.elf in lockstep: the CPU under this KVM is "
               "emulated (adding a denormal sets no MXCSR.DE), so it is no reference for "
               "their corners\n");
        fflush(stdout);
        n = 1;
    }
    run_all(cases, n);
}
END_TEST

/* Without KVM there is nothing to compare with: one line that says so, status 1. */
START_TEST(lockstep_without_kvm_says_so)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--lockstep", "--kvm-dev", "/nonexistent/kvm",
               "guests/ch3/hcall.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "stepvm: --lockstep needs KVM: open /nonexistent/kvm: No such file "
                            "or directory (is the kvm module loaded? try 'modprobe kvm_intel' "
                            "or 'modprobe kvm_amd'; if that fails, enable VT-x/AMD-V in the "
                            "firmware setup)\n");
    run_free(&r);
}
END_TEST

void add_lockstep_tests(Suite *s)
{
    const TTest *const kvm[] = {chapter1_guests_agree, chapter2_guests_agree, chapter3_guests_agree,
                                chapter6_guests_agree, chapter6_fpu_guests_agree};
    TCase *tc = tcase_create("lockstep");

    tcase_add_test(tc, lockstep_without_kvm_says_so);
    suite_add_tcase(s, tc);
    suite_add_kvm_tests(s, "lockstep_kvm", kvm, sizeof(kvm) / sizeof(kvm[0]));
}
