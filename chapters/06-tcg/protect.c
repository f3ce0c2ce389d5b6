/*
 * protect.c - protection in the interpreter (chapter 6): the CPU modes and the CPL,
 * descriptors and segment loads with their checks, interrupts and exceptions through the
 * IVT or IDT with privilege changes and stack switches, IRET, far transfers, LDT and TR.
 */
#include "cpu.h"

/* ---- Modes ---- */

/* [mode] */
void protect__update_mode(struct tcg_cpu *c)
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
        mmu__tlb_flush(c); /* the TLB holds the rights of one privilege level */
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
        tcg__gp(c, sel & 0xfffc);
    if ((uint32_t)(sel & ~7) + 7 > limit)
        tcg__gp(c, sel & 0xfffc);
    *addr = base + (sel & ~7);
    return mmu__read_sys(c, *addr, 8);
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
        mmu__write_sys(c, addr + 5, 1, ((d >> 40) & 0xff) | 1);
    }
}

/* [load-seg] */
void protect__load_seg(struct tcg_cpu *c, int seg, uint16_t sel)
{
    seg_t *s = &c->seg[seg];
    uint8_t rpl = sel & 3;
    uint64_t addr;

    if (!(c->cr0 & CR0_PE) || (c->rflags & RFLAGS_VM)) { /* real mode: base = sel * 16 */
        s->selector = sel;
        s->base = (uint64_t)sel << 4;
        if (seg == X86_SEG_SS)
            protect__update_mode(c);
        return;
    }
    if ((sel & 0xfffc) == 0) { /* the null selector */
        if (seg == X86_SEG_SS && !(c->long64 && c->cpl < 3))
            tcg__gp(c, 0);
        *s = (seg_t){.selector = sel, .unusable = 1, .dpl = seg == X86_SEG_SS ? c->cpl : 0};
        if (seg == X86_SEG_SS)
            protect__update_mode(c);
        return;
    }
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    int code = n.type & 8, writable = (n.type & 2) && !code, readable = !code || (n.type & 2);
    if (seg == X86_SEG_SS) {
        if (!n.s || !writable || rpl != c->cpl || n.dpl != c->cpl)
            tcg__gp(c, sel & 0xfffc);
        if (!n.present)
            tcg__fault(c, EXC_SS, sel & 0xfffc);
    } else {
        int conforming = code && (n.type & 4);
        if (!n.s || !readable || (!conforming && (n.dpl < c->cpl || n.dpl < rpl)))
            tcg__gp(c, sel & 0xfffc);
        if (!n.present)
            tcg__fault(c, EXC_NP, sel & 0xfffc);
    }
    mark_accessed(c, &n, addr, d);
    *s = n;
    if (seg == X86_SEG_SS)
        protect__update_mode(c);
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
        protect__update_mode(c);
        return;
    }
    if ((sel & 0xfffc) == 0)
        tcg__gp(c, 0);
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    if (!n.s || !(n.type & 8))
        tcg__gp(c, sel & 0xfffc);
    if ((n.type & 4) ? n.dpl > cpl : n.dpl != cpl)
        tcg__gp(c, sel & 0xfffc);
    if (!n.present)
        tcg__fault(c, EXC_NP, sel & 0xfffc);
    if (n.l && n.db)
        tcg__gp(c, sel & 0xfffc);
    mark_accessed(c, &n, addr, d);
    n.selector = (sel & 0xfffc) | cpl;
    c->seg[X86_SEG_CS] = n;
    protect__update_mode(c);
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
        tcg__gp(c, 0);
    uint32_t ivt = (uint32_t)mmu__read_linear(c, c->idt.base + vector * 4, 4, ACC_READ);
    mmu__push(c, 2, flags__get_rflags(c));
    mmu__push(c, 2, c->seg[X86_SEG_CS].selector);
    mmu__push(c, 2, return_rip);
    c->rflags &= ~(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC);
    load_cs(c, ivt >> 16, 0);
    c->rip = ivt & 0xffff;
}
/* [real-interrupt] */

/* [idt-gate] */
/* An IDT gate descriptor (SDM vol. 3, "IDT Descriptors"): 8 bytes, 16 in IA-32e mode. */
struct gate {
    uint64_t offset;   /* the handler's entry point in its code segment */
    uint16_t selector; /* the handler's code segment */
    uint8_t type;      /* GATE_INTR32 ... GATE_TRAP16 */
    uint8_t dpl;       /* the CPL that INT n needs at most */
    uint8_t p;         /* present */
    uint8_t ist;       /* IA-32e mode: an interrupt stack of the TSS, 1-7, or 0 for none */
};

