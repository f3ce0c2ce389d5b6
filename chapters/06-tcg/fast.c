/*
 * fast.c - instructions specialised by operand form, for translation blocks (chapter 6):
 * when block.c decodes an instruction once for many runs, it can pick code made for that
 * exact form (a 32 or 64-bit register-register ADD, a Jcc in 64-bit mode) instead of the
 * generic code, which decides the same things again at every run (ModRM register or
 * memory, operand size, which of eight operations).
 *
 * Each one computes exactly what the generic code in alu.c, flow.c and flags.c computes
 * for that form, lazy flags included: blocks.c's test runs both and compares them.
 */
#include "block.h"

/* ---- ALU: ADD OR AND SUB XOR CMP, and TEST, between registers or with an immediate ---- */

/* The immediate of i, sign-extended as x86__imm_signed does (1 or 4 bytes here). */
static inline uint64_t imm(const struct x86_insn *i)
{
    return i->imm_size == 1 ? (uint64_t)(int64_t)(int8_t)i->imm
                            : (uint64_t)(int64_t)(int32_t)i->imm;
}

/* One handler per operation, size, and where the operands are: the names say
 * OP_SIZE_FORM, with FORM rm_reg (E is a register, G the reg field: 01, 09... ), reg_rm
 * (03, 0B...), or rm_imm (81, 83 with a register). Writing a 32-bit register clears its
 * upper half, as the masked result already is. */
/* (TEST has only the first form: the other two of the macro go unused.) */
#define MAYBE_UNUSED __attribute__((unused))
#define ALU(name, cc, expr, writes, size)                                                          \
    MAYBE_UNUSED static void name##_##size##_rm_reg(struct tcg_cpu *c, const struct x86_insn *i)   \
    {                                                                                              \
        uint64_t m = size_mask(size), dst = c->r[i->rm_reg] & m, src = c->r[i->reg] & m;           \
        uint64_t res = (expr)&m;                                                                   \
        if (writes)                                                                                \
            c->r[i->rm_reg] = res;                                                                 \
        tcg__set_cc(c, cc, size, dst, src, res);                                                   \
    }                                                                                              \
    MAYBE_UNUSED static void name##_##size##_reg_rm(struct tcg_cpu *c, const struct x86_insn *i)   \
    {                                                                                              \
        uint64_t m = size_mask(size), dst = c->r[i->reg] & m, src = c->r[i->rm_reg] & m;           \
        uint64_t res = (expr)&m;                                                                   \
        if (writes)                                                                                \
            c->r[i->reg] = res;                                                                    \
        tcg__set_cc(c, cc, size, dst, src, res);                                                   \
    }                                                                                              \
    MAYBE_UNUSED static void name##_##size##_rm_imm(struct tcg_cpu *c, const struct x86_insn *i)   \
    {                                                                                              \
        uint64_t m = size_mask(size), dst = c->r[i->rm_reg] & m, src = imm(i) & m;                 \
        uint64_t res = (expr)&m;                                                                   \
        if (writes)                                                                                \
            c->r[i->rm_reg] = res;                                                                 \
        tcg__set_cc(c, cc, size, dst, src, res);                                                   \
    }

#define ALU_SIZES(name, cc, expr, writes)                                                          \
    ALU(name, cc, expr, writes, 4)                                                                 \
    ALU(name, cc, expr, writes, 8)

ALU_SIZES(add, CC_ADD, dst + src, 1)
ALU_SIZES(or, CC_LOGIC, dst | src, 1)
ALU_SIZES(and, CC_LOGIC, dst &src, 1)
ALU_SIZES(sub, CC_SUB, dst - src, 1)
ALU_SIZES(xor, CC_LOGIC, dst ^ src, 1)
ALU_SIZES(cmp, CC_SUB, dst - src, 0)
ALU_SIZES(test, CC_LOGIC, dst &src, 0)

/* By the operation's number (the opcode's bits 5-3, group 1's /digit): ADC and SBB,
 * which need CF, are left to alu.c. */
#define ROW(size, form)                                                                            \
    {                                                                                              \
        add_##size##_##form, or_##size##_##form, NULL, NULL, and_##size##_##form,                  \
            sub_##size##_##form, xor_##size##_##form, cmp_##size##_##form                          \
    }
static const tcg_exec_fn alu_rm_reg[2][8] = {ROW(4, rm_reg), ROW(8, rm_reg)};
static const tcg_exec_fn alu_reg_rm[2][8] = {ROW(4, reg_rm), ROW(8, reg_rm)};
static const tcg_exec_fn alu_rm_imm[2][8] = {ROW(4, rm_imm), ROW(8, rm_imm)};

