/*
 * alu.c - the integer instructions (chapter 6): add, subtract and logic, multiply and
 * divide, sign and zero extension, conditional moves and sets, BCD, and the instructions
 * that set flags directly. Shifts, rotates and bit operations are bits.c's.
 *
 * Every instruction here follows the rule of cpu.h: read its operands, do every memory
 * access (which may fault), and only then change registers and flags. Flags are recorded
 * lazily with tcg__set_cc() (flags.c explains why); the few instructions that change only
 * some flags (rotates, bit tests) compute RFLAGS and store it whole.
 */
#include "cpu.h"

/* The products and dividends of 64-bit operands have 128 bits. GCC and Clang have them. */
typedef unsigned __int128 u128;
typedef __int128 s128;

/* ------------------------------------------------------------------------------------- */
/* ADD OR ADC SBB AND SUB XOR CMP                                                         */

/* The eight operations, numbered as in the opcode (bits 5-3) and in group 1's /digit. */
enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP };

/* How each of them records its flags. */
static const uint8_t op_cc[8] = {CC_ADD,   CC_LOGIC, CC_ADD,   CC_SUB,
                                 CC_LOGIC, CC_SUB,   CC_LOGIC, CC_SUB};

/* Computes dst op src at size bytes. ADC and SBB add or subtract the carry flag too. */
static uint64_t alu_compute(struct tcg_cpu *c, unsigned op, uint64_t dst, uint64_t src,
                            unsigned size)
{
    uint64_t r;

    switch (op) {
    case OP_ADD:
        r = dst + src;
        break;
    case OP_OR:
        r = dst | src;
        break;
    case OP_ADC:
        r = dst + src + (uint64_t)flags__cf(c);
        break;
    case OP_SBB:
        r = dst - src - (uint64_t)flags__cf(c);
        break;
    case OP_AND:
        r = dst & src;
        break;
    case OP_XOR:
        r = dst ^ src;
        break;
    default: /* SUB, CMP */
        r = dst - src;
    }
    return r & size_mask(size);
}

/* [alu] */
/* op on the r/m operand with src: a read-modify-write of memory, or of a register. */
static void alu_rm(struct tcg_cpu *c, const struct x86_insn *i, unsigned op, uint64_t src)
{
    unsigned size = i->opsize;
    uint64_t dst, res;

    check_lock(c, i);
    src &= size_mask(size);
    dst = rm_read(c, i, size);
    res = alu_compute(c, op, dst, src, size);
    if (op != OP_CMP)
        rm_write(c, i, size, res);
    tcg__set_cc(c, (enum cc_op)op_cc[op], size, dst, src, res);
}

/* op on register n with src. */
static void alu_reg(struct tcg_cpu *c, const struct x86_insn *i, unsigned op, int n, uint64_t src)
{
    unsigned size = i->opsize;
    uint64_t dst = reg_read(c, i, n, size), res;

    src &= size_mask(size);
    res = alu_compute(c, op, dst, src, size);
    if (op != OP_CMP)
        reg_write(c, i, n, size, res);
    tcg__set_cc(c, (enum cc_op)op_cc[op], size, dst, src, res);
}

/* 00-3D: each operation in six forms, E,G  G,E  and the accumulator with an immediate. */
static void exec_alu_basic(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->opcode >> 3;

    switch (i->opcode & 7) {
    case 0: /* Eb, Gb */
    case 1: /* Ev, Gv */
        alu_rm(c, i, op, reg_read(c, i, i->reg, i->opsize));
        break;
    case 2: /* Gb, Eb */
    case 3: /* Gv, Ev */
        alu_reg(c, i, op, i->reg, rm_read(c, i, i->opsize));
        break;
    default: /* AL, ib; rAX, iz (sign-extended to 64 bits with REX.W) */
        alu_reg(c, i, op, R_AX, (uint64_t)x86__imm_signed(i));
    }
}

