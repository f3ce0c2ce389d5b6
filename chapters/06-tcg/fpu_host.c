/*
 * fpu_host.c - the host's own x87 as the interpreter's floating-point unit (chapter 6).
 *
 * An x86-64 host has the very FPU the guest expects, so each guest operation is one host
 * instruction: the operands are loaded, the guest's control word is set with every
 * exception masked (but overflow and underflow, which change the result), the instruction
 * runs, and the status word and result are read back.
 * The host's environment (FNSTENV/FLDENV) is saved and restored around it, so the host
 * program's own floating point never notices.
 */
#include "fpu_host.h"

#if !defined(__x86_64__)
#error "the interpreter's x87 runs on the host's x87: an x86-64 host is needed"
#endif

#define FCW_ALL_MASKED 0x3fu /* IM, DM, ZM, OM, UM, PM */
#define FCW_OM         0x08u
#define FCW_UM         0x10u

/* The host's FPU environment, saved around each guest operation and put back after. */
typedef struct {
    uint8_t b[28];
} host_env;

/* [x87-host] */
/* Runs insn with ST(0) = *a and ST(1) = *b under control word cw;
 * fnstsw takes the status right after it, then the stack is stored to r[0..2] top first
 * (entries the operation left empty store the indefinite harmlessly), and the host's
 * environment comes back whole. */
#define HOST_RUN(insn)                                                                             \
    __asm__ volatile(                                                                              \
        "fnstenv %[env]\n\t"                                                                       \
        "fldcw %[cw]\n\t"                                                                          \
        "fnclex\n\t"                                                                               \
        "fldt %[b]\n\t"                                                                            \
        "fldt %[a]\n\t" insn "\n\t"                                                                \
        "fnstsw %[sw]\n\t"                                                                         \
        "fnclex\n\t"                                                                               \
        "fstpt %[r0]\n\t"                                                                          \
        "fstpt %[r1]\n\t"                                                                          \
        "fstpt %[r2]\n\t"                                                                          \
        "fldenv %[env]"                                                                            \
        : [sw] "=m"(sw), [r0] "=m"(r[0]), [r1] "=m"(r[1]), [r2] "=m"(r[2]), [env] "+m"(env)        \
        : [cw] "m"(cw), [a] "m"(*a), [b] "m"(*b))
/* [x87-host] */

/* Performs op on the host x87 under the guest's control word fcw; returns the host's
 * status word after it (its exception flags and condition codes). */
uint16_t fpu_host__run(uint16_t fcw, enum host_op op, const f80 *a, const f80 *b, f80 r[3])
{
    /* Overflow and underflow keep the guest's masks: unmasked, the CPU delivers the
     * result with its exponent rebiased by 24576 (the manual's x87 numeric overflow and
     * underflow exceptions, register destination). FNCLEX after FNSTSW drops the pending
     * exception before the stores that would take it. */
    uint16_t cw = fcw | (FCW_ALL_MASKED & ~(FCW_OM | FCW_UM)), sw = 0;
    host_env env;

    switch (op) {
    case H_ADD:
        HOST_RUN("fadd %%st(1), %%st");
        break;
    case H_MUL:
        HOST_RUN("fmul %%st(1), %%st");
        break;
    case H_COM:
        HOST_RUN("fcom %%st(1)");
        break;
    case H_UCOM:
        HOST_RUN("fucom %%st(1)");
        break;
    case H_SUB:
        HOST_RUN("fsub %%st(1), %%st");
        break;
    case H_SUBR:
        HOST_RUN("fsubr %%st(1), %%st");
        break;
    case H_DIV:
        HOST_RUN("fdiv %%st(1), %%st");
        break;
    case H_DIVR:
        HOST_RUN("fdivr %%st(1), %%st");
        break;
    case H_TST:
        HOST_RUN("ftst");
        break;
    case H_XAM:
        HOST_RUN("fxam");
        break;
    case H_SQRT:
        HOST_RUN("fsqrt");
        break;
    case H_RNDINT:
        HOST_RUN("frndint");
        break;
    case H_CHS:
        HOST_RUN("fchs");
        break;
    case H_ABS:
        HOST_RUN("fabs");
        break;
    case H_SCALE:
        HOST_RUN("fscale");
        break;
    case H_PREM:
        HOST_RUN("fprem");
        break;
    case H_PREM1:
        HOST_RUN("fprem1");
        break;
    case H_XTRACT:
        HOST_RUN("fxtract");
        break;
    case H_SIN:
        HOST_RUN("fsin");
        break;
    case H_COS:
        HOST_RUN("fcos");
        break;
    case H_SINCOS:
        HOST_RUN("fsincos");
        break;
    case H_PTAN:
        HOST_RUN("fptan");
        break;
    case H_PATAN:
        HOST_RUN("fpatan");
        break;
    case H_2XM1:
        HOST_RUN("f2xm1");
        break;
    case H_YL2X:
        HOST_RUN("fyl2x");
        break;
    case H_YL2XP1:
        HOST_RUN("fyl2xp1");
        break;
    case H_LD1:
        HOST_RUN("fld1");
        break;
    case H_LDL2T:
        HOST_RUN("fldl2t");
        break;
    case H_LDL2E:
        HOST_RUN("fldl2e");
        break;
    case H_LDPI:
        HOST_RUN("fldpi");
        break;
    case H_LDLG2:
        HOST_RUN("fldlg2");
        break;
    case H_LDLN2:
        HOST_RUN("fldln2");
        break;
    case H_LDZ:
        HOST_RUN("fldz");
        break;
    case H_COMI:
        HOST_RUN("fcom %%st(1)");
        break;
    case H_UCOMI:
        HOST_RUN("fucom %%st(1)");
        break;
    }
    return sw;
}

