/*
 * flow.c - the interpreter's data movement, stack and branch instructions (chapter 6):
 * MOV and its kin, PUSH and POP, CALL, RET, JMP, Jcc, LOOP, and the compare-and-exchange
 * family. The string instructions are string.c's.
 *
 * Every handler follows cpu.h's rule: all memory accesses (which may fault or exit) come
 * first, registers are committed after them, so a faulting instruction leaves the
 * registers as it found them and can be restarted.
 */
#include "cpu.h"

#include <string.h>

/* ------------------------------------------------------------------------------------- */
/* Helpers: branch targets and the stack                                                  */

/*
 * Checks a near branch target and returns it truncated to the operand size, as the CPU
 * truncates IP or EIP. A target outside CS (non-canonical in 64-bit mode) raises #GP(0)
 * at the branch, before the branch changes anything.
 */
static uint64_t near_target(struct tcg_cpu *c, const struct x86_insn *i, uint64_t target)
{
    target &= size_mask(i->opsize);
    if (c->long64) {
        if (!tcg__canonical(target))
            tcg__gp(c, 0);
    } else if (target > c->seg[X86_SEG_CS].limit) {
        tcg__gp(c, 0);
    }
    return target;
}

/* The stack offset delta bytes above the top of the stack, wrapped to the stack's width. */
static uint64_t stack_at(struct tcg_cpu *c, int64_t delta)
{
    return (c->r[R_SP] + (uint64_t)delta) & size_mask(c->stack_size);
}

/* The value RSP takes when it moves by delta: a 16-bit stack changes SP alone. */
static uint64_t sp_moved(struct tcg_cpu *c, int64_t delta)
{
    uint64_t mask = size_mask(c->stack_size);

    return (c->r[R_SP] & ~mask) | stack_at(c, delta);
}

/* Reads size bytes delta bytes above the top of the stack, without popping them. */
static uint64_t stack_peek(struct tcg_cpu *c, int64_t delta, unsigned size)
{
    return mmu__read(c, X86_SEG_SS, stack_at(c, delta), size);
}

/* ------------------------------------------------------------------------------------- */
/* Moves                                                                                  */

/* 88, 89: MOV r/m, reg. */
static void exec_mov_to_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    rm_write(c, i, i->opsize, reg_read(c, i, i->reg, i->opsize));
}

/* 8A, 8B: MOV reg, r/m. */
static void exec_mov_from_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    reg_write(c, i, i->reg, i->opsize, rm_read(c, i, i->opsize));
}

/* 8C: MOV r/m, Sreg. Memory gets 16 bits; a register of 32 or 64 bits the zero-extended
 * selector. */
static void exec_mov_from_sreg(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned seg = i->reg & 7;

    if (seg > X86_SEG_GS)
        tcg__ud(c, i);
    rm_write(c, i, i->rm_reg == X86_REG_NONE ? 2 : i->opsize, c->seg[seg].selector);
}

/* 8E: MOV Sreg, r/m. CS cannot be loaded this way; loading SS holds off interrupts for
 * one instruction, so that the MOV to RSP which follows it runs first. */
static void exec_mov_to_sreg(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned seg = i->reg & 7;

    if (seg > X86_SEG_GS || seg == X86_SEG_CS)
        tcg__ud(c, i);
    protect__load_seg(c, (int)seg, (uint16_t)rm_read(c, i, 2));
    if (seg == X86_SEG_SS)
        tcg__shadow(c);
}

/* 8D: LEA. The address is computed in the address size, then cut to the operand size. */
static void exec_lea(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->rm_reg != X86_REG_NONE)
        tcg__ud(c, i);
    reg_write(c, i, i->reg, i->opsize, tcg__ea(c, i) & size_mask(i->opsize));
}

/* A0-A3: MOV between the accumulator and an absolute offset (the decoder's mem.disp). */
static void exec_mov_moffs(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->opcode < 0xA2)
        reg_write(c, i, R_AX, i->opsize, mmu__read(c, i->mem.segment, tcg__ea(c, i), i->opsize));
    else
        mmu__write(c, i->mem.segment, tcg__ea(c, i), i->opsize, c->r[R_AX]);
}

