/*
 * decode.c - the x86 instruction decoder (chapter 6): reads prefixes, the opcode, ModRM,
 * SIB, displacement and immediate in that order, steered by the tables of opcodes.c.
 */
#include "x86/decode.h"
#include "x86/opcodes.h"

#include <string.h>

/* The bytes being decoded and how far the decoder has read. */
struct cursor {
    const uint8_t *bytes;
    size_t len;
    unsigned pos;
    struct x86_insn *out;
};

/* Returns the byte at the cursor without consuming it, or -1 (too long or truncated). */
static int peek(struct cursor *c)
{
    if (c->pos >= X86_MAX_LENGTH) {
        c->out->too_long = 1;
        return -1;
    }
    if (c->pos >= c->len) {
        c->out->truncated = 1;
        return -1;
    }
    return c->bytes[c->pos];
}

/* Consumes n (at most 8) bytes as a little-endian number into *value. Returns 0 or -1. */
static int fetch(struct cursor *c, unsigned n, uint64_t *value)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        int b = peek(c);
        if (b < 0)
            return -1;
        v |= (uint64_t)b << (8 * i);
        c->pos++;
    }
    *value = v;
    return 0;
}

/* Sign-extends the low n bytes of v. */
static int64_t sign_extend(uint64_t v, unsigned n)
{
    unsigned shift = 64 - 8 * n;

    return n == 0 ? 0 : (int64_t)(v << shift) >> shift;
}

/* ------------------------------------------------------------------------------------- */
/* Prefixes and opcode                                                                    */

/* A segment override prefix: 64-bit mode ignores all but FS and GS (their bases are 0). */
static void set_segment(struct x86_insn *out, uint8_t seg)
{
    if (out->mode != X86_MODE_64 || seg == X86_SEG_FS || seg == X86_SEG_GS)
        out->seg = seg;
}

/* [prefixes] */
/*
 * Consumes the legacy prefixes and, in 64-bit mode, REX; returns the first opcode byte or
 * -1. Of two prefixes of one kind the last counts. REX counts only right before the
 * opcode: a legacy prefix after it cancels it.
 */
static int decode_prefixes(struct cursor *c)
{
    struct x86_insn *out = c->out;

    for (;;) {
        int b = peek(c);
        if (b < 0)
            return -1;
        c->pos++;
        switch (b) {
        case 0xF0:
            out->lock = 1;
            break;
        case 0xF2:
        case 0xF3:
            out->rep = (uint8_t)b;
            break;
        case 0x26:
            set_segment(out, X86_SEG_ES);
            break;
        case 0x2E:
            set_segment(out, X86_SEG_CS);
            break;
        case 0x36:
            set_segment(out, X86_SEG_SS);
            break;
        case 0x3E:
            set_segment(out, X86_SEG_DS);
            break;
        case 0x64:
            set_segment(out, X86_SEG_FS);
            break;
        case 0x65:
            set_segment(out, X86_SEG_GS);
            break;
        case 0x66:
            out->opsize_pfx = 1;
            break;
        case 0x67:
            out->addrsize_pfx = 1;
            break;
        default:
            if (out->mode == X86_MODE_64 && (b & 0xF0) == 0x40) {
                out->rex = (uint8_t)b;
                continue;
            }
            return b;
        }
        out->rex = 0;
    }
}
/* [prefixes] */

/* Reads the opcode after the prefixes: one byte, or an escape 0F [38|3A] and one more. */
static int decode_opcode(struct cursor *c, int first)
{
    struct x86_insn *out = c->out;
    int b = first;

    out->map = X86_MAP_ONE_BYTE;
    if (b == 0x0F) {
        if ((b = peek(c)) < 0)
            return -1;
        c->pos++;
        out->map = X86_MAP_0F;
        if (b == 0x38 || b == 0x3A) {
            out->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
            if ((b = peek(c)) < 0)
                return -1;
            c->pos++;
        }
    }
    out->opcode = (uint8_t)b;
    return 0;
}

/*
 * Returns 1 when the one-byte opcode starts a VEX (C4, C5), EVEX (62) or XOP (8F) prefix
 * rather than LES, LDS, BOUND or POP: in 16/32-bit mode they take the form that would be
 * a register ModRM (mod = 3), which those instructions do not allow; XOP takes an 8F whose
 * next byte has a map number (low 5 bits) of 8 or more. Returns -1 if no byte follows.
 */