#define GATE_INTR16 0x6 /* 16-bit interrupt gate (not in IA-32e mode) */
#define GATE_TRAP16 0x7 /* 16-bit trap gate (not in IA-32e mode) */
#define GATE_INTR32 0xe /* 32-bit (in IA-32e mode, 64-bit) interrupt gate: clears IF */
#define GATE_TRAP32 0xf /* 32-bit (in IA-32e mode, 64-bit) trap gate: leaves IF */

/* The error code of a fault during a delivery (SDM vol. 3, "Error Code"): bits 15:3 the
 * index of the selector or gate at fault, then three flags. EXT is set when the event came
 * from outside the program (anything but INT n, INT3, INTO); IDT says the index is a gate's. */
#define ERR_EXT (1u << 0) /* external event */
#define ERR_IDT (1u << 1) /* the index names an IDT gate, not a GDT or LDT descriptor */

/* The error code naming the gate of vector. */
static uint32_t idt_error(int vector, uint32_t ext)
{
    return (uint32_t)vector << 3 | ERR_IDT | ext;
}

/* The error code naming the descriptor of selector sel (TI included, RPL not). */
static uint32_t selector_error(uint16_t sel, uint32_t ext)
{
    return (sel & 0xfffcu) | ext;
}

/* Reads and decodes the gate for vector; faults with #GP when the IDT's limit leaves it
 * out. */
static struct gate read_gate(struct tcg_cpu *c, int vector, int lm, uint32_t ext)
{
    unsigned size = lm ? 16 : 8;
    uint64_t at = c->idt.base + (uint64_t)vector * size;

    if ((uint32_t)vector * size + size - 1 > c->idt.limit)
        tcg__gp(c, idt_error(vector, ext));
    uint64_t lo = mmu__read_sys(c, at, 8);
    uint64_t hi = lm ? mmu__read_sys(c, at + 8, 8) : 0; /* bits 31:0: offset 63:32 */
    return (struct gate){
        .offset = (lo & 0xffff)                  /* bits 15:0: offset 15:0 */
                  | ((lo >> 32) & 0xffff0000ull) /* bits 63:48: offset 31:16 */
                  | (hi << 32),
        .selector = (uint16_t)(lo >> 16), /* bits 31:16 */
        .ist = lm ? (lo >> 32) & 7 : 0,   /* bits 34:32 (IA-32e mode) */
        .type = (lo >> 40) & 0xf,         /* bits 43:40 */
        .dpl = (lo >> 45) & 3,            /* bits 46:45 */
        .p = (lo >> 47) & 1,              /* bit 47 */
    };
}

/* A gate must be an interrupt or trap gate (task gates are not supported; IA-32e mode
 * has no 16-bit ones), reachable by INT n from the CPL, and present. */
static void check_gate(struct tcg_cpu *c, const struct gate *g, int vector, enum tcg_event kind,
                       int lm, uint32_t ext)
{
    int gate32 = g->type == GATE_INTR32 || g->type == GATE_TRAP32;
    int gate16 = g->type == GATE_INTR16 || g->type == GATE_TRAP16;

    if (!(gate32 || (!lm && gate16)))
        tcg__gp(c, idt_error(vector, ext));
    if (kind == TCG_SOFTWARE && g->dpl < c->cpl)
        tcg__gp(c, idt_error(vector, ext));
    if (!g->p)
        tcg__fault(c, EXC_NP, idt_error(vector, ext));
}
/* [idt-gate] */

/* Loads the descriptor of the handler's code segment sel (not yet into CS) and checks
 * it: a present code segment no less privileged than the CPL, 64-bit in IA-32e mode.
 * *addr and *d say where and what the descriptor was, to mark it accessed later. */
static seg_t handler_segment(struct tcg_cpu *c, uint16_t sel, int lm, uint32_t ext, uint64_t *addr,
                             uint64_t *d)
{
    *d = read_descriptor(c, sel, addr);
    seg_t n = unpack(sel, *d);

    if (!n.s || !(n.type & 8) || n.dpl > c->cpl || (lm && !n.l))
        tcg__gp(c, selector_error(sel, ext));
    if (!n.present)
        tcg__fault(c, EXC_NP, selector_error(sel, ext));
    return n;
}
/* [idt-stack] */
/* The stack fields of the TSS (SDM vol. 3, "Task Management"): their offsets, one field
 * per privilege level n (0-2) or interrupt stack n (1-7), 8 bytes apart. */