/* B0-BF: MOV reg, imm (a 64-bit immediate with REX.W). */
static void exec_mov_imm_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    reg_write(c, i, i->reg_op, i->opsize, i->imm);
}

/* C6 /0, C7 /0: MOV r/m, imm (sign-extended from 32 bits for a 64-bit operand). */
static void exec_mov_imm_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    if ((i->reg & 7) != 0)
        tcg__ud(c, i);
    rm_write(c, i, i->opsize, (uint64_t)x86__imm_signed(i) & size_mask(i->opsize));
}

/* 86, 87: XCHG r/m, reg. The memory form is locked whether or not LOCK is written: nothing
 * another vCPU does comes between its read and write (mmu.c's locked instructions). */
static void exec_xchg(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->rm_reg == X86_REG_NONE)
        c->lock.on = 1;
    uint64_t a = rm_read(c, i, i->opsize);
    uint64_t b = reg_read(c, i, i->reg, i->opsize);

    rm_write(c, i, i->opsize, b);
    reg_write(c, i, i->reg, i->opsize, a);
}

/* 90-97: XCHG rAX, reg. Plain 90 is NOP (and F3 90 is PAUSE): it does not even clear the
 * upper half of RAX in 64-bit mode; with REX.B it exchanges with R8. */
static void exec_xchg_ax(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t a = reg_read(c, i, R_AX, i->opsize);

    if (i->reg_op == R_AX)
        return;
    reg_write(c, i, R_AX, i->opsize, reg_read(c, i, i->reg_op, i->opsize));
    reg_write(c, i, i->reg_op, i->opsize, a);
}

/* 0F 1F (NOP r/m), the hint NOPs 0F 18-1E and PREFETCH 0F 0D: no memory is touched. */
static void exec_nop(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)c;
    (void)i;
}

/* D7: XLAT: AL = [seg:rBX + AL], in the address size. */
static void exec_xlat(struct tcg_cpu *c, const struct x86_insn *i)
{
    int seg = i->seg == X86_SEG_NONE ? X86_SEG_DS : i->seg;
    uint64_t offset = (c->r[R_BX] + (c->r[R_AX] & 0xff)) & size_mask(i->addrsize);

    reg_write(c, i, R_AX, 1, mmu__read(c, seg, offset, 1));
}

/* ------------------------------------------------------------------------------------- */
/* The stack                                                                              */

/* 50-57: PUSH reg. PUSH rSP pushes the value it had before. */
static void exec_push_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    mmu__push(c, i->opsize, reg_read(c, i, i->reg_op, i->opsize));
}

/* 58-5F: POP reg. POP rSP leaves the popped value in rSP. */
static void exec_pop_reg(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v = mmu__pop(c, i->opsize);

    reg_write(c, i, i->reg_op, i->opsize, v);
}

/* 68, 6A: PUSH imm, sign-extended to the operand size. */
static void exec_push_imm(struct tcg_cpu *c, const struct x86_insn *i)
{
    mmu__push(c, i->opsize, (uint64_t)x86__imm_signed(i) & size_mask(i->opsize));
}

/*
 * 8F /0: POP r/m. A memory destination based on rSP is addressed with rSP already
 * incremented (SDM), but rSP is committed only once the write has succeeded.
 */
static void exec_pop_rm(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v, sp, old, offset;

    if ((i->reg & 7) != 0)
        tcg__ud(c, i);
    v = stack_peek(c, 0, i->opsize);
    sp = sp_moved(c, i->opsize);
    old = c->r[R_SP];
    if (i->rm_reg == X86_REG_NONE) {
        c->r[R_SP] = sp;
        offset = tcg__ea(c, i);
        c->r[R_SP] = old;
        mmu__write(c, i->mem.segment, offset, i->opsize, v);
    }
    c->r[R_SP] = sp;
    if (i->rm_reg != X86_REG_NONE)
        reg_write(c, i, i->rm_reg, i->opsize, v);
}

