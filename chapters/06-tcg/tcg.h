/*
 * tcg.h - the vCPU interface of chapter 3, implemented by an x86 interpreter instead of
 * KVM (chapter 6).
 *
 * The interpreter reads and writes the same guest memory (chapter 2's struct guest_mem,
 * made without KVM) and reports the same exits: port I/O and MMIO go to chapter 3's bus,
 * HLT is an exit the VMM decides about, a triple fault is a shutdown. So the machine, its
 * devices and the inspector run unchanged over either backend. External interrupts come
 * from the INTR pin of struct vcpu (chapter 4), taken between instructions.
 */
#ifndef STEPVM_TCG_H
#define STEPVM_TCG_H

#include "mem.h"
#include "vcpu.h"

#include <stdint.h>

/** Makes an interpreter vCPU over mem, in the state of a CPU after reset. NULL on error. */
struct vcpu *tcg_vcpu__new(struct guest_mem *mem);

/**
 * A backend for chapter 3's machine (vmm_config.backend): tcg_vcpu__new(mem), with the new
 * vCPU also kept in *(struct vcpu **)slot (the backend_ctx), so that its owner can read
 * its statistics and free it after vmm__exit.
 */
struct vcpu *tcg_vcpu__backend(void *slot, struct guest_mem *mem);

/** Frees it. */
void tcg_vcpu__free(struct vcpu *v);

/**
 * For differential tests: with on, an exception the guest raises is not delivered; the run
 * ends (VCPU_EXIT_FATAL) with the state as the instruction found it, and
 * tcg_vcpu__exception() names it.
 */
void tcg_vcpu__trap_exceptions(struct vcpu *v, int on);

/** The vector of the last exception the last run raised (error code in *error), or -1 when
 * none. With exceptions trapped, that is the one that ended the run. */
int tcg_vcpu__exception(struct vcpu *v, uint32_t *error);

/** Instructions executed, and instructions decoded (the cache's misses), so far. */
uint64_t tcg_vcpu__instructions(struct vcpu *v);
uint64_t tcg_vcpu__decodes(struct vcpu *v);

struct vclock;

/**
 * Makes the vCPU's time stamp counter follow clock (the machine's vclock, chapter 4's
 * irq.h): one tick a nanosecond, the 1 GHz that CPUID leaves 0x15 and 0x16 announce, so
 * that the TSC agrees with the PIT, the local APIC timer and the RTC that the guest
 * compares it with. Every vCPU of the process counts from the same epoch (the clock's
 * time at the first call), so their TSCs agree with each other too. With clock NULL, or
 * without this call, the TSC counts executed instructions: two runs of a guest read the
 * same values (the differential tests rely on that). A WRMSR to IA32_TSC offsets either.
 */
void tcg_vcpu__set_clock(struct vcpu *v, const struct vclock *clock);

/** The CPUID model: fills *eax..*edx for leaf and subleaf as the interpreter answers. */
void tcg_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
               uint32_t *edx);

#endif
