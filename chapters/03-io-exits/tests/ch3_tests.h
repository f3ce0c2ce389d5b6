/*
 * ch3_tests.h - the parts of chapter 3's test suite, one file each.
 */
#ifndef STEPVM_CH3_TESTS_H
#define STEPVM_CH3_TESTS_H

#include "check_helpers.h"

TCase *bus_tests(void);
TCase *record_tests(void);
TCase *qemu_tests(void);

/** Adds the tests that need KVM, or reports them skipped. */
void add_kvm_tests(Suite *s);

#endif
