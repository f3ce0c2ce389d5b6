/*
 * bits.c - the interpreter's shifts, rotates and bit instructions (chapter 6): SHL, SHR,
 * SAR, ROL, ROR, RCL, RCR, SHLD, SHRD, BT, BTS, BTR, BTC, BSF, BSR, POPCNT, BSWAP.
 *
 * As in alu.c, operands are read and memory written before registers and flags change;
 * shifts record their flags lazily, rotates and bit tests compute RFLAGS and store it.
 */
#include "cpu.h"
/* ------------------------------------------------------------------------------------- */
/* Shifts and rotates                                                                     */

/*
 * SHL (and SAL, /6), SHR and SAR by n (already masked, not 0). The flags record the last
 * bit shifted out, which becomes CF; the operand is shifted in 64 bits, so that counts up
 * to 31 on a byte or a word shift everything out as the CPU does.
 */
static void shift_single(struct tcg_cpu *c, const struct x86_insn *i, unsigned op, uint64_t v,
                         unsigned n)
{
    unsigned size = i->opsize;
    uint64_t res, last;
    enum cc_op kind;

    switch (op) {
    case 5: /* SHR */
        res = v >> n;
        last = v >> (n - 1);
        kind = CC_SHR;
        break;
    case 7: /* SAR: the sign fills in from the left */
        res = (uint64_t)(sign_extend(v, size) >> n);
        last = (uint64_t)(sign_extend(v, size) >> (n - 1));
        kind = CC_SAR;
        break;
    default: /* SHL, SAL */
        res = v << n;
        last = (v << (n - 1)) >> (size * 8 - 1);
        kind = CC_SHL;
    }
    res &= size_mask(size);
    rm_write(c, i, size, res);
    tcg__set_cc(c, kind, size, v, last & 1, res);
}

/*
 * ROL ROR RCL RCR by n (masked, not 0). They change CF and OF only. RCL and RCR rotate
 * through CF, a size * 8 + 1 bit rotation, one bit at a time (the count is small). OF is
 * defined for n = 1; for larger counts it is computed the same way, as QEMU does.
 */
static void rotate(struct tcg_cpu *c, const struct x86_insn *i, unsigned op, uint64_t v, unsigned n)
{
    unsigned size = i->opsize, bits = size * 8, k = n % bits;
    uint64_t m = size_mask(size), top = sign_bit(size), res = v;
    uint64_t f = flags__get_rflags(c);
    uint64_t cf = f & RFLAGS_CF, of;

    switch (op) {
    case 0: /* ROL: CF gets the bit that came round to bit 0 */
        res = k ? ((v << k) | (v >> (bits - k))) & m : v;
        cf = res & 1;
        of = ((res & top) != 0) != cf;
        break;
    case 1: /* ROR: CF gets the bit that came round to the top */
        res = k ? ((v >> k) | (v << (bits - k))) & m : v;
        cf = (res & top) != 0;
        of = cf != ((res & (top >> 1)) != 0);
        break;
    case 2: /* RCL */
        for (unsigned s = 0; s < n % (bits + 1); s++) {
            uint64_t out = (res & top) != 0;
            res = ((res << 1) | cf) & m;
            cf = out;
        }
        of = ((v ^ res) & top) != 0;
        break;
    default: /* RCR */
        for (unsigned s = 0; s < n % (bits + 1); s++) {
            uint64_t out = res & 1;
            res = (res >> 1) | (cf ? top : 0);
            cf = out;
        }
        of = ((v ^ res) & top) != 0;
    }
    rm_write(c, i, size, res);
    if (op >= 2 && n % (bits + 1) == 0)
        return; /* RCL/RCR by a multiple of size + 1 bits: nothing moved, no flag changes */
    f &= ~(RFLAGS_CF | RFLAGS_OF);
    flags__set_rflags(c, f | (cf ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0));
}

/*
 * C0 C1 (by ib), D0 D1 (by 1), D2 D3 (by CL), group 2. The count is masked to 5 bits (6 with
 * 64-bit operands); a count of 0 changes no flag, though the operand is still written back
 * (a 32-bit register is zero-extended), as QEMU does.
 */
static void exec_group2(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize, op = i->reg & 7;
    unsigned n = i->opcode >= 0xD2   ? (unsigned)c->r[R_CX]
                 : i->opcode >= 0xD0 ? 1
                                     : (unsigned)i->imm;
    uint64_t v = rm_read(c, i, size);

    n &= size == 8 ? 63 : 31;
    if (n == 0)
        rm_write(c, i, size, v);
    else if (op < 4)
        rotate(c, i, op, v, n);
    else
        shift_single(c, i, op, v, n);
}

/*
 * 0F A4 A5 SHLD, 0F AC AD SHRD (by ib or CL): shift E, filling in bits from G. Word
 * operands are shifted as the 48-bit E:G:E, which is what Intel CPUs (and QEMU) do with
 * counts above 16, where the manuals leave the result undefined.
 */