/* 80-83, group 1: the same operations on E with an immediate (83: ib sign-extended). */
static void exec_group1(struct tcg_cpu *c, const struct x86_insn *i)
{
    alu_rm(c, i, i->reg & 7, (uint64_t)x86__imm_signed(i));
}
/* [alu] */

/* 84 85 TEST E,G and A8 A9 TEST rAX,imm: an AND that only sets the flags. */
static void exec_test(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t a, b;

    if (i->opcode >= 0xA8) {
        a = reg_read(c, i, R_AX, size);
        b = (uint64_t)x86__imm_signed(i) & size_mask(size);
    } else {
        a = rm_read(c, i, size);
        b = reg_read(c, i, i->reg, size);
    }
    tcg__set_cc(c, CC_LOGIC, size, a, b, a & b);
}

/* ------------------------------------------------------------------------------------- */
/* INC DEC                                                                                */

/* Records INC or DEC: the flags of an ADD or SUB of 1, except CF, which INC/DEC keep. */
static void incdec_flags(struct tcg_cpu *c, int dec, unsigned size, uint64_t v, uint64_t res,
                         int cf)
{
    c->cc_carry = (uint64_t)cf;
    tcg__set_cc(c, dec ? CC_DEC : CC_INC, size, v, 1, res);
}

void alu__incdec(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    int dec = i->reg & 1; /* FE/FF /0 INC, /1 DEC */
    int cf = flags__cf(c);
    uint64_t v, res;

    check_lock(c, i);
    v = rm_read(c, i, size);
    res = (dec ? v - 1 : v + 1) & size_mask(size);
    rm_write(c, i, size, res);
    incdec_flags(c, dec, size, v, res, cf);
}

/* 40-4F: INC r, DEC r (16 and 32-bit modes; in 64-bit mode these bytes are REX). */
static void exec_incdec_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    int dec = (i->opcode & 8) != 0;
    uint64_t v = reg_read(c, i, i->reg_op, size);
    uint64_t res = (dec ? v - 1 : v + 1) & size_mask(size);

    incdec_flags(c, dec, size, v, res, flags__cf(c));
    reg_write(c, i, i->reg_op, size, res);
}

/* ------------------------------------------------------------------------------------- */
/* Group 3: TEST NOT NEG MUL IMUL DIV IDIV; IMUL with two and three operands              */

/* Writes a double-width result: AL and AH for bytes, else rAX (lo) and rDX (hi). */
static void write_pair(struct tcg_cpu *c, const struct x86_insn *i, uint64_t lo, uint64_t hi)
{
    if (i->opsize == 1) {
        reg_write(c, i, R_AX, 2, (lo & 0xff) | (hi & 0xff) << 8);
    } else {
        reg_write(c, i, R_AX, i->opsize, lo);
        reg_write(c, i, R_DX, i->opsize, hi);
    }
}

/*
 * MUL and IMUL with one operand: rDX:rAX (AX for bytes) = rAX * v. CF and OF tell whether
 * the upper half matters: it is not zero (MUL), not the sign extension of the lower (IMUL).
 */
static void multiply(struct tcg_cpu *c, const struct x86_insn *i, uint64_t v, int sign)
{
    unsigned size = i->opsize, bits = size * 8;
    uint64_t m = size_mask(size);
    uint64_t a = reg_read(c, i, R_AX, size), lo, hi, upper;
    u128 p;

    if (sign)
        p = (u128)((s128)sign_extend(a, size) * sign_extend(v, size));
    else
        p = (u128)a * v;
    lo = (uint64_t)p & m;
    hi = (uint64_t)(p >> bits) & m;
    upper = sign ? hi != ((lo & sign_bit(size)) ? m : 0) : hi != 0;
    write_pair(c, i, lo, hi);
    tcg__set_cc(c, CC_MUL, size, a, upper, lo);
}

