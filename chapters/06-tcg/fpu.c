/*
 * fpu.c - the interpreter's x87 FPU (escapes D8-DF, FWAIT) and the FPU/SSE state
 * instructions of 0F AE: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, the fences, CLFLUSH (chapter 6).
 *
 * The arithmetic is the host's (fpu_host.c): an x86-64 host has the same x87, so each operation
 * loads its 80-bit operands into the host FPU under the guest's rounding and precision control,
 * with every exception masked, runs the one instruction, and reads back the result and the
 * status word. The guest's masks then decide what the exception flags mean: a masked one
 * is just recorded; an unmasked invalid, denormal or divide-by-zero leaves the destination
 * alone, and any unmasked one sets ES, which makes the next waiting instruction raise #MF.
 *
 * Each instruction works on a copy of the FPU state and stores it back only after its
 * last memory access, so a fault (which runs the instruction again) finds the state as it
 * was. An unmasked overflow or underflow with a register destination delivers the
 * result with its exponent rebiased by 24576, as the host computes it. Known
 * simplifications: with CR0.NE clear an unmasked exception
 * is not reported at all (the CPU would signal FERR# to the interrupt controller); FNSTENV
 * and FNSAVE always use the protected-mode image, real mode included; FBLD and FBSTP #UD.
 */
#include "fpu.h"
#include "fpu_host.h"

#include "error.h"

#include <stdatomic.h>
#include <string.h>

/* Status word bits. */
#define FSW_IE  (1u << 0) /* invalid operation */
#define FSW_DE  (1u << 1) /* denormal operand */
#define FSW_ZE  (1u << 2) /* divide by zero */
#define FSW_OE  (1u << 3) /* overflow */
#define FSW_UE  (1u << 4) /* underflow */
#define FSW_PE  (1u << 5) /* precision (inexact) */
#define FSW_SF  (1u << 6) /* stack fault (with IE; C1 says overflow or underflow) */
#define FSW_ES  (1u << 7) /* error summary: an unmasked exception is pending */
#define FSW_C0  (1u << 8)
#define FSW_C1  (1u << 9)
#define FSW_C2  (1u << 10)
#define FSW_C3  (1u << 14)
#define FSW_B   (1u << 15) /* busy: a copy of ES */
#define FSW_EXC 0x3fu      /* the six exception flags; FCW has their masks at the same bits */
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FCW_IM  (1u << 0)

/* The QNaN the masked invalid-operation response produces ("real indefinite"). */
static const f80 indefinite = {{0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff}};

/* ------------------------------------------------------------------------------------- */
/* The register stack                                                                     */

static unsigned top(const struct tcg_x87 *x)
{
    return (x->fsw >> 11) & 7;
}

static void set_top(struct tcg_x87 *x, unsigned t)
{
    x->fsw = (uint16_t)((x->fsw & ~(7u << 11)) | (t & 7) << 11);
}

/* The physical register that is ST(i). */
static unsigned phys(const struct tcg_x87 *x, unsigned i)
{
    return (top(x) + i) & 7;
}

static int is_empty(const struct tcg_x87 *x, unsigned i)
{
    return !((x->ftw >> phys(x, i)) & 1);
}

static f80 get(const struct tcg_x87 *x, unsigned i)
{
    f80 v;
    memcpy(v.b, x->r[phys(x, i)], 10);
    return v;
}

/* Writes ST(i) and marks it valid. */
static void put(struct tcg_x87 *x, unsigned i, const f80 *v)
{
    memcpy(x->r[phys(x, i)], v->b, 10);
    x->ftw |= (uint8_t)(1u << phys(x, i));
}

static void push(struct tcg_x87 *x, const f80 *v)
{
    set_top(x, top(x) - 1);
    put(x, 0, v);
}

static void pop(struct tcg_x87 *x)
{
    x->ftw &= (uint8_t) ~(1u << phys(x, 0));
    set_top(x, top(x) + 1);
}

/* ES and B follow the flags and their masks: set while any flag is unmasked. */
static void update_es(struct tcg_x87 *x)
{
    if (x->fsw & ~x->fcw & FSW_EXC)
        x->fsw |= FSW_ES | FSW_B;
    else
        x->fsw &= (uint16_t) ~(FSW_ES | FSW_B);
}

/* Records exception flags exc. Returns 1 when one of them is an unmasked invalid
 * operation, denormal or divide-by-zero: then the instruction must store no result, and
 * the overflow, underflow and precision exceptions of the masked result it computed are
 * not reported (they come after those three in the manual's priority; the host agrees). */
static int raise_exc(struct tcg_x87 *x, unsigned exc)
{
    exc &= FSW_EXC;
    if (exc & ~x->fcw & (FSW_IE | FSW_DE | FSW_ZE))
        exc &= ~(FSW_OE | FSW_UE | FSW_PE);
    x->fsw |= (uint16_t)exc;
    if (exc & ~x->fcw & FSW_EXC)
        x->fsw |= FSW_ES | FSW_B;
    return (exc & ~x->fcw & (FSW_IE | FSW_DE | FSW_ZE)) != 0;
}

/* A stack overflow (a push onto a full register) or underflow (an empty source): IE and
 * SF, C1 telling which. Returns 1 when IE is unmasked (the instruction stops there), 0
 * when the caller goes on with the masked response (QNaN indefinite). */
static int stack_fault(struct tcg_x87 *x, int overflow)
{
    x->fsw = (uint16_t)((x->fsw & ~FSW_C1) | FSW_SF | (overflow ? FSW_C1 : 0));
    return raise_exc(x, FSW_IE);
}

/* Pushes v, or handles the overflow when ST(7) is in use. */
static void push_checked(struct tcg_x87 *x, const f80 *v)
{
    if (!is_empty(x, 7)) {
        if (!stack_fault(x, 1))
            push(x, &indefinite);
        return;
    }
    push(x, v);
}

/* ------------------------------------------------------------------------------------- */
/* Guest memory                                                                           */

static uint64_t ea_plus(const struct x86_insn *i, uint64_t ea, unsigned n)
{
    return (ea + n) & size_mask(i->addrsize);
}

