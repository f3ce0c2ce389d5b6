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
    add_guest_kvm_tests(s);
    add_lockstep_tests(s);
    suite_add_tcase(s, lab_tests(6, 6));
    return run_suite(s);
}