/* 69 IMUL Gv,Ev,iz; 6B IMUL Gv,Ev,ib; 0F AF IMUL Gv,Ev: the product truncated to size. */
static void exec_imul(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t a = rm_read(c, i, size);
    uint64_t b = i->map == X86_MAP_0F ? reg_read(c, i, i->reg, size) : (uint64_t)x86__imm_signed(i);
    s128 p = (s128)sign_extend(a, size) * sign_extend(b, size);
    uint64_t lo = (uint64_t)p & size_mask(size);

    reg_write(c, i, i->reg, size, lo);
    tcg__set_cc(c, CC_MUL, size, a, (s128)sign_extend(lo, size) != p, lo);
}

/*
 * DIV and IDIV: rDX:rAX (AX for bytes) divided by v, quotient to rAX (AL), remainder to
 * rDX (AH). A zero divisor, or a quotient that does not fit, raises #DE before anything
 * changes. IDIV works on magnitudes so that no step can overflow; the quotient is
 * negative when the signs differ, the remainder takes the dividend's sign. The flags are
 * undefined; they stay as they were, as in QEMU.
 */
static void divide(struct tcg_cpu *c, const struct x86_insn *i, uint64_t v, int sign)
{
    unsigned size = i->opsize, bits = size * 8;
    uint64_t m = size_mask(size), lo, hi;
    u128 wide = bits == 64 ? ~(u128)0 : ((u128)1 << (2 * bits)) - 1;
    u128 n, q, r, limit = m;
    int nneg = 0, dneg = 0;

    if (size == 1) {
        lo = c->r[R_AX] & 0xff;
        hi = (c->r[R_AX] >> 8) & 0xff;
    } else {
        lo = reg_read(c, i, R_AX, size);
        hi = reg_read(c, i, R_DX, size);
    }
    n = (u128)hi << bits | lo;
    if (sign) {
        nneg = (hi & sign_bit(size)) != 0;
        dneg = (v & sign_bit(size)) != 0;
        n = nneg ? -n & wide : n;
        v = dneg ? -v & m : v;
        limit = sign_bit(size) - (nneg == dneg); /* 2^(bits-1), less 1 when positive */
    }
    if (v == 0)
        tcg__fault(c, EXC_DE, EXC_NO_ERROR);
    q = n / v;
    r = n % v;
    if (q > limit)
        tcg__fault(c, EXC_DE, EXC_NO_ERROR);
    if (nneg != dneg)
        q = -q;
    if (nneg)
        r = -r;
    write_pair(c, i, (uint64_t)q & m, (uint64_t)r & m);
}