#define TSS32_ESP(n) (0x04u + 8u * (n))      /* ESP0, ESP1, ESP2 */
#define TSS32_SS(n)  (0x08u + 8u * (n))      /* SS0, SS1, SS2 */
#define TSS64_RSP(n) (0x04u + 8u * (n))      /* RSP0, RSP1, RSP2 */
#define TSS64_IST(n) (0x24u + 8u * ((n)-1u)) /* IST1 ... IST7 */

/* What the interrupted code had, saved before the delivery changes it. */
struct interrupted {
    uint64_t ss, rsp, rflags, cs, rip;
};

/* IA-32e delivery: a 64-bit frame, from compatibility mode too, on a stack aligned to 16
 * bytes. The stack is RSPn of the TSS for a change to CPL n, ISTn when the gate names
 * one; SS becomes a null selector at the new CPL. SS:RSP is always pushed. */
static void stack_64(struct tcg_cpu *c, const struct gate *g, uint8_t new_cpl, uint32_t ext,
                     const struct interrupted *old)
{
    if (!tcg__canonical(g->offset))
        tcg__gp(c, ext);
    c->long64 = 1;
    c->stack_size = 8;
    if (new_cpl < c->cpl || g->ist) {
        uint64_t field = g->ist ? TSS64_IST(g->ist) : TSS64_RSP(new_cpl);
        uint64_t rsp = mmu__read_sys(c, c->tr.base + field, 8);
        if (new_cpl < c->cpl)
            c->seg[X86_SEG_SS] = (seg_t){.selector = new_cpl,
                                         .unusable = 1,
                                         .dpl = new_cpl,
                                         .db = 1,
                                         .s = 1,
                                         .type = 3,
                                         .present = 1};
        c->cpl = new_cpl;
        c->r[R_SP] = rsp & ~0xfull;
        mmu__tlb_flush(c);
    } else {
        c->r[R_SP] &= ~0xfull; /* aligned even without a switch */
    }
    mmu__push(c, 8, old->ss);
    mmu__push(c, 8, old->rsp);
}

/* Protected-mode delivery: only a change to a more privileged CPL n switches stacks, to
 * SSn:ESPn of the TSS, and pushes the old SS:ESP there in the gate's size. */
static void stack_legacy(struct tcg_cpu *c, unsigned size, uint8_t new_cpl,
                         const struct interrupted *old)
{
    if (new_cpl >= c->cpl)
        return;
    uint64_t esp = mmu__read_sys(c, c->tr.base + TSS32_ESP(new_cpl), 4);
    uint16_t ss = (uint16_t)mmu__read_sys(c, c->tr.base + TSS32_SS(new_cpl), 2);
    c->cpl = new_cpl;
    protect__load_seg(c, X86_SEG_SS, ss);
    c->cpl = new_cpl; /* protect__load_seg says CPL 3 while RFLAGS.VM is still set */
    c->stack_size = c->seg[X86_SEG_SS].db ? 4 : 2;
    c->r[R_SP] = esp;
    mmu__tlb_flush(c);
    mmu__push(c, size, old->ss);
    mmu__push(c, size, old->rsp);
}
/* [idt-stack] */

/* [idt-interrupt] */
/*
 * Protected and long mode: the IDT holds gates. The gate names a code segment; when its
 * DPL is below the CPL, the CPU switches to that privilege's stack, taken from the TSS,
 * and pushes the old SS:RSP there first (long mode always pushes them). Then RFLAGS, CS,
 * RIP and, for some exceptions, an error code. An interrupt gate also clears IF.
 */
static void interrupt_idt(struct tcg_cpu *c, int vector, uint32_t error, enum tcg_event kind,
                          uint64_t return_rip)
{
    int lm = (c->efer & EFER_LMA) != 0;
    uint32_t ext = kind == TCG_SOFTWARE ? 0 : ERR_EXT;
    struct gate g = read_gate(c, vector, lm, ext);
    uint64_t addr, d;

    check_gate(c, &g, vector, kind, lm, ext);
    seg_t n = handler_segment(c, g.selector, lm, ext, &addr, &d);
    uint8_t new_cpl = (n.type & 4) ? c->cpl : n.dpl; /* a conforming segment keeps the CPL */
    struct interrupted old = {c->seg[X86_SEG_SS].selector, c->r[R_SP], flags__get_rflags(c),
                              c->seg[X86_SEG_CS].selector, return_rip};
    unsigned size; /* of each item of the frame */

    if (lm) {
        size = 8;
        stack_64(c, &g, new_cpl, ext, &old);
    } else {
        size = g.type == GATE_INTR32 || g.type == GATE_TRAP32 ? 4 : 2;
        stack_legacy(c, size, new_cpl, &old);
    }
    mmu__push(c, size, old.rflags);
    mmu__push(c, size, old.cs);
    mmu__push(c, size, old.rip);
    if (kind == TCG_EXCEPTION && has_error_code(vector))
        mmu__push(c, size, error);
    mark_accessed(c, &n, addr, d);
    n.selector = (g.selector & 0xfffc) | new_cpl;
    c->seg[X86_SEG_CS] = n;
    c->cpl = new_cpl;
    uint64_t clear = RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM;
    if (g.type == GATE_INTR32 || g.type == GATE_INTR16)
        clear |= RFLAGS_IF;
    flags__set_rflags(c, old.rflags & ~clear);
    protect__update_mode(c);
    mmu__tlb_flush(c);
    c->rip = g.offset; /* 32 bits outside IA-32e mode: read_gate read no more */
}
/* [idt-interrupt] */