/* The segment register that PUSH/POP Sreg names: 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS,
 * 0F A0/A1 FS, 0F A8/A9 GS. */
static int stack_seg(const struct x86_insn *i)
{
    if (i->map == X86_MAP_0F)
        return X86_SEG_FS + ((i->opcode >> 3) & 1);
    return (i->opcode >> 3) & 3;
}

/* PUSH Sreg: the selector, zero-extended to the operand size. ES CS SS DS only outside
 * 64-bit mode. */
static void exec_push_seg(struct tcg_cpu *c, const struct x86_insn *i)
{
    int seg = stack_seg(i);

    if (c->long64 && seg < X86_SEG_FS)
        tcg__ud(c, i);
    mmu__push(c, i->opsize, c->seg[seg].selector);
}

/* POP Sreg: the segment is loaded (and checked) before rSP moves. POP SS holds off
 * interrupts for one instruction, as MOV SS does. */
static void exec_pop_seg(struct tcg_cpu *c, const struct x86_insn *i)
{
    int seg = stack_seg(i);
    uint64_t sp;
    uint16_t sel;

    if ((c->long64 && seg < X86_SEG_FS) || seg == X86_SEG_CS)
        tcg__ud(c, i);
    sel = (uint16_t)stack_peek(c, 0, i->opsize);
    sp = sp_moved(c, i->opsize); /* with the stack size before SS changes */
    protect__load_seg(c, seg, sel);
    c->r[R_SP] = sp;
    if (seg == X86_SEG_SS)
        tcg__shadow(c);
}

/* 60: PUSHA: AX CX DX BX, the SP from before, BP SI DI (16/32-bit modes only). */
static void exec_pusha(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;

    for (int n = R_AX; n <= R_DI; n++)
        mmu__write(c, X86_SEG_SS, stack_at(c, -(int64_t)(size * (n + 1))), size, c->r[n]);
    c->r[R_SP] = sp_moved(c, -(int64_t)(size * 8));
}

/* 61: POPA: the reverse of PUSHA; the saved SP is skipped. */
static void exec_popa(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t v[8];

    for (int n = R_AX; n <= R_DI; n++)
        v[n] = stack_peek(c, size * (7 - n), size);
    c->r[R_SP] = sp_moved(c, size * 8);
    for (int n = R_AX; n <= R_DI; n++)
        if (n != R_SP)
            reg_write(c, i, n, size, v[n]);
}

/* 9C: PUSHF. VM and RF read as 0 in the pushed image. */
static void exec_pushf(struct tcg_cpu *c, const struct x86_insn *i)
{
    mmu__push(c, i->opsize, flags__get_rflags(c) & ~(RFLAGS_VM | RFLAGS_RF));
}

/* The flags POPF may change at all (a 16-bit POPF only the low 16 of them). */
#define POPF_BITS                                                                                  \
    (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC |      \
     RFLAGS_ID)

/*
 * 9D: POPF. Only CPL 0 changes IOPL, and IF changes only when CPL <= IOPL (silently
 * kept otherwise); real mode counts as CPL 0. VM, VIF and VIP stay; RF is cleared.
 */
static void exec_popf(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v = stack_peek(c, 0, i->opsize);
    uint64_t old = flags__get_rflags(c);
    uint64_t bits = POPF_BITS & size_mask(i->opsize);
    unsigned cpl = (c->cr0 & CR0_PE) ? c->cpl : 0;
    unsigned iopl = (unsigned)((old & RFLAGS_IOPL) >> 12);

    if (cpl > 0)
        bits &= ~RFLAGS_IOPL;
    if (cpl > iopl)
        bits &= ~RFLAGS_IF;
    c->r[R_SP] = sp_moved(c, i->opsize);
    flags__set_rflags(c, ((old & ~bits) | (v & bits)) & ~RFLAGS_RF);
}

/*
 * C8: ENTER alloc, level. Pushes rBP, then for a nesting level above 0 copies level - 1
 * frame pointers from the enclosing frame and pushes the new frame's own; rBP becomes the
 * new frame and rSP drops by alloc more. All writes happen before any register changes.
 */
