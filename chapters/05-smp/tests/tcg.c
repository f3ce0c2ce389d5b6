/*
 * tcg.c - chapter 5's machine on chapter 6's interpreter (stepvm --accel=tcg --smp N): a
 * host thread a vCPU, as QEMU's multi-threaded TCG runs them. The smp guest on 1, 2, 4
 * and 8 CPUs gives QEMU's lines; race.elf's locked instructions and plain stores add up
 * exactly; smc.elf's CPUs run the code another CPU rewrote; nmi.elf's NMI wakes a CPU
 * halted with interrupts off. The suite also runs under
 * ThreadSanitizer (make test TSAN=1), which checks the interpreter's shared memory.
 */
#include "ch5_tests.h"

#include <stdio.h>
#include <string.h>

#define ITER "10000" /* the smp guest's increments per CPU: seconds on 8 vCPUs under TSan */

/* Runs guest on ncpus interpreter vCPUs with the Multiboot command line cmdline. */
static void run_tcg(struct run_result *r, const char *guest, int ncpus, const char *cmdline)
{
    char smp[16];

    snprintf(smp, sizeof(smp), "%d", ncpus);
    run_builtv(r, "bin/stepvm", "--accel=tcg", "--smp", smp, "--cmdline", cmdline, guest, NULL);
}

/* smp.elf: every CPU reports in once, the two counters and the IPIs add up, exit(0). */
static void smp_guest(int ncpus)
{
    struct run_result r;

    run_tcg(&r, "guests/ch5/smp.elf", ncpus, "iter=" ITER);
    assert_each_cpu_once(r.out, ncpus);
    assert_summary_iter(r.out, ncpus, 10000);
    ck_assert_msg(r.status == 1, "--smp %d: status %d\n%s%s", ncpus, r.status, r.out, r.err);
    run_free(&r);
}

START_TEST(tcg_smp_on_1)
{
    smp_guest(1);
}
END_TEST

START_TEST(tcg_smp_on_2)
{
    smp_guest(2);
}
END_TEST

START_TEST(tcg_smp_on_4)
{
    smp_guest(4);
}
END_TEST

START_TEST(tcg_smp_on_8)
{
    smp_guest(8);
}
END_TEST

/* end=ap: an AP checks the totals and ends the machine while the BSP waits in HLT. */
START_TEST(tcg_smp_ended_by_an_ap)
{
    struct run_result r;

    run_tcg(&r, "guests/ch5/smp.elf", 4, "end=ap iter=" ITER);
    assert_each_cpu_once(r.out, 4);
    assert_summary_iter(r.out, 4, 10000);
    ck_assert_msg(strstr(r.out, "ended by cpu 3\n") != NULL, "no \"ended by cpu 3\" in:\n%s",
                  r.out);
    ck_assert_msg(r.status == 1, "status %d\n%s%s", r.status, r.out, r.err);
    run_free(&r);
}
END_TEST

/* race.elf: each locked instruction, XCHG and plain stores racing on shared words. */
static void race(int ncpus)
{
    struct run_result r;
    char want[64];

    run_tcg(&r, "guests/ch5/race.elf", ncpus, "iter=5000");
    snprintf(want, sizeof(want), "race: %d cpus, 5000 each: ok\n", ncpus);
    ck_assert_msg(strstr(r.out, want) != NULL, "no \"%s\" in:\n%s%s", want, r.out, r.err);
    ck_assert_msg(r.status == 1, "--smp %d: status %d\n%s%s", ncpus, r.status, r.out, r.err);
    run_free(&r);
}

START_TEST(tcg_race_on_2)
{
    race(2);
}
END_TEST

START_TEST(tcg_race_on_4)
{
    race(4);
}
END_TEST

/* smc.elf: CPU 1 rewrites a function the other CPUs call in a loop. */
static void smc(int ncpus, const char *rounds)
{
    struct run_result r;
    char want[64];

    run_tcg(&r, "guests/ch5/smc.elf", ncpus, rounds);
    snprintf(want, sizeof(want), "smc: %d cpus, %s rounds, stale 0: ok\n", ncpus,
             strchr(rounds, '=') + 1);
    ck_assert_msg(strstr(r.out, want) != NULL, "no \"%s\" in:\n%s%s", want, r.out, r.err);
    ck_assert_msg(r.status == 1, "--smp %d: status %d\n%s%s", ncpus, r.status, r.out, r.err);
    run_free(&r);
}

START_TEST(tcg_smc_on_2)
{
    smc(2, "rounds=200");
}
END_TEST

/* Three CPUs run the code: each round needs all four threads, on however many cores. */
START_TEST(tcg_smc_on_4)
{
    smc(4, "rounds=30");
}
END_TEST

/* nmi.elf: CPU 1's NMI wakes the BSP from HLT with interrupts off; the runtime's handler
 * reports vector 2 and exits with 255, as under QEMU. */
START_TEST(tcg_nmi_wakes_a_halted_cpu)
{
    struct run_result r;

    run_tcg(&r, "guests/ch5/nmi.elf", 2, "");
    ck_assert_msg(strstr(r.out, "exception 2 (NMI) at rip") != NULL, "no NMI in:\n%s%s", r.out,
                  r.err);
    ck_assert_msg(r.status == 255, "status %d\n%s%s", r.status, r.out, r.err);
    run_free(&r);
}
END_TEST

TCase *tcg_smp_tests(void)
{
    TCase *tc = tcase_create("tcg smp");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tcg_smp_on_1);
    tcase_add_test(tc, tcg_smp_on_2);
    tcase_add_test(tc, tcg_smp_on_4);
    tcase_add_test(tc, tcg_smp_on_8);
    tcase_add_test(tc, tcg_smp_ended_by_an_ap);
    tcase_add_test(tc, tcg_race_on_2);
    tcase_add_test(tc, tcg_race_on_4);
    tcase_add_test(tc, tcg_smc_on_2);
    tcase_add_test(tc, tcg_smc_on_4);
    tcase_add_test(tc, tcg_nmi_wakes_a_halted_cpu);
    return tc;
}
