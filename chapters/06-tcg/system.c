/*
 * system.c - what system code needs from the interpreter: segment loads with their
 * checks, interrupts and exceptions through the IVT or IDT, IRET, far transfers, control
 * and model-specific registers, CPUID, port I/O, SYSCALL/SYSRET (see cpu.h; chapter 6).
 */
#include "cpu.h"
#include "tcg.h"

#include <string.h>

#define MSR_TSC            0x10
#define MSR_APIC_BASE      0x1b
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_MISC_ENABLE    0x1a0
#define MSR_PAT            0x277
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* A 64-bit address whose bits 63:47 are all equal: the only kind the CPU takes. */
static int canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---- Modes ---- */

/* [mode] */
void tcg_update_mode(struct tcg_cpu *c)
{
    const seg_t *cs = &c->seg[X86_SEG_CS];
    uint8_t cpl = c->cpl;

    c->long64 = (c->efer & EFER_LMA) && cs->l;
    if (c->long64)
        c->mode = X86_MODE_64;
    else
        c->mode = (c->cr0 & CR0_PE) && cs->db ? X86_MODE_32 : X86_MODE_16;
    /* The CPL is SS.DPL (as KVM keeps it), 0 in real mode: not CS.DPL, which a conforming
     * code segment may set below the CPL. */
    c->cpl = !(c->cr0 & CR0_PE) ? 0 : (c->rflags & RFLAGS_VM) ? 3 : c->seg[X86_SEG_SS].dpl;
    c->stack_size = c->long64 ? 8 : c->seg[X86_SEG_SS].db ? 4 : 2;
    if (c->cpl != cpl)
        tcg_tlb_flush(c); /* the TLB holds the rights of one privilege level */
}
/* [mode] */

/* ---- Descriptors ---- */

/* Reads the 8-byte descriptor that selector sel names, in the GDT or (TI = 1) the LDT.
 * Faults with #GP(sel) when it lies beyond the table's limit. */
static uint64_t read_descriptor(struct tcg_cpu *c, uint16_t sel, uint64_t *addr)
{
    uint64_t base = sel & 4 ? c->ldt.base : c->gdt.base;
    uint32_t limit = sel & 4 ? c->ldt.limit : c->gdt.limit;

    if ((sel & 4) && c->ldt.unusable)
        tcg_gp(c, sel & 0xfffc);
    if ((uint32_t)(sel & ~7) + 7 > limit)
        tcg_gp(c, sel & 0xfffc);
    *addr = base + (sel & ~7);
    return tcg_read_sys(c, *addr, 8);
}

/* [descriptor] */
/* The hidden part of a segment register, from the 8 bytes of a descriptor. */
static seg_t unpack(uint16_t sel, uint64_t d)
{
    seg_t s = {0};
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));

    s.selector = sel;
    s.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
    s.g = (d >> 55) & 1;
    s.limit = s.g ? limit << 12 | 0xfff : limit;
    s.type = (d >> 40) & 0xf;
    s.s = (d >> 44) & 1;
    s.dpl = (d >> 45) & 3;
    s.present = (d >> 47) & 1;
    s.avl = (d >> 52) & 1;
    s.l = (d >> 53) & 1;
    s.db = (d >> 54) & 1;
    return s;
}
/* [descriptor] */

/* The CPU marks a code or data descriptor accessed (type bit 0) in the table when it
 * loads a segment register from it. */
static void mark_accessed(struct tcg_cpu *c, seg_t *n, uint64_t addr, uint64_t d)
{
    if (!(n->type & 1)) {
        n->type |= 1;
        tcg_write_sys(c, addr + 5, 1, ((d >> 40) & 0xff) | 1);
    }
}

/* [load-seg] */
void tcg_load_seg(struct tcg_cpu *c, int seg, uint16_t sel)
{
    seg_t *s = &c->seg[seg];
    uint8_t rpl = sel & 3;
    uint64_t addr;

    if (!(c->cr0 & CR0_PE) || (c->rflags & RFLAGS_VM)) { /* real mode: base = sel * 16 */
        s->selector = sel;
        s->base = (uint64_t)sel << 4;
        if (seg == X86_SEG_SS)
            tcg_update_mode(c);
        return;
    }
    if ((sel & 0xfffc) == 0) { /* the null selector */
        if (seg == X86_SEG_SS && !(c->long64 && c->cpl < 3))
            tcg_gp(c, 0);
        *s = (seg_t){.selector = sel, .unusable = 1, .dpl = seg == X86_SEG_SS ? c->cpl : 0};
        if (seg == X86_SEG_SS)
            tcg_update_mode(c);
        return;
    }
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    int code = n.type & 8, writable = (n.type & 2) && !code, readable = !code || (n.type & 2);
    if (seg == X86_SEG_SS) {
        if (!n.s || !writable || rpl != c->cpl || n.dpl != c->cpl)
            tcg_gp(c, sel & 0xfffc);
        if (!n.present)
            tcg_fault(c, EXC_SS, sel & 0xfffc);
    } else {
        int conforming = code && (n.type & 4);
        if (!n.s || !readable || (!conforming && (n.dpl < c->cpl || n.dpl < rpl)))
            tcg_gp(c, sel & 0xfffc);
        if (!n.present)
            tcg_fault(c, EXC_NP, sel & 0xfffc);
    }
    mark_accessed(c, &n, addr, d);
    *s = n;
    if (seg == X86_SEG_SS) {
        tcg_update_mode(c);
        c->inhibit = 1;
    }
}
/* [load-seg] */