void protect__interrupt(struct tcg_cpu *c, int vector, uint32_t error, enum tcg_event kind,
                        uint64_t return_rip)
{
    if (!(c->cr0 & CR0_PE))
        interrupt_real(c, vector, return_rip);
    else
        interrupt_idt(c, vector, error, kind, return_rip);
    c->next_rip = c->rip;
}

/* INT n, INT3, INTO, INT1: software interrupts return to the next instruction. INT1 raises
 * the debug exception as the hardware does: no DPL check on the gate. */
static void exec_int(struct tcg_cpu *c, const struct x86_insn *i)
{
    int vector = i->opcode == 0xcc   ? EXC_BP
                 : i->opcode == 0xce ? EXC_OF
                 : i->opcode == 0xf1 ? EXC_DB
                                     : (int)(i->imm & 0xff);
    if (i->opcode == 0xce && !flags__cond(c, 0)) /* INTO: only when OF is set */
        return;
    tcg__save_undo(c); /* a fault in the delivery is the INT's: nothing has happened */
    protect__interrupt(c, vector, 0, i->opcode == 0xf1 ? TCG_EXCEPTION : TCG_SOFTWARE, c->next_rip);
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
    tcg__save_undo(c); /* it pops and loads before its last check: a fault undoes it all */
    uint64_t rip = mmu__pop(c, size);
    uint16_t cs = (uint16_t)mmu__pop(c, size);
    uint64_t flags = (mmu__pop(c, size) & 0x3f7fd5) | RFLAGS_FIXED; /* defined bits only */
    uint64_t old = flags__get_rflags(c), keep = RFLAGS_VM;
    uint8_t cpl = c->cpl;

    if (cpl > 0)
        keep |= RFLAGS_IOPL;
    if (cpl > ((old >> 12) & 3))
        keep |= RFLAGS_IF;
    if (size == 2)
        flags = (old & ~0xffffull) | (flags & 0xffff);
    if (!(c->cr0 & CR0_PE)) {
        load_cs(c, cs, 0);
        flags__set_rflags(c, (flags & ~keep) | (old & keep));
        c->next_rip = rip & 0xffff;
        return;
    }
    if (c->rflags & RFLAGS_NT)
        tcg__gp(c, 0); /* a task return: tasks are not supported */
    uint8_t new_cpl = cs & 3;
    if (new_cpl < cpl)
        tcg__gp(c, cs & 0xfffc);
    uint64_t rsp = 0, ss = 0;
    int outer = new_cpl > cpl || c->long64;
    if (outer) {
        rsp = mmu__pop(c, size);
        ss = mmu__pop(c, size);
    }
    load_cs(c, cs, new_cpl);
    flags__set_rflags(c, (flags & ~keep) | (old & keep));
    if (outer) {
        c->cpl = new_cpl;
        protect__load_seg(c, X86_SEG_SS, (uint16_t)ss);
        c->r[R_SP] = rsp;
        if (new_cpl > cpl)
            null_inner_segments(c, new_cpl);
    }
    protect__update_mode(c);
    if (c->mode == X86_MODE_64 && !tcg__canonical(rip))
        tcg__gp(c, 0);
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

    tcg__save_undo(c); /* CALL pushes before the target is checked */
    if (call) {
        mmu__push(c, size, old_cs);
        mmu__push(c, size, ret);
    }
    uint8_t cpl = c->cpl;
    if ((c->cr0 & CR0_PE) && !(c->rflags & RFLAGS_VM) && (sel & 0xfffc)) {
        uint64_t addr;
        seg_t n = unpack(sel, read_descriptor(c, sel, &addr));
        if (!n.s) /* a call gate or TSS: not supported */
            tcg__gp(c, sel & 0xfffc);
    }
    load_cs(c, sel, cpl);
    if (c->mode == X86_MODE_64 && !tcg__canonical(offset))
        tcg__gp(c, 0);
    c->next_rip = offset & size_mask(size);
}

