/*
 * sse.c - the interpreter's SSE and SSE2 floating-point instructions and XMM moves
 * (chapter 6): MOVUPS ... MOVNTPD, UNPCK, SHUFPS/PD, the logic, arithmetic, comparisons
 * and conversions of single and double precision, and MXCSR's flags and #XM.
 *
 * The arithmetic runs on the host's own SSE unit, so every result, rounding, denormal
 * and NaN is the one the hardware gives: the host's MXCSR is swapped for the guest's
 * rounding, DAZ and FTZ with all exceptions masked, the instruction runs, and the
 * exception flags it raised decide, with the guest's masks, whether #XM comes instead.
 */
#include "cpu.h"

#include <immintrin.h>
#include <string.h>

/* MXCSR's bits (Intel SDM vol. 1, 10.2.3). */
#define MXCSR_IE    (1u << 0) /* invalid operation */
#define MXCSR_DE    (1u << 1) /* denormal operand */
#define MXCSR_ZE    (1u << 2) /* divide by zero */
#define MXCSR_OE    (1u << 3) /* overflow */
#define MXCSR_UE    (1u << 4) /* underflow */
#define MXCSR_PE    (1u << 5) /* precision (inexact) */
#define MXCSR_DAZ   (1u << 6) /* denormals are zeros */
#define MXCSR_MASKS (0x3fu << 7)
#define MXCSR_OM    (1u << 10)
#define MXCSR_UM    (1u << 11)
#define MXCSR_RC    (3u << 13)
#define MXCSR_FTZ   (1u << 15)
#define MXCSR_FLAGS 0x3fu
/* The exceptions found before the computation: an unmasked one stops it (SDM 11.5.2). */
#define MXCSR_PRE (MXCSR_IE | MXCSR_DE | MXCSR_ZE)

/* The mandatory prefix, as the form of the instruction: none, 66, F3, F2. */
enum { PS, PD, SS, SD };

static unsigned sse_form(const struct x86_insn *i)
{
    return i->rep == 0xF3 ? SS : i->rep == 0xF2 ? SD : i->opsize_pfx ? PD : PS;
}

/* The key of an instruction in host_compute: its opcode and its form. */
#define KEY(op, form) ((unsigned)(op) << 2 | (form))

/* ------------------------------------------------------------------------------------- */
/* The host's SSE unit                                                                    */

static inline __m128 f4(__m128i v)
{
    return _mm_castsi128_ps(v);
}
static inline __m128d f2(__m128i v)
{
    return _mm_castsi128_pd(v);
}
static inline __m128i i4(__m128 v)
{
    return _mm_castps_si128(v);
}
static inline __m128i i2(__m128d v)
{
    return _mm_castpd_si128(v);
}