/* Loads CS for a far transfer to sel (same privilege, or to CPL cpl for an interrupt or
 * a return): checks it is a present code segment. Does not set RIP. */
static void load_cs(struct tcg_cpu *c, uint16_t sel, uint8_t cpl)
{
    uint64_t addr;

    if (!(c->cr0 & CR0_PE) || (c->rflags & RFLAGS_VM)) {
        c->seg[X86_SEG_CS].selector = sel;
        c->seg[X86_SEG_CS].base = (uint64_t)sel << 4;
        tcg_update_mode(c);
        return;
    }
    if ((sel & 0xfffc) == 0)
        tcg_gp(c, 0);
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    if (!n.s || !(n.type & 8))
        tcg_gp(c, sel & 0xfffc);
    if ((n.type & 4) ? n.dpl > cpl : n.dpl != cpl)
        tcg_gp(c, sel & 0xfffc);
    if (!n.present)
        tcg_fault(c, EXC_NP, sel & 0xfffc);
    if (n.l && n.db)
        tcg_gp(c, sel & 0xfffc);
    mark_accessed(c, &n, addr, d);
    n.selector = (sel & 0xfffc) | cpl;
    c->seg[X86_SEG_CS] = n;
    tcg_update_mode(c);
}

/* ---- Interrupts and exceptions ---- */

/* Which exceptions push an error code. */
static int has_error_code(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

/* [real-interrupt] */
/* Real mode: the IVT at IDTR.base holds 4-byte IP:CS pairs. Push FLAGS, CS, IP. */
static void interrupt_real(struct tcg_cpu *c, int vector, uint64_t return_rip)
{
    if ((uint32_t)vector * 4 + 3 > c->idt.limit)
        tcg_gp(c, 0);
    uint32_t ivt = (uint32_t)tcg_read_linear(c, c->idt.base + vector * 4, 4, ACC_READ);
    tcg_push(c, 2, tcg_get_rflags(c));
    tcg_push(c, 2, c->seg[X86_SEG_CS].selector);
    tcg_push(c, 2, return_rip);
    c->rflags &= ~(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC);
    load_cs(c, ivt >> 16, 0);
    c->rip = ivt & 0xffff;
}
/* [real-interrupt] */

/* [idt-interrupt] */
/*
 * Protected and long mode: the IDT holds gates (8 bytes, 16 in long mode). The gate names
 * a code segment; when its DPL is below the CPL, the CPU switches to that privilege's
 * stack, taken from the TSS, and pushes the old SS:RSP there first. Then RFLAGS, CS, RIP
 * and, for some exceptions, an error code. An interrupt gate also clears IF.
 */
static void interrupt_idt(struct tcg_cpu *c, int vector, uint32_t error, int software,
                          uint64_t return_rip)
{
    int lm = (c->efer & EFER_LMA) != 0;
    unsigned gate_size = lm ? 16 : 8;
    uint32_t ext = software ? 0 : 1;

    if ((uint32_t)vector * gate_size + gate_size - 1 > c->idt.limit)
        tcg_gp(c, vector * 8 + 2 + ext);
    uint64_t lo = tcg_read_sys(c, c->idt.base + vector * gate_size, 8);
    uint64_t hi = lm ? tcg_read_sys(c, c->idt.base + vector * gate_size + 8, 8) : 0;
    unsigned type = (lo >> 40) & 0xf, dpl = (lo >> 45) & 3;
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull) | (hi << 32);
    int gate32 = type == 0xe || type == 0xf; /* 0x6/0x7: 16-bit gates (not in long mode) */

    if (!(type == 0xe || type == 0xf || (!lm && (type == 0x6 || type == 0x7))))
        tcg_gp(c, vector * 8 + 2 + ext); /* task gates and others are not supported */
    if (software && dpl < c->cpl)
        tcg_gp(c, vector * 8 + 2);
    if (!((lo >> 47) & 1))
        tcg_fault(c, EXC_NP, vector * 8 + 2 + ext);

    uint64_t addr, d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    if (!n.s || !(n.type & 8) || n.dpl > c->cpl || (lm && !n.l))
        tcg_gp(c, (sel & 0xfffc) + ext);
    if (!n.present)
        tcg_fault(c, EXC_NP, (sel & 0xfffc) + ext);
    uint8_t new_cpl = (n.type & 4) ? c->cpl : n.dpl;
    unsigned ist = lm ? (unsigned)(lo >> 32) & 7 : 0;
    unsigned size = lm ? 8 : gate32 ? 4 : 2;
    uint64_t old_ss = c->seg[X86_SEG_SS].selector, old_rsp = c->r[R_SP];
    uint64_t rflags = tcg_get_rflags(c), old_cs = c->seg[X86_SEG_CS].selector;
    seg_t saved_ss = c->seg[X86_SEG_SS];
    uint8_t saved_cpl = c->cpl, saved_size = c->stack_size;

    if (lm && !canonical(offset))
        tcg_gp(c, ext);
    if (lm) { /* IA-32e delivery pushes a 64-bit frame, from compatibility mode too */
        c->long64 = 1;
        c->stack_size = 8;
    }
    if (new_cpl < c->cpl || ist) {
        /* A new stack from the TSS: RSPn (or ISTn) in long mode, SSn:ESPn otherwise. */
        uint64_t rsp;
        if (lm) {
            rsp = tcg_read_sys(c, c->tr.base + (ist ? 0x24 + 8 * (ist - 1) : 4 + 8u * new_cpl), 8);
            if (new_cpl < c->cpl)
                c->seg[X86_SEG_SS] = (seg_t){.selector = new_cpl,
                                             .unusable = 1,
                                             .dpl = new_cpl,
                                             .db = 1,
                                             .s = 1,
                                             .type = 3,
                                             .present = 1};
            rsp &= ~0xfull;
        } else {
            rsp = tcg_read_sys(c, c->tr.base + 4 + 8 * new_cpl, 4);
            uint16_t ss = (uint16_t)tcg_read_sys(c, c->tr.base + 8 + 8 * new_cpl, 2);
            c->cpl = new_cpl;
            tcg_load_seg(c, X86_SEG_SS, ss);
        }
        c->cpl = new_cpl;
        c->stack_size = lm ? 8 : c->seg[X86_SEG_SS].db ? 4 : 2;
        c->r[R_SP] = rsp;
        tcg_tlb_flush(c);
        if (new_cpl < saved_cpl || lm) {
            tcg_push(c, size, old_ss);
            tcg_push(c, size, old_rsp);
        }
    } else if (lm) {
        c->r[R_SP] &= ~0xfull; /* long mode aligns the stack even without a switch */
        tcg_push(c, size, old_ss);
        tcg_push(c, size, old_rsp);
    }
    (void)saved_ss;
    (void)saved_size;
    tcg_push(c, size, rflags);
    tcg_push(c, size, old_cs);
    tcg_push(c, size, return_rip);
    if (!software && has_error_code(vector))
        tcg_push(c, size, error);
    mark_accessed(c, &n, addr, d);
    n.selector = (sel & 0xfffc) | new_cpl;
    c->seg[X86_SEG_CS] = n;
    c->cpl = new_cpl;
    uint64_t clear = RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM;
    if (!(type & 1))
        clear |= RFLAGS_IF; /* an interrupt gate, not a trap gate */
    tcg_set_rflags(c, rflags & ~clear);
    tcg_update_mode(c);
    tcg_tlb_flush(c);
    c->rip = lm ? offset : offset & 0xffffffffull;
}
/* [idt-interrupt] */