static void exec_enter(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize, level = i->imm2 & 31;
    uint64_t smask = size_mask(c->stack_size);
    int64_t down = -(int64_t)size;
    uint64_t frame = stack_at(c, down);

    mmu__write(c, X86_SEG_SS, frame, size, c->r[R_BP]);
    if (level > 0) {
        for (unsigned k = 1; k < level; k++) {
            uint64_t v = mmu__read(c, X86_SEG_SS, (c->r[R_BP] - k * size) & smask, size);
            down -= size;
            mmu__write(c, X86_SEG_SS, stack_at(c, down), size, v);
        }
        down -= size;
        mmu__write(c, X86_SEG_SS, stack_at(c, down), size, frame);
    }
    c->r[R_SP] = sp_moved(c, down - (int64_t)(i->imm & 0xffff));
    reg_write(c, i, R_BP, size, frame);
}

/* C9: LEAVE: rSP = rBP, then POP rBP. */
static void exec_leave(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t smask = size_mask(c->stack_size);
    uint64_t bp = c->r[R_BP] & smask;
    uint64_t v = mmu__read(c, X86_SEG_SS, bp, i->opsize);

    c->r[R_SP] = (c->r[R_SP] & ~smask) | ((bp + i->opsize) & smask);
    reg_write(c, i, R_BP, i->opsize, v);
}

/* ------------------------------------------------------------------------------------- */
/* Branches                                                                               */

/* [branches] */
/* The target of a relative branch: the next instruction plus the signed displacement. */
static uint64_t rel_target(struct tcg_cpu *c, const struct x86_insn *i)
{
    return near_target(c, i, c->next_rip + (uint64_t)x86__imm_signed(i));
}

/* Calls target: pushes the return address, then branches. */
static void call_to(struct tcg_cpu *c, const struct x86_insn *i, uint64_t target)
{
    mmu__push(c, i->opsize, c->next_rip);
    c->next_rip = target;
}

/* E8: CALL rel. */
static void exec_call_rel(struct tcg_cpu *c, const struct x86_insn *i)
{
    call_to(c, i, rel_target(c, i));
}

/* E9, EB: JMP rel. */
static void exec_jmp_rel(struct tcg_cpu *c, const struct x86_insn *i)
{
    c->next_rip = rel_target(c, i);
}

/* C3, C2: RET, and RET imm16 which also drops imm16 bytes of arguments. */
static void exec_ret(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t target = near_target(c, i, stack_peek(c, 0, i->opsize));
    uint64_t drop = i->opcode == 0xC2 ? i->imm & 0xffff : 0;

    c->r[R_SP] = sp_moved(c, (int64_t)(i->opsize + drop));
    c->next_rip = target;
}

/* 70-7F, 0F 80-8F: Jcc rel. */
static void exec_jcc(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (flags__cond(c, i->opcode & 0xf))
        c->next_rip = rel_target(c, i);
}
/* [branches] */

/*
 * E0-E2: LOOPNE, LOOPE, LOOP: decrement the counter (CX, ECX or RCX by the address size)
 * and branch while it is not zero (and ZF is 0, or 1). The target is checked before the
 * counter is written, so a bad target faults with the counter unchanged.
 */
static void exec_loop(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t count = (c->r[R_CX] - 1) & size_mask(i->addrsize);
    int taken = count != 0;
    uint64_t target = 0;

    if (i->opcode == 0xE0)
        taken = taken && !flags__cond(c, 4); /* condition 4 is E/Z */
    else if (i->opcode == 0xE1)
        taken = taken && flags__cond(c, 4);
    if (taken)
        target = rel_target(c, i);
    reg_write(c, i, R_CX, i->addrsize, count);
    if (taken)
        c->next_rip = target;
}

/* E3: JCXZ, JECXZ, JRCXZ by the address size. */
static void exec_jcxz(struct tcg_cpu *c, const struct x86_insn *i)
{
    if ((c->r[R_CX] & size_mask(i->addrsize)) == 0)
        c->next_rip = rel_target(c, i);
}

