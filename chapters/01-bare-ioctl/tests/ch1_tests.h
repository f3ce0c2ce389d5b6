/*
 * ch1_tests.h - the parts of chapter 1's test suite, one file each.
 */
#ifndef STEPVM_CH1_TESTS_H
#define STEPVM_CH1_TESTS_H

#include "check_helpers.h"

/** Runs build/bin/ch1 with up to three arguments (NULL ends them). */
void run_ch1(struct run_result *res, const char *a, const char *b, const char *c);

TCase *refusal_tests(void);
TCase *exit_handler_tests(void);
TCase *script_tests(void);

/** Adds the tests that need KVM, or reports them skipped. */
void add_kvm_tests(Suite *s);

#endif
