/*
 * cpu.h - one virtual CPU: its fd, its shared kvm_run page, entering the guest (chapter 1).
 */
#ifndef STEPVM_CPU_H
#define STEPVM_CPU_H

#include "kvm.h"

#include <linux/kvm.h>

/** A vCPU: the fd KVM_CREATE_VCPU returned and the kvm_run page mapped from it. */
struct kvm_cpu {
    struct kvm *kvm;
    int id;
    int fd;
    struct kvm_run *run;
};

/** Creates vCPU id in kvm and maps its kvm_run page. Returns 0 or -1 with the error set. */
int kvm_cpu__init(struct kvm_cpu *cpu, struct kvm *kvm, int id);

/**
 * Puts the vCPU in real mode at cs:ip = 0:entry with the stack at 0:stack, as a flat
 * binary expects: every segment base 0, interrupts off. Returns 0 or -1.
 */
int kvm_cpu__reset_real_mode(struct kvm_cpu *cpu, uint16_t entry, uint16_t stack);

/**
 * Runs the guest until its next exit (KVM_RUN). A signal that interrupts the run is not
 * an error: the exit reason is then KVM_EXIT_INTR. Returns 0, or -1 with the error set.
 */
int kvm_cpu__run(struct kvm_cpu *cpu);

/** Reads the general registers (KVM_GET_REGS). Returns 0 or -1. */
int kvm_cpu__get_regs(struct kvm_cpu *cpu, struct kvm_regs *regs);

/** Reads the segment and control registers (KVM_GET_SREGS). Returns 0 or -1. */
int kvm_cpu__get_sregs(struct kvm_cpu *cpu, struct kvm_sregs *sregs);

/** Writes the general registers (KVM_SET_REGS). Returns 0 or -1. */
int kvm_cpu__set_regs(struct kvm_cpu *cpu, const struct kvm_regs *regs);

/** Writes the segment and control registers (KVM_SET_SREGS). Returns 0 or -1. */
int kvm_cpu__set_sregs(struct kvm_cpu *cpu, const struct kvm_sregs *sregs);

/**
 * Turns the linear address linear into a guest-physical one through the guest's page
 * tables as they are now (KVM_TRANSLATE). Returns 0, or -1 with the error set when the
 * call fails or the address is not mapped.
 */
int kvm_cpu__translate(struct kvm_cpu *cpu, uint64_t linear, uint64_t *gpa);

/**
 * For an exit the VMM cannot go on from (KVM_EXIT_SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, or
 * one it does not know), sets the error to a sentence a reader understands and returns
 * -1; returns 0 for any other exit.
 */
int kvm_cpu__explain_exit(const struct kvm_run *run);

/**
 * Returns the data of the I/O exit in cpu's kvm_run page (count items of size bytes), or
 * NULL with the error set when the exit's size or offset do not fit the page.
 */
uint8_t *kvm_cpu__io_data(struct kvm_cpu *cpu);

/** Returns the KVM_EXIT_* name of reason without the prefix ("IO", "HLT"), or "UNKNOWN". */
const char *kvm_cpu__exit_name(uint32_t reason);

/** Unmaps kvm_run and closes the vCPU fd. */
void kvm_cpu__exit(struct kvm_cpu *cpu);

#endif