unsigned fpu_host__size(enum mem_kind k)
{
    static const unsigned size[] = {4, 8, 2, 4, 8, 2, 4, 8};
    return size[k];
}

#define HOST_LOAD(insn)                                                                            \
    __asm__ volatile("fnstenv %[env]\n\tfldcw %[cw]\n\tfnclex\n\t" insn " %[m]\n\t"                \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfldenv %[env]"                                 \
                     : [sw] "=m"(sw), [r] "=m"(*r), [env] "+m"(env)                                \
                     : [cw] "m"(cw), [m] "m"(m))

/* Converts the memory operand m (in its low bytes) of kind k to 80 bits in *r. */
uint16_t fpu_host__load(uint16_t fcw, enum mem_kind k, uint64_t m, f80 *r)
{
    uint16_t cw = fcw | FCW_ALL_MASKED, sw = 0;
    host_env env;

    switch (k) {
    case M_F32:
        HOST_LOAD("flds");
        break;
    case M_F64:
        HOST_LOAD("fldl");
        break;
    case M_I16:
        HOST_LOAD("filds");
        break;
    case M_I32:
        HOST_LOAD("fildl");
        break;
    default:
        HOST_LOAD("fildll");
        break;
    }
    return sw;
}

#define HOST_STORE(insn)                                                                           \
    __asm__ volatile("fnstenv %[env]\n\tfldcw %[cw]\n\tfnclex\n\tfldt %[a]\n\t" insn               \
                     " %[m]\n\tfnstsw %[sw]\n\tfldenv %[env]"                                      \
                     : [sw] "=m"(sw), [m] "=m"(*m), [env] "+m"(env)                                \
                     : [cw] "m"(cw), [a] "m"(*a))

/* Converts *a to kind k under fcw into *m (its low bytes; the rest stay 0). */
uint16_t fpu_host__store(uint16_t fcw, enum mem_kind k, const f80 *a, uint64_t *m)
{
    uint16_t cw = fcw | FCW_ALL_MASKED, sw = 0;
    host_env env;

    *m = 0;
    switch (k) {
    case M_F32:
        HOST_STORE("fstps");
        break;
    case M_F64:
        HOST_STORE("fstpl");
        break;
    case M_I16:
        HOST_STORE("fistps");
        break;
    case M_I32:
        HOST_STORE("fistpl");
        break;
    case M_I64:
        HOST_STORE("fistpll");
        break;
    case M_TT16:
        HOST_STORE("fisttps");
        break;
    case M_TT32:
        HOST_STORE("fisttpl");
        break;
    case M_TT64:
        HOST_STORE("fisttpll");
        break;
    }
    return sw;
}