/* Reads len bytes at seg:ea into buf. */
static void mem_read(struct tcg_cpu *c, const struct x86_insn *i, uint64_t ea, void *buf,
                     unsigned len)
{
    uint8_t *p = buf;

    for (unsigned n = 0; n < len;) {
        unsigned k = len - n >= 8 ? 8 : len - n >= 4 ? 4 : len - n >= 2 ? 2 : 1;
        uint64_t v = mmu__read(c, i->mem.segment, ea_plus(i, ea, n), k);
        memcpy(p + n, &v, k);
        n += k;
    }
}

/* Writes len bytes of buf at seg:ea. A fault part-way leaves part written: the
 * instruction runs again and writes the same bytes. */
static void mem_write(struct tcg_cpu *c, const struct x86_insn *i, uint64_t ea, const void *buf,
                      unsigned len)
{
    const uint8_t *p = buf;

    for (unsigned n = 0; n < len;) {
        unsigned k = len - n >= 8 ? 8 : len - n >= 4 ? 4 : len - n >= 2 ? 2 : 1;
        uint64_t v = 0;
        memcpy(&v, p + n, k);
        mmu__write(c, i->mem.segment, ea_plus(i, ea, n), k, v);
        n += k;
    }
}

/* Checks that the len (at most 16) bytes at seg:ea could be stored, faulting as a store
 * would, and changes nothing: a store the x87 suppresses (an unmasked exception) still
 * checks its destination first. */
static void mem_probe_write(struct tcg_cpu *c, const struct x86_insn *i, uint64_t ea, unsigned len)
{
    uint8_t buf[16];

    mmu__linear(c, i->mem.segment, ea, len, ACC_WRITE); /* the segment's checks come first */
    mem_read(c, i, ea, buf, len);
    mem_write(c, i, ea, buf, len);
}

/* ------------------------------------------------------------------------------------- */
/* Checks before an instruction                                                           */

/* CR0.EM (no FPU: software emulates it) or CR0.TS (the OS switches FPU state lazily):
 * #NM. A waiting instruction then takes a pending unmasked exception as #MF. */
static void x87_check(struct tcg_cpu *c, int waiting)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        tcg__fault(c, EXC_NM, EXC_NO_ERROR);
    if (waiting && (c->x87.fsw & FSW_ES) && (c->cr0 & CR0_NE))
        tcg__fault(c, EXC_MF, EXC_NO_ERROR);
}

/* 9B FWAIT: #NM only when both CR0.MP and CR0.TS are set; then pending exceptions. */
static void exec_fwait(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        tcg__fault(c, EXC_NM, EXC_NO_ERROR);
    if ((c->x87.fsw & FSW_ES) && (c->cr0 & CR0_NE))
        tcg__fault(c, EXC_MF, EXC_NO_ERROR);
}

/* The last instruction pointers a non-control instruction leaves for the handler of its
 * exception: opcode (11 bits), its address, and its memory operand's. */
static void note_insn(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x, uint64_t ea)
{
    x->fop = (uint16_t)((i->opcode & 7) << 8 | i->mod << 6 | (i->reg & 7) << 3 | (i->rm & 7));
    x->fip = c->rip;
    x->fcs = c->seg[X86_SEG_CS].selector;
    if (i->rm_reg == X86_REG_NONE) {
        x->fdp = ea;
        x->fds = c->seg[i->mem.segment].selector;
    }
}

/* ------------------------------------------------------------------------------------- */
/* Arithmetic and comparisons                                                             */

/* Is a a NaN or an encoding the x87 does not support (pseudo-NaN, pseudo-infinity,
 * unnormal)? Either one takes precedence over a denormal operand (the manual's order of
 * x87 exceptions: invalid operation, then a QNaN operand, then denormal). */
static int nan_or_unsupported(const f80 *a)
{
    uint64_t sig;
    unsigned exp = (a->b[8] | a->b[9] << 8) & 0x7fff;

    memcpy(&sig, a->b, 8);
    if (exp == 0x7fff)
        return sig != 1ull << 63;
    return exp != 0 && !(sig >> 63);
}

/* Is a zero, of either sign? */
static int is_zero(const f80 *a)
{
    static const uint8_t zero[8];

    return memcmp(a->b, zero, 8) == 0 && ((a->b[8] | a->b[9] << 8) & 0x7fff) == 0;
}

/* ST(d) = ST(d) op src, where src is *m (a memory operand already converted) or ST(s);
 * pops afterwards with pop. */
static void arith(struct tcg_x87 *x, enum host_op op, unsigned d, const f80 *m, unsigned s,
                  int pop_after)
{
    f80 a, b, r[3];

    if (is_empty(x, d) || (!m && is_empty(x, s))) {
        if (stack_fault(x, 0))
            return;
        put(x, d, &indefinite);
    } else {
        a = get(x, d);
        b = m ? *m : get(x, s);
        uint16_t sw = fpu_host__run(x->fcw, op, &a, &b, r);
        x->fsw &= (uint16_t)~FSW_C1;
        if (raise_exc(x, sw)) /* no result: C1 (rounded up) clear */
            return;
        x->fsw |= (uint16_t)(sw & FSW_C1);
        put(x, d, &r[0]);
    }
    if (pop_after)
        pop(x);
}

/* Compares ST(0) with *m or ST(s) (op H_COM, H_UCOM, or H_COMI, H_UCOMI for FCOMI) and pops pops
 * times. Returns the condition codes (C3, C2, C0) for FCOMI's flags, or -1 when an unmasked
 * exception stopped it. */
static int compare(struct tcg_x87 *x, enum host_op op, const f80 *m, unsigned s, int pops)
{
    unsigned cc;
    f80 a, b, r[3];

    if (is_empty(x, 0) || (!m && is_empty(x, s))) {
        if (stack_fault(x, 0))
            return -1;
        cc = FSW_C0 | FSW_C2 | FSW_C3; /* unordered */
    } else {
        a = get(x, 0);
        b = m ? *m : get(x, s);
        uint16_t sw = fpu_host__run(x->fcw, op, &a, &b, r);
        if (raise_exc(x, sw)) {
            x->fsw &= (uint16_t)~FSW_C1; /* cleared even then (as the host does) */
            return -1;
        }
        cc = sw & (FSW_C0 | FSW_C2 | FSW_C3);
    }
    if (op == H_COMI || op == H_UCOMI) /* FCOMI: RFLAGS gets them, FSW only C1 = 0 */
        x->fsw &= (uint16_t)~FSW_C1;
    else
        x->fsw = (uint16_t)((x->fsw & ~FSW_CC) | cc);
    while (pops--)
        pop(x);
    return (int)cc;
}

