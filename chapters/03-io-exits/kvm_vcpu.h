/*
 * kvm_vcpu.h - the vCPU interface (common/vcpu.h) implemented on KVM (chapter 3).
 *
 * A thin translation: KVM_RUN's kvm_run page becomes a struct vcpu_exit, and the
 * register, memory and single-step calls map onto ioctls and chapter 2's guest memory.
 */
#ifndef STEPVM_KVM_VCPU_H
#define STEPVM_KVM_VCPU_H

#include "cpu.h"
#include "mem.h"
#include "vcpu.h"

#include <pthread.h>

/** A KVM vCPU behind the interface. vcpu first: the interface's functions cast back. */
struct kvm_vcpu {
    struct vcpu vcpu;
    struct kvm_cpu *cpu;
    struct guest_mem *mem;
    int stepping;
    pthread_t thread; /* the thread that runs it, once it has run: where kicks go */
    atomic_int has_thread;
};

/** The signal that kicks a vCPU's thread out of KVM_RUN (its handler does nothing). */
#define KVM_VCPU_KICK_SIGNAL SIGUSR1

/** Puts the interface in front of an existing KVM vCPU and its guest's memory. */
void kvm_vcpu__init(struct kvm_vcpu *kv, struct kvm_cpu *cpu, struct guest_mem *mem);

#endif
