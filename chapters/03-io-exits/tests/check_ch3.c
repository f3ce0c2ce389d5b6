/*
 * check_ch3.c - chapter 3's test suite: the bus (bus.c), trace and statistics (records.c)
 * and the inspector's commands and panes (inspector.c) without KVM; the devices,
 * hypercalls, strict mode and records of real guests, the inspector's transcripts and its
 * TUI on KVM; the labs' graders against their solutions.
 */
#include "check_helpers.h"
#include "ch3_tests.h"
#include "inspector_tests.h"

int main(void)
{
    Suite *s = suite_create("ch3");

    suite_add_tcase(s, bus_tests());
    suite_add_tcase(s, record_tests());
    suite_add_tcase(s, inspector_tests());
    suite_add_tcase(s, qemu_tests());
    add_kvm_tests(s);
    add_inspector_kvm_tests(s);
    suite_add_tcase(s, lab_tests(3, 4));
    return run_suite(s);
}
