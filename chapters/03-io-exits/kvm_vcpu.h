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

/** A KVM vCPU behind the interface. vcpu first: the interface's functions cast back. */
struct kvm_vcpu {
    struct vcpu vcpu;
    struct kvm_cpu *cpu;
    struct guest_mem *mem;
    int stepping;
};

/** Puts the interface in front of an existing KVM vCPU and its guest's memory. */
void kvm_vcpu__init(struct kvm_vcpu *kv, struct kvm_cpu *cpu, struct guest_mem *mem);

#endif