/* FCOMI and friends: ZF, PF, CF from C3, C2, C0; OF, SF, AF cleared. */
static void comi_flags(struct tcg_cpu *c, int cc)
{
    uint64_t f = flags__get_rflags(c) & ~RFLAGS_ARITH;

    if (cc & FSW_C3)
        f |= RFLAGS_ZF;
    if (cc & FSW_C2)
        f |= RFLAGS_PF;
    if (cc & FSW_C0)
        f |= RFLAGS_CF;
    flags__set_rflags(c, f);
}

/* An operation on ST(0) alone (or ST(0) and ST(1)) that replaces ST(0); FSQRT, FRNDINT,
 * FCHS, FABS, F2XM1, FSIN, FCOS, FSCALE, FPREM, FPREM1. ccmask: the condition codes the
 * host's answer gives (the others keep their value, except C1 which is always set). */
static void unary(struct tcg_x87 *x, enum host_op op, int needs_st1, unsigned ccmask)
{
    f80 a, b = indefinite, r[3];

    int prem = op == H_PREM || op == H_PREM1;

    if (is_empty(x, 0) || (needs_st1 && is_empty(x, 1))) {
        if (prem) /* no partial remainder left: C2 clear (C0, C3 unchanged, as the host) */
            x->fsw &= (uint16_t)~FSW_C2;
        if (!stack_fault(x, 0))
            put(x, 0, &indefinite);
        return;
    }
    a = get(x, 0);
    if (needs_st1)
        b = get(x, 1);
    uint16_t sw = fpu_host__run(x->fcw, op, &a, &b, r);
    /* FPREM/FPREM1 with an invalid or NaN operand have no quotient: the CPU leaves C0
     * and C3 as they were, and the host's copies of them are its own, not the guest's. */
    if (prem && ((sw & FSW_IE) || nan_or_unsupported(&r[0])))
        ccmask &= ~(FSW_C0 | FSW_C3);
    x->fsw = (uint16_t)((x->fsw & ~(ccmask | FSW_C1)) | (sw & (ccmask | FSW_C1)));
    if (raise_exc(x, sw))
        return;
    put(x, 0, &r[0]);
}

/* FYL2X, FYL2XP1, FPATAN: ST(1) = f(ST(1), ST(0)), then pop. */
static void binary_pop(struct tcg_x87 *x, enum host_op op)
{
    f80 a, b, r[3];

    if (is_empty(x, 0) || is_empty(x, 1)) {
        if (!stack_fault(x, 0)) {
            put(x, 1, &indefinite);
            pop(x);
        }
        return;
    }
    a = get(x, 0);
    b = get(x, 1);
    uint16_t sw = fpu_host__run(x->fcw, op, &a, &b, r);
    x->fsw = (uint16_t)((x->fsw & ~FSW_C1) | (sw & FSW_C1));
    if (raise_exc(x, sw))
        return;
    put(x, 1, &r[0]);
    pop(x);
}

/* FXTRACT, FPTAN, FSINCOS: ST(0) is replaced and one more value pushed, unless the host
 * says (C2) the operand was out of range, when it stays as it was. */
static void unary_push(struct tcg_x87 *x, enum host_op op)
{
    f80 a, b = indefinite, r[3];

    if (is_empty(x, 0) || !is_empty(x, 7)) {
        int overflow = !is_empty(x, 0);
        if (!stack_fault(x, overflow)) {
            put(x, 0, &indefinite);
            push(x, &indefinite);
        }
        return;
    }
    a = get(x, 0);
    uint16_t sw = fpu_host__run(x->fcw, op, &a, &b, r);
    x->fsw = (uint16_t)((x->fsw & ~(FSW_C1 | FSW_C2)) | (sw & (FSW_C1 | FSW_C2)));
    if (raise_exc(x, sw) || (sw & FSW_C2))
        return;
    put(x, 0, &r[1]);
    push(x, &r[0]);
}

/* FXAM: the class of ST(0) in C3, C2, C0 and its sign in C1; empty is C3 and C0. */
static void fxam(struct tcg_x87 *x)
{
    f80 a = get(x, 0), b = indefinite, r[3];
    uint16_t sw = fpu_host__run(x->fcw, H_XAM, &a, &b, r);
    unsigned cc = sw & FSW_CC;

    if (is_empty(x, 0))
        cc = FSW_C3 | FSW_C0 | ((a.b[9] & 0x80) ? FSW_C1 : 0);
    x->fsw = (uint16_t)((x->fsw & ~FSW_CC) | cc);
}

/* Pushes a constant (FLD1, FLDPI, ...): the host rounds it as RC says. C1 is 0 unless
 * the stack overflows (the manual; the CPU clears it). */
static void load_const(struct tcg_x87 *x, enum host_op op)
{
    f80 a = indefinite, r[3];

    fpu_host__run(x->fcw, op, &a, &a, r);
    x->fsw &= (uint16_t)~FSW_C1;
    push_checked(x, &r[0]);
}

/* ------------------------------------------------------------------------------------- */
/* Environment and state images                                                           */

/* The two-bit tag of physical register n as FSTENV stores it: 0 valid, 1 zero,
 * 2 special (NaN, infinity, denormal, unsupported), 3 empty. */