void tcg_interrupt(struct tcg_cpu *c, int vector, uint32_t error, int software, uint64_t return_rip)
{
    if (!(c->cr0 & CR0_PE))
        interrupt_real(c, vector, return_rip);
    else
        interrupt_idt(c, vector, error, software, return_rip);
    c->next_rip = c->rip;
}

/* INT n, INT3, INTO, INT1: software interrupts return to the next instruction. */
static void exec_int(struct tcg_cpu *c, const struct x86_insn *i)
{
    int vector = i->opcode == 0xcc   ? EXC_BP
                 : i->opcode == 0xce ? EXC_OF
                 : i->opcode == 0xf1 ? EXC_DB
                                     : (int)(i->imm & 0xff);
    if (i->opcode == 0xce && !tcg_cond(c, 0)) /* INTO: only when OF is set */
        return;
    tcg_save_undo(c); /* a fault in the delivery is the INT's: nothing has happened */
    tcg_interrupt(c, vector, 0, i->opcode != 0xf1, c->next_rip);
}

/* A return to an outer (less privileged) level must not leave the data segments the inner
 * code used reachable: ES, DS, FS and GS that hold a data or non-conforming code segment
 * more privileged than the new CPL are loaded with a null selector (IRET and RETF). */
static void null_inner_segments(struct tcg_cpu *c, uint8_t new_cpl)
{
    static const int segs[] = {X86_SEG_ES, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS};

    for (size_t k = 0; k < sizeof(segs) / sizeof(segs[0]); k++) {
        seg_t *s = &c->seg[segs[k]];
        int conforming_code = (s->type & 0xc) == 0xc;
        if (!s->unusable && s->s && !conforming_code && s->dpl < new_cpl) {
            uint64_t base = s->base; /* FS and GS keep their 64-bit bases */
            *s = (seg_t){.unusable = 1};
            if (segs[k] == X86_SEG_FS || segs[k] == X86_SEG_GS)
                s->base = base;
        }
    }
}

/* [iret] */
/* IRET pops what an interrupt pushed: RIP, CS, RFLAGS, and SS:RSP when it returns to an
 * outer privilege level (always in 64-bit mode). IF changes only when CPL <= IOPL, IOPL
 * only at CPL 0. */