/* FF: group 5. INC and DEC belong to alu.c, the far forms to system.c. */
static void exec_group5(struct tcg_cpu *c, const struct x86_insn *i)
{
    switch (i->reg & 7) {
    case 0:
    case 1:
        alu__incdec(c, i);
        break;
    case 2: /* CALL r/m */
        call_to(c, i, near_target(c, i, rm_read(c, i, i->opsize)));
        break;
    case 3:
    case 5:
        protect__far_ff(c, i);
        break;
    case 4: /* JMP r/m */
        c->next_rip = near_target(c, i, rm_read(c, i, i->opsize));
        break;
    case 6: /* PUSH r/m: a memory operand based on rSP is read before rSP moves */
        mmu__push(c, i->opsize, rm_read(c, i, i->opsize));
        break;
    default:
        tcg__ud(c, i);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Compare and exchange                                                                   */

/*
 * 0F B0, B1: CMPXCHG r/m, reg. Compares the accumulator with the destination (flags as
 * CMP). Equal: the destination gets reg. Not equal: the accumulator gets the destination,
 * and a memory destination is written back unchanged (the CPU always writes it). A
 * register is written only by the branch taken, as the CPU does, which matters for the
 * upper halves of 32-bit registers in 64-bit mode.
 */
static void exec_cmpxchg(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t acc = reg_read(c, i, R_AX, size);
    uint64_t old = rm_read(c, i, size);

    if (old == acc) {
        rm_write(c, i, size, reg_read(c, i, i->reg, size));
    } else {
        if (i->rm_reg == X86_REG_NONE)
            rm_write(c, i, size, old);
        reg_write(c, i, R_AX, size, old);
    }
    tcg__set_cc(c, CC_SUB, size, acc, old, (acc - old) & size_mask(size));
}

/* 0F C0, C1: XADD r/m, reg: the destination gets the sum, reg the old destination. When
 * both name one register, the sum wins. */
static void exec_xadd(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    uint64_t dst = rm_read(c, i, size);
    uint64_t src = reg_read(c, i, i->reg, size);
    uint64_t sum = (dst + src) & size_mask(size);

    if (i->rm_reg == X86_REG_NONE) {
        rm_write(c, i, size, sum);
        reg_write(c, i, i->reg, size, dst);
    } else {
        reg_write(c, i, i->reg, size, dst);
        rm_write(c, i, size, sum);
    }
    tcg__set_cc(c, CC_ADD, size, dst, src, sum);
}

/* CMPXCHG8B on an 8-byte aligned operand: one read and one write of all 8 bytes. */
static void cmpxchg8b_aligned(struct tcg_cpu *c, const struct x86_insn *i, uint64_t at)
{
    uint64_t old = mmu__read(c, i->mem.segment, at, 8);
    uint64_t want = (c->r[R_DX] & 0xffffffffull) << 32 | (c->r[R_AX] & 0xffffffffull);
    uint64_t flags = flags__get_rflags(c) & ~RFLAGS_ZF;

    if (old == want) {
        mmu__write(c, i->mem.segment, at, 8,
                   (c->r[R_CX] & 0xffffffffull) << 32 | (c->r[R_BX] & 0xffffffffull));
        flags |= RFLAGS_ZF;
    } else {
        mmu__write(c, i->mem.segment, at, 8, old);
        reg_write(c, i, R_AX, 4, old & 0xffffffffull);
        reg_write(c, i, R_DX, 4, old >> 32);
    }
    flags__set_rflags(c, flags);
}

/*
 * 0F C7 /1: CMPXCHG8B m64 (EDX:EAX against memory, ECX:EBX stored), or CMPXCHG16B m128
 * with REX.W (RDX:RAX, RCX:RBX; the operand must be 16-byte aligned). Only ZF changes.
 * When the operand spans two pages, the high half is first written with its old value,
 * so that a fault on either page comes before memory changes.
 */
static void exec_cmpxchg8b(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned half = i->rex_w ? 8 : 4;
    int seg = i->mem.segment;
    uint64_t lo_at, hi_at, linear, lo, hi, flags;
    int equal;

    if ((i->reg & 7) != 1 || i->rm_reg != X86_REG_NONE)
        tcg__ud(c, i);
    lo_at = tcg__ea(c, i);
    hi_at = (lo_at + half) & size_mask(i->addrsize);
    linear = mmu__linear(c, seg, lo_at, 2 * half, ACC_READ);
    if (half == 8 && (linear & 15))
        tcg__gp(c, 0);
    if (half == 4 && !(linear & 7)) { /* one aligned 8-byte access: LOCK makes it a swap */
        cmpxchg8b_aligned(c, i, lo_at);
        return;
    }
    mmu__locked_wide(c); /* with LOCK: the two halves under the mutex (mmu.c) */
    lo = mmu__read(c, seg, lo_at, half);
    hi = mmu__read(c, seg, hi_at, half);
    equal = lo == reg_read(c, i, R_AX, half) && hi == reg_read(c, i, R_DX, half);
    if ((linear & 0xfff) + 2 * half > 0x1000)
        mmu__write(c, seg, hi_at, half, hi);
    if (equal) {
        mmu__write(c, seg, lo_at, half, c->r[R_BX]);
        mmu__write(c, seg, hi_at, half, c->r[R_CX]);
    } else {
        mmu__write(c, seg, lo_at, half, lo);
        reg_write(c, i, R_AX, half, lo);
        reg_write(c, i, R_DX, half, hi);
    }
    flags = flags__get_rflags(c) & ~RFLAGS_ZF;
    flags__set_rflags(c, equal ? flags | RFLAGS_ZF : flags);
}

/* ------------------------------------------------------------------------------------- */

void flow__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    one[0x88] = one[0x89] = exec_mov_to_rm;
    one[0x8A] = one[0x8B] = exec_mov_from_rm;
    one[0x8C] = exec_mov_from_sreg;
    one[0x8D] = exec_lea;
    one[0x8E] = exec_mov_to_sreg;
    one[0x8F] = exec_pop_rm;
    for (int op = 0xA0; op <= 0xA3; op++)
        one[op] = exec_mov_moffs;
    for (int op = 0xB0; op <= 0xBF; op++)
        one[op] = exec_mov_imm_reg;
    one[0xC6] = one[0xC7] = exec_mov_imm_rm;
    one[0x86] = one[0x87] = exec_xchg;
    for (int op = 0x90; op <= 0x97; op++)
        one[op] = exec_xchg_ax;
    one[0xD7] = exec_xlat;
    two[0x0D] = two[0x1F] = exec_nop;
    for (int op = 0x18; op <= 0x1E; op++)
        two[op] = exec_nop;

    for (int op = 0x50; op <= 0x57; op++)
        one[op] = exec_push_reg;
    for (int op = 0x58; op <= 0x5F; op++)
        one[op] = exec_pop_reg;
    one[0x68] = one[0x6A] = exec_push_imm;
    one[0x06] = one[0x0E] = one[0x16] = one[0x1E] = exec_push_seg;
    one[0x07] = one[0x17] = one[0x1F] = exec_pop_seg;
    two[0xA0] = two[0xA8] = exec_push_seg;
    two[0xA1] = two[0xA9] = exec_pop_seg;
    one[0x60] = exec_pusha;
    one[0x61] = exec_popa;
    one[0x9C] = exec_pushf;
    one[0x9D] = exec_popf;
    one[0xC8] = exec_enter;
    one[0xC9] = exec_leave;

    one[0xE8] = exec_call_rel;
    one[0xE9] = one[0xEB] = exec_jmp_rel;
    one[0xC2] = one[0xC3] = exec_ret;
    for (int cc = 0; cc < 16; cc++)
        one[0x70 + cc] = two[0x80 + cc] = exec_jcc;
    one[0xE0] = one[0xE1] = one[0xE2] = exec_loop;
    one[0xE3] = exec_jcxz;
    one[0xFF] = exec_group5;

    two[0xB0] = two[0xB1] = exec_cmpxchg;
    two[0xC0] = two[0xC1] = exec_xadd;
    two[0xC7] = exec_cmpxchg8b;
}