/* F6 F7, group 3. */
static void exec_group3(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize, op = i->reg & 7;
    uint64_t m = size_mask(size), v;

    if (op == 2 || op == 3)
        check_lock(c, i);
    v = rm_read(c, i, size);
    switch (op) {
    case 0: /* TEST E, imm (/1 is an alias) */
    case 1:
        tcg__set_cc(c, CC_LOGIC, size, v, i->imm, v & (uint64_t)x86__imm_signed(i) & m);
        break;
    case 2: /* NOT: no flags */
        rm_write(c, i, size, ~v & m);
        break;
    case 3: /* NEG: 0 - v, with the flags of that subtraction */
        rm_write(c, i, size, -v & m);
        tcg__set_cc(c, CC_SUB, size, 0, v, -v & m);
        break;
    case 4:
    case 5:
        multiply(c, i, v, op == 5);
        break;
    default:
        divide(c, i, v, op == 7);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Conditions, extensions, conversions                                                    */

/* 0F 40-4F CMOVcc: the source is read (and may fault) whatever the condition. A 32-bit
 * CMOV writes its destination anyway, so its upper half is cleared even when false. */
static void exec_cmov(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v = rm_read(c, i, i->opsize);

    if (flags__cond(c, i->opcode & 15))
        reg_write(c, i, i->reg, i->opsize, v);
    else if (i->opsize == 4)
        reg_write(c, i, i->reg, 4, c->r[i->reg]);
}

/* 0F 90-9F SETcc Eb: 1 or 0. */
static void exec_setcc(struct tcg_cpu *c, const struct x86_insn *i)
{
    rm_write(c, i, 1, (uint64_t)flags__cond(c, i->opcode & 15));
}

/* 0F B6 B7 MOVZX, 0F BE BF MOVSX: a byte or word, zero- or sign-extended. */
static void exec_movx(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned from = (i->opcode & 1) ? 2 : 1;
    uint64_t v = rm_read(c, i, from);

    if (i->opcode >= 0xBE)
        v = (uint64_t)sign_extend(v, from);
    reg_write(c, i, i->reg, i->opsize, v);
}

/* 63 MOVSXD Gv, Ed (64-bit mode; elsewhere it is ARPL, which stepvm does not run). */
static void exec_movsxd(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->mode != X86_MODE_64)
        tcg__ud(c, i);
    reg_write(c, i, i->reg, i->opsize, (uint64_t)sign_extend(rm_read(c, i, 4), 4));
}

/* 98 CBW, CWDE, CDQE: the lower half of rAX sign-extended into all of it. */
static void exec_cbw(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned half = i->opsize / 2;

    reg_write(c, i, R_AX, i->opsize, (uint64_t)sign_extend(reg_read(c, i, R_AX, half), half));
}

/* 99 CWD, CDQ, CQO: rDX becomes rAX's sign, copied into every bit. */
static void exec_cwd(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t negative = reg_read(c, i, R_AX, i->opsize) & sign_bit(i->opsize);

    reg_write(c, i, R_DX, i->opsize, negative ? ~0ull : 0);
}

/* ------------------------------------------------------------------------------------- */
/* Flag instructions                                                                      */

/* F5 CMC, F8 CLC, F9 STC: complement, clear or set CF. */
static void exec_carry_op(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t f = flags__get_rflags(c);

    f = i->opcode == 0xF5 ? f ^ RFLAGS_CF : i->opcode == 0xF8 ? f & ~RFLAGS_CF : f | RFLAGS_CF;
    flags__set_rflags(c, f);
}

/* FC CLD, FD STD: DF is not an arithmetic flag, so it lives in c->rflags alone. */
static void exec_direction_op(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->opcode == 0xFC)
        c->rflags &= ~RFLAGS_DF;
    else
        c->rflags |= RFLAGS_DF;
}

/* The flags SAHF and LAHF move between AH and RFLAGS. */
#define AH_FLAGS (RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF)

/* 9E SAHF: SF ZF AF PF CF from AH. */
static void exec_sahf(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    flags__set_rflags(c, (flags__get_rflags(c) & ~AH_FLAGS) | ((c->r[R_AX] >> 8) & AH_FLAGS));
}

/* 9F LAHF: AH = SF ZF 0 AF 0 PF 1 CF. */
static void exec_lahf(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t ah = flags__get_rflags(c) & (AH_FLAGS | RFLAGS_FIXED);

    (void)i;
    c->r[R_AX] = (c->r[R_AX] & ~0xff00ull) | ah << 8;
}

/* ------------------------------------------------------------------------------------- */
/* Decimal arithmetic (16 and 32-bit modes only; the decoder refuses them in 64-bit mode) */

/* Sets the arithmetic flags from AL (ZF SF PF) and the given CF and AF; OF is clear. */
static void bcd_flags(struct tcg_cpu *c, uint8_t al, uint64_t cf_af)
{
    tcg__set_cc(c, CC_LOGIC, 1, al, 0, al);             /* ZF SF PF from AL, the others clear... */
    flags__set_rflags(c, flags__get_rflags(c) | cf_af); /* ...then CF and AF */
}

/*
 * 27 DAA, 2F DAS: adjust AL after adding (subtracting) two packed BCD bytes, so that each
 * nibble is a decimal digit again, with CF the decimal carry. As the SDM's pseudocode.
 */
