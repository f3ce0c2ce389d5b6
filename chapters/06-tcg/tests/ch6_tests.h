/*
 * ch6_tests.h - the parts of chapter 6's test suite, one file each.
 */
#ifndef STEPVM_CH6_TESTS_H
#define STEPVM_CH6_TESTS_H

#include "check_helpers.h"

/** The differential test against Unicorn: a random slice and hand-written cases. */
TCase *diff_tests(void);

/** External interrupts, the interrupt shadows, HLT and kicks on the interpreter (intr.c). */
TCase *intr_tests(void);

/** Whole guests on the interpreter, against expected output and QEMU (guests.c). */
TCase *guest_tests(void);

/** Random programs under --tcg=insn and --tcg=block, compared (blocks.c). */
TCase *block_tests(void);

/** A device's write to guest memory and the decoded-code cache (dma.c). */
TCase *dma_tests(void);

/** The FPU state through get_fpu/set_fpu on the interpreter (fpu_state.c). */
TCase *fpu_tests(void);
/** Debian's Linux on the interpreter, 1 and 2 vCPUs; the idle guest (linux.c). */
TCase *linux_tcg_tests(void);

/** The book's guests on KVM and on the interpreter, in a machine with KVM (guests.c). */
void add_guest_kvm_tests(Suite *s);

/** stepvm --lockstep: the book's guests on KVM and the interpreter side by side (lockstep.c). */
void add_lockstep_tests(Suite *s);

#endif
