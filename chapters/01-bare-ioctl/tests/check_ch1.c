/*
 * check_ch1.c - chapter 1's test suite: the program's refusals (cli.c), the exit handler
 * and the text a reader reads (exits.c), the guests on real KVM (on_kvm.c), make run's
 * script (scripts.c), and the labs' graders against their reference solutions.
 */
#include "check_helpers.h"
#include "ch1_tests.h"

int main(void)
{
    Suite *s = suite_create("ch1");

    suite_add_tcase(s, refusal_tests());
    suite_add_tcase(s, exit_handler_tests());
    add_kvm_tests(s);
    suite_add_tcase(s, script_tests());
    suite_add_tcase(s, lab_tests(1, 4));
    return run_suite(s);
}
