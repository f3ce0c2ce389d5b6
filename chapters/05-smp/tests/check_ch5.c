/*
 * check_ch5.c - chapter 5's test suite: the local APICs' messages between CPUs, the MP
 * table, the SMP guests on KVM (both irqchips), on the interpreter and under QEMU, and the
 * labs' graders.
 */
#include "ch5_tests.h"

int main(void)
{
    Suite *s = suite_create("ch5");

    suite_add_tcase(s, apicbus_tests());
    suite_add_tcase(s, mptable_tests());
    suite_add_tcase(s, qemu_smp_tests());
    suite_add_tcase(s, smp_cli_tests());
    suite_add_tcase(s, tcg_smp_tests());
    suite_add_tcase(s, lab_tests(5, 4));
    add_kvm_smp_tests(s);
    return run_suite(s);
}
