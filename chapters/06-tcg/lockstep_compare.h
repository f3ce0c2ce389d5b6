/*
 * lockstep_compare.h - what stepvm --lockstep compares between KVM and the interpreter,
 * and how it shows a difference (chapter 6): the register state, field by field with what
 * is left out and why, and the items of the exits, one a device access.
 */
#ifndef STEPVM_LOCKSTEP_COMPARE_H
#define STEPVM_LOCKSTEP_COMPARE_H

#include "vcpu.h"
#include "x86/decode.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** A vCPU's registers as lockstep compares them. */
struct lockstep_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    /* The x87 and SSE state, when both backends offer the vCPU operation get_fpu (built
     * with VCPU_HAS_FPU defined, which common/vcpu.h does once the operation exists). */
    struct kvm_fpu fpu;
    int has_fpu;
};

/** Reads v's registers. Returns 0, or -1 with the error set. */
int lockstep_state__read(struct vcpu *v, struct lockstep_state *s);

/**
 * Returns 1 when a and b are the same in every field the comparison looks at: all of
 * struct kvm_regs; of struct kvm_sregs the segments, GDT, IDT, CR0, CR2, CR3, CR4, CR8,
 * EFER and APIC base, less the masks lockstep_compare.c explains; and when both states
 * hold it, the x87 and SSE state (FCW, FSW, abridged tag, MXCSR, XMM0-15, and the x87
 * registers that hold a value).
 */
int lockstep_state__equal(const struct lockstep_state *a, const struct lockstep_state *b);

/** Prints the fields that differ, then both states side by side, the differences marked. */
void lockstep_state__print(FILE *out, const struct lockstep_state *kvm,
                           const struct lockstep_state *tcg);

/**
 * Reads up to X86_MAX_LENGTH bytes of code at the state's CS:RIP from v (through the
 * guest's page tables) and decodes them in the state's mode into *insn (zeroed when they
 * are not an instruction). Returns how many bytes could be read: 0 when none.
 */
size_t lockstep_state__code(struct vcpu *v, const struct lockstep_state *s,
                            uint8_t bytes[X86_MAX_LENGTH], struct x86_insn *insn);

/** An item kind beyond enum vcpu_exit_kind: the machine had already ended. */
#define LOCKSTEP_ITEM_END 100

/**
 * One thing a machine did: a device access with its data (written, or answered by the
 * device), or another exit (no data). Port string I/O is one item an element, so that
 * KVM's one exit for a REP INS and the interpreter's several compare alike.
 */
struct lockstep_item {
    uint8_t kind; /* enum vcpu_exit_kind, or LOCKSTEP_ITEM_END */
    uint8_t write, size;
    uint64_t addr; /* port, or guest-physical address */
    uint64_t data;
};

/** A machine's items not yet compared with the other's: n of them, from next on. */
struct lockstep_log {
    struct lockstep_item *items;
    size_t n, cap, next;
};

/** Appends one item. Returns 0, or -1 (out of memory, error set). */
int lockstep_log__add(struct lockstep_log *l, struct lockstep_item it);

/** Appends what exit e did (after the VMM handled it: reads carry their data). 0 or -1. */
int lockstep_log__add_exit(struct lockstep_log *l, const struct vcpu_exit *e);

/** Forgets the items already compared (those before next). */
void lockstep_log__drop_compared(struct lockstep_log *l);

/** Prints up to 8 items of the log, from the first, on lines of their own. */
void lockstep_log__print(FILE *out, const struct lockstep_log *l);

/** Frees the items and empties the log. */
void lockstep_log__free(struct lockstep_log *l);

/** Returns 1 when a and b are the same exit or access, with the same data. */
int lockstep_item__equal(const struct lockstep_item *a, const struct lockstep_item *b);

/** Prints an item in words: "IO write port 0xe9 size 1 data 0x68", "HLT". */
void lockstep_item__print(FILE *out, const struct lockstep_item *it);

#endif
