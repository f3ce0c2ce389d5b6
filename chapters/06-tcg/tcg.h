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

#include <stddef.h>
#include <stdint.h>

/**
 * Makes an interpreter vCPU over mem, in the state of a CPU after reset. NULL on error.
 * The vCPUs over one mem may run on threads of their own: they share what says which of
 * its pages hold decoded code, and their locked instructions are atomic between them.
 */
struct vcpu *tcg_vcpu__new(struct guest_mem *mem);

/**
 * A backend for chapter 3's machine (vmm_config.backend): tcg_vcpu__new(mem), with the new
 * vCPU also kept in *(struct vcpu **)slot (the backend_ctx), so that its owner can read
 * its statistics and free it after vmm__exit.
 */
struct vcpu *tcg_vcpu__backend(void *slot, struct guest_mem *mem);

/** Frees it. */
void tcg_vcpu__free(struct vcpu *v);

/** How the interpreter runs code (--tcg): an instruction at a time through a cache of
 * decoded instructions, or in translation blocks chained to each other (block.c). */
enum tcg_translation {
    TCG_INSN,
    TCG_BLOCK,
    TCG_JIT, /* blocks, the hot ones compiled to host code (jit.c; x86-64 hosts only) */
};

/**
 * Parses a --tcg value ("insn", "block" or "jit") into *t. Returns 0, or -1 with the error
 * set when name is none of them, or is "jit" on a host that is not x86-64.
 */
int tcg_translation__parse(const char *name, enum tcg_translation *t);

/**
 * Sets how the vCPUs made from now on run code. Without a call, the environment variable
 * STEPVM_TCG (insn, block or jit) decides, and block when it is not set: so a test suite runs
 * whole under either by setting it.
 */
void tcg_translation__set_default(enum tcg_translation t);

/** Makes v run code the way t says from now on (its caches start empty). Returns 0, or -1
 * with the error set when out of memory. */
int tcg_vcpu__set_translation(struct vcpu *v, enum tcg_translation t);

/** How v runs code. */
enum tcg_translation tcg_vcpu__translation(struct vcpu *v);

/** The host memory v's caches of decoded code take (decoded instructions or blocks). */
size_t tcg_vcpu__cache_bytes(struct vcpu *v);

/** With --tcg=jit: the instructions v's host code left to the interpreter; else 0. */
uint64_t tcg_vcpu__jit_stepped(struct vcpu *v);

#define TCG_MAX_VCPUS 64 /* as many as chapter 3's machine has (VMM_MAX_CPUS) */

/**
 * The interpreter's vCPUs of one machine (--smp N), in the order they were made: each is
 * an interpreter of its own, run by its own thread (chapter 5), and they share the guest
 * memory and what says which of its pages hold decoded code.
 */
struct tcg_vcpus {
    unsigned n;
    struct vcpu *cpu[TCG_MAX_VCPUS];
};

/**
 * A backend for chapter 3's machine with one or more vCPUs (vmm_config.backend, called
 * once a vCPU): tcg_vcpu__new(mem), kept in the struct tcg_vcpus at set (the
 * backend_ctx); every vCPU after the first is an AP (no BSP flag in IA32_APIC_BASE).
 * NULL with the error set when out of memory or past TCG_MAX_VCPUS.
 */
struct vcpu *tcg_vcpus__backend(void *set, struct guest_mem *mem);

/** The instructions executed and decoded by all of them, summed. */
void tcg_vcpus__stats(const struct tcg_vcpus *s, uint64_t *instructions, uint64_t *decodes);

/** Frees them all (after vmm__exit); s is empty after. */
void tcg_vcpus__free(struct tcg_vcpus *s);

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
void system__cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
                   uint32_t *edx);

#endif