static void exec_shift_double(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize, bits = size * 8;
    int right = i->opcode >= 0xAC;
    unsigned n = (unsigned)((i->opcode & 1) ? c->r[R_CX] : i->imm) & (size == 8 ? 63 : 31);
    uint64_t d = rm_read(c, i, size), s = reg_read(c, i, i->reg, size), res, last;

    if (n == 0) {
        rm_write(c, i, size, d);
        return;
    }
    if (size == 8) {
        res = right ? d >> n | s << (64 - n) : d << n | s >> (64 - n);
        last = right ? d >> (n - 1) : d >> (64 - n);
    } else {
        uint64_t v = size == 4 ? (right ? s << 32 | d : d << 32 | s) : d << 32 | s << 16 | d;
        res = right ? v >> n : (v << n) >> 32;
        last = right ? v >> (n - 1) : (v << (n - 1)) >> (31 + bits);
    }
    res &= size_mask(size);
    rm_write(c, i, size, res);
    tcg__set_cc(c, right ? CC_SHR : CC_SHL, size, d, last & 1, res);
}

/* ------------------------------------------------------------------------------------- */
/* Bit tests and scans                                                                    */

/*
 * BT BTS BTR BTC (op 4-7, as group 8's /digit): CF = the bit, which BTS sets, BTR clears
 * and BTC flips. A register offset into a memory operand is signed and not masked: it
 * addresses the operand-sized word offset / (size * 8) words away, anywhere in the
 * segment. An immediate offset is masked to the operand. ZF stays; OF SF AF PF are
 * undefined and stay too.
 */
static void bit_test(struct tcg_cpu *c, const struct x86_insn *i, unsigned op, uint64_t offset,
                     int reg_offset)
{
    unsigned size = i->opsize, bits = size * 8;
    uint64_t bit = offset & (bits - 1), ea = 0, v, res;
    uint64_t f = flags__get_rflags(c);

    check_lock(c, i);
    if (i->rm_reg != X86_REG_NONE) {
        v = reg_read(c, i, i->rm_reg, size);
    } else {
        ea = tcg__ea(c, i);
        if (reg_offset) {
            int64_t words = sign_extend(offset, size) >> __builtin_ctz(bits);
            ea = (ea + (uint64_t)words * size) & size_mask(i->addrsize);
        }
        v = mmu__read(c, i->mem.segment, ea, size);
    }
    res = op == 5 ? v | 1ull << bit : op == 6 ? v & ~(1ull << bit) : v ^ 1ull << bit;
    if (op != 4 && i->rm_reg != X86_REG_NONE)
        reg_write(c, i, i->rm_reg, size, res);
    else if (op != 4)
        mmu__write(c, i->mem.segment, ea, size, res);
    flags__set_rflags(c, (f & ~RFLAGS_CF) | ((v >> bit) & 1 ? RFLAGS_CF : 0));
}

/* 0F A3 BT, AB BTS, B3 BTR, BB BTC: Ev, Gv. */
static void exec_bt_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    bit_test(c, i, 4 + ((i->opcode >> 3) & 3), reg_read(c, i, i->reg, i->opsize), 1);
}

/* 0F BA, group 8: the same with ib (/4-/7; the decoder refuses /0-/3). */
static void exec_group8(struct tcg_cpu *c, const struct x86_insn *i)
{
    bit_test(c, i, i->reg & 7, i->imm, 0);
}

/*
 * 0F BC BSF, 0F BD BSR: the index of the lowest or highest 1 bit. For a zero source ZF is
 * set and the destination keeps its value (a 32-bit one is still zero-extended, as on
 * Intel CPUs and QEMU). F3 0F BC/BD are TZCNT/LZCNT only on CPUs that advertise BMI1/ABM;
 * ours does not, so like older CPUs they are BSF/BSR. The other flags are undefined; QEMU
 * sets them as a logic operation on the source would, and so do we.
 */
static void exec_bit_scan(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t v = rm_read(c, i, size), res = reg_read(c, i, i->reg, size);

    if (v)
        res = i->opcode == 0xBC ? (uint64_t)__builtin_ctzll(v) : 63u - (unsigned)__builtin_clzll(v);
    reg_write(c, i, i->reg, size, res);
    tcg__set_cc(c, CC_LOGIC, size, v, 0, v);
}

/* F3 0F B8 POPCNT: the number of 1 bits. ZF says the source was 0; the others are clear. */
static void exec_popcnt(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v;

    if (i->rep != 0xF3)
        tcg__ud(c, i); /* 0F B8 without F3 is JMPE, an Itanium instruction */
    v = rm_read(c, i, i->opsize);
    reg_write(c, i, i->reg, i->opsize, (uint64_t)__builtin_popcountll(v));
    flags__set_rflags(c, (c->rflags & ~RFLAGS_ARITH) | (v ? 0 : RFLAGS_ZF));
}

/* 0F C8+r BSWAP: reverses the bytes. With a 16-bit operand the result is undefined: QEMU
 * swaps the low 32 bits, and so do we. */
static void exec_bswap(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v = c->r[i->reg_op];

    if (i->opsize == 8)
        c->r[i->reg_op] = __builtin_bswap64(v);
    else
        reg_write(c, i, i->reg_op, 4, __builtin_bswap32((uint32_t)v));
}

void bits__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    for (int r = 0; r < 8; r++)
        two[0xC8 + r] = exec_bswap;
    one[0xC0] = one[0xC1] = one[0xD0] = one[0xD1] = one[0xD2] = one[0xD3] = exec_group2;
    two[0xA3] = two[0xAB] = two[0xB3] = two[0xBB] = exec_bt_reg;
    two[0xA4] = two[0xA5] = two[0xAC] = two[0xAD] = exec_shift_double;
    two[0xB8] = exec_popcnt;
    two[0xBA] = exec_group8;
    two[0xBC] = two[0xBD] = exec_bit_scan;
}
