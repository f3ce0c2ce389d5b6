/*
 * check_ch3.c - chapter 3's test suite: the bus (bus.c), trace and statistics (records.c)
 * without KVM; the devices, hypercalls, strict mode and records of real guests on KVM
 * (on_kvm.c).
 */
#include "check_helpers.h"
#include "ch3_tests.h"

int main(void)
{
    Suite *s = suite_create("ch3");

    suite_add_tcase(s, bus_tests());
    suite_add_tcase(s, record_tests());
    add_kvm_tests(s);
    return run_suite(s);
}