static void exec_iret(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    tcg_save_undo(c); /* it pops and loads before its last check: a fault undoes it all */
    uint64_t rip = tcg_pop(c, size);
    uint16_t cs = (uint16_t)tcg_pop(c, size);
    uint64_t flags = (tcg_pop(c, size) & 0x3f7fd5) | RFLAGS_FIXED; /* defined bits only */
    uint64_t old = tcg_get_rflags(c), keep = RFLAGS_VM;
    uint8_t cpl = c->cpl;

    if (cpl > 0)
        keep |= RFLAGS_IOPL;
    if (cpl > ((old >> 12) & 3))
        keep |= RFLAGS_IF;
    if (size == 2)
        flags = (old & ~0xffffull) | (flags & 0xffff);
    if (!(c->cr0 & CR0_PE)) {
        load_cs(c, cs, 0);
        tcg_set_rflags(c, (flags & ~keep) | (old & keep));
        c->next_rip = rip & 0xffff;
        return;
    }
    if (c->rflags & RFLAGS_NT)
        tcg_gp(c, 0); /* a task return: tasks are not supported */
    uint8_t new_cpl = cs & 3;
    if (new_cpl < cpl)
        tcg_gp(c, cs & 0xfffc);
    uint64_t rsp = 0, ss = 0;
    int outer = new_cpl > cpl || c->long64;
    if (outer) {
        rsp = tcg_pop(c, size);
        ss = tcg_pop(c, size);
    }
    load_cs(c, cs, new_cpl);
    tcg_set_rflags(c, (flags & ~keep) | (old & keep));
    if (outer) {
        c->cpl = new_cpl;
        tcg_load_seg(c, X86_SEG_SS, (uint16_t)ss);
        c->r[R_SP] = rsp;
        if (new_cpl > cpl)
            null_inner_segments(c, new_cpl);
    }
    tcg_update_mode(c);
    if (c->mode == X86_MODE_64 && !canonical(rip))
        tcg_gp(c, 0);
    c->next_rip = c->mode == X86_MODE_64 ? rip : rip & 0xffffffffull;
}
/* [iret] */

/* ---- Far transfers ---- */

/* JMP/CALL far to sel:offset (the same privilege level; call gates are not supported). */
static void far_transfer(struct tcg_cpu *c, const struct x86_insn *i, uint16_t sel, uint64_t offset,
                         int call)
{
    unsigned size = i->opsize;
    uint64_t old_cs = c->seg[X86_SEG_CS].selector, ret = c->next_rip;

    tcg_save_undo(c); /* CALL pushes before the target is checked */
    if (call) {
        tcg_push(c, size, old_cs);
        tcg_push(c, size, ret);
    }
    uint8_t cpl = c->cpl;
    if ((c->cr0 & CR0_PE) && !(c->rflags & RFLAGS_VM) && (sel & 0xfffc)) {
        uint64_t addr;
        seg_t n = unpack(sel, read_descriptor(c, sel, &addr));
        if (!n.s) /* a call gate or TSS: not supported */
            tcg_gp(c, sel & 0xfffc);
    }
    load_cs(c, sel, cpl);
    if (c->mode == X86_MODE_64 && !canonical(offset))
        tcg_gp(c, 0);
    c->next_rip = offset & size_mask(size);
}

void system__far_ff(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;

    if (i->rm_reg != X86_REG_NONE)
        tcg_ud(c, i);
    uint64_t ea = tcg_ea(c, i);
    uint64_t offset = tcg_read(c, i->mem.segment, ea, size);
    uint16_t sel = (uint16_t)tcg_read(c, i->mem.segment, (ea + size) & size_mask(i->addrsize), 2);
    far_transfer(c, i, sel, offset, (i->reg & 7) == 3);
}

/* EA and 9A: JMP and CALL ptr16:16/32. */
static void exec_far_ptr(struct tcg_cpu *c, const struct x86_insn *i)
{
    far_transfer(c, i, i->imm2, i->imm, i->opcode == 0x9a);
}

/* RETF and RETF imm16: pop RIP and CS (and SS:RSP when returning to an outer level). */
static void exec_retf(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;
    tcg_save_undo(c); /* it pops and loads before its last check: a fault undoes it all */
    uint64_t rip = tcg_pop(c, size);
    uint16_t cs = (uint16_t)tcg_pop(c, size);
    uint64_t extra = i->opcode == 0xca ? i->imm : 0, mask = size_mask(c->stack_size);
    uint8_t new_cpl = (c->cr0 & CR0_PE) ? cs & 3 : 0;

    if (new_cpl < c->cpl)
        tcg_gp(c, cs & 0xfffc);
    c->r[R_SP] = (c->r[R_SP] & ~mask) | ((c->r[R_SP] + extra) & mask);
    if (new_cpl > c->cpl) {
        uint64_t rsp = tcg_pop(c, size);
        uint16_t ss = (uint16_t)tcg_pop(c, size);
        load_cs(c, cs, new_cpl);
        c->cpl = new_cpl;
        tcg_load_seg(c, X86_SEG_SS, ss);
        mask = size_mask(c->stack_size);
        c->r[R_SP] = (rsp + extra) & mask;
        null_inner_segments(c, new_cpl);
    } else {
        load_cs(c, cs, c->cpl);
    }
    if (c->mode == X86_MODE_64 && !canonical(rip))
        tcg_gp(c, 0);
    c->next_rip = rip & size_mask(size);
}

/* LES, LDS (16/32-bit modes), LSS, LFS, LGS: a far pointer from memory into Sreg:reg. */
static void exec_load_far(struct tcg_cpu *c, const struct x86_insn *i)
{
    static const int seg_of[] = {[0xc4] = X86_SEG_ES, [0xc5] = X86_SEG_DS};
    int seg = i->map == X86_MAP_ONE_BYTE ? seg_of[i->opcode]
              : i->opcode == 0xb2        ? X86_SEG_SS
              : i->opcode == 0xb4        ? X86_SEG_FS
                                         : X86_SEG_GS;
    if (i->rm_reg != X86_REG_NONE)
        tcg_ud(c, i);
    uint64_t ea = tcg_ea(c, i);
    uint64_t offset = tcg_read(c, i->mem.segment, ea, i->opsize);
    uint16_t sel =
        (uint16_t)tcg_read(c, i->mem.segment, (ea + i->opsize) & size_mask(i->addrsize), 2);
    tcg_load_seg(c, seg, sel);
    reg_write(c, i, i->reg, i->opsize, offset);
}