static void exec_daa_das(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t f = flags__get_rflags(c), out = 0;
    uint8_t old = (uint8_t)c->r[R_AX], al = old;
    int das = i->opcode == 0x2F;

    if ((al & 0x0f) > 9 || (f & RFLAGS_AF)) {
        if (das && (al < 6 || (f & RFLAGS_CF)))
            out |= RFLAGS_CF;
        al = (uint8_t)(das ? al - 6 : al + 6);
        out |= RFLAGS_AF;
    }
    if (old > 0x99 || (f & RFLAGS_CF)) {
        al = (uint8_t)(das ? al - 0x60 : al + 0x60);
        out |= RFLAGS_CF;
    }
    c->r[R_AX] = (c->r[R_AX] & ~0xffull) | al;
    bcd_flags(c, al, out);
}

/* 37 AAA, 3F AAS: adjust AX after adding (subtracting) two unpacked BCD digits. SF ZF PF
 * and OF are undefined and kept, as QEMU does. */
static void exec_aaa_aas(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t f = flags__get_rflags(c);
    uint16_t ax = (uint16_t)c->r[R_AX];
    int adjust = (ax & 0x0f) > 9 || (f & RFLAGS_AF);

    f &= ~(RFLAGS_CF | RFLAGS_AF);
    if (adjust) {
        ax = (uint16_t)(i->opcode == 0x37 ? ax + 0x106 : ax - 0x106);
        f |= RFLAGS_CF | RFLAGS_AF;
    }
    ax &= 0xff0f;
    c->r[R_AX] = (c->r[R_AX] & ~0xffffull) | ax;
    flags__set_rflags(c, f);
}

/* D4 AAM ib: AH = AL / ib, AL = AL % ib (ib is 10 as assemblers write it); 0 is #DE. */
static void exec_aam(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned base = (unsigned)i->imm & 0xff, al = (unsigned)c->r[R_AX] & 0xff;

    if (base == 0) {
        tcg__fault(c, EXC_DE, EXC_NO_ERROR);
    } else {
        c->r[R_AX] = (c->r[R_AX] & ~0xffffull) | (al / base) << 8 | al % base;
        bcd_flags(c, (uint8_t)(al % base), 0);
    }
}

/* D5 AAD ib: AL = AH * ib + AL, AH = 0. */
static void exec_aad(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint8_t al = (uint8_t)(((c->r[R_AX] >> 8) & 0xff) * i->imm + (c->r[R_AX] & 0xff));

    c->r[R_AX] = (c->r[R_AX] & ~0xffffull) | al;
    bcd_flags(c, al, 0);
}

/* ------------------------------------------------------------------------------------- */

void alu__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    for (int op = 0; op < 8; op++)
        for (int form = 0; form < 6; form++)
            one[op << 3 | form] = exec_alu_basic;
    for (int cc = 0; cc < 16; cc++) {
        one[0x40 + cc] = exec_incdec_reg;
        two[0x40 + cc] = exec_cmov;
        two[0x90 + cc] = exec_setcc;
    }
    one[0x27] = one[0x2F] = exec_daa_das;
    one[0x37] = one[0x3F] = exec_aaa_aas;
    one[0x63] = exec_movsxd;
    one[0x69] = one[0x6B] = exec_imul;
    one[0x80] = one[0x81] = one[0x82] = one[0x83] = exec_group1;
    one[0x84] = one[0x85] = one[0xA8] = one[0xA9] = exec_test;
    one[0x98] = exec_cbw;
    one[0x99] = exec_cwd;
    one[0x9E] = exec_sahf;
    one[0x9F] = exec_lahf;
    one[0xD4] = exec_aam;
    one[0xD5] = exec_aad;
    one[0xF5] = one[0xF8] = one[0xF9] = exec_carry_op;
    one[0xFC] = one[0xFD] = exec_direction_op;
    one[0xF6] = one[0xF7] = exec_group3;
    one[0xFE] = alu__incdec;
    two[0xAF] = exec_imul;
    two[0xB6] = two[0xB7] = two[0xBE] = two[0xBF] = exec_movx;
}
