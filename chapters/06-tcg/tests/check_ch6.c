/*
 * check_ch6.c - chapter 6's test suite: the interpreter compared instruction by
 * instruction with Unicorn (test_diff.c), its external interrupts (intr.c), whole guests
 * against QEMU and KVM (guests.c); the labs' graders against their solutions.
 *
 * A test case can be named on the command line (check_ch6 diff): it runs alone, as
 * CK_RUN_CASE=diff would run it. The differential test's own variables (STEPVM_DIFF_CASES,
 * STEPVM_DIFF_SEED, STEPVM_DIFF_FIRST) are described in test_diff.c.
 */
#include "check_helpers.h"
#include "ch6_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The interpreter's test cases again, under each way of running code that is not the
 * default (--tcg=jit on x86-64 hosts): this program runs itself, one case at a time. */
static const char *const other_ways[] = {"insn", "block"};
static const char *const way_cases[] = {"diff", "intr", "guests", "dma", "fpu"};

START_TEST(every_way_passes_the_interpreter_cases)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    ck_assert_int_gt(n, 0);
    self[n] = 0;
    for (size_t w = 0; w < sizeof(other_ways) / sizeof(other_ways[0]); w++) {
        for (size_t k = 0; k < sizeof(way_cases) / sizeof(way_cases[0]); k++) {
            struct run_result r;
            run_shell(&r, "STEPVM_TCG=%s '%s' %s", other_ways[w], self, way_cases[k]);
            size_t len = strlen(r.out);
            ck_assert_msg(r.status == 0, "STEPVM_TCG=%s, case %s: status %d:\n%s", other_ways[w],
                          way_cases[k], r.status, r.out + (len > 3000 ? len - 3000 : 0));
            ck_assert_msg(strstr(r.out, "100%: Checks: ") && !strstr(r.out, "Checks: 0,"),
                          "STEPVM_TCG=%s, case %s:\n%.3000s", other_ways[w], way_cases[k], r.out);
            run_free(&r);
        }
    }
}
END_TEST

static TCase *way_tests(void)
{
    TCase *tc = tcase_create("ways");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, every_way_passes_the_interpreter_cases);
    return tc;
}

int main(int argc, char **argv)
{
    Suite *s = suite_create("ch6");

    if (argc > 2) {
        fprintf(stderr, "usage: %s [test case]\n", argv[0]);
        return 1;
    }
    if (argc == 2)
        setenv("CK_RUN_CASE", argv[1], 1);
    suite_add_tcase(s, diff_tests());
    suite_add_tcase(s, intr_tests());
    suite_add_tcase(s, guest_tests());
    suite_add_tcase(s, block_tests());
    suite_add_tcase(s, dma_tests());
    suite_add_tcase(s, fpu_tests());
    suite_add_tcase(s, linux_tcg_tests());
    suite_add_tcase(s, way_tests());
    add_guest_kvm_tests(s);
    add_lockstep_tests(s);
    suite_add_tcase(s, lab_tests(6, 6));
    return run_suite(s);
}
