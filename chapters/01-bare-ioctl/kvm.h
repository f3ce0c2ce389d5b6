/*
 * kvm.h - the system and VM file descriptors of /dev/kvm (chapter 1).
 *
 * KVM is driven through three kinds of file descriptor: the system fd (/dev/kvm itself),
 * one VM fd per virtual machine, and one vCPU fd per virtual CPU (cpu.h). This module
 * owns the first two.
 */
#ifndef STEPVM_KVM_H
#define STEPVM_KVM_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

/** The default device node; tests and --kvm-dev may name another. */
#define KVM_DEVICE "/dev/kvm"

/** Guest-physical address KVM may use for the TSS that real mode needs on some Intel CPUs. */
#define KVM_TSS_ADDR 0xfffbd000u

/** One open KVM: the system fd, one VM, and the size of each vCPU's kvm_run mapping. */
struct kvm {
    int sys_fd;
    int vm_fd;
    int vcpu_mmap_size;
};

/**
 * Opens dev (normally /dev/kvm), checks the API version and the capabilities stepvm
 * relies on, creates a VM and gives it its TSS address. Returns 0, or -1 with the error
 * set to a one-line explanation with the fix (module not loaded, group kvm, ...).
 */
int kvm__init(struct kvm *kvm, const char *dev);

/** Returns -1 with an explanation unless version is the API version this code was written for. */
int kvm__check_api_version(int version);

/** Appends to the current error the fix for a failed open of the KVM device with errno err. */
void kvm__explain_open_error(int err);

/**
 * After a failure, tells the reader of chapter's program (named program) on out that
 * 'make chapter-N' runs it in the nested machine, when the last kvm__init or kvm__open
 * found no usable KVM device; prints nothing otherwise.
 */
void kvm__explain_nested(FILE *out, const char *program, int chapter);

/**
 * Maps host memory [host, host + size) at guest-physical address gpa as memory slot
 * slot; flags are KVM_MEM_* flags. Returns 0 or -1 with the error set.
 */
int kvm__set_memory(struct kvm *kvm, uint32_t slot, uint64_t gpa, void *host, size_t size,
                    uint32_t flags);

/** Closes the VM and the system fd. Safe on a struct kvm__init failed to fill. */
void kvm__exit(struct kvm *kvm);

/**
 * Opens dev and checks what must hold before anything else is asked of it: the API
 * version, and a CPU with the virtualization extensions KVM is meant to use (VT-x or
 * AMD-V; without them dev is a software KVM stepvm cannot run its guests on). Returns the
 * system fd, or -1 with the error set to the reason and the fix (kvm__explain_open_error).
 */
int kvm__open(const char *dev);

/**
 * Can this process run a VM on dev? kvm__open, then close. Returns 1, or 0 with the error
 * set as kvm__open sets it.
 */
int kvm__usable(const char *dev);

#endif
