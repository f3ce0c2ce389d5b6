/*
 * flags.c - the arithmetic flags, computed lazily (chapter 6).
 *
 * Almost every arithmetic instruction sets six flags (CF PF AF ZF SF OF), yet almost none
 * of them is ever read: the next ADD overwrites them all, and a CMP is followed by one
 * conditional jump that tests one or two. Computing all six after every instruction would
 * cost more than the instruction itself. So an instruction only records what it did (the
 * operation, the operand size, its operands and its result: tcg__set_cc() in cpu.h), which
 * is a few stores, and the flags are computed here from that record when something reads
 * them: a Jcc, SETcc or CMOVcc (flags__cond), an ADC or RCL (flags__cf), or PUSHF, an interrupt
 * or the inspector (flags__get_rflags). QEMU, Bochs and Unicorn work the same way.
 *
 * The flags follow the Intel SDM. Where it leaves a flag undefined, they follow QEMU, so
 * that the differential tests against Unicorn (which is QEMU) agree on more than they must.
 */
#include "cpu.h"

/* PF: set when the low byte of the result has an even number of 1 bits. */
static uint64_t parity_flag(uint64_t res)
{
    unsigned b = (unsigned)res & 0xff;

    b ^= b >> 4;
    b ^= b >> 2;
    b ^= b >> 1;
    return (b & 1) ? 0 : RFLAGS_PF;
}

/* ZF, SF and PF: these three depend on the result alone, whatever the operation. */
static uint64_t result_flags(uint64_t res, unsigned size)
{
    uint64_t f = parity_flag(res);

    if ((res & size_mask(size)) == 0)
        f |= RFLAGS_ZF;
    if (res & sign_bit(size))
        f |= RFLAGS_SF;
    return f;
}

/*
 * The carry into an ADD or a SUB: ADC and SBB add or subtract CF too, and it can be read
 * back from the record, since res = dst + src + carry (or dst - src - carry). Recovering it
 * rather than trusting a separate field keeps CMPS, XADD and the others correct without
 * their having to clear one.
 */
static uint64_t carry_in(const struct tcg_cpu *c)
{
    uint64_t m = size_mask(c->cc_size);

    if (c->cc_op == CC_ADD)
        return (c->cc_res - c->cc_dst - c->cc_src) & m;
    return (c->cc_dst - c->cc_src - c->cc_res) & m;
}

/* CF of an ADD (with carry-in: the sum wrapped, or came back to dst) or a SUB (a borrow). */
static int add_sub_carry(const struct tcg_cpu *c)
{
    uint64_t m = size_mask(c->cc_size);
    uint64_t dst = c->cc_dst & m, src = c->cc_src & m, res = c->cc_res & m;
    int cin = carry_in(c) != 0;

    if (c->cc_op == CC_ADD)
        return cin ? res <= dst : res < dst;
    return cin ? dst <= src : dst < src;
}

/*
 * OF and AF of the operations that record an addition or subtraction. OF is set when the
 * operands had the same sign (different, for a subtraction) and the result's sign differs
 * from the first operand's: the true result did not fit. AF is the carry out of bit 3,
 * which shows as bit 4 of dst ^ src ^ res (BCD arithmetic uses it).
 */
static uint64_t add_sub_flags(uint64_t dst, uint64_t src, uint64_t res, unsigned size, int sub)
{
    uint64_t f = (dst ^ src ^ res) & RFLAGS_AF;
    uint64_t over = sub ? (dst ^ src) & (dst ^ res) : ~(dst ^ src) & (dst ^ res);

    if (over & sign_bit(size))
        f |= RFLAGS_OF;
    return f;
}

/*
 * OF after a shift, as QEMU computes it for every count: the sign bit of the value one
 * step before the last, xor the sign bit of the result. The manuals define it only for a
 * count of 1 (where it is "did the sign change"). For a left shift the bit shifted out last
 * was that value's sign bit (CF); for a right shift that value is the result shifted back
 * left once, so its sign bit is the result's bit below the sign.
 */
static uint64_t shift_overflow(const struct tcg_cpu *c)
{
    uint64_t sign = sign_bit(c->cc_size);
    int top = (c->cc_res & sign) != 0;
    int before;

    if (c->cc_op == CC_SHL)
        before = (int)(c->cc_src & 1);
    else
        before = (c->cc_res & (sign >> 1)) != 0;
    return top != before ? RFLAGS_OF : 0;
}