/* ---- Privileged instructions ---- */

/* Privileged instructions need CPL 0: else #GP(0). */
static void need_cpl0(struct tcg_cpu *c)
{
    if (c->cpl != 0)
        tcg_gp(c, 0);
}

/* Port I/O is allowed at CPL <= IOPL (the TSS's permission bitmap is not consulted). */
static void need_io_rights(struct tcg_cpu *c)
{
    if ((c->cr0 & CR0_PE) && c->cpl > ((c->rflags >> 12) & 3))
        tcg_gp(c, 0);
}

static void exec_hlt(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    need_cpl0(c);
    c->halted = 1;
}

static void exec_cli_sti(struct tcg_cpu *c, const struct x86_insn *i)
{
    need_io_rights(c);
    if (i->opcode == 0xfa) {
        c->rflags &= ~RFLAGS_IF;
    } else {
        c->inhibit = !(c->rflags & RFLAGS_IF);
        c->rflags |= RFLAGS_IF;
    }
}

/* [in-out] */
/* IN and OUT: the port is an immediate (E4-E7) or DX (EC-EF); the data is AL, AX or EAX.
 * The exit happens inside tcg_port_io; see mmu.c for how the instruction completes. */
static void exec_in_out(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = (i->opcode & 1) ? (i->opsize == 2 ? 2 : 4) : 1;
    uint16_t port = i->opcode >= 0xec ? (uint16_t)c->r[R_DX] : (uint16_t)i->imm;
    int write = (i->opcode & 2) != 0;

    need_io_rights(c);
    uint64_t v = tcg_port_io(c, port, size, write, c->r[R_AX] & size_mask(size));
    if (!write)
        reg_write(c, i, R_AX, size, v);
}
/* [in-out] */

/* INS and OUTS, one item per run (the run loop repeats a REP form, as for the others),
 * except REP INS upwards: like KVM, the interpreter asks the device for as many items as
 * fit in the rest of the page (and 1 KiB) in one exit, then stores them all. */
static void exec_ins_outs(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = (i->opcode & 1) ? (i->opsize == 2 ? 2 : 4) : 1;
    uint64_t amask = size_mask(i->addrsize);
    int outs = i->opcode >= 0x6e;
    int64_t step = (c->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    uint16_t port = (uint16_t)c->r[R_DX];
    uint64_t n = 1;

    need_io_rights(c);
    if (i->rep && (c->r[R_CX] & amask) == 0)
        return;
    if (outs) {
        int seg = i->seg != X86_SEG_NONE ? i->seg : X86_SEG_DS;
        uint64_t v = tcg_read(c, seg, c->r[R_SI] & amask, size);
        tcg_port_io(c, port, size, 1, v);
        c->r[R_SI] = (c->r[R_SI] & ~amask) | ((c->r[R_SI] + step) & amask);
    } else {
        uint64_t di = c->r[R_DI] & amask;
        uint64_t lin = tcg_linear(c, X86_SEG_ES, di, size, ACC_WRITE);
        if (i->rep && step > 0) {
            uint64_t in_page = (4096 - (lin & 0xfff)) / size, cx = c->r[R_CX] & amask;
            n = cx < in_page ? cx : in_page;
            if (n > sizeof(c->exit_data) / size)
                n = sizeof(c->exit_data) / size;
            if (n == 0)
                n = 1;
        }
        for (uint64_t k = 0; k < n; k++) /* every item's place is writable, or fault now */
            tcg_linear(c, X86_SEG_ES, (di + k * size) & amask, size, ACC_WRITE);
        uint64_t phys, last;
        tcg_translate(c, lin, ACC_WRITE, 1, &phys);
        tcg_translate(c, lin + n * size - 1, ACC_WRITE, 1, &last); /* before the device reads */
        if (!guest_mem__translate(c->mem, phys & ~0xfffull, 4096) ||
            guest_mem__is_rom(c->mem, phys))
            n = 1; /* into a device: one item an exit, each item its own write exit */
        const uint8_t *items = tcg_port_in_string(c, port, size, (unsigned)n);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t v = 0;
            memcpy(&v, items + k * size, size);
            tcg_write(c, X86_SEG_ES, (di + k * step) & amask, size, v);
        }
        c->r[R_DI] = (c->r[R_DI] & ~amask) | ((di + n * step) & amask);
    }
    if (i->rep) {
        c->r[R_CX] = (c->r[R_CX] & ~amask) | ((c->r[R_CX] - n) & amask);
        if (c->r[R_CX] & amask)
            c->next_rip = c->rip;
    }
}

