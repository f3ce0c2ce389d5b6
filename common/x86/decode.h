/*
 * decode.h - the x86 instruction decoder shared by the interpreter and the inspector
 * (chapter 6): prefixes, REX, operand and address size, ModRM/SIB, displacement, immediate.
 */
#ifndef STEPVM_X86_DECODE_H
#define STEPVM_X86_DECODE_H

#include <stddef.h>
#include <stdint.h>

/** The longest instruction the CPU accepts; a longer one raises \#GP (we report it). */
#define X86_MAX_LENGTH 15

/** How the CPU decodes: CS.D/CS.L pick 16 or 32, long mode picks 64. Real mode is 16. */
enum x86_mode { X86_MODE_16 = 16, X86_MODE_32 = 32, X86_MODE_64 = 64 };

/** Which opcode table the opcode byte indexes: 0F, 0F 38 and 0F 3A are escapes. */
enum x86_map { X86_MAP_ONE_BYTE, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A };

/** Segment registers in their encoding order (ModRM.reg of MOV Sreg). */
enum x86_seg {
    X86_SEG_ES,
    X86_SEG_CS,
    X86_SEG_SS,
    X86_SEG_DS,
    X86_SEG_FS,
    X86_SEG_GS,
    X86_SEG_NONE = 7
};

/** General registers are numbered 0-15 as encoded (0 = rAX ... 15 = r15); these are not. */
#define X86_REG_NONE (-1)
#define X86_REG_RIP  16 /* base of a RIP-relative (EIP-relative with 0x67) operand */

/** The memory operand of a ModRM form, or of a moffs MOV (A0-A3: no base, no index). */
struct x86_mem {
    int8_t base;       /* register number, X86_REG_NONE, or X86_REG_RIP */
    int8_t index;      /* register number or X86_REG_NONE */
    uint8_t scale;     /* 1, 2, 4 or 8 (1 when there is no index) */
    uint8_t disp_size; /* bytes of displacement encoded: 0, 1, 2, 4 or 8 (moffs) */
    int64_t disp;      /* sign-extended from disp_size bytes (a moffs is zero-extended) */
    uint8_t segment;   /* enum x86_seg: the override, else DS, or SS for a rBP/rSP base */
};

/**
 * One decoded instruction. Register numbers already include the REX extension bits; for a
 * byte operand with no REX prefix, 4-7 name AH, CH, DH and BH rather than SPL...DIL.
 */
struct x86_insn {
    uint8_t length; /* bytes from the first prefix to the last immediate byte */
    uint8_t mode;   /* enum x86_mode it was decoded in */

    /* Legacy prefixes and REX (the last of a kind wins, as on the CPU). */
    uint8_t lock;         /* F0 */
    uint8_t rep;          /* 0, 0xF2 (REPNE) or 0xF3 (REP/REPE), whichever came last */
    uint8_t seg;          /* segment override, X86_SEG_NONE when none (64-bit: FS/GS only) */
    uint8_t opsize_pfx;   /* 66 seen */
    uint8_t addrsize_pfx; /* 67 seen */
    uint8_t rex;          /* the REX byte (40-4F) that counts, 0 when there is none */
    uint8_t rex_w, rex_r, rex_x, rex_b;

    uint8_t opsize;   /* effective operand size in bytes: 1, 2, 4 or 8 */
    uint8_t addrsize; /* effective address size in bytes: 2, 4 or 8 */

    uint8_t map;    /* enum x86_map */
    uint8_t opcode; /* the opcode byte within its map */

    uint8_t has_modrm, mod, reg, rm;     /* reg and rm extended by REX.R and REX.B */
    uint8_t has_sib, scale, index, base; /* raw SIB fields, index/base extended by REX.X/B */
    uint8_t has_mem;                     /* the instruction addresses memory: see mem */
    struct x86_mem mem;
    int8_t reg_op; /* the register in the opcode (50+r, B8+r, ...) or ModRM.reg, else NONE */
    int8_t rm_reg; /* ModRM.rm when mod = 3 (a register), else X86_REG_NONE */

    uint8_t imm_size;  /* bytes of the first immediate: 0, 1, 2, 4 or 8 */
    uint8_t imm2_size; /* bytes of the second: ENTER's ib, a far pointer's selector */
    uint64_t imm;      /* the first immediate as encoded, zero-extended */
    uint16_t imm2;     /* the second immediate */

    /* Why there is no instruction; any of these makes x86__decode return -1. */
    uint8_t undefined;   /* no instruction has this encoding: the CPU raises #UD */
    uint8_t unsupported; /* an instruction stepvm does not execute (SSE, x87, VEX...): #UD */
    uint8_t too_long;    /* more than 15 bytes: the CPU raises #GP(0) */
    uint8_t truncated;   /* the bytes ended before the instruction did */
};

/**
 * Decodes the instruction at bytes (len bytes available) as a CPU in mode would, into *out.
 * Returns its length (1-15), or -1 when there is none: then out->undefined, ->unsupported,
 * ->too_long or ->truncated says why. An unsupported instruction still carries its length
 * and operands when its form is a plain ModRM one (out->length != 0), so a caller can skip
 * it; VEX, EVEX and XOP forms carry none. Never reads beyond bytes[len - 1].
 */
int x86__decode(const uint8_t *bytes, size_t len, enum x86_mode mode, struct x86_insn *out);

/** Returns the first immediate sign-extended from its encoded size to 64 bits. */
int64_t x86__imm_signed(const struct x86_insn *insn);

#endif
