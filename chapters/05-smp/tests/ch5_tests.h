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
TCase *smp_cli_tests(void);

/** Adds the SMP guests on KVM (both irqchips), or reports them skipped. */
void add_kvm_smp_tests(Suite *s);

/** Returns how many times needle occurs in haystack. */
int occurrences(const char *haystack, const char *needle);

/** Asserts one "cpu i: apic id i" line of smp.elf for each of ncpus CPUs, and no others. */
void assert_each_cpu_once(const char *out, int ncpus);

/** Asserts smp.elf's summary line for ncpus CPUs that all did their part. */
void assert_summary(const char *out, int ncpus);

/** The same, for a run with the guest's iter= set to iter. */
void assert_summary_iter(const char *out, int ncpus, long iter);

/** Chapter 5's SMP guests on stepvm's interpreter, a host thread a vCPU (tcg.c). */
TCase *tcg_smp_tests(void);

#endif