static int is_vector_prefix(struct cursor *c)
{
    uint8_t op = c->out->opcode;
    int next;

    if (c->out->map != X86_MAP_ONE_BYTE || (op != 0xC4 && op != 0xC5 && op != 0x62 && op != 0x8F))
        return 0;
    if ((next = peek(c)) < 0)
        return -1;
    if (op == 0x8F)
        return (next & 0x1F) >= 8;
    return c->out->mode == X86_MODE_64 || (next & 0xC0) == 0xC0;
}

/* ------------------------------------------------------------------------------------- */
/* Sizes                                                                                  */

/* The operand size in bytes for an operand of the given kind (enum x86_size_kind). */
static uint8_t operand_size(const struct x86_insn *in, uint8_t kind)
{
    uint8_t v = in->mode == X86_MODE_16 ? (in->opsize_pfx ? 4 : 2) : (in->opsize_pfx ? 2 : 4);
    int long_mode = in->mode == X86_MODE_64;

    switch (kind) {
    case X86_SZ_B:
        return 1;
    case X86_SZ_W:
        return 2;
    case X86_SZ_Z:
        return long_mode && in->rex_w ? 4 : v; /* 64 is not possible: 32 */
    case X86_SZ_D64:
        return long_mode && (in->rex_w || !in->opsize_pfx) ? 8 : v;
    case X86_SZ_F64:
        return long_mode ? 8 : v;
    case X86_SZ_CR:
        return long_mode ? 8 : 4;
    default:
        return long_mode && in->rex_w ? 8 : v; /* REX.W wins over 66 */
    }
}

/* The address size in bytes: the mode's, or the other one with 67 (32 in 64-bit mode). */
static uint8_t address_size(const struct x86_insn *in)
{
    switch (in->mode) {
    case X86_MODE_16:
        return in->addrsize_pfx ? 4 : 2;
    case X86_MODE_32:
        return in->addrsize_pfx ? 2 : 4;
    default:
        return in->addrsize_pfx ? 4 : 8;
    }
}

/* ------------------------------------------------------------------------------------- */
/* ModRM, SIB and displacement                                                            */

/* Reads the ModRM byte into its three fields, extended by REX.R and REX.B. */
static int read_modrm(struct cursor *c)
{
    struct x86_insn *out = c->out;
    int b = peek(c);

    if (b < 0)
        return -1;
    c->pos++;
    out->has_modrm = 1;
    out->mod = (uint8_t)(b >> 6);
    out->reg = (uint8_t)(((b >> 3) & 7) | out->rex_r << 3);
    out->rm = (uint8_t)((b & 7) | out->rex_b << 3);
    return 0;
}

/* Reads a displacement of n bytes into mem, sign-extended. */
static int read_disp(struct cursor *c, unsigned n)
{
    uint64_t v;

    if (fetch(c, n, &v))
        return -1;
    c->out->mem.disp_size = (uint8_t)n;
    c->out->mem.disp = sign_extend(v, n);
    return 0;
}

/*
 * 16-bit addressing: rm picks one of eight fixed base+index pairs ([BX+SI] ... [BX]);
 * mod = 00 with rm = 110 is a bare disp16 instead of [BP]. mod 01/10 add disp8/disp16.
 */
static int decode_mem16(struct cursor *c)
{
    static const int8_t base[8] = {3, 3, 5, 5, 6, 7, 5, 3};      /* BX BX BP BP SI DI BP BX */
    static const int8_t index[8] = {6, 7, 6, 7, -1, -1, -1, -1}; /* SI DI SI DI */
    struct x86_insn *out = c->out;
    unsigned rm = out->rm & 7;

    out->mem.base = base[rm];
    out->mem.index = index[rm];
    if (out->mod == 0 && rm == 6) {
        out->mem.base = X86_REG_NONE;
        return read_disp(c, 2);
    }
    return out->mod == 0 ? 0 : read_disp(c, out->mod == 1 ? 1 : 2);
}

/* [modrm] */
/*
 * 32/64-bit addressing: rm = 100 brings a SIB byte (scale, index, base; index 100 means
 * none, base 101 with mod = 00 means disp32 and no base); mod = 00 with rm = 101 is a
 * disp32 alone, which 64-bit mode makes RIP-relative. mod 01/10 add disp8/disp32.
 */