static unsigned full_tag(const struct tcg_x87 *x, unsigned n)
{
    uint64_t sig;
    unsigned exp;

    if (!((x->ftw >> n) & 1))
        return 3;
    memcpy(&sig, x->r[n], 8);
    exp = (x->r[n][8] | x->r[n][9] << 8) & 0x7fff;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return sig ? 2 : 1;
    return (sig >> 63) ? 0 : 2;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

/* The environment image of FNSTENV/FNSAVE in protected-mode format: 28 bytes with a
 * 32-bit operand size, 14 with 16. Returns its length. */
static unsigned env_image(const struct tcg_x87 *x, unsigned opsize, uint8_t *p)
{
    unsigned tag = 0;

    for (unsigned n = 0; n < 8; n++)
        tag |= full_tag(x, n) << (2 * n);
    if (opsize == 2) {
        memset(p, 0, 14);
        put16(p, x->fcw);
        put16(p + 2, x->fsw);
        put16(p + 4, tag);
        put16(p + 6, (uint32_t)x->fip);
        put16(p + 8, x->fcs);
        put16(p + 10, (uint32_t)x->fdp);
        put16(p + 12, x->fds);
        return 14;
    }
    memset(p, 0, 28);
    put32(p, 0xffff0000u | x->fcw);
    put32(p + 4, 0xffff0000u | x->fsw);
    put32(p + 8, 0xffff0000u | tag);
    put32(p + 12, (uint32_t)x->fip);
    put32(p + 16, x->fcs | (uint32_t)(x->fop & 0x7ff) << 16);
    put32(p + 20, (uint32_t)x->fdp);
    put32(p + 24, 0xffff0000u | x->fds);
    return 28;
}

/* The control word a load of v gives: the reserved bits 7 and 13-15 read as zero and bit 6
 * as one whatever was loaded (FLDCW, FLDENV, FRSTOR, FXRSTOR all behave so on hardware). */
static uint16_t fcw_value(uint64_t v)
{
    return (uint16_t)((v & 0x1f3f) | 0x40);
}

/* Loads an environment image (the inverse of env_image). */
static void env_load(struct tcg_x87 *x, unsigned opsize, const uint8_t *p)
{
    unsigned tag;

    if (opsize == 2) {
        x->fcw = fcw_value(get16(p));
        x->fsw = (uint16_t)get16(p + 2);
        tag = get16(p + 4);
        x->fip = get16(p + 6);
        x->fcs = (uint16_t)get16(p + 8);
        x->fdp = get16(p + 10);
        x->fds = (uint16_t)get16(p + 12);
    } else {
        x->fcw = fcw_value(get16(p));
        x->fsw = (uint16_t)get16(p + 4);
        tag = get16(p + 8);
        x->fip = get32(p + 12);
        x->fcs = (uint16_t)get16(p + 16);
        x->fop = (uint16_t)(get16(p + 18) & 0x7ff);
        x->fdp = get32(p + 20);
        x->fds = (uint16_t)get16(p + 24);
    }
    x->ftw = 0;
    for (unsigned n = 0; n < 8; n++)
        if (((tag >> (2 * n)) & 3) != 3)
            x->ftw |= (uint8_t)(1u << n);
    update_es(x);
}

static void finit(struct tcg_x87 *x)
{
    x->fcw = FPU_FCW_INIT;
    x->fsw = 0;
    x->ftw = 0;
    x->fop = 0;
    x->fip = x->fdp = 0;
    x->fcs = x->fds = 0;
}

/* D9 /4 FLDENV, /6 FNSTENV; DD /4 FRSTOR, /6 FNSAVE. */
static void env_insn(struct tcg_cpu *c, const struct x86_insn *i, int save, int regs)
{
    struct tcg_x87 x = c->x87;
    unsigned opsize = i->opsize == 2 ? 2 : 4;
    uint8_t img[28 + 80];
    uint64_t ea = tcg__ea(c, i);

    if (save) {
        unsigned len = env_image(&x, opsize, img);
        if (regs)
            for (unsigned k = 0; k < 8; k++)
                memcpy(img + len + 10 * k, x.r[phys(&x, k)], 10);
        mem_write(c, i, ea, img, len + (regs ? 80 : 0));
        if (regs)
            finit(&x);
        else
            x.fcw |= FSW_EXC; /* FNSTENV masks every exception after saving */
        update_es(&x);        /* nothing unmasked is left pending (as the host) */
    } else {
        unsigned len = opsize == 2 ? 14 : 28;
        mem_read(c, i, ea, img, len + (regs ? 80 : 0));
        env_load(&x, opsize, img);
        if (regs)
            for (unsigned k = 0; k < 8; k++)
                memcpy(x.r[phys(&x, k)], img + len + 10 * k, 10);
    }
    c->x87 = x;
}

/* ------------------------------------------------------------------------------------- */
/* The escapes D8-DF                                                                      */

/* Reads the m80 operand. */
static f80 read_m80(struct tcg_cpu *c, const struct x86_insn *i, uint64_t ea)
{
    f80 v;
    mem_read(c, i, ea, v.b, 10);
    return v;
}

/* The 80-bit memory formats (m80fp), beside enum mem_kind's: stored as they are. */
enum { M_F80 = -1 };

/* FLD m32/m64/m16int/m32int/m64int, or m80 (k is M_F80). */
static void fld_mem(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x, uint64_t ea,
                    int k)
{
    f80 v;

    if (k == M_F80) {
        v = read_m80(c, i, ea);
    } else {
        uint64_t m = mmu__read(c, i->mem.segment, ea, fpu_host__size((enum mem_kind)k));
        if (!is_empty(x, 7)) {
            push_checked(x, &indefinite);
            return;
        }
        if (raise_exc(x, fpu_host__load(x->fcw, (enum mem_kind)k, m, &v))) {
            x->fsw &= (uint16_t)~FSW_C1; /* stopped by an unmasked exception: C1 clear */
            return;
        }
    }
    x->fsw &= (uint16_t)~FSW_C1;
    push_checked(x, &v);
}

/* FST/FSTP/FIST/FISTP/FISTTP to memory (kind k, or m80: M_F80). Memory is written
 * before the caller commits the state. */
static void fst_mem(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x, uint64_t ea,
                    int k, int pop_after)
{
    f80 a;
    uint64_t m;
    uint16_t sw = 0;

    if (is_empty(x, 0)) {
        if (stack_fault(x, 0)) {
            mem_probe_write(c, i, ea, k == M_F80 ? 10 : fpu_host__size((enum mem_kind)k));
            return;
        }
        a = indefinite;
    } else {
        a = get(x, 0);
    }
    if (k == M_F80) {
        mem_write(c, i, ea, a.b, 10);
        x->fsw &= (uint16_t)~FSW_C1;
    } else {
        if (!is_empty(x, 0) || k > M_F64) /* an empty source stores the indefinite */
            sw = fpu_host__store(x->fcw, (enum mem_kind)k, &a, &m);
        else
            sw = fpu_host__store(x->fcw | FSW_EXC, (enum mem_kind)k, &indefinite, &m);
        unsigned unmasked = sw & ~x->fcw & (FSW_IE | FSW_DE | FSW_OE | FSW_UE);
        unsigned size = fpu_host__size((enum mem_kind)k);
        /* An unmasked numeric exception stores nothing, but the destination is checked
         * first: a store to memory that is not writable faults all the same. Nor is a rounded
         * result reported then: no precision exception, C1 clear (as the host does). */
        if (unmasked) {
            mem_probe_write(c, i, ea, size);
            sw &= (uint16_t) ~(FSW_PE | FSW_C1);
        } else {
            mmu__write(c, i->mem.segment, ea, size, m);
        }
        if (!is_empty(x, 0)) {
            x->fsw = (uint16_t)((x->fsw & ~FSW_C1) | (sw & FSW_C1));
            raise_exc(x, sw);
            if (unmasked)
                return;
        }
    }
    if (pop_after)
        pop(x);
}

/* The loads and stores among the memory forms of D9, DB, DD and DF, by opcode and reg:
 * the operand's kind (M_F80 for the 80-bit formats) and what the instruction does with it.
 * The empty cells are the environment and control-word forms (x87_control) or #UD. */
enum x87_move_kind { MOVE_NONE, MOVE_LOAD, MOVE_STORE, MOVE_STORE_POP };
struct x87_move {
    signed char kind;
    unsigned char move;
};
static const struct x87_move x87_moves[4][8] = {
    /* D9: FLD, FST, FSTP m32fp */
    {[0] = {M_F32, MOVE_LOAD}, [2] = {M_F32, MOVE_STORE}, [3] = {M_F32, MOVE_STORE_POP}},
    /* DB: FILD, FISTTP, FIST, FISTP m32int; FLD, FSTP m80fp */
    {[0] = {M_I32, MOVE_LOAD},
     [1] = {M_TT32, MOVE_STORE_POP},
     [2] = {M_I32, MOVE_STORE},
     [3] = {M_I32, MOVE_STORE_POP},
     [5] = {M_F80, MOVE_LOAD},
     [7] = {M_F80, MOVE_STORE_POP}},
    /* DD: FLD m64fp, FISTTP m64int, FST and FSTP m64fp */
    {[0] = {M_F64, MOVE_LOAD},
     [1] = {M_TT64, MOVE_STORE_POP},
     [2] = {M_F64, MOVE_STORE},
     [3] = {M_F64, MOVE_STORE_POP}},
    /* DF: FILD, FISTTP, FIST, FISTP m16int; FILD, FISTP m64int */
    {[0] = {M_I16, MOVE_LOAD},
     [1] = {M_TT16, MOVE_STORE_POP},
     [2] = {M_I16, MOVE_STORE},
     [3] = {M_I16, MOVE_STORE_POP},
     [5] = {M_I64, MOVE_LOAD},
     [7] = {M_I64, MOVE_STORE_POP}},
};

/* The memory forms: reg selects the operation, the opcode the operand's format. */
static int x87_mem(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x, uint64_t ea)
{
    static const int arith_kind[8] = {M_F32, M_I32, M_F64, M_I16};
    unsigned op = i->opcode & 7, reg = i->reg & 7;

    if (op == 0 || op == 2 || op == 4 || op == 6) { /* arithmetic with m32fp/m32int/m64fp/m16int */
        f80 m;
        uint64_t v = mmu__read(c, i->mem.segment, ea, fpu_host__size(arith_kind[op / 2]));
        if (is_empty(x, 0)) { /* the stack underflow first, whatever the operand */
            if (reg == 2 || reg == 3)
                compare(x, H_COM, NULL, 0, reg == 3);
            else
                arith(x, (enum host_op)reg, 0, NULL, 0, 0);
            return 0;
        }
        unsigned load_sw = fpu_host__load(x->fcw, arith_kind[op / 2], v, &m);
        f80 st0 = get(x, 0);
        /* An SNaN operand: the conversion quieted it, but the operation must see it as
         * signalling (an SNaN beside a QNaN gives the QNaN, two SNaNs the larger
         * significand): the 80-bit SNaN is the converted value without its quiet bit. */
        if ((load_sw & FSW_IE) && nan_or_unsupported(&m))
            m.b[7] &= (uint8_t)~0x40;
        /* A NaN operand, or a division by zero (FDIVR: m / ST(0)), comes before the
         * denormal operand, which is then not reported (the host's x87 agrees). */
        if (nan_or_unsupported(&st0) || (reg == 7 && is_zero(&st0)))
            load_sw &= ~FSW_DE;
        if (raise_exc(x, load_sw)) {
            x->fsw &= (uint16_t)~FSW_C1; /* stopped: C1 clear, as in arith and compare */
            return 0;
        }
        if (reg == 2 || reg == 3)
            compare(x, H_COM, &m, 0, reg == 3);
        else
            arith(x, (enum host_op)reg, 0, &m, 0, 0);
        return 0;
    }
    const struct x87_move *mv = &x87_moves[op / 2][reg];
    if (mv->move == MOVE_NONE)
        return -1;
    if (mv->move == MOVE_LOAD)
        fld_mem(c, i, x, ea, mv->kind);
    else
        fst_mem(c, i, x, ea, mv->kind, mv->move == MOVE_STORE_POP);
    return 0;
}

/* FCMOVcc (DA/DB C0-DF): the conditions of CMOVcc B, E, BE, P and their negations. */
static void fcmov(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x)
{
    static const unsigned cc[4] = {0x2, 0x4, 0x6, 0xa};
    unsigned cond = cc[(i->reg & 7) & 3] | ((i->opcode & 7) == 3 ? 1 : 0);
    unsigned s = i->rm & 7;

    if (is_empty(x, 0) || is_empty(x, s)) {
        if (!stack_fault(x, 0))
            put(x, 0, &indefinite);
        return;
    }
    x->fsw &= (uint16_t)~FSW_C1;
    if (flags__cond(c, cond)) {
        f80 v = get(x, s);
        put(x, 0, &v);
    }
}

/* D9 E0-FF: the operations without operands. */
static int x87_d9_misc(struct tcg_x87 *x, unsigned low)
{
    static const enum host_op consts[7] = {H_LD1,   H_LDL2T, H_LDL2E, H_LDPI,
                                           H_LDLG2, H_LDLN2, H_LDZ};
    const unsigned c02 = FSW_C0 | FSW_C2 | FSW_C3;

    if (low >= 0x28 && low <= 0x2e) {
        load_const(x, consts[low - 0x28]);
        return 0;
    }
    switch (low) {
    case 0x20:
        unary(x, H_CHS, 0, 0);
        x->fsw &= (uint16_t)~FSW_C1;
        return 0;
    case 0x21:
        unary(x, H_ABS, 0, 0);
        x->fsw &= (uint16_t)~FSW_C1;
        return 0;
    case 0x24: {
        f80 z = {{0}};
        compare(x, H_TST, &z, 0, 0);
        return 0;
    }
    case 0x25:
        fxam(x);
        return 0;
    case 0x30:
        unary(x, H_2XM1, 0, 0);
        return 0;
    case 0x31:
        binary_pop(x, H_YL2X);
        return 0;
    case 0x32:
        unary_push(x, H_PTAN);
        return 0;
    case 0x33:
        binary_pop(x, H_PATAN);
        return 0;
    case 0x34:
        unary_push(x, H_XTRACT);
        return 0;
    case 0x35:
        unary(x, H_PREM1, 1, c02);
        return 0;
    case 0x36:
        set_top(x, top(x) - 1);
        x->fsw &= (uint16_t)~FSW_C1;
        return 0;
    case 0x37:
        set_top(x, top(x) + 1);
        x->fsw &= (uint16_t)~FSW_C1;
        return 0;
    case 0x38:
        unary(x, H_PREM, 1, c02);
        return 0;
    case 0x39:
        binary_pop(x, H_YL2XP1);
        return 0;
    case 0x3a:
        unary(x, H_SQRT, 0, 0);
        return 0;
    case 0x3b:
        unary_push(x, H_SINCOS);
        return 0;
    case 0x3c:
        unary(x, H_RNDINT, 0, 0);
        return 0;
    case 0x3d:
        unary(x, H_SCALE, 1, 0);
        return 0;
    case 0x3e:
        unary(x, H_SIN, 0, FSW_C2);
        return 0;
    case 0x3f:
        unary(x, H_COS, 0, FSW_C2);
        return 0;
    }
    return -1;
}

/* FXCH ST(i); an empty one takes part as the indefinite (the masked response). */
static int fxch(struct tcg_x87 *x, unsigned s)
{
    if (is_empty(x, 0) || is_empty(x, s)) {
        if (stack_fault(x, 0))
            return 0;
        if (is_empty(x, 0))
            put(x, 0, &indefinite);
        if (is_empty(x, s))
            put(x, s, &indefinite);
    }
    f80 a = get(x, 0), b = get(x, s);
    put(x, 0, &b);
    put(x, s, &a);
    x->fsw &= (uint16_t)~FSW_C1;
    return 0;
}

/* The register forms (mod = 3). Returns -1 for an encoding that is #UD. Sets *cc to the
 * FCOMI condition codes when the instruction writes RFLAGS. */
static int x87_reg(struct tcg_cpu *c, const struct x86_insn *i, struct tcg_x87 *x, int *cc)
{
    unsigned op = i->opcode & 7, reg = i->reg & 7, s = i->rm & 7;
    unsigned low = (reg << 3 | s);

    switch (op) {
    case 0: /* D8: ST(0) = ST(0) op ST(i); FCOM, FCOMP */
        if (reg == 2 || reg == 3)
            compare(x, H_COM, NULL, s, reg == 3);
        else
            arith(x, (enum host_op)reg, 0, NULL, s, 0);
        return 0;
    case 4: /* DC: ST(i) = ST(i) op ST(0), SUB and SUBR (DIV and DIVR) swapped */
    case 6: /* DE: the same, then pop; DE D9 FCOMPP */
        if (reg == 2 || reg == 3) { /* DC D0-DF, DE D0-D7: FCOM2, FCOMP3, FCOMP5 aliases */
            if (op == 6 && reg == 3 && s != 1)
                return -1;
            compare(x, H_COM, NULL, s, op == 6 ? (reg == 3 ? 2 : 1) : reg == 3); /* DE D9 FCOMPP */
            return 0;
        }
        arith(x, (enum host_op)(reg >= 4 ? reg ^ 1 : reg), s, NULL, 0, op == 6);
        return 0;
    case 1:                       /* D9 */
        if (reg == 0) {           /* FLD ST(i) */
            if (is_empty(x, s)) { /* the underflow is the one reported, full or not */
                if (!stack_fault(x, 0))
                    push(x, &indefinite);
                return 0;
            }
            f80 v = get(x, s);
            x->fsw &= (uint16_t)~FSW_C1;
            push_checked(x, &v);
            return 0;
        }
        if (reg == 1) /* FXCH */
            return fxch(x, s);
        if (low == 0x10) /* FNOP */
            return 0;
        if (reg == 3) /* D9 D8-DF: FSTP1, an alias of FSTP ST(i) */
            break;
        return reg >= 4 ? x87_d9_misc(x, low) : -1;
    case 2: /* DA */
        if (reg < 4) {
            fcmov(c, i, x);
            return 0;
        }
        if (low == 0x29) { /* FUCOMPP */
            compare(x, H_UCOM, NULL, 1, 2);
            return 0;
        }
        return -1;
    case 3: /* DB */
        if (reg < 4) {
            fcmov(c, i, x);
            return 0;
        }
        if (low == 0x22) { /* FNCLEX */
            x->fsw &= (uint16_t) ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
            return 0;
        }
        if (low == 0x23) { /* FNINIT */
            finit(x);
            return 0;
        }
        if (low == 0x20 || low == 0x21 || low == 0x24) /* FENI, FDISI, FSETPM: no-ops now */
            return 0;
        if (reg == 5 || reg == 6) { /* FUCOMI, FCOMI */
            *cc = compare(x, reg == 5 ? H_UCOMI : H_COMI, NULL, s, 0);
            return 0;
        }
        return -1;
    case 5: /* DD */
        switch (reg) {
        case 0: /* FFREE */
            x->ftw &= (uint8_t) ~(1u << phys(x, s));
            return 0;
        case 1: /* FXCH4: an alias */
            return fxch(x, s);
        case 2: /* FST ST(i) */
        case 3: /* FSTP ST(i) */
            break;
        case 4: /* FUCOM */
        case 5: /* FUCOMP */
            compare(x, H_UCOM, NULL, s, reg == 5);
            return 0;
        default:
            return -1;
        }
        break;
    case 7:             /* DF */
        if (reg == 0) { /* FFREEP */
            x->ftw &= (uint8_t) ~(1u << phys(x, s));
            pop(x);
            return 0;
        }
        if (reg == 5 || reg == 6) { /* FUCOMIP, FCOMIP */
            *cc = compare(x, reg == 5 ? H_UCOMI : H_COMI, NULL, s, 1);
            return 0;
        }
        if (reg == 1) /* FXCH7 */
            return fxch(x, s);
        if (reg == 2 || reg == 3) /* FSTP8, FSTP9 */
            break;
        return -1;
    }
    /* FST / FSTP ST(i). An empty ST(0): the masked response stores the QNaN indefinite
     * in ST(i) only; ST(0) stays empty. */
    f80 v = indefinite;
    if (is_empty(x, 0)) {
        if (stack_fault(x, 0))
            return 0;
    } else {
        v = get(x, 0);
    }
    put(x, s, &v);
    x->fsw &= (uint16_t)~FSW_C1;
    if (!(op == 5 && reg == 2))
        pop(x);
    return 0;
}

/* The control instructions: they leave the last-instruction pointers alone and the
 * FN- forms among them take no pending exception. Returns 1 when i is one of them
 * (done), 0 otherwise. */
static int exec_x87_control(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->opcode & 7, reg = i->reg & 7;
    int mem = i->rm_reg == X86_REG_NONE;

    if (!mem) {
        if (op == 7 && reg == 4 && (i->rm & 7) == 0) { /* DF E0 FNSTSW AX */
            x87_check(c, 0);
            reg_write(c, i, R_AX, 2, c->x87.fsw);
            return 1;
        }
        if (op == 3 && reg == 4 && ((i->rm & 7) <= 1 || (i->rm & 7) == 4)) {
            x87_check(c, 0); /* FNENI, FNDISI, FNSETPM: no-ops now, and they do not wait */
            return 1;
        }
        if (op == 3 && reg == 4 && ((i->rm & 7) == 2 || (i->rm & 7) == 3)) { /* FNCLEX, FNINIT */
            struct tcg_x87 x = c->x87;
            int cc = -1;
            x87_check(c, 0);
            x87_reg(c, i, &x, &cc);
            c->x87 = x;
            return 1;
        }
        return 0;
    }
    if (op == 1 && reg >= 4) { /* FLDENV, FLDCW, FNSTENV, FNSTCW */
        x87_check(c, reg < 6);
        uint64_t ea = tcg__ea(c, i);
        if (reg == 4 || reg == 6) {
            env_insn(c, i, reg == 6, 0);
        } else if (reg == 5) {
            c->x87.fcw = fcw_value(mmu__read(c, i->mem.segment, ea, 2));
            update_es(&c->x87);
        } else {
            mmu__write(c, i->mem.segment, ea, 2, c->x87.fcw);
        }
        return 1;
    }
    if (op == 5 && (reg == 4 || reg == 6 || reg == 7)) { /* FRSTOR, FNSAVE, FNSTSW m16 */
        x87_check(c, reg == 4);
        if (reg == 7)
            mmu__write(c, i->mem.segment, tcg__ea(c, i), 2, c->x87.fsw);
        else
            env_insn(c, i, reg == 6, 1);
        return 1;
    }
    return 0;
}

/* D8-DF: every x87 instruction. */
static void exec_x87_escape(struct tcg_cpu *c, const struct x86_insn *i)
{
    struct tcg_x87 x;
    uint64_t ea = 0;
    int cc = -1, bad;

    if (exec_x87_control(c, i))
        return;
    x87_check(c, 1);
    x = c->x87;
    if (i->rm_reg == X86_REG_NONE) {
        ea = tcg__ea(c, i);
        bad = x87_mem(c, i, &x, ea);
    } else {
        bad = x87_reg(c, i, &x, &cc);
    }
    if (bad)
        tcg__ud(c, i);
    note_insn(c, i, &x, ea);
    c->x87 = x;
    if (cc >= 0)
        comi_flags(c, cc);
}

/* ------------------------------------------------------------------------------------- */
/* 0F AE: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, fences, CLFLUSH                              */

#define FXSAVE_SIZE 512

/* [fxsave-image] */
/* The FXSAVE image: 32-bit format, or with wide (FXSAVE64, REX.W) 64-bit FIP and FDP.
 * In 64-bit mode all sixteen XMM registers are in it, else XMM0-7. Returns its length. */
static unsigned fxsave_image(const struct tcg_cpu *c, int wide, uint8_t *p)
{
    const struct tcg_x87 *x = &c->x87;
    unsigned nxmm = c->long64 ? 16 : 8;

    memset(p, 0, FXSAVE_SIZE);
    put16(p, x->fcw);
    put16(p + 2, x->fsw);
    p[4] = x->ftw;
    put16(p + 6, x->fop);
    if (wide) {
        memcpy(p + 8, &x->fip, 8);
        memcpy(p + 16, &x->fdp, 8);
    } else {
        put32(p + 8, (uint32_t)x->fip);
        put16(p + 12, x->fcs);
        put32(p + 16, (uint32_t)x->fdp);
        put16(p + 20, x->fds);
    }
    put32(p + 24, c->mxcsr);
    put32(p + 28, MXCSR_MASK_ALL);
    for (unsigned k = 0; k < 8; k++)
        memcpy(p + 32 + 16 * k, x->r[phys(x, k)], 10);
    memcpy(p + 160, c->xmm, 16 * nxmm);
    return 160 + 16 * nxmm;
}
/* [fxsave-image] */

/* The area's linear address: #GP(0) unless 16-byte aligned. Every page of it is checked
 * for the access first, so a fault leaves nothing half done. */
static uint64_t fx_area(struct tcg_cpu *c, const struct x86_insn *i, enum access acc, unsigned len)
{
    uint64_t linear = mmu__linear(c, i->mem.segment, tcg__ea(c, i), FXSAVE_SIZE, acc), phys;

    if (linear & 15)
        tcg__gp(c, 0);
    for (uint64_t a = linear; a < linear + len; a = (a | 0xfff) + 1)
        mmu__translate(c, a, acc, 1, &phys);
    return linear;
}

static void exec_fxsave(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint8_t img[FXSAVE_SIZE];
    unsigned len = fxsave_image(c, i->rex_w, img);
    uint64_t linear = fx_area(c, i, ACC_WRITE, len);

    for (unsigned n = 0; n < len; n += 8) {
        uint64_t v;
        memcpy(&v, img + n, 8);
        mmu__write_linear(c, linear + n, 8, v);
    }
}

static void exec_fxrstor(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint8_t img[FXSAVE_SIZE];
    unsigned nxmm = c->long64 ? 16 : 8, len = 160 + 16 * nxmm;
    uint64_t linear = fx_area(c, i, ACC_READ, len);
    struct tcg_x87 x = c->x87;

    for (unsigned n = 0; n < len; n += 8) {
        uint64_t v = mmu__read_linear(c, linear + n, 8, ACC_READ);
        memcpy(img + n, &v, 8);
    }
    uint32_t mxcsr = get32(img + 24);
    if (mxcsr & ~(uint32_t)MXCSR_MASK_ALL)
        tcg__gp(c, 0);
    x.fcw = fcw_value(get16(img));
    x.fsw = (uint16_t)get16(img + 2);
    x.ftw = img[4];
    x.fop = (uint16_t)(get16(img + 6) & 0x7ff);
    if (i->rex_w) {
        memcpy(&x.fip, img + 8, 8);
        memcpy(&x.fdp, img + 16, 8);
    } else {
        x.fip = get32(img + 8);
        x.fcs = (uint16_t)get16(img + 12);
        x.fdp = get32(img + 16);
        x.fds = (uint16_t)get16(img + 20);
    }
    for (unsigned k = 0; k < 8; k++)
        memcpy(x.r[phys(&x, k)], img + 32 + 16 * k, 10);
    update_es(&x);
    c->x87 = x;
    c->mxcsr = mxcsr;
    memcpy(c->xmm, img + 160, 16 * nxmm);
}

/* [group15] */
static void exec_group15(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned reg = i->reg & 7;

    if (i->rm_reg != X86_REG_NONE) { /* LFENCE, MFENCE, SFENCE; the rest is not here */
        if (reg < 5 || i->rep || i->opsize_pfx)
            tcg__ud(c, i);
        /* Each vCPU is a host thread: a full fence orders its accesses for the others. */
        atomic_thread_fence(memory_order_seq_cst);
        return;
    }
    /* The memory forms take no 66, F2 or F3 prefix (NP in the manual): with one they are
     * other instructions (CLWB, CLFLUSHOPT, PTWRITE) that CPUID does not offer. */
    if (i->rep || i->opsize_pfx)
        tcg__ud(c, i);
    switch (reg) {
    case 0: /* FXSAVE */
    case 1: /* FXRSTOR */
        if (c->cr0 & (CR0_EM | CR0_TS))
            tcg__fault(c, EXC_NM, EXC_NO_ERROR);
        if (reg == 0)
            exec_fxsave(c, i);
        else
            exec_fxrstor(c, i);
        return;
    case 2: { /* LDMXCSR */
        tcg__sse_check(c, i);
        uint32_t v = (uint32_t)mmu__read(c, i->mem.segment, tcg__ea(c, i), 4);
        if (v & ~(uint32_t)MXCSR_MASK_ALL)
            tcg__gp(c, 0);
        c->mxcsr = v;
        return;
    }
    case 3: /* STMXCSR */
        tcg__sse_check(c, i);
        mmu__write(c, i->mem.segment, tcg__ea(c, i), 4, c->mxcsr);
        return;
    case 7: { /* CLFLUSH: no caches to flush, but the address must be one to read */
        uint64_t linear = mmu__linear(c, i->mem.segment, tcg__ea(c, i), 1, ACC_READ), phys;
        mmu__translate(c, linear, ACC_READ, 1, &phys);
        return;
    }
    default: /* XSAVE, XRSTOR, XSAVEOPT: CPUID does not offer XSAVE */
        tcg__ud(c, i);
    }
}
/* [group15] */

/* ------------------------------------------------------------------------------------- */
/* State for the vCPU interface                                                           */

void fpu__reset(struct tcg_cpu *c)
{
    finit(&c->x87);
    memset(c->x87.r, 0, sizeof(c->x87.r));
    memset(c->xmm, 0, sizeof(c->xmm));
    c->mxcsr = MXCSR_INIT;
}

void fpu__get(const struct tcg_cpu *c, struct kvm_fpu *f)
{
    const struct tcg_x87 *x = &c->x87;

    memset(f, 0, sizeof(*f));
    for (unsigned k = 0; k < 8; k++)
        memcpy(f->fpr[k], x->r[phys(x, k)], 10);
    f->fcw = x->fcw;
    f->fsw = x->fsw;
    f->ftwx = x->ftw;
    f->last_opcode = x->fop;
    f->last_ip = x->fip;
    f->last_dp = x->fdp;
    memcpy(f->xmm, c->xmm, sizeof(f->xmm));
    f->mxcsr = c->mxcsr;
}

int fpu__set(struct tcg_cpu *c, const struct kvm_fpu *f)
{
    struct tcg_x87 *x = &c->x87;

    if (f->mxcsr & ~(uint32_t)MXCSR_MASK_ALL)
        return error__set("MXCSR 0x%x has reserved bits set", f->mxcsr);
    x->fcw = f->fcw;
    x->fsw = f->fsw;
    x->ftw = f->ftwx;
    x->fop = f->last_opcode & 0x7ff;
    x->fip = f->last_ip;
    x->fdp = f->last_dp;
    for (unsigned k = 0; k < 8; k++)
        memcpy(x->r[phys(x, k)], f->fpr[k], 10);
    memcpy(c->xmm, f->xmm, sizeof(c->xmm));
    c->mxcsr = f->mxcsr;
    return 0;
}

void fpu__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    for (int op = 0xd8; op <= 0xdf; op++)
        one[op] = exec_x87_escape;
    one[0x9b] = exec_fwait;
    two[0xae] = exec_group15;
}
