/*
 * cpuid.h - giving a vCPU its CPUID (chapter 2).
 *
 * A fresh KVM vCPU answers CPUID with almost nothing: no long mode, no PAE. A guest that
 * checks for long mode would refuse to run, and KVM itself refuses a write of EFER.LME
 * (the guest gets #GP) unless the vCPU's CPUID says the CPU has long mode. The VMM asks
 * KVM what it can offer (KVM_GET_SUPPORTED_CPUID) and gives that to the vCPU.
 */
#ifndef STEPVM_CPUID_H
#define STEPVM_CPUID_H

#include "cpu.h"

/** Sets cpu's CPUID to everything KVM supports on this host. Returns 0 or -1. */
int cpuid__init(struct kvm_cpu *cpu);

#endif