/* MOV to and from CR0, CR2, CR3, CR4, CR8 (0F 20 / 0F 22). */
static void exec_mov_cr(struct tcg_cpu *c, const struct x86_insn *i)
{
    int n = i->reg, to_cr = i->opcode == 0x22;
    uint64_t *cr[16] = {[0] = &c->cr0, [2] = &c->cr2, [3] = &c->cr3, [4] = &c->cr4, [8] = &c->cr8};
    unsigned size = c->long64 ? 8 : 4;

    need_cpl0(c);
    if (n > 15 || !cr[n])
        tcg_ud(c, i);
    if (!to_cr) {
        reg_write(c, i, i->rm, size, *cr[n]);
        return;
    }
    uint64_t v = c->r[i->rm] & size_mask(size);
    if (n == 0) {
        v |= CR0_ET;
        if ((v & CR0_PG) && !(v & CR0_PE))
            tcg_gp(c, 0);
        if (c->long64 && !(v & CR0_PG))
            tcg_gp(c, 0); /* paging goes off only from compatibility mode */
        if ((v & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME)) {
            if (!(c->cr4 & CR4_PAE))
                tcg_gp(c, 0);
            c->efer |= EFER_LMA; /* paging on with LME: long mode becomes active */
        }
        if (!(v & CR0_PG))
            c->efer &= ~EFER_LMA;
    } else if (n == 4) {
        /* TSD, DE, PSE, PAE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT: the bits the CPU model has */
        if ((v & ~0x7fcull) || ((c->efer & EFER_LMA) && !(v & CR4_PAE)))
            tcg_gp(c, 0);
    } else if (n == 3 && !c->long64) {
        v &= 0xffffffffull;
    }
    *cr[n] = v;
    tcg_update_mode(c);
    tcg_tlb_flush(c);
}

/* MOV to and from DR0-DR7: kept, but no breakpoint fires. */
static void exec_mov_dr(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = c->long64 ? 8 : 4, n = i->reg & 7;

    need_cpl0(c);
    if (i->opcode == 0x21)
        reg_write(c, i, i->rm, size, c->dr[n]);
    else
        c->dr[n] = c->r[i->rm] & size_mask(size);
}

/* [cpuid] */
/*
 * The CPU model the interpreter presents: a 64-bit CPU with exactly the features it
 * implements. A guest that asks learns the truth: no FPU, no SSE, no APIC; long mode,
 * NX, SYSCALL, CMPXCHG8B/16B, CMOV, PAE, PSE, TSC, MSRs and POPCNT.
 */
void tcg_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
               uint32_t *edx)
{
    static const char brand[48] = "stepvm x86 interpreter";

    (void)subleaf;
    *eax = *ebx = *ecx = *edx = 0;
    switch (leaf) {
    case 0: /* the highest basic leaf and the vendor: "stepvmTCGcpu" in EBX, EDX, ECX */
        *eax = 1;
        memcpy(ebx, "step", 4);
        memcpy(edx, "vmTC", 4);
        memcpy(ecx, "Gcpu", 4);
        break;
    case 1: /* family 6, model 1, stepping 0 */
        *eax = 0x610;
        *ecx = 1u << 13 | 1u << 23; /* CMPXCHG16B, POPCNT */
        *edx = 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 15;
        /* PSE, TSC, MSR, PAE, CX8, CMOV */
        break;
    case 0x80000000:
        *eax = 0x80000008;
        break;
    case 0x80000001:
        *ecx = 1u << 0;                        /* LAHF/SAHF in 64-bit mode */
        *edx = 1u << 11 | 1u << 20 | 1u << 29; /* SYSCALL, NX, long mode */
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        memcpy(eax, brand + (leaf - 0x80000002) * 16, 4);
        memcpy(ebx, brand + (leaf - 0x80000002) * 16 + 4, 4);
        memcpy(ecx, brand + (leaf - 0x80000002) * 16 + 8, 4);
        memcpy(edx, brand + (leaf - 0x80000002) * 16 + 12, 4);
        break;
    case 0x80000008:
        *eax = 0x3028; /* 48-bit linear, 40-bit physical addresses */
        break;
    }
}
/* [cpuid] */

static void exec_cpuid(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint32_t a, b, cx, d;

    (void)i;
    tcg_cpuid((uint32_t)c->r[R_AX], (uint32_t)c->r[R_CX], &a, &b, &cx, &d);
    c->r[R_AX] = a;
    c->r[R_BX] = b;
    c->r[R_CX] = cx;
    c->r[R_DX] = d;
}

/* RDTSC counts executed instructions: two runs of a guest read the same values. */
static void exec_rdtsc(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    if ((c->cr4 & (1u << 2)) && c->cpl != 0) /* CR4.TSD */
        tcg_gp(c, 0);
    uint64_t t = c->tsc + c->instructions;
    c->r[R_AX] = t & 0xffffffffull;
    c->r[R_DX] = t >> 32;
}

/* [msr] */
/* The MSRs the guests use; any other raises #GP(0), as on a CPU that lacks it. */
static uint64_t *msr_slot(struct tcg_cpu *c, uint32_t msr)
{
    switch (msr) {
    case MSR_APIC_BASE:
        return &c->apic_base;
    case MSR_SYSENTER_CS:
        return &c->sysenter_cs;
    case MSR_SYSENTER_ESP:
        return &c->sysenter_esp;
    case MSR_SYSENTER_EIP:
        return &c->sysenter_eip;
    case MSR_MISC_ENABLE:
        return &c->misc_enable;
    case MSR_PAT:
        return &c->pat;
    case MSR_EFER:
        return &c->efer;
    case MSR_STAR:
        return &c->star;
    case MSR_LSTAR:
        return &c->lstar;
    case MSR_CSTAR:
        return &c->cstar;
    case MSR_SFMASK:
        return &c->sfmask;
    case MSR_KERNEL_GS_BASE:
        return &c->kernel_gs_base;
    }
    return NULL;
}