/* ---- Moves between registers, and of an immediate ---- */

static void mov_4_rm_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->r[i->rm_reg] = c->r[i->reg] & 0xffffffffull;
}

static void mov_8_rm_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->r[i->rm_reg] = c->r[i->reg];
}

static void mov_4_reg_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->r[i->reg] = c->r[i->rm_reg] & 0xffffffffull;
}

static void mov_8_reg_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->r[i->reg] = c->r[i->rm_reg];
}

/* B8+r: MOV reg, imm32 (zero-extended) or imm64. */
static void mov_imm(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->r[i->reg_op] = i->opsize == 8 ? i->imm : i->imm & 0xffffffffull;
}

/* ---- Jcc in 64-bit mode ---- */

/* [fast-cond] */
/* Condition cc after a CMP or SUB without a borrow in, or after a logic operation, from
 * the recorded operands alone, as flags.c's flags__cond decides it; the rest goes there. */
static inline int fast_cond(struct tcg_cpu *c, unsigned cc)
{
    unsigned size = c->cc_size;
    uint64_t m = size_mask(size), res = c->cc_res & m;
    int r;

    if (c->cc_op == CC_LOGIC) { /* CF = OF = 0 */
        switch (cc >> 1) {
        case 1: /* B */
            r = 0;
            break;
        case 2: /* E */
        case 3: /* BE */
            r = res == 0;
            break;
        case 4: /* S */
        case 6: /* L: SF != OF */
            r = (res & sign_bit(size)) != 0;
            break;
        case 7: /* LE */
            r = res == 0 || (res & sign_bit(size));
            break;
        default:
            return flags__cond(c, cc);
        }
        return r ^ (int)(cc & 1);
    }
    if (c->cc_op == CC_SUB && ((c->cc_dst - c->cc_src - c->cc_res) & m) == 0) {
        uint64_t dst = c->cc_dst & m, src = c->cc_src & m;
        switch (cc >> 1) {
        case 1:
            r = dst < src;
            break;
        case 2:
            r = dst == src;
            break;
        case 3:
            r = dst <= src;
            break;
        case 6:
            r = sign_extend(dst, size) < sign_extend(src, size);
            break;
        case 7:
            r = sign_extend(dst, size) <= sign_extend(src, size);
            break;
        default:
            return flags__cond(c, cc);
        }
        return r ^ (int)(cc & 1);
    }
    return flags__cond(c, cc);
}
/* [fast-cond] */

/* 70-7F, 0F 80-8F in 64-bit mode with a 64-bit operand size: the target is RIP-relative,
 * and #GP(0) when it is not canonical (flow.c's near_target). */
static void jcc_64(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (fast_cond(c, i->opcode & 0xf)) {
        uint64_t target = c->next_rip + (uint64_t)(i->imm_size == 1 ? (int64_t)(int8_t)i->imm
                                                                    : (int64_t)(int32_t)i->imm);
        if (!tcg__canonical(target))
            tcg__gp(c, 0);
        c->next_rip = target;
    }
}

/* ---- Choosing ---- */

tcg_exec_fn fast__pick(const struct x86_insn *i)
{
    unsigned op = i->opcode, sz = i->opsize == 8;
    int regs = i->has_modrm && i->rm_reg != X86_REG_NONE && !i->lock;

    if (i->opsize != 4 && i->opsize != 8)
        return NULL;
    if (i->map == X86_MAP_0F)
        return op >= 0x80 && op <= 0x8f && i->mode == X86_MODE_64 && i->opsize == 8 ? jcc_64 : NULL;
    if (i->map != X86_MAP_ONE_BYTE)
        return NULL;
    if (op < 0x40 && (op & 7) == 1 && regs)
        return alu_rm_reg[sz][op >> 3];
    if (op < 0x40 && (op & 7) == 3 && regs)
        return alu_reg_rm[sz][op >> 3];
    if ((op == 0x81 || op == 0x83) && regs)
        return alu_rm_imm[sz][i->reg & 7];
    if (op == 0x85 && regs)
        return sz ? test_8_rm_reg : test_4_rm_reg;
    if (op == 0x89 && regs)
        return sz ? mov_8_rm_reg : mov_4_rm_reg;
    if (op == 0x8b && regs)
        return sz ? mov_8_reg_rm : mov_4_reg_rm;
    if (op >= 0xb8 && op <= 0xbf)
        return mov_imm;
    if (op >= 0x70 && op <= 0x7f && i->mode == X86_MODE_64 && i->opsize == 8)
        return jcc_64;
    return NULL;
}