void protect__far_ff(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = i->opsize;

    if (i->rm_reg != X86_REG_NONE)
        tcg__ud(c, i);
    uint64_t ea = tcg__ea(c, i);
    uint64_t offset = mmu__read(c, i->mem.segment, ea, size);
    uint16_t sel = (uint16_t)mmu__read(c, i->mem.segment, (ea + size) & size_mask(i->addrsize), 2);
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
    tcg__save_undo(c); /* it pops and loads before its last check: a fault undoes it all */
    uint64_t rip = mmu__pop(c, size);
    uint16_t cs = (uint16_t)mmu__pop(c, size);
    uint64_t extra = i->opcode == 0xca ? i->imm : 0, mask = size_mask(c->stack_size);
    uint8_t new_cpl = (c->cr0 & CR0_PE) ? cs & 3 : 0;

    if (new_cpl < c->cpl)
        tcg__gp(c, cs & 0xfffc);
    c->r[R_SP] = (c->r[R_SP] & ~mask) | ((c->r[R_SP] + extra) & mask);
    if (new_cpl > c->cpl) {
        uint64_t rsp = mmu__pop(c, size);
        uint16_t ss = (uint16_t)mmu__pop(c, size);
        load_cs(c, cs, new_cpl);
        c->cpl = new_cpl;
        protect__load_seg(c, X86_SEG_SS, ss);
        mask = size_mask(c->stack_size);
        c->r[R_SP] = (rsp + extra) & mask;
        null_inner_segments(c, new_cpl);
    } else {
        load_cs(c, cs, c->cpl);
    }
    if (c->mode == X86_MODE_64 && !tcg__canonical(rip))
        tcg__gp(c, 0);
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
        tcg__ud(c, i);
    uint64_t ea = tcg__ea(c, i);
    uint64_t offset = mmu__read(c, i->mem.segment, ea, i->opsize);
    uint16_t sel =
        (uint16_t)mmu__read(c, i->mem.segment, (ea + i->opsize) & size_mask(i->addrsize), 2);
    protect__load_seg(c, seg, sel);
    reg_write(c, i, i->reg, i->opsize, offset);
}

/* ---- 0F 00 and 0F 01: descriptor tables ---- */

/* Loads the TR or LDTR from a system descriptor (16 bytes in long mode). */
static void load_system_seg(struct tcg_cpu *c, uint16_t sel, int tr)
{
    uint64_t addr;

    if ((sel & 0xfffc) == 0) {
        if (tr)
            tcg__gp(c, 0);
        c->ldt = (seg_t){.selector = sel, .unusable = 1};
        return;
    }
    if (sel & 4)
        tcg__gp(c, sel & 0xfffc);
    uint64_t d = read_descriptor(c, sel, &addr);
    seg_t n = unpack(sel, d);
    int ok = tr ? (n.type == 0x9 || n.type == 0x1) : n.type == 0x2;
    if (n.s || !ok)
        tcg__gp(c, sel & 0xfffc);
    if (!n.present)
        tcg__fault(c, EXC_NP, sel & 0xfffc);
    if (c->efer & EFER_LMA)
        n.base |= mmu__read_sys(c, addr + 8, 4) << 32;
    if (tr) {
        n.type |= 2; /* busy */
        mmu__write_sys(c, addr + 5, 1, ((d >> 40) & 0xff) | 2);
        c->tr = n;
    } else {
        c->ldt = n;
    }
}

static void exec_group6(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->reg & 7;

    if (!(c->cr0 & CR0_PE))
        tcg__ud(c, i);
    switch (op) {
    case 0: /* SLDT */
    case 1: /* STR */
        rm_write(c, i, i->rm_reg != X86_REG_NONE ? i->opsize : 2,
                 op ? c->tr.selector : c->ldt.selector);
        return;
    case 2: /* LLDT */
    case 3: /* LTR */
        tcg__need_cpl0(c);
        load_system_seg(c, (uint16_t)rm_read(c, i, 2), op == 3);
        return;
    }
    tcg__ud(c, i); /* VERR, VERW: not supported */
}

void protect__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    one[0xcc] = one[0xcd] = one[0xce] = one[0xf1] = exec_int;
    one[0xcf] = exec_iret;
    one[0xea] = one[0x9a] = exec_far_ptr;
    one[0xca] = one[0xcb] = exec_retf;
    one[0xc4] = one[0xc5] = exec_load_far;
    two[0xb2] = two[0xb4] = two[0xb5] = exec_load_far;
    two[0x00] = exec_group6;
}
