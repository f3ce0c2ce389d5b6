/*
 * cpuid.h - giving a vCPU its CPUID (chapter 2).
 *
 * A fresh KVM vCPU answers CPUID with almost nothing: no long mode, no PAE. A guest that
 * checks for long mode would refuse to run, and KVM itself refuses a write of EFER.LME
 * (the guest gets #GP) unless the vCPU's CPUID says the CPU has long mode. The VMM asks
 * KVM what it can offer (KVM_GET_SUPPORTED_CPUID) and gives that to the vCPU, with one bit
 * more: CPUID.1:ECX bit 31, "running under a hypervisor", which real CPUs leave clear. An
 * operating system that sees it looks at leaf 0x40000000 for the hypervisor's name ("KVMKVMKVM"
 * from KVM's own table) and uses what KVM offers paravirtual guests there, such as kvmclock,
 * which tells Linux the TSC's frequency without measuring it.
 */
#ifndef STEPVM_CPUID_H
#define STEPVM_CPUID_H

#include "cpu.h"

#include <linux/kvm.h>

#define CPUID_1_ECX_X2APIC       (1u << 21) /* the local APIC's MSR interface */
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24) /* the APIC timer's TSC-deadline mode */
#define CPUID_1_ECX_HYPERVISOR   (1u << 31) /* running under a hypervisor (see above) */

/** A later chapter's change to the table before the vCPU gets it (chapter 4: no in-kernel
 *  local APIC means no x2APIC and no TSC-deadline timer). */
typedef void (*cpuid_adjust_fn)(void *ctx, struct kvm_cpuid2 *table);

/**
 * Sets cpu's CPUID to everything KVM supports on this host, plus the hypervisor bit and
 * the vCPU's own APIC ID (its id), then
 * lets adjust (when not NULL) change the table. Returns 0 or -1.
 */
int cpuid__init(struct kvm_cpu *cpu, cpuid_adjust_fn adjust, void *ctx);

/**
 * Gives cpu the CPUID table (KVM_SET_CPUID2), replacing the one it had: allowed until the
 * vCPU first runs (chapter 6's lockstep gives KVM the interpreter's model). Returns 0 or -1.
 */
int cpuid__set(struct kvm_cpu *cpu, const struct kvm_cpuid2 *table);

#endif
