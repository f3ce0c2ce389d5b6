/*
 * ch5_tests.h - the parts of chapter 5's test suite, one file each.
 */
#ifndef STEPVM_CH5_TESTS_H
#define STEPVM_CH5_TESTS_H

#include "check_helpers.h"

TCase *apicbus_tests(void);
TCase *mptable_tests(void);
/** The smp guest under QEMU TCG on 1, 2, 4 and 8 CPUs (qemu.c). */
TCase *qemu_smp_tests(void);

#endif
