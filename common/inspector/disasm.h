/*
 * disasm.h - x86 disassembly for the inspector's code pane, in the CPU's current mode
 * (chapter 3). Zydis does the decoding; this module picks the mode and the syntax.
 */
#ifndef STEPVM_DISASM_H
#define STEPVM_DISASM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/** The modes the decoder needs to know apart. */
enum disasm_mode {
    DISASM_REAL16,   /* CR0.PE clear */
    DISASM_PROT16,   /* protected mode, 16-bit code segment */
    DISASM_PROT32,   /* protected mode, 32-bit code segment (CS.DB) */
    DISASM_COMPAT16, /* long mode (EFER.LMA), 16-bit compatibility code */
    DISASM_COMPAT32, /* long mode, 32-bit compatibility code */
    DISASM_LONG64,   /* long mode, 64-bit code (CS.L) */
};

/** Returns the mode the CPU decodes instructions in, from CR0.PE, EFER.LMA, CS.L and CS.DB. */
enum disasm_mode disasm__mode_of(const struct kvm_sregs *sregs);

/** Returns a short name for a mode: "real-16", "prot-32", "long-64", ... */
const char *disasm__mode_name(enum disasm_mode mode);

/**
 * Decodes the instruction at the start of bytes (len of them, at address) and writes it
 * in AT&T syntax, as the book's assembly sources are written, into text. Returns its
 * length in bytes, or 0 when the bytes are not a whole valid instruction (text says so).
 */
size_t disasm__one(enum disasm_mode mode, uint64_t address, const uint8_t *bytes, size_t len,
                   char *text, size_t size);

#endif
