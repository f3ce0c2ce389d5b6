/*
 * qemu.c - chapter 5's smp guest under QEMU's TCG, the reference machine, on 1, 2, 4 and 8
 * CPUs: every CPU starts once, the shared counters and the IPIs add up, and an AP can end
 * the machine. stepvm's SMP machine is held to the same lines.
 */
#include "ch5_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITER 100000 /* the guest's default increments per CPU */

/* Returns how many times @p needle occurs in @p haystack. */
int occurrences(const char *haystack, const char *needle)
{
    int n = 0;

    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Asserts one "cpu i: apic id i" line for each of the @p ncpus CPUs, and no others. */
void assert_each_cpu_once(const char *out, int ncpus)
{
    char line[64];

    for (int cpu = 0; cpu < ncpus; cpu++) {
        snprintf(line, sizeof(line), "cpu %d: apic id %d\n", cpu, cpu);
        ck_assert_msg(occurrences(out, line) == 1, "\"%.*s\" not exactly once in:\n%s",
                      (int)strlen(line) - 1, line, out);
    }
    ck_assert_msg(occurrences(out, ": apic id ") == ncpus, "%d cpus, but:\n%s", ncpus, out);
}

/* The summary line the guest prints for @p ncpus CPUs that all did their part. */
void assert_summary(const char *out, int ncpus)
{
    assert_summary_iter(out, ncpus, ITER);
}

/* The same, when each CPU counted @p iter times (the guest's iter=). */
void assert_summary_iter(const char *out, int ncpus, long iter)
{
    char line[128];

    snprintf(line, sizeof(line), "smp: %d cpus, locked %ld, xadd %ld, ipis %d: ok\n", ncpus,
             ncpus * iter, ncpus * iter, 2 * (ncpus - 1));
    size_t len = strlen(out);
    ck_assert_msg(strstr(out, line) != NULL, "no \"%s\" in (the end of the output):\n%s", line,
                  out + (len > 1500 ? len - 1500 : 0));
}

static void run_smp(int ncpus)
{
    struct run_result r;

    run_qemu(&r, "guests/ch5/smp.elf", &(struct qemu_run){.cmdline = "", .ncpus = ncpus});
    assert_each_cpu_once(r.out, ncpus);
    assert_summary(r.out, ncpus);
    /* exit(0) through isa-debug-exit: QEMU's status is (0 << 1) | 1. */
    ck_assert_msg(r.status == 1, "QEMU status %d: %s\n%s", r.status, r.err, r.out);
    run_free(&r);
}

START_TEST(qemu_smp_on_one_cpu)
{
    run_smp(1);
}
END_TEST

START_TEST(qemu_smp_on_two_cpus)
{
    run_smp(2);
}
END_TEST

START_TEST(qemu_smp_on_four_cpus)
{
    run_smp(4);
}
END_TEST

START_TEST(qemu_smp_on_eight_cpus)
{
    run_smp(8);
}
END_TEST

/* end=ap: the highest AP checks the totals and ends the machine; the BSP never does. */
START_TEST(qemu_smp_ended_by_an_ap)
{
    struct run_result r;

    run_qemu(&r, "guests/ch5/smp.elf", &(struct qemu_run){.cmdline = "end=ap", .ncpus = 4});
    assert_each_cpu_once(r.out, 4);
    assert_summary(r.out, 4);
    ck_assert_msg(strstr(r.out, "ended by cpu 3\n") != NULL, "no \"ended by cpu 3\" in:\n%s",
                  r.out);
    ck_assert_msg(r.status == 1, "QEMU status %d: %s\n%s", r.status, r.err, r.out);
    run_free(&r);
}
END_TEST

/* race.elf, the interpreter's test of locked instructions (tcg.c), holds on QEMU too. */
START_TEST(qemu_race_on_four_cpus)
{
    struct run_result r;

    run_qemu(&r, "guests/ch5/race.elf", &(struct qemu_run){.cmdline = "iter=5000", .ncpus = 4});
    ck_assert_msg(strstr(r.out, "race: 4 cpus, 5000 each: ok\n") != NULL, "QEMU:\n%s%s", r.out,
                  r.err);
    ck_assert_msg(r.status == 1, "QEMU status %d: %s\n%s", r.status, r.err, r.out);
    run_free(&r);
}
END_TEST

TCase *qemu_smp_tests(void)
{
    TCase *tc = tcase_create("qemu_smp");

    tcase_set_timeout(tc, 90);
    if (system("command -v qemu-system-x86_64 >/dev/null") != 0) {
        printf("SKIPPED: 6 tests in test case qemu_smp: qemu-system-x86_64, the reference "
               "machine, is not installed (apt-get install qemu-system-x86)\n");
        fflush(stdout);
        return tc;
    }
    tcase_add_test(tc, qemu_smp_on_one_cpu);
    tcase_add_test(tc, qemu_smp_on_two_cpus);
    tcase_add_test(tc, qemu_smp_on_four_cpus);
    tcase_add_test(tc, qemu_smp_on_eight_cpus);
    tcase_add_test(tc, qemu_smp_ended_by_an_ap);
    tcase_add_test(tc, qemu_race_on_four_cpus);
    return tc;
}
