/*
 * dump.h - the register dump printed when a guest dies (chapter 1).
 *
 * Laid out as kvmtool lays it out: three registers a row, then the segment registers
 * with their hidden caches, the control registers, and the code bytes at RIP.
 * The dump__* formatting functions take the state as plain structs so tests can feed them;
 * dump__cpu reads it from a vCPU.
 */
#ifndef STEPVM_DUMP_H
#define STEPVM_DUMP_H

#include "cpu.h"

#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>

/** Prints the general registers and RFLAGS, three a row. */
void dump__regs(FILE *out, const struct kvm_regs *regs);

/** Prints the segment registers (selector, base, limit, type and flag bits), GDT and IDT. */
void dump__sregs(FILE *out, const struct kvm_sregs *sregs);

/** Prints CR0, CR2, CR3, CR4, CR8 and EFER, three a row. */
void dump__control(FILE *out, const struct kvm_sregs *sregs);

/**
 * Prints the len bytes at linear address addr; the byte at rip is in brackets. len 0
 * prints the reason in why instead (for example, RIP is outside guest memory).
 */
void dump__code(FILE *out, uint64_t addr, const uint8_t *bytes, size_t len, uint64_t rip,
                const char *why);

/** Finds guest-physical [gpa, gpa + len) in host memory; NULL when it is not all RAM. */
typedef const uint8_t *(*dump_guest_ptr_fn)(void *ctx, uint64_t gpa, size_t len);

/** How the dump reaches guest memory: linear to physical, then physical to host. */
struct dump_memory {
    int (*translate)(void *ctx, uint64_t linear, uint64_t *gpa); /* 0, or -1: not mapped */
    void *translate_ctx;
    dump_guest_ptr_fn guest_ptr;
    void *guest_ctx;
};

/**
 * Prints everything a reader needs after a fatal exit: registers, segments, control
 * registers, and the code bytes around RIP. after_shutdown adds a note when the state is
 * the reset state (AMD resets the vCPU at a shutdown).
 */
void dump__state(FILE *out, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
                 int after_shutdown, const struct dump_memory *mem);

/** dump__state for a KVM vCPU: its registers, KVM_TRANSLATE, and guest_ptr for memory. */
void dump__cpu(FILE *out, struct kvm_cpu *cpu, dump_guest_ptr_fn guest_ptr, void *ctx);

#endif