static void exec_msr(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint32_t msr = (uint32_t)c->r[R_CX];
    uint64_t *slot = msr_slot(c, msr);

    need_cpl0(c);
    if (msr == MSR_TSC) {
        if (i->opcode == 0x32) {
            exec_rdtsc(c, i);
        } else {
            c->tsc = (c->r[R_DX] << 32 | (uint32_t)c->r[R_AX]) - c->instructions;
        }
        return;
    }
    uint64_t value = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
    int address = msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE ||
                  msr == MSR_LSTAR || msr == MSR_CSTAR;
    if (i->opcode == 0x30 && address && !canonical(value))
        tcg_gp(c, 0);
    if (msr == MSR_FS_BASE || msr == MSR_GS_BASE) { /* the segments' hidden bases */
        seg_t *s = &c->seg[msr == MSR_FS_BASE ? X86_SEG_FS : X86_SEG_GS];
        if (i->opcode == 0x32) {
            c->r[R_AX] = s->base & 0xffffffffull;
            c->r[R_DX] = s->base >> 32;
        } else {
            s->base = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
        }
        return;
    }
    if (!slot)
        tcg_gp(c, 0);
    if (i->opcode == 0x32) { /* RDMSR */
        c->r[R_AX] = *slot & 0xffffffffull;
        c->r[R_DX] = *slot >> 32;
        return;
    }
    uint64_t v = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
    if (msr == MSR_EFER) {
        if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            tcg_gp(c, 0);
        if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
            tcg_gp(c, 0);                           /* LME changes only while paging is off */
        v = (v & ~EFER_LMA) | (c->efer & EFER_LMA); /* LMA is the CPU's to set */
        *slot = v;
        tcg_update_mode(c);
        tcg_tlb_flush(c);
        return;
    }
    *slot = v;
}
/* [msr] */

/* [syscall] */
/* SYSCALL: to CPL 0 at LSTAR, with CS and SS from STAR[47:32], the return RIP in RCX and
 * RFLAGS in R11; RFLAGS loses the bits SFMASK names. SYSRET goes back to CPL 3. */
static void exec_syscall(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint16_t sel = (uint16_t)(c->star >> 32);

    if (!(c->efer & EFER_SCE) || !c->long64)
        tcg_ud(c, i);
    c->r[R_CX] = c->next_rip;
    c->r[11] = tcg_get_rflags(c) & ~RFLAGS_RF;
    c->seg[X86_SEG_CS] = (seg_t){.selector = sel & 0xfffc,
                                 .limit = 0xffffffff,
                                 .type = 0xb,
                                 .present = 1,
                                 .s = 1,
                                 .l = 1,
                                 .g = 1};
    c->seg[X86_SEG_SS] = (seg_t){.selector = (sel + 8) & 0xfffc,
                                 .limit = 0xffffffff,
                                 .type = 0x3,
                                 .present = 1,
                                 .s = 1,
                                 .db = 1,
                                 .g = 1};
    tcg_set_rflags(c, tcg_get_rflags(c) & ~(c->sfmask | RFLAGS_RF));
    tcg_update_mode(c);
    c->next_rip = c->lstar;
}

static void exec_sysret(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint16_t sel = (uint16_t)(c->star >> 48);
    int to64 = i->rex_w;

    if (!(c->efer & EFER_SCE) || !c->long64)
        tcg_ud(c, i);
    need_cpl0(c);
    if (to64 && (uint64_t)((int64_t)(c->r[R_CX] << 16) >> 16) != c->r[R_CX])
        tcg_gp(c, 0);
    c->seg[X86_SEG_CS] = (seg_t){.selector = (uint16_t)((to64 ? sel + 16 : sel) | 3),
                                 .limit = 0xffffffff,
                                 .type = 0xb,
                                 .present = 1,
                                 .s = 1,
                                 .dpl = 3,
                                 .l = (uint8_t)to64,
                                 .db = (uint8_t)!to64,
                                 .g = 1};
    c->seg[X86_SEG_SS] = (seg_t){.selector = (uint16_t)((sel + 8) | 3),
                                 .limit = 0xffffffff,
                                 .type = 0x3,
                                 .present = 1,
                                 .s = 1,
                                 .dpl = 3,
                                 .db = 1,
                                 .g = 1};
    tcg_set_rflags(c, (c->r[11] & 0x3c7fd7) | RFLAGS_FIXED);
    tcg_update_mode(c);
    c->next_rip = to64 ? c->r[R_CX] : c->r[R_CX] & 0xffffffffull;
}
/* [syscall] */

/* ---- 0F 00 and 0F 01: descriptor tables ---- */

/* Loads the TR or LDTR from a system descriptor (16 bytes in long mode). */
static void load_system_seg(struct tcg_cpu *c, uint16_t sel, int tr)
{
    uint64_t addr;

    if ((sel & 0xfffc) == 0) {
        if (tr)
            tcg_gp(c, 0);
        c->ldt = (seg_t){.selector = sel, .unusable = 1};
        return;
    }
    if (sel & 4)
        tcg_gp(c, sel & 0xfffc);
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    int ok = tr ? (n.type == 0x9 || n.type == 0x1) : n.type == 0x2;
    if (n.s || !ok)
        tcg_gp(c, sel & 0xfffc);
    if (!n.present)
        tcg_fault(c, EXC_NP, sel & 0xfffc);
    if (c->efer & EFER_LMA)
        n.base |= tcg_read_sys(c, addr + 8, 4) << 32;
    if (tr) {
        n.type |= 2; /* busy */
        tcg_write_sys(c, addr + 5, 1, ((d >> 40) & 0xff) | 2);
        c->tr = n;
    } else {
        c->ldt = n;
    }
}