/* CMPccPS/PD/SS/SD with predicate p (imm8 bits 2:0): EQ LT LE UNORD NEQ NLT NLE ORD. */
#define CMP_FORM(sfx, cast, uncast)                                                                \
    switch (p) {                                                                                   \
    case 0:                                                                                        \
        return uncast(_mm_cmpeq_##sfx(cast(x), cast(y)));                                          \
    case 1:                                                                                        \
        return uncast(_mm_cmplt_##sfx(cast(x), cast(y)));                                          \
    case 2:                                                                                        \
        return uncast(_mm_cmple_##sfx(cast(x), cast(y)));                                          \
    case 3:                                                                                        \
        return uncast(_mm_cmpunord_##sfx(cast(x), cast(y)));                                       \
    case 4:                                                                                        \
        return uncast(_mm_cmpneq_##sfx(cast(x), cast(y)));                                         \
    case 5:                                                                                        \
        return uncast(_mm_cmpnlt_##sfx(cast(x), cast(y)));                                         \
    case 6:                                                                                        \
        return uncast(_mm_cmpnle_##sfx(cast(x), cast(y)));                                         \
    default:                                                                                       \
        return uncast(_mm_cmpord_##sfx(cast(x), cast(y)));                                         \
    }

static __m128i host_cmp(unsigned form, unsigned p, __m128i x, __m128i y)
{
    switch (form) {
    case PS:
        CMP_FORM(ps, f4, i4)
    case PD:
        CMP_FORM(pd, f2, i2)
    case SS:
        CMP_FORM(ss, f4, i4)
    default:
        CMP_FORM(sd, f2, i2)
    }
}

/* COMISS/UCOMISS/COMISD/UCOMISD: returns ZF, PF, CF as RFLAGS bits. */
static uint64_t host_comi(unsigned key, __m128i x, __m128i y)
{
    uint8_t zf, pf, cf;

#define COMI(insn)                                                                                 \
    __asm__ volatile(insn " %4, %3\n\tsetz %0\n\tsetp %1\n\tsetc %2"                               \
                     : "=q"(zf), "=q"(pf), "=q"(cf)                                                \
                     : "x"(x), "x"(y)                                                              \
                     : "cc")
    switch (key) {
    case KEY(0x2E, PS):
        COMI("ucomiss");
        break;
    case KEY(0x2E, PD):
        COMI("ucomisd");
        break;
    case KEY(0x2F, PS):
        COMI("comiss");
        break;
    default:
        COMI("comisd");
    }
#undef COMI
    return (zf ? RFLAGS_ZF : 0) | (pf ? RFLAGS_PF : 0) | (cf ? RFLAGS_CF : 0);
}

/*
 * Arithmetic in the four forms, ADDPS ADDPD ADDSS ADDSD and the like: x op= y, written as
 * the instruction itself. Not with the intrinsics: a compiler may swap the operands of a
 * commutative one (ADD, MUL), and when both lanes hold NaNs the result is the first
 * operand's, so the order is part of the answer (an ASan build of this file did swap them).
 */
#define ARITH(op, name)                                                                            \
    case KEY(op, PS):                                                                              \
        __asm__ volatile(name "ps %1, %0" : "+x"(x) : "x"(y));                                     \
        return x;                                                                                  \
    case KEY(op, PD):                                                                              \
        __asm__ volatile(name "pd %1, %0" : "+x"(x) : "x"(y));                                     \
        return x;                                                                                  \
    case KEY(op, SS):                                                                              \
        __asm__ volatile(name "ss %1, %0" : "+x"(x) : "x"(y));                                     \
        return x;                                                                                  \
    case KEY(op, SD):                                                                              \
        __asm__ volatile(name "sd %1, %0" : "+x"(x) : "x"(y));                                     \
        return x

/*
 * Runs instruction key on the host, x being the destination's value and y the source's:
 * the same instruction, so the same result. For the conversions to and from general
 * registers the integer is in lane 0 (q[0]) and w is REX.W; for CMPcc, imm is the
 * predicate. Call it between host_enter and host_leave only.
 */
static __m128i host_compute(unsigned key, unsigned imm, int w, __m128i x, __m128i y)
{
    switch (key) {
        ARITH(0x58, "add");
        ARITH(0x59, "mul");
        ARITH(0x5C, "sub");
        ARITH(0x5D, "min");
        ARITH(0x5E, "div");
        ARITH(0x5F, "max");
    case KEY(0x51, PS):
        return i4(_mm_sqrt_ps(f4(y)));
    case KEY(0x51, PD):
        return i2(_mm_sqrt_pd(f2(y)));
    case KEY(0x51, SS):
        return i4(_mm_move_ss(f4(x), _mm_sqrt_ss(f4(y))));
    case KEY(0x51, SD):
        return i2(_mm_sqrt_sd(f2(x), f2(y)));
    case KEY(0x52, PS):
        return i4(_mm_rsqrt_ps(f4(y)));
    case KEY(0x52, SS):
        return i4(_mm_move_ss(f4(x), _mm_rsqrt_ss(f4(y))));
    case KEY(0x53, PS):
        return i4(_mm_rcp_ps(f4(y)));
    case KEY(0x53, SS):
        return i4(_mm_move_ss(f4(x), _mm_rcp_ss(f4(y))));
    case KEY(0x5A, PS):
        return i2(_mm_cvtps_pd(f4(y)));
    case KEY(0x5A, PD):
        return i4(_mm_cvtpd_ps(f2(y)));
    case KEY(0x5A, SS):
        return i2(_mm_cvtss_sd(f2(x), f4(y)));
    case KEY(0x5A, SD):
        return i4(_mm_cvtsd_ss(f4(x), f2(y)));
    case KEY(0x5B, PS):
        return i4(_mm_cvtepi32_ps(y));
    case KEY(0x5B, PD):
        return _mm_cvtps_epi32(f4(y));
    case KEY(0x5B, SS):
        return _mm_cvttps_epi32(f4(y));
    case KEY(0xE6, PD):
        return _mm_cvttpd_epi32(f2(y));
    case KEY(0xE6, SS):
        return i2(_mm_cvtepi32_pd(y));
    case KEY(0xE6, SD):
        return _mm_cvtpd_epi32(f2(y));
    case KEY(0x2A, SS):
        return w ? i4(_mm_cvtsi64_ss(f4(x), _mm_cvtsi128_si64(y)))
                 : i4(_mm_cvtsi32_ss(f4(x), _mm_cvtsi128_si32(y)));
    case KEY(0x2A, SD):
        return w ? i2(_mm_cvtsi64_sd(f2(x), _mm_cvtsi128_si64(y)))
                 : i2(_mm_cvtsi32_sd(f2(x), _mm_cvtsi128_si32(y)));
    case KEY(0x2C, SS):
        return w ? _mm_cvtsi64_si128(_mm_cvttss_si64(f4(y)))
                 : _mm_cvtsi32_si128(_mm_cvttss_si32(f4(y)));
    case KEY(0x2C, SD):
        return w ? _mm_cvtsi64_si128(_mm_cvttsd_si64(f2(y)))
                 : _mm_cvtsi32_si128(_mm_cvttsd_si32(f2(y)));
    case KEY(0x2D, SS):
        return w ? _mm_cvtsi64_si128(_mm_cvtss_si64(f4(y)))
                 : _mm_cvtsi32_si128(_mm_cvtss_si32(f4(y)));
    case KEY(0x2D, SD):
        return w ? _mm_cvtsi64_si128(_mm_cvtsd_si64(f2(y)))
                 : _mm_cvtsi32_si128(_mm_cvtsd_si32(f2(y)));
    case KEY(0x2E, PS):
    case KEY(0x2E, PD):
    case KEY(0x2F, PS):
    case KEY(0x2F, PD):
        return _mm_cvtsi64_si128((long long)host_comi(key, x, y));
    case KEY(0xC2, PS):
    case KEY(0xC2, PD):
    case KEY(0xC2, SS):
    case KEY(0xC2, SD):
        return host_cmp(key & 3, imm & 7, x, y);
    }
    return x; /* not reached: the decoder admits only the keys above */
}

/* [sse-host] */
/*
 * Runs key on the host under the guest's rounding, DAZ and FTZ, every exception masked,
 * and returns the exception flags it raised in *flags. FTZ matters only while underflow
 * is masked (SDM 10.2.3.3): with UM clear it is left off, so that a tiny result shows.
 * The empty asm statements pin x and y after the MXCSR load and the result before the
 * flags are read, so the compiler can neither fold the computation nor move it out.
 */
static tcg_xmm host_run(const struct tcg_cpu *c, unsigned key, unsigned imm, int w,
                        const tcg_xmm *a, const tcg_xmm *b, uint32_t *flags)
{
    uint32_t guest = c->mxcsr & (MXCSR_RC | MXCSR_DAZ | MXCSR_FTZ);
    __m128i x = _mm_loadu_si128((const __m128i *)a->b), y = _mm_loadu_si128((const __m128i *)b->b);
    unsigned int host = _mm_getcsr();
    tcg_xmm out;

    if (!(c->mxcsr & MXCSR_UM))
        guest &= ~MXCSR_FTZ;
    _mm_setcsr(guest | MXCSR_MASKS);
    __asm__ volatile("" : "+x"(x), "+x"(y));
    __m128i r = host_compute(key, imm, w, x, y);
    __asm__ volatile("" : "+x"(r));
    *flags = _mm_getcsr() & MXCSR_FLAGS;
    _mm_setcsr(host);
    _mm_storeu_si128((__m128i *)out.b, r);
    return out;
}
/* [sse-host] */

/* ------------------------------------------------------------------------------------- */
/* Exceptions                                                                             */

/* Whether lanes (from 0) of r hold a denormal: single precision, or double with dbl. */
static int has_denormal(const tcg_xmm *r, int dbl, int lanes)
{
    for (int k = 0; k < lanes; k++) {
        if (dbl && (r->q[k] & 0x7ff0000000000000ull) == 0 && (r->q[k] << 1) != 0)
            return 1;
        if (!dbl && (r->d[k] & 0x7f800000u) == 0 && (r->d[k] << 1) != 0)
            return 1;
    }
    return 0;
}

/*
 * With underflow unmasked, a tiny result is an underflow even when it is exact (SDM
 * 4.9.1.5), which the host, computing with UM masked, reports only when inexact. Such a
 * result is a denormal: for the instructions that can underflow, adds UE when one shows.
 */
static uint32_t exact_underflow(const struct tcg_cpu *c, unsigned key, const tcg_xmm *r)
{
    static const uint8_t lanes[4] = {4, 2, 1, 1}; /* PS PD SS SD */
    unsigned op = key >> 2, form = key & 3;

    if (c->mxcsr & MXCSR_UM)
        return 0;
    if (op == 0x58 || op == 0x59 || op == 0x5C || op == 0x5E)
        return has_denormal(r, form == PD || form == SD, lanes[form]) ? MXCSR_UE : 0;
    if (op == 0x5A && (form == PD || form == SD)) /* CVTPD2PS, CVTSD2SS */
        return has_denormal(r, 0, form == PD ? 2 : 1) ? MXCSR_UE : 0;
    return 0;
}

/* [sse-exceptions] */
/*
 * Records the exception flags an instruction raised in MXCSR (they are sticky), and
 * raises \#XM for an unmasked one (\#UD when CR4.OSXMMEXCPT is clear: the OS has no
 * handler). An unmasked invalid, denormal or divide-by-zero stops the computation in
 * every lane, so then only those flags are recorded. Returns only when all are masked,
 * and the caller then writes the result.
 */
static void sse_exceptions(struct tcg_cpu *c, const struct x86_insn *i, uint32_t flags)
{
    uint32_t unmasked = flags & ~(c->mxcsr >> 7) & MXCSR_FLAGS;

    if (unmasked & MXCSR_PRE) {
        flags &= MXCSR_PRE;
        unmasked &= MXCSR_PRE;
    }
    c->mxcsr |= flags;
    if (!unmasked)
        return;
    if (!(c->cr4 & CR4_OSXMMEXCPT))
        tcg__ud(c, i);
    tcg__fault(c, EXC_XM, EXC_NO_ERROR);
}
/* [sse-exceptions] */

/* ------------------------------------------------------------------------------------- */
/* Operands                                                                               */

/* The bytes an instruction's memory source has: m32, m64, or an aligned m128. */
static unsigned source_size(const struct x86_insn *i, unsigned form)
{
    switch (i->opcode) {
    case 0x2E:
    case 0x2F:
        return form == PS ? 4 : 8; /* (U)COMISS m32, (U)COMISD m64 */
    case 0x5A:
        return form == PS ? 8 : form == PD ? 16 : form == SS ? 4 : 8;
    case 0x5B:
        return 16; /* F3 5B is CVTTPS2DQ, packed */
    case 0xE6:
        return form == SS ? 8 : 16; /* CVTDQ2PD m64 */
    }
    return form == SS ? 4 : form == SD ? 8 : 16;
}

/* Reads the xmm/m source: a register whole, or size bytes of memory (upper lanes 0). */
static tcg_xmm sse_source(struct tcg_cpu *c, const struct x86_insn *i, unsigned size)
{
    tcg_xmm v;

    memset(&v, 0, sizeof(v));
    if (i->rm_reg != X86_REG_NONE)
        return c->xmm[i->rm_reg];
    if (size == 16)
        xmm_rm_read(c, i, &v, 1);
    else
        v.q[0] = mmu__read(c, i->mem.segment, tcg__ea(c, i), size);
    return v;
}

/* Reads size (4 or 8) bytes of the memory operand. */
static uint64_t mem_read(struct tcg_cpu *c, const struct x86_insn *i, unsigned size)
{
    return mmu__read(c, i->mem.segment, tcg__ea(c, i), size);
}

/* Writes size (4 or 8) bytes of the memory operand. */
static void mem_write(struct tcg_cpu *c, const struct x86_insn *i, unsigned size, uint64_t v)
{
    mmu__write(c, i->mem.segment, tcg__ea(c, i), size, v);
}

/* ------------------------------------------------------------------------------------- */
/* Arithmetic, comparisons, conversions                                                   */

/*
 * Is op (ADD 58, MUL 59, SUB 5C, DIV 5E; CVT 5A: b is then 1) of the lane values a and b
 * inexact once rounded to the destination's precision with an unbounded exponent? That
 * is what PE says beside an unmasked underflow or overflow (SDM 11.5.2), where the
 * host's SSE, run with them masked, reports the inexactness of the denormal or infinity
 * it rounded to instead. The
 * host's x87 answers: its 15-bit exponent holds any such result, and its precision
 * control rounds the significand to 24 or 53 bits. dbl: a and b are doubles; single:
 * the result is a single.
 */
static int x87_inexact(unsigned op, int dbl, int single, uint64_t a, uint64_t b, unsigned rc)
{
    uint16_t cw = (uint16_t)(0x3f | (single ? 0 : 2u << 8) | rc << 10), sw = 0;
    uint8_t env[28];

#define X87_RUN(load, insn)                                                                        \
    __asm__ volatile("fnstenv %[env]\n\tfldcw %[cw]\n\tfnclex\n\t" load " %[b]\n\t" load           \
                     " %[a]\n\t" insn "\n\tfnstsw %[sw]\n\tfstp %%st(0)\n\tfstp %%st(0)\n\t"       \
                     "fldenv %[env]"                                                               \
                     : [sw] "=m"(sw), [env] "=m"(env)                                              \
                     : [cw] "m"(cw), [a] "m"(a), [b] "m"(b))
    if (!dbl) {
        a &= 0xffffffffu;
        b &= 0xffffffffu;
    }
    switch (op) {
    case 0x58:
        if (dbl)
            X87_RUN("fldl", "fadd %%st(1), %%st");
        else
            X87_RUN("flds", "fadd %%st(1), %%st");
        break;
    case 0x5C:
        if (dbl)
            X87_RUN("fldl", "fsub %%st(1), %%st");
        else
            X87_RUN("flds", "fsub %%st(1), %%st");
        break;
    case 0x5E:
        if (dbl)
            X87_RUN("fldl", "fdiv %%st(1), %%st");
        else
            X87_RUN("flds", "fdiv %%st(1), %%st");
        break;
    default: /* MUL; CVT multiplies by 1 */
        if (dbl)
            X87_RUN("fldl", "fmul %%st(1), %%st");
        else
            X87_RUN("flds", "fmul %%st(1), %%st");
    }
#undef X87_RUN
    return (sw & 0x20) != 0;
}

/* PE of key on the destination d and source s as the CPU reports it beside an unmasked
 * underflow or overflow (see x87_inexact): any lane's result inexact with an unbounded exponent. */
static uint32_t unbounded_inexact(const struct tcg_cpu *c, unsigned key, const tcg_xmm *d,
                                  const tcg_xmm *s)
{
    unsigned op = key >> 2, form = key & 3, rc = (c->mxcsr & MXCSR_RC) >> 13;
    int dbl = form == PD || form == SD;
    unsigned lanes = form == PS ? 4 : form == PD ? 2 : 1;
    const uint64_t one = dbl ? 0x3ff0000000000000ull : 0x3f800000u;

    for (unsigned k = 0; k < lanes; k++) {
        uint64_t a = dbl ? d->q[k] : d->d[k], b = dbl ? s->q[k] : s->d[k];
        if (op == 0x5A) { /* CVTPD2PS, CVTSD2SS: the source, rounded to a single */
            b = s->q[k];
            if ((c->mxcsr & MXCSR_DAZ) && !(b & 0x7ff0000000000000ull))
                b &= 1ull << 63; /* a denormal read as a zero */
            if (x87_inexact(0x59, 1, 1, b, one, rc))
                return MXCSR_PE;
            continue;
        }
        if (c->mxcsr & MXCSR_DAZ) { /* denormals read as zeros */
            uint64_t exp = dbl ? 0x7ff0000000000000ull : 0x7f800000u;
            uint64_t sign = dbl ? 1ull << 63 : 1u << 31;
            a = a & exp ? a : a & sign;
            b = b & exp ? b : b & sign;
        }
        if (x87_inexact(op, dbl, !dbl, a, b, rc))
            return MXCSR_PE;
    }
    return 0;
}

/* Runs key with the destination register and source operand, then commits the result. */
static tcg_xmm sse_compute(struct tcg_cpu *c, const struct x86_insn *i, unsigned key,
                           const tcg_xmm *src)
{
    uint32_t flags;
    tcg_xmm r = host_run(c, key, (unsigned)i->imm, i->rex_w, &c->xmm[i->reg], src, &flags);

    flags |= exact_underflow(c, key, &r);
    /* An unmasked underflow or overflow: PE as the CPU reports it then. */
    if (((flags & MXCSR_UE) && !(c->mxcsr & MXCSR_UM) && !(flags & MXCSR_OE)) ||
        ((flags & MXCSR_OE) && !(c->mxcsr & MXCSR_OM)))
        flags = (flags & ~MXCSR_PE) | unbounded_inexact(c, key, &c->xmm[i->reg], src);
    sse_exceptions(c, i, flags);
    return r;
}

/* SQRT RSQRT RCP ADD MUL CVT SUB MIN DIV MAX (51-5F), CMPcc (C2), CVT..DQ (E6):
 * xmm1 = xmm1 op xmm2/m. */
static void exec_sse_arith(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned form = sse_form(i);

    tcg__sse_check(c, i);
    tcg_xmm src = sse_source(c, i, source_size(i, form));
    c->xmm[i->reg] = sse_compute(c, i, KEY(i->opcode, form), &src);
}

/* CVTSI2SS, CVTSI2SD xmm, r/m32 (r/m64 with REX.W). */
static void exec_sse_cvtsi2s(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm src;

    tcg__sse_check(c, i);
    memset(&src, 0, sizeof(src));
    src.q[0] = rm_read(c, i, i->rex_w ? 8 : 4);
    c->xmm[i->reg] = sse_compute(c, i, KEY(i->opcode, sse_form(i)), &src);
}

/* CVTTSS2SI, CVTTSD2SI (2C), CVTSS2SI, CVTSD2SI (2D): r32/r64 = xmm/m32 or m64. Out of
 * range and NaN give the integer indefinite, 1 << 31 or 1 << 63, as the host does. */
static void exec_sse_cvts2si(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned form = sse_form(i);

    tcg__sse_check(c, i);
    tcg_xmm src = sse_source(c, i, form == SS ? 4 : 8);
    tcg_xmm r = sse_compute(c, i, KEY(i->opcode, form), &src);
    reg_write(c, i, i->reg, i->rex_w ? 8 : 4, r.q[0]);
}

/* UCOMISS, UCOMISD (2E), COMISS, COMISD (2F): ZF, PF, CF from the comparison (all three
 * for unordered), OF, SF and AF cleared. */
static void exec_sse_comi(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned form = sse_form(i);

    tcg__sse_check(c, i);
    tcg_xmm src = sse_source(c, i, source_size(i, form));
    uint32_t flags;
    tcg_xmm r = host_run(c, KEY(i->opcode, form), 0, 0, &c->xmm[i->reg], &src, &flags);
    sse_exceptions(c, i, flags);
    flags__set_rflags(c, (flags__get_rflags(c) & ~RFLAGS_ARITH) | r.q[0]);
}

/* ------------------------------------------------------------------------------------- */
/* Moves, shuffles, logic                                                                 */

/* MOVUPS, MOVUPD (none, 66: unaligned), MOVSS, MOVSD (F3, F2). 10 loads, 11 stores. A
 * scalar load from memory clears the upper lanes; from a register it keeps them. */
static void exec_sse_mov_ups(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned form = sse_form(i), size = form == SS ? 4 : 8;
    int store = i->opcode == 0x11;
    tcg_xmm v;

    tcg__sse_check(c, i);
    if (form == PS || form == PD) {
        if (store) {
            xmm_rm_write(c, i, &c->xmm[i->reg], 0);
        } else {
            xmm_rm_read(c, i, &v, 0);
            c->xmm[i->reg] = v;
        }
        return;
    }
    int from = store ? i->reg : i->rm_reg, to = store ? i->rm_reg : i->reg;
    if (i->rm_reg == X86_REG_NONE && store) {
        mem_write(c, i, size, size == 4 ? c->xmm[i->reg].d[0] : c->xmm[i->reg].q[0]);
    } else if (i->rm_reg == X86_REG_NONE) {
        memset(&v, 0, sizeof(v));
        v.q[0] = mem_read(c, i, size);
        c->xmm[i->reg] = v;
    } else if (size == 4) {
        c->xmm[to].d[0] = c->xmm[from].d[0];
    } else {
        c->xmm[to].q[0] = c->xmm[from].q[0];
    }
}

/* MOVLPS, MOVLPD (12, 13) and MOVHPS, MOVHPD (16, 17): one 64-bit half from or to m64;
 * with two registers, 0F 12 is MOVHLPS (low = source's high) and 0F 16 MOVLHPS. */
static void exec_sse_mov_half(struct tcg_cpu *c, const struct x86_insn *i)
{
    int high = i->opcode >= 0x16;

    tcg__sse_check(c, i);
    if (i->opcode & 1) { /* 13, 17: the store, to memory only */
        mem_write(c, i, 8, c->xmm[i->reg].q[high]);
        return;
    }
    uint64_t v = i->rm_reg != X86_REG_NONE ? c->xmm[i->rm_reg].q[!high] : mem_read(c, i, 8);
    c->xmm[i->reg].q[high] = v;
}

/* MOVAPS, MOVAPD (28 loads, 29 stores) and MOVNTPS, MOVNTPD (2B): aligned m128. The
 * non-temporal hint changes nothing here. */
static void exec_sse_mov_aps(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm v;

    tcg__sse_check(c, i);
    if (i->opcode == 0x28) {
        xmm_rm_read(c, i, &v, 1);
        c->xmm[i->reg] = v;
    } else {
        xmm_rm_write(c, i, &c->xmm[i->reg], 1);
    }
}

/* UNPCKLPS/PD (14) and UNPCKHPS/PD (15): interleave the low or high halves. */
static void exec_sse_unpck(struct tcg_cpu *c, const struct x86_insn *i)
{
    int h = i->opcode == 0x15;

    tcg__sse_check(c, i);
    tcg_xmm b = sse_source(c, i, 16), a = c->xmm[i->reg], r;
    if (sse_form(i) == PD) {
        r.q[0] = a.q[h];
        r.q[1] = b.q[h];
    } else {
        r.d[0] = a.d[2 * h];
        r.d[1] = b.d[2 * h];
        r.d[2] = a.d[2 * h + 1];
        r.d[3] = b.d[2 * h + 1];
    }
    c->xmm[i->reg] = r;
}

/* SHUFPS, SHUFPD (C6): the low result lanes from the destination, the high ones from the
 * source, each chosen by a field of imm8. */
static void exec_sse_shuf(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned n = (unsigned)i->imm;

    tcg__sse_check(c, i);
    tcg_xmm b = sse_source(c, i, 16), a = c->xmm[i->reg], r;
    if (sse_form(i) == PD) {
        r.q[0] = a.q[n & 1];
        r.q[1] = b.q[(n >> 1) & 1];
    } else {
        r.d[0] = a.d[n & 3];
        r.d[1] = a.d[(n >> 2) & 3];
        r.d[2] = b.d[(n >> 4) & 3];
        r.d[3] = b.d[(n >> 6) & 3];
    }
    c->xmm[i->reg] = r;
}

/* ANDPS/PD, ANDNPS/PD (the destination inverted first), ORPS/PD, XORPS/PD: 54-57. */
static void exec_sse_logic(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__sse_check(c, i);
    tcg_xmm b = sse_source(c, i, 16), a = c->xmm[i->reg];
    for (int k = 0; k < 2; k++) {
        switch (i->opcode) {
        case 0x54:
            a.q[k] &= b.q[k];
            break;
        case 0x55:
            a.q[k] = ~a.q[k] & b.q[k];
            break;
        case 0x56:
            a.q[k] |= b.q[k];
            break;
        default:
            a.q[k] ^= b.q[k];
        }
    }
    c->xmm[i->reg] = a;
}

/* MOVMSKPS, MOVMSKPD (50): the lanes' sign bits into a general register, zero-extended. */
static void exec_sse_movmsk(struct tcg_cpu *c, const struct x86_insn *i)
{
    const tcg_xmm *v = &c->xmm[i->rm_reg];
    uint64_t mask = 0;

    tcg__sse_check(c, i);
    if (sse_form(i) == PD)
        mask = (v->q[0] >> 63) | (v->q[1] >> 63) << 1;
    else
        for (int k = 0; k < 4; k++)
            mask |= (uint64_t)(v->d[k] >> 31) << k;
    c->r[i->reg] = mask;
}

/* ------------------------------------------------------------------------------------- */

void sse__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    (void)one;
    two[0x10] = two[0x11] = exec_sse_mov_ups;
    two[0x12] = two[0x13] = two[0x16] = two[0x17] = exec_sse_mov_half;
    two[0x14] = two[0x15] = exec_sse_unpck;
    two[0x28] = two[0x29] = two[0x2B] = exec_sse_mov_aps;
    two[0x2A] = exec_sse_cvtsi2s;
    two[0x2C] = two[0x2D] = exec_sse_cvts2si;
    two[0x2E] = two[0x2F] = exec_sse_comi;
    two[0x50] = exec_sse_movmsk;
    for (int op = 0x51; op <= 0x5F; op++)
        two[op] = exec_sse_arith;
    two[0x54] = two[0x55] = two[0x56] = two[0x57] = exec_sse_logic;
    two[0xC2] = two[0xE6] = exec_sse_arith;
    two[0xC6] = exec_sse_shuf;
}
