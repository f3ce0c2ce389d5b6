/*
 * opcodes.h - the decoder's opcode tables: what each opcode byte says about the bytes that
 * follow it (ModRM? which immediate? which operand size?) and where it is valid (chapter 6).
 */
#ifndef STEPVM_X86_OPCODES_H
#define STEPVM_X86_OPCODES_H

#include "x86/decode.h"

#include <stdint.h>

/* What follows the opcode and ModRM/SIB/displacement: the immediate's kind. */
enum x86_imm_kind {
    X86_IMM_SAME = 0, /* in a group row: the immediate of the opcode's own entry */
    X86_IMM_NONE,
    X86_IMM_B,     /* ib: one byte (also rel8 of a short jump) */
    X86_IMM_W,     /* iw: two bytes (RET iw) */
    X86_IMM_Z,     /* iz: 2 bytes with a 16-bit operand size, else 4 (never 8) */
    X86_IMM_V,     /* iv: the operand size, 2, 4 or 8 (only MOV r, imm: B8+r) */
    X86_IMM_AP,    /* Ap: far pointer, offset of iz bytes then a 2-byte selector */
    X86_IMM_MOFFS, /* moffs: an offset of the address size (MOV A0-A3) */
    X86_IMM_ENTER, /* iw then ib (ENTER) */
    X86_IMM_BB,    /* ib then ib (SSE4a EXTRQ/INSERTQ) */
};

/* How the operand size is found (what the manuals write after the operand: b, v, ...). */
enum x86_size_kind {
    X86_SZ_SAME = 0, /* in a group row: the size of the opcode's own entry */
    X86_SZ_NONE,     /* no meaningful operand size (HLT, CPUID): computed as v, not checked */
    X86_SZ_B,        /* byte */
    X86_SZ_V,        /* 16/32 by mode and 66, 64 with REX.W */
    X86_SZ_Z,        /* 16/32 by mode and 66, never 64 (IN eAX, INS, OUTS) */
    X86_SZ_W,        /* always 16 (ARPL, MOV Sreg) */
    X86_SZ_D64,      /* v, but 64 by default in 64-bit mode (PUSH, POP): 66 makes it 16 */
    X86_SZ_F64,      /* v, but always 64 in 64-bit mode (near branches; 66 ignored as Intel) */
    X86_SZ_CR,       /* 32, or 64 in 64-bit mode (MOV to/from control and debug registers) */
};

/* Flags of an entry. */
#define X86_F_MODRM     0x001 /* a ModRM byte follows the opcode */
#define X86_F_LOCK      0x002 /* LOCK is allowed (then the destination must be memory) */
#define X86_F_I64       0x004 /* invalid in 64-bit mode */
#define X86_F_MEM       0x008 /* ModRM must name memory (mod != 3) */
#define X86_F_REG       0x010 /* ModRM names registers whatever mod says (MOV CRn) */
#define X86_F_OPREG     0x020 /* the opcode's low 3 bits name a register (50+r) */
#define X86_F_UD        0x040 /* no instruction: #UD */
#define X86_F_UNSUP     0x080 /* an instruction stepvm does not execute (length still known) */
#define X86_F_REG_UNSUP 0x100 /* in a group row: with mod = 3 it is another, unsupported one */
#define X86_F_GROUP     0x200 /* ModRM.reg selects a row of the group table named by group */
#define X86_F_REGONLY   0x400 /* ModRM must name a register (mod = 3) */
/* SSE rows: the mandatory prefixes the opcode is executed with (F2 and F3 win over 66).
 * With another one the row is unsupported (length known, \#UD): the MMX forms without a
 * prefix, and the prefixes no instruction of the opcode has. None set: no such rule. */
#define X86_F_P_NONE   0x800
#define X86_F_P_66     0x1000
#define X86_F_P_F3     0x2000
#define X86_F_P_F2     0x4000
#define X86_F_PREFIXES (X86_F_P_NONE | X86_F_P_66 | X86_F_P_F3 | X86_F_P_F2)

/* The groups: opcodes whose ModRM.reg field is a third opcode byte ("/digit"). */
enum x86_group {
    X86_G_NONE,
    X86_G1,
    X86_G1A,
    X86_G2,
    X86_G3,
    X86_G4,
    X86_G5,
    X86_G11,
    X86_G6,
    X86_G7,
    X86_G8,
    X86_G9,
    X86_G12, /* 0F 71: the word shifts by ib */
    X86_G13, /* 0F 72: the doubleword shifts by ib */
    X86_G14, /* 0F 73: the quadword and whole-register shifts by ib */
    X86_G_COUNT
};

/** One opcode's row in a table. */
struct x86_opcode {
    uint16_t flags; /* X86_F_* */
    uint8_t imm;    /* enum x86_imm_kind */
    uint8_t size;   /* enum x86_size_kind */
    uint8_t group;  /* enum x86_group, with X86_F_GROUP */
};

extern const struct x86_opcode x86_one_byte[256];
extern const struct x86_opcode x86_two_byte[256];
extern const struct x86_opcode x86_three_byte_38; /* every 0F 38 opcode: SSE, unsupported */
extern const struct x86_opcode x86_three_byte_3a; /* every 0F 3A opcode: SSE with ib */
extern const struct x86_opcode x86_groups[X86_G_COUNT][8];

/**
 * Returns the row that describes insn, once its opcode (and ModRM, for a group) is known:
 * a group row merged over its opcode's entry. Used by the decoder and by tests that ask
 * which fields an instruction defines. Inline: the decoder calls it for every instruction.
 */
static inline struct x86_opcode x86__opcode_of(const struct x86_insn *insn)
{
    struct x86_opcode op;

    switch (insn->map) {
    case X86_MAP_ONE_BYTE:
        op = x86_one_byte[insn->opcode];
        break;
    case X86_MAP_0F:
        op = x86_two_byte[insn->opcode];
        break;
    case X86_MAP_0F38:
        return x86_three_byte_38;
    default:
        return x86_three_byte_3a;
    }
    if (!(op.flags & X86_F_GROUP) || !insn->has_modrm)
        return op;
    const struct x86_opcode *row = &x86_groups[op.group][insn->reg & 7];
    op.flags = (uint16_t)((op.flags & ~X86_F_GROUP) | row->flags);
    if (row->imm != X86_IMM_SAME)
        op.imm = row->imm;
    if (row->size != X86_SZ_SAME)
        op.size = row->size;
    if ((op.flags & X86_F_REG_UNSUP) && insn->mod == 3)
        op.flags = (uint16_t)((op.flags & ~(X86_F_MEM | X86_F_UD)) | X86_F_UNSUP);
    return op;
}

#endif