/* [materialize] */
/* Computes the six arithmetic flags from the record. */
static uint64_t arith_flags(const struct tcg_cpu *c)
{
    unsigned size = c->cc_size;
    uint64_t f = result_flags(c->cc_res, size);

    switch (c->cc_op) {
    case CC_ADD:
    case CC_SUB:
        f |= add_sub_flags(c->cc_dst, c->cc_src, c->cc_res, size, c->cc_op == CC_SUB);
        return f | (add_sub_carry(c) ? RFLAGS_CF : 0);
    case CC_LOGIC:
        return f; /* CF = OF = 0; AF is undefined, 0 as in QEMU */
    case CC_INC:
    case CC_DEC:
        f |= add_sub_flags(c->cc_dst, 1, c->cc_res, size, c->cc_op == CC_DEC);
        return f | (c->cc_carry ? RFLAGS_CF : 0);
    case CC_SHL:
    case CC_SHR:
    case CC_SAR:
        /* CF is the last bit shifted out; AF is undefined, 0 as in QEMU. */
        return f | shift_overflow(c) | ((c->cc_src & 1) ? RFLAGS_CF : 0);
    case CC_MUL:
        /* SF ZF PF (from the low half) and AF are undefined; QEMU's choice again. */
        return f | (c->cc_src ? RFLAGS_CF | RFLAGS_OF : 0);
    default:
        return c->rflags & RFLAGS_ARITH;
    }
}

uint64_t flags__get_rflags(struct tcg_cpu *c)
{
    if (c->cc_op != CC_NONE) {
        /* Once computed, keep them: the next reader finds them ready. */
        c->rflags = (c->rflags & ~RFLAGS_ARITH) | arith_flags(c);
        c->cc_op = CC_NONE;
    }
    return c->rflags;
}
/* [materialize] */

void flags__set_rflags(struct tcg_cpu *c, uint64_t value)
{
    /* Bit 1 always reads 1; bits 3, 5 and 15 always read 0. */
    c->rflags = (value | RFLAGS_FIXED) & ~((1ull << 3) | (1ull << 5) | (1ull << 15));
    c->cc_op = CC_NONE;
}

int flags__cf(struct tcg_cpu *c)
{
    switch (c->cc_op) {
    case CC_ADD:
    case CC_SUB:
        return add_sub_carry(c);
    case CC_LOGIC:
        return 0;
    case CC_INC:
    case CC_DEC:
        return c->cc_carry != 0;
    case CC_SHL:
    case CC_SHR:
    case CC_SAR:
        return (int)(c->cc_src & 1);
    case CC_MUL:
        return c->cc_src != 0;
    default:
        return (c->rflags & RFLAGS_CF) != 0;
    }
}

/*
 * The conditions that a CMP or SUB (no borrow in) decides straight from its operands,
 * without building any flag: that is how compilers use them (cmp then jcc). Returns -1
 * for those that need the flags (O, P and their negations).
 */
static int compare_cond(const struct tcg_cpu *c, unsigned cc)
{
    uint64_t m = size_mask(c->cc_size);
    uint64_t dst = c->cc_dst & m, src = c->cc_src & m;
    int64_t sdst = sign_extend(dst, c->cc_size), ssrc = sign_extend(src, c->cc_size);

    switch (cc >> 1) {
    case 1:
        return dst < src; /* B: unsigned below */
    case 2:
        return dst == src; /* E */
    case 3:
        return dst <= src; /* BE */
    case 4:
        return (c->cc_res & sign_bit(c->cc_size)) != 0; /* S */
    case 6:
        return sdst < ssrc; /* L: signed less */
    case 7:
        return sdst <= ssrc; /* LE */
    default:
        return -1;
    }
}

/* Evaluates a condition from the flags themselves (Intel SDM, "Jcc"). */
static int flags_cond(uint64_t f, unsigned cc)
{
    int sf_ne_of = !(f & RFLAGS_SF) != !(f & RFLAGS_OF);

    switch (cc >> 1) {
    case 0:
        return (f & RFLAGS_OF) != 0; /* O */
    case 1:
        return (f & RFLAGS_CF) != 0; /* B, C, NAE */
    case 2:
        return (f & RFLAGS_ZF) != 0; /* E, Z */
    case 3:
        return (f & (RFLAGS_CF | RFLAGS_ZF)) != 0; /* BE, NA */
    case 4:
        return (f & RFLAGS_SF) != 0; /* S */
    case 5:
        return (f & RFLAGS_PF) != 0; /* P, PE */
    case 6:
        return sf_ne_of; /* L, NGE */
    default:
        return sf_ne_of || (f & RFLAGS_ZF); /* LE, NG */
    }
}

/* [cond] */
/* Conditions come in pairs: an odd cc is the negation of the even one before it. */
int flags__cond(struct tcg_cpu *c, unsigned cc)
{
    int r = -1;

    cc &= 15;
    if (c->cc_op == CC_SUB && carry_in(c) == 0)
        r = compare_cond(c, cc);
    else if (c->cc_op != CC_NONE && (cc >> 1) == 2)
        r = (c->cc_res & size_mask(c->cc_size)) == 0; /* ZF needs the result alone */
    if (r < 0)
        r = flags_cond(flags__get_rflags(c), cc);
    return r ^ (int)(cc & 1);
}
/* [cond] */