static void exec_group6(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->reg & 7;

    if (!(c->cr0 & CR0_PE))
        tcg_ud(c, i);
    switch (op) {
    case 0: /* SLDT */
    case 1: /* STR */
        rm_write(c, i, i->rm_reg != X86_REG_NONE ? i->opsize : 2,
                 op ? c->tr.selector : c->ldt.selector);
        return;
    case 2: /* LLDT */
    case 3: /* LTR */
        need_cpl0(c);
        load_system_seg(c, (uint16_t)rm_read(c, i, 2), op == 3);
        return;
    }
    tcg_ud(c, i); /* VERR, VERW: not supported */
}

/* SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG, SWAPGS, and the no-operand forms. */
static void exec_group7(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->reg & 7;
    unsigned base_size = c->long64 ? 8 : 4;

    if (i->rm_reg != X86_REG_NONE) { /* mod = 3: instructions without a memory operand */
        if (op == 7 && (i->rm & 7) == 0 && c->long64) { /* SWAPGS */
            need_cpl0(c);
            uint64_t t = c->seg[X86_SEG_GS].base;
            c->seg[X86_SEG_GS].base = c->kernel_gs_base;
            c->kernel_gs_base = t;
            return;
        }
        if (op == 4) {
            rm_write(c, i, i->opsize, c->cr0 & 0xffff);
            return;
        }
        tcg_ud(c, i);
    }
    uint64_t ea = tcg_ea(c, i);
    int seg = i->mem.segment;
    struct kvm_dtable *t = op == 0 || op == 2 ? &c->gdt : &c->idt;
    switch (op) {
    case 0: /* SGDT */
    case 1: /* SIDT */
        tcg_write(c, seg, ea, 2, t->limit);
        tcg_write(c, seg, (ea + 2) & size_mask(i->addrsize), base_size, t->base);
        return;
    case 2: /* LGDT */
    case 3: /* LIDT */ {
        need_cpl0(c);
        uint16_t limit = (uint16_t)tcg_read(c, seg, ea, 2);
        uint64_t base = tcg_read(c, seg, (ea + 2) & size_mask(i->addrsize), base_size);
        if (!c->long64 && i->opsize == 2)
            base &= 0xffffff;
        t->limit = limit;
        t->base = base;
        return;
    }
    case 4: /* SMSW */
        tcg_write(c, seg, ea, 2, c->cr0 & 0xffff);
        return;
    case 6: { /* LMSW: PE, MP, EM, TS only; PE cannot be cleared */
        need_cpl0(c);
        uint64_t v = tcg_read(c, seg, ea, 2);
        c->cr0 = (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & CR0_PE);
        tcg_update_mode(c);
        return;
    }
    case 7: /* INVLPG */
        need_cpl0(c);
        tcg_tlb_flush_page(c, ea);
        return;
    }
    tcg_ud(c, i);
}

/* CLTS, INVD, WBINVD: CPL 0; the caches and the x87 state they concern do not exist. */
static void exec_cache_ops(struct tcg_cpu *c, const struct x86_insn *i)
{
    need_cpl0(c);
    if (i->opcode == 0x06)
        c->cr0 &= ~CR0_TS;
}

static void exec_ud2(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_ud(c, i);
}

/* LFENCE, MFENCE, SFENCE (0F AE /5 /6 /7 with mod = 3): one vCPU, nothing to order. */
static void exec_fence(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->rm_reg == X86_REG_NONE || (i->reg & 7) < 5)
        tcg_ud(c, i);
    (void)c;
}

void system__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    one[0xcc] = one[0xcd] = one[0xce] = one[0xf1] = exec_int;
    one[0xcf] = exec_iret;
    one[0xea] = one[0x9a] = exec_far_ptr;
    one[0xca] = one[0xcb] = exec_retf;
    one[0xc4] = one[0xc5] = exec_load_far;
    two[0xb2] = two[0xb4] = two[0xb5] = exec_load_far;
    one[0xf4] = exec_hlt;
    one[0xfa] = one[0xfb] = exec_cli_sti;
    for (int op = 0xe4; op <= 0xe7; op++)
        one[op] = one[op + 8] = exec_in_out;
    for (int op = 0x6c; op <= 0x6f; op++)
        one[op] = exec_ins_outs;
    two[0x20] = two[0x22] = exec_mov_cr;
    two[0x21] = two[0x23] = exec_mov_dr;
    two[0xa2] = exec_cpuid;
    two[0x31] = exec_rdtsc;
    two[0x30] = two[0x32] = exec_msr;
    two[0x05] = exec_syscall;
    two[0x07] = exec_sysret;
    two[0x00] = exec_group6;
    two[0x01] = exec_group7;
    two[0x06] = two[0x08] = two[0x09] = exec_cache_ops;
    two[0x0b] = exec_ud2;
    two[0xae] = exec_fence;
}
