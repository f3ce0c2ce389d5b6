/*
 * ch4_tests.h - the parts of chapter 4's test suite, one file each.
 */
#ifndef STEPVM_CH4_TESTS_H
#define STEPVM_CH4_TESTS_H

#include "check_helpers.h"

TCase *irq_tests(void);
TCase *qemu_tests(void);

#endif