static int decode_mem32(struct cursor *c)
{
    struct x86_insn *out = c->out;
    unsigned rm = out->rm & 7;

    out->mem.base = (int8_t)out->rm;
    if (rm == 4) {
        int sib = peek(c);
        if (sib < 0)
            return -1;
        c->pos++;
        out->has_sib = 1;
        out->scale = (uint8_t)(sib >> 6);
        out->index = (uint8_t)(((sib >> 3) & 7) | out->rex_x << 3);
        out->base = (uint8_t)((sib & 7) | out->rex_b << 3);
        out->mem.scale = (uint8_t)(1u << out->scale);
        out->mem.index = out->index == 4 ? X86_REG_NONE : (int8_t)out->index;
        out->mem.base = (int8_t)out->base;
        if ((sib & 7) == 5 && out->mod == 0) {
            out->mem.base = X86_REG_NONE;
            return read_disp(c, 4);
        }
    } else if (rm == 5 && out->mod == 0) {
        out->mem.base = out->mode == X86_MODE_64 ? X86_REG_RIP : X86_REG_NONE;
        return read_disp(c, 4);
    }
    return out->mod == 0 ? 0 : read_disp(c, out->mod == 1 ? 1 : 4);
}
/* [modrm] */

/* Decodes the memory operand ModRM names (mod != 3), with its segment. */
static int decode_mem(struct cursor *c)
{
    struct x86_insn *out = c->out;
    int8_t b;

    out->has_mem = 1;
    out->mem.index = X86_REG_NONE;
    out->mem.scale = 1;
    if ((out->addrsize == 2 ? decode_mem16(c) : decode_mem32(c)) < 0)
        return -1;
    /* The stack segment is the default for rBP and rSP bases (BP in 16-bit forms). */
    b = out->mem.base;
    out->mem.segment = (b == 4 || b == 5) ? X86_SEG_SS : X86_SEG_DS;
    if (out->seg != X86_SEG_NONE)
        out->mem.segment = out->seg;
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* Immediates                                                                             */

/* Reads the immediate(s) of the given kind (enum x86_imm_kind). */
static int decode_imm(struct cursor *c, uint8_t kind)
{
    struct x86_insn *out = c->out;
    uint8_t z = out->opsize == 2 ? 2 : 4;
    uint64_t v;

    switch (kind) {
    case X86_IMM_B:
        out->imm_size = 1;
        break;
    case X86_IMM_W:
        out->imm_size = 2;
        break;
    case X86_IMM_Z:
        out->imm_size = z;
        break;
    case X86_IMM_V:
        out->imm_size = out->opsize;
        break;
    case X86_IMM_AP:
        out->imm_size = z;
        out->imm2_size = 2;
        break;
    case X86_IMM_ENTER:
        out->imm_size = 2;
        out->imm2_size = 1;
        break;
    case X86_IMM_BB:
        out->imm_size = 1;
        out->imm2_size = 1;
        break;
    case X86_IMM_MOFFS:
        /* MOV A0-A3: an absolute offset of the address size, zero-extended. */
        out->has_mem = 1;
        out->mem = (struct x86_mem){
            .base = X86_REG_NONE,
            .index = X86_REG_NONE,
            .scale = 1,
            .disp_size = out->addrsize,
            .segment = out->seg == X86_SEG_NONE ? X86_SEG_DS : out->seg,
        };
        if (fetch(c, out->addrsize, &v))
            return -1;
        out->mem.disp = (int64_t)v;
        return 0;
    default:
        return 0;
    }
    if (fetch(c, out->imm_size, &out->imm) || fetch(c, out->imm2_size, &v))
        return -1;
    out->imm2 = (uint16_t)v;
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* Validity                                                                               */

/* The mandatory prefix an SSE instruction has, as an X86_F_P_* bit: F2 and F3 win over 66. */
static unsigned mandatory_prefix(const struct x86_insn *in)
{
    if (in->rep == 0xF3)
        return X86_F_P_F3;
    if (in->rep == 0xF2)
        return X86_F_P_F2;
    return in->opsize_pfx ? X86_F_P_66 : X86_F_P_NONE;
}

/*
 * The SSE/SSE2 floating-point rows of the 0F map (10-17, 28-2F, 50-5F, C2, C6, E6) are
 * executed, but each opcode means a different instruction for each mandatory prefix (none,
 * 66, F3, F2: PS, PD, SS, SD) and some forms take only a register or only memory. Returns 1
 * for the forms that are not SSE/SSE2 (SSE3's MOVSLDUP, MMX's CVTPI2PS, undefined ones):
 * they stay length-only, as unsupported.
 */
static int sse_form_missing(const struct x86_insn *in)
{
    /* Bit p allowed for prefix p: 0 none, 1 66, 2 F3, 3 F2 (F2/F3 win over 66). */
    static const uint8_t allowed[256] = {
        [0x10] = 0xf, [0x11] = 0xf, [0x12] = 0x3, [0x13] = 0x3, [0x14] = 0x3, [0x15] = 0x3,
        [0x16] = 0x3, [0x17] = 0x3, [0x28] = 0x3, [0x29] = 0x3, [0x2A] = 0xc, [0x2B] = 0x3,
        [0x2C] = 0xc, [0x2D] = 0xc, [0x2E] = 0x3, [0x2F] = 0x3, [0x50] = 0x3, [0x51] = 0xf,
        [0x52] = 0x5, [0x53] = 0x5, [0x54] = 0x3, [0x55] = 0x3, [0x56] = 0x3, [0x57] = 0x3,
        [0x58] = 0xf, [0x59] = 0xf, [0x5A] = 0xf, [0x5B] = 0x7, [0x5C] = 0xf, [0x5D] = 0xf,
        [0x5E] = 0xf, [0x5F] = 0xf, [0xC2] = 0xf, [0xC6] = 0x3, [0xE6] = 0xe,
    };
    unsigned p = in->rep == 0xF3 ? 2 : in->rep == 0xF2 ? 3 : in->opsize_pfx ? 1 : 0;
    uint8_t op = in->opcode;

    if (!allowed[op])
        return 0; /* not one of these rows */
    if (!(allowed[op] >> p & 1))
        return 1;
    if (op == 0x13 || op == 0x17 || op == 0x2B || ((op == 0x12 || op == 0x16) && p == 1))
        return in->mod == 3; /* MOVLPS/MOVHPS stores, MOVNTPS, MOVLPD/MOVHPD: memory only */
    return op == 0x50 && in->mod != 3; /* MOVMSKPS: a register only */
}

/*
 * The x87 escapes D8-DF: returns 1 for the ModRM forms that are no instruction (the
 * SDM's opcode map leaves them blank), 0 for the rest.
 */
static int x87_undefined(const struct x86_insn *in)
{
    unsigned op = in->opcode & 7, reg = in->reg & 7, m = 0xC0 | reg << 3 | (in->rm & 7);

    if (in->mod != 3) /* D9 /1, DB /4 /6, DD /5 */
        return (op == 1 && reg == 1) || (op == 3 && (reg == 4 || reg == 6)) ||
               (op == 5 && reg == 5);
    switch (op) {
    case 1: /* D9: D1-D7, E2 E3 E6 E7 EF */
        return (m >= 0xD1 && m <= 0xD7) || m == 0xE2 || m == 0xE3 || m == 0xE6 || m == 0xE7 ||
               m == 0xEF;
    case 2: /* DA: FCMOVcc and FUCOMPP (E9) only */
        return m >= 0xE0 && m != 0xE9;
    case 3: /* DB: E5-E7, F8-FF */
        return (m >= 0xE5 && m <= 0xE7) || m >= 0xF8;
    case 5: /* DD: F0-FF */
        return m >= 0xF0;
    case 6: /* DE: D8-DF but FCOMPP (D9) */
        return m == 0xD8 || (m >= 0xDA && m <= 0xDF);
    case 7: /* DF: E1-E7, F8-FF */
        return (m >= 0xE1 && m <= 0xE7) || m >= 0xF8;
    }
    return 0;
}

/*
 * 0F AE, whose rows depend on mod and the mandatory prefix: returns 0 for what stepvm
 * executes (FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, CLFLUSH; LFENCE, MFENCE, SFENCE), 1 for
 * instructions it does not (XSAVE family, CLWB, CLFLUSHOPT, RDFSBASE..., UMWAIT...), -1
 * for no instruction.
 */
static int group15_kind(const struct x86_insn *in)
{
    unsigned reg = in->reg & 7;
    int mem = in->mod != 3;

    if (in->rep == 0xF3) {
        if (mem)
            return reg == 4 || reg == 6 ? 1 : -1;
        return reg >= 4 && reg <= 6 ? 1 : reg < 4 && in->mode == X86_MODE_64 ? 1 : -1;
    }
    if (in->rep == 0xF2)
        return !mem && reg == 6 ? 1 : -1;
    if (in->opsize_pfx)
        return reg == 6 || (mem && reg == 7) ? 1 : -1;
    if (mem)
        return reg >= 4 && reg <= 6 ? 1 : 0;
    return reg >= 5 ? 0 : -1;
}

/*
 * Adjusts the row for the few opcodes whose meaning depends on the mode, a mandatory
 * prefix or a whole ModRM byte, before sizes and immediates are read.
 */
static void special_cases(const struct x86_insn *in, struct x86_opcode *op)
{
    if (in->map == X86_MAP_0F && in->opcode == 0xAE && group15_kind(in) > 0)
        op->flags |= X86_F_UNSUP;
    if (in->map == X86_MAP_ONE_BYTE && in->opcode == 0xDF && in->mod != 3 &&
        ((in->reg & 7) == 4 || (in->reg & 7) == 6))
        op->flags |= X86_F_UNSUP; /* FBLD, FBSTP: packed BCD, not executed */
    if ((op->flags & X86_F_PREFIXES) && !(op->flags & X86_F_UD) &&
        !(op->flags & mandatory_prefix(in)))
        op->flags = (uint16_t)((op->flags & X86_F_MODRM) | X86_F_UNSUP); /* MMX form... */
    if (in->map == X86_MAP_ONE_BYTE) {
        if (in->opcode == 0x63 && in->mode == X86_MODE_64)
            op->size = X86_SZ_V; /* MOVSXD Gv, Ed instead of ARPL Ew, Gw */
        if ((in->opcode & 0xFE) == 0xC6 && in->mod == 3 && (in->reg & 7) == 7 && (in->rm & 7) == 0)
            op->flags = X86_F_MODRM | X86_F_UNSUP; /* C6 F8 XABORT ib, C7 F8 XBEGIN rel */
    } else if (in->map == X86_MAP_0F && in->opcode == 0x78) {
        if (in->opsize_pfx || in->rep == 0xF2)
            op->imm = X86_IMM_BB; /* SSE4a EXTRQ/INSERTQ xmm, ib, ib instead of VMREAD */
    }
    if (in->map == X86_MAP_0F && in->opcode == 0x01 && in->mod == 3 && (in->reg & 7) == 7 &&
        (in->rm & 7) == 0 && in->mode == X86_MODE_64)
        op->flags = X86_F_MODRM; /* 0F 01 F8 SWAPGS, in 64-bit mode: executed */
    if (in->map == X86_MAP_0F && in->opcode == 0xAE && in->mod == 3 && (in->reg & 7) >= 5 &&
        !in->opsize_pfx && !in->rep)
        op->flags = X86_F_MODRM; /* 0F AE E8/F0/F8 LFENCE, MFENCE, SFENCE: executed */
    if (in->map == X86_MAP_0F && in->opcode == 0xB8 && in->rep == 0xF3)
        op->flags = X86_F_MODRM; /* F3 0F B8 POPCNT Gv, Ev (without F3: JMPE, not supported) */
    if (in->map == X86_MAP_0F && in->opcode == 0x1E && in->rep == 0xF3 && in->mod == 3 &&
        (in->reg & 7) == 7 && ((in->rm & 7) == 2 || (in->rm & 7) == 3))
        op->flags = X86_F_MODRM; /* F3 0F 1E FA/FB ENDBR64/32: a NOP without CET */
    if (in->map == X86_MAP_0F && !(op->flags & X86_F_UNSUP) && sse_form_missing(in))
        op->flags |= X86_F_UNSUP; /* 0F 10 ... E6 in a form that is not SSE/SSE2 */
}

/* Returns 1 when operands the table cannot express make the encoding undefined. */
static int bad_operands(const struct x86_insn *in, const struct x86_opcode *op)
{
    if ((op->flags & X86_F_MEM) && in->mod == 3)
        return 1;
    if ((op->flags & X86_F_REGONLY) && in->mod != 3)
        return 1;
    if (in->lock && (!(op->flags & X86_F_LOCK) || !in->has_mem))
        return 1; /* LOCK needs a read-modify-write of memory */
    if (in->map == X86_MAP_ONE_BYTE && in->opcode == 0x8C)
        return (in->reg & 7) > 5; /* MOV Ev, Sreg: ES CS SS DS FS GS */
    if (in->map == X86_MAP_ONE_BYTE && in->opcode == 0x8E)
        return (in->reg & 7) > 5 || (in->reg & 7) == X86_SEG_CS; /* CS is loaded by far jumps */
    if (in->map == X86_MAP_0F && (in->opcode == 0x20 || in->opcode == 0x22))
        return in->reg != 0 && in->reg != 2 && in->reg != 3 && in->reg != 4 && in->reg != 8;
    if (in->map == X86_MAP_0F && (in->opcode == 0x21 || in->opcode == 0x23))
        return in->rex_r; /* there are DR0-DR7 only */
    if (in->map == X86_MAP_ONE_BYTE && in->opcode >= 0xD8 && in->opcode <= 0xDF)
        return x87_undefined(in);
    if (in->map == X86_MAP_0F && in->opcode == 0xAE)
        return group15_kind(in) < 0;
    return 0;
}

/* ------------------------------------------------------------------------------------- */

/* [decode] */
/* Decodes everything after the prefixes and opcode: ModRM, sizes, memory, immediate. */
static int decode_operands(struct cursor *c)
{
    struct x86_insn *out = c->out;
    struct x86_opcode op = x86__opcode_of(out);

    if (op.flags & X86_F_UD) {
        out->undefined = 1;
        return -1;
    }
    if ((op.flags & X86_F_MODRM) && read_modrm(c) < 0)
        return -1;
    op = x86__opcode_of(out); /* a group's row, now that ModRM.reg is known */
    special_cases(out, &op);
    out->opsize = operand_size(out, op.size);
    if (op.flags & X86_F_OPREG)
        out->reg_op = (int8_t)((out->opcode & 7) | out->rex_b << 3);
    else if (out->has_modrm)
        out->reg_op = (int8_t)out->reg;
    if (out->has_modrm && (out->mod == 3 || (op.flags & X86_F_REG)))
        out->rm_reg = (int8_t)out->rm;
    else if (out->has_modrm && decode_mem(c) < 0)
        return -1;
    if (decode_imm(c, op.imm) < 0)
        return -1;
    out->length = (uint8_t)c->pos;
    if ((op.flags & X86_F_UD) || ((op.flags & X86_F_I64) && out->mode == X86_MODE_64) ||
        bad_operands(out, &op))
        out->undefined = 1;
    else if (op.flags & X86_F_UNSUP)
        out->unsupported = 1;
    return out->undefined || out->unsupported ? -1 : (int)out->length;
}

int x86__decode(const uint8_t *bytes, size_t len, enum x86_mode mode, struct x86_insn *out)
{
    struct cursor c;
    int first, vector;

    memset(out, 0, sizeof(*out));
    c = (struct cursor){.bytes = bytes, .len = len, .out = out};
    out->mode = (uint8_t)mode;
    out->seg = X86_SEG_NONE;
    out->reg_op = out->rm_reg = X86_REG_NONE;
    out->mem.base = out->mem.index = X86_REG_NONE;
    if ((first = decode_prefixes(&c)) < 0)
        return -1;
    out->rex_w = (out->rex >> 3) & 1;
    out->rex_r = (out->rex >> 2) & 1;
    out->rex_x = (out->rex >> 1) & 1;
    out->rex_b = out->rex & 1;
    out->addrsize = address_size(out);
    if (decode_opcode(&c, first) < 0 || (vector = is_vector_prefix(&c)) < 0)
        return -1;
    if (vector) {
        out->unsupported = 1; /* VEX/EVEX/XOP: AVX and friends, not executed by stepvm */
        return -1;
    }
    return decode_operands(&c);
}
/* [decode] */

int64_t x86__imm_signed(const struct x86_insn *insn)
{
    return sign_extend(insn->imm, insn->imm_size);
}
