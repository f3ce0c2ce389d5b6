/*
 * sse.c - a guest that runs the SSE and SSE2 floating-point instructions on edge values
 * and prints every result as bits (chapter 6): NaNs, infinities, denormals with DAZ and
 * FTZ, the four rounding modes, the integer indefinite, and the exceptions: #XM for an
 * unmasked one (#UD without CR4.OSXMMEXCPT), #GP for a misaligned MOVAPS.
 *
 * The runtime is built without SSE code (-mgeneral-regs-only), so every instruction is
 * written in inline assembly: each test loads XMM0 from sse_a and XMM1 from sse_b, loads
 * MXCSR from mx_in, runs its instruction, and stores XMM0, MXCSR, RCX and RFLAGS; an
 * exception is caught and the test goes on (sse_harness.h).
 */
#include "sse_harness.h"

uint64_t gpr_in, gpr_out, flags_out; /* named in the assembly */

/* A test: insn runs between the loads and the stores; RCX starts as 0x1111111111111111,
 * RFLAGS with PF alone. */
#define TEST(fn, insn)                                                                             \
    static void fn(void)                                                                           \
    {                                                                                              \
        __asm__ volatile("movaps sse_a(%%rip), %%xmm0\n\tmovaps sse_b(%%rip), %%xmm1\n\t"          \
                         "movabsq $0x1111111111111111, %%rcx\n\ttestq %%rcx, %%rcx\n\t"            \
                         "ldmxcsr mx_in(%%rip)\n\t"                                                \
                         "leaq 1f(%%rip), %%rax\n\tmovq %%rax, resume(%%rip)\n\t" insn "\n"        \
                         "1:\tstmxcsr mx_out(%%rip)\n\tpushfq\n\tpopq flags_out(%%rip)\n\t"        \
                         "movaps %%xmm0, sse_r(%%rip)\n\tmovq %%rcx, gpr_out(%%rip)"               \
                         :                                                                         \
                         :                                                                         \
                         : "rax", "rcx", "rdx", "memory", "cc" XMM_CLOBBERS);                      \
    }

/* The same, printing RCX (conversions to integers) or ZF PF CF OF SF AF (comparisons). */
static void run_gpr(const char *name, void (*fn)(void), uint32_t mx, int flags)
{
    mx_in = mx;
    caught_vector = NONE;
    fn();
    printf("%-10s %04x: %016lx mx %04x", name, mx, flags ? flags_out & 0x8d5 : gpr_out, mx_out);
    print_caught();
}

/* ---- Arithmetic ---- */

TEST(t_addps, "addps %%xmm1, %%xmm0")
TEST(t_subps, "subps %%xmm1, %%xmm0")
TEST(t_mulps, "mulps %%xmm1, %%xmm0")
TEST(t_divps, "divps %%xmm1, %%xmm0")
TEST(t_minps, "minps %%xmm1, %%xmm0")
TEST(t_maxps, "maxps %%xmm1, %%xmm0")
TEST(t_sqrtps, "sqrtps %%xmm1, %%xmm0")
TEST(t_addpd, "addpd %%xmm1, %%xmm0")
TEST(t_subpd, "subpd %%xmm1, %%xmm0")
TEST(t_mulpd, "mulpd %%xmm1, %%xmm0")
TEST(t_divpd, "divpd %%xmm1, %%xmm0")
TEST(t_minpd, "minpd %%xmm1, %%xmm0")
TEST(t_maxpd, "maxpd %%xmm1, %%xmm0")
TEST(t_sqrtpd, "sqrtpd %%xmm1, %%xmm0")
TEST(t_addss, "addss %%xmm1, %%xmm0")
TEST(t_divss, "divss %%xmm1, %%xmm0")
TEST(t_mulss, "mulss %%xmm1, %%xmm0")
TEST(t_subss_m, "subss sse_b(%%rip), %%xmm0")
TEST(t_minss, "minss %%xmm1, %%xmm0")
TEST(t_maxss, "maxss %%xmm1, %%xmm0")
TEST(t_sqrtss, "sqrtss %%xmm1, %%xmm0")
TEST(t_addsd, "addsd %%xmm1, %%xmm0")
TEST(t_divsd_m, "divsd sse_b(%%rip), %%xmm0")
TEST(t_mulsd, "mulsd %%xmm1, %%xmm0")
TEST(t_subsd, "subsd %%xmm1, %%xmm0")
TEST(t_minsd, "minsd %%xmm1, %%xmm0")
TEST(t_maxsd, "maxsd %%xmm1, %%xmm0")
TEST(t_sqrtsd, "sqrtsd %%xmm1, %%xmm0")

static void arithmetic(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } ps[] = {{"addps", t_addps}, {"subps", t_subps}, {"mulps", t_mulps},  {"divps", t_divps},
              {"minps", t_minps}, {"maxps", t_maxps}, {"sqrtps", t_sqrtps}},
      pd[] = {{"addpd", t_addpd}, {"subpd", t_subpd}, {"mulpd", t_mulpd},  {"divpd", t_divpd},
              {"minpd", t_minpd}, {"maxpd", t_maxpd}, {"sqrtpd", t_sqrtpd}},
      ss[] = {{"addss", t_addss}, {"divss", t_divss}, {"mulss", t_mulss},  {"subss m", t_subss_m},
              {"minss", t_minss}, {"maxss", t_maxss}, {"sqrtss", t_sqrtss}},
      sd[] = {{"addsd", t_addsd}, {"divsd m", t_divsd_m}, {"mulsd", t_mulsd},  {"subsd", t_subsd},
              {"minsd", t_minsd}, {"maxsd", t_maxsd},     {"sqrtsd", t_sqrtsd}};

    printf("-- packed single: 1 qnan inf denormal op 3 snan -inf denormal\n");
    set4(sse_a, F_1, F_QNAN, F_INF, 0x00000001);
    set4(sse_b, F_3, F_SNAN, F_NINF, 0x00400000);
    for (unsigned k = 0; k < sizeof(ps) / sizeof(ps[0]); k++)
        for (unsigned m = 0; m < NMODES; m++)
            run(ps[k].name, ps[k].fn, modes[m]);
    printf("-- packed single: -1/3 class, 0 and -0, tiny products\n");
    set4(sse_a, 0xbf800000, 0x00000000, 0x1c800001, 0x80800000);
    set4(sse_b, F_3, 0x80000000, 0x1c800000, 0x3f000000);
    for (unsigned k = 0; k < sizeof(ps) / sizeof(ps[0]); k++)
        for (unsigned m = 0; m < NMODES; m++)
            run(ps[k].name, ps[k].fn, modes[m]);
    printf("-- packed double: 1 denormal op 3 -inf, then qnan -0 op snan 0\n");
    for (unsigned k = 0; k < sizeof(pd) / sizeof(pd[0]); k++) {
        for (unsigned m = 0; m < NMODES; m++) {
            set2(sse_a, D_1, 1);
            set2(sse_b, D_3, D_INF | 1ull << 63);
            run(pd[k].name, pd[k].fn, modes[m]);
        }
        set2(sse_a, D_QNAN, 1ull << 63);
        set2(sse_b, D_SNAN, 0);
        run(pd[k].name, pd[k].fn, modes[0]);
    }
    printf("-- scalar single: 1 op 3, upper lanes kept; 2^-70 op 2^-70; nan op 1\n");
    for (unsigned k = 0; k < sizeof(ss) / sizeof(ss[0]); k++) {
        for (unsigned m = 0; m < NMODES; m++) {
            set4(sse_a, F_1, 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc);
            set4(sse_b, F_3, 0x11111111, 0x22222222, 0x33333333);
            run(ss[k].name, ss[k].fn, modes[m]);
            set4(sse_a, 0x1c800000, 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc);
            set4(sse_b, 0x1c800000, 0x11111111, 0x22222222, 0x33333333);
            run(ss[k].name, ss[k].fn, modes[m]);
        }
        set4(sse_a, F_QNAN, 0, 0, 0);
        set4(sse_b, F_1, 0, 0, 0);
        run(ss[k].name, ss[k].fn, modes[0]);
        set4(sse_a, 0, 0, 0, 0);
        set4(sse_b, 0x80000000, 0, 0, 0);
        run(ss[k].name, ss[k].fn, modes[0]);
    }
    printf("-- scalar double: 1 op 3, upper lane kept; snan op 1; 1e-300 op 1e-300\n");
    for (unsigned k = 0; k < sizeof(sd) / sizeof(sd[0]); k++) {
        for (unsigned m = 0; m < NMODES; m++) {
            set2(sse_a, D_1, 0xaaaaaaaabbbbbbbbull);
            set2(sse_b, D_3, 0x1111111122222222ull);
            run(sd[k].name, sd[k].fn, modes[m]);
            set2(sse_a, 0x01a56e1fc2f8f359ull, 0);
            set2(sse_b, 0x01a56e1fc2f8f359ull, 0);
            run(sd[k].name, sd[k].fn, modes[m]);
        }
        set2(sse_a, D_SNAN, 0);
        set2(sse_b, D_1, 0);
        run(sd[k].name, sd[k].fn, modes[0]);
    }
}

/* ---- Comparisons ---- */

TEST(t_cmpeqps, "cmpps $0, %%xmm1, %%xmm0")
TEST(t_cmpltps, "cmpps $1, %%xmm1, %%xmm0")
TEST(t_cmpleps, "cmpps $2, %%xmm1, %%xmm0")
TEST(t_cmpunordps, "cmpps $3, %%xmm1, %%xmm0")
TEST(t_cmpneqps, "cmpps $4, %%xmm1, %%xmm0")
TEST(t_cmpnltps, "cmpps $5, %%xmm1, %%xmm0")
TEST(t_cmpnleps, "cmpps $6, %%xmm1, %%xmm0")
TEST(t_cmpordps, "cmpps $7, %%xmm1, %%xmm0")
TEST(t_cmpltpd, "cmppd $1, %%xmm1, %%xmm0")
TEST(t_cmpeqpd, "cmppd $0, %%xmm1, %%xmm0")
TEST(t_cmpless, "cmpss $2, %%xmm1, %%xmm0")
TEST(t_cmpneqsd, "cmpsd $4, %%xmm1, %%xmm0")
TEST(t_cmpunordsd, "cmpsd $0xfb, sse_b(%%rip), %%xmm0")
TEST(t_comiss, "comiss %%xmm1, %%xmm0")
TEST(t_ucomiss, "ucomiss %%xmm1, %%xmm0")
TEST(t_comisd, "comisd %%xmm1, %%xmm0")
TEST(t_ucomisd_m, "ucomisd sse_b(%%rip), %%xmm0")

static void comparisons(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } cmp[] = {{"cmpeqps", t_cmpeqps},       {"cmpltps", t_cmpltps},   {"cmpleps", t_cmpleps},
               {"cmpunordps", t_cmpunordps}, {"cmpneqps", t_cmpneqps}, {"cmpnltps", t_cmpnltps},
               {"cmpnleps", t_cmpnleps},     {"cmpordps", t_cmpordps}, {"cmpltpd", t_cmpltpd},
               {"cmpeqpd", t_cmpeqpd},       {"cmpless", t_cmpless},   {"cmpneqsd", t_cmpneqsd},
               {"cmpunordsd", t_cmpunordsd}};
    static const uint32_t single[][2] = {{F_1, F_3},    {F_3, F_1},    {F_1, F_1},
                                         {F_QNAN, F_1}, {F_SNAN, F_1}, {0, 0x80000000}};

    printf("-- compare: 1 qnan snan 3 op 3 1 1 3\n");
    for (unsigned k = 0; k < sizeof(cmp) / sizeof(cmp[0]); k++) {
        set4(sse_a, F_1, F_QNAN, F_SNAN, F_3);
        set4(sse_b, F_3, F_1, F_1, F_3);
        if (k == 8 || k == 9 || k == 11 || k == 12) {
            set2(sse_a, D_1, D_QNAN);
            set2(sse_b, D_3, D_1);
        }
        run(cmp[k].name, cmp[k].fn, modes[0]);
    }
    printf("-- (u)comis: flags (ZF PF CF; OF SF AF clear)\n");
    for (unsigned k = 0; k < sizeof(single) / sizeof(single[0]); k++) {
        set4(sse_a, single[k][0], 0, 0, 0);
        set4(sse_b, single[k][1], 0, 0, 0);
        run_gpr("comiss", t_comiss, modes[0], 1);
        run_gpr("ucomiss", t_ucomiss, modes[0], 1);
    }
    set2(sse_a, D_QNAN, 0);
    set2(sse_b, D_1, 0);
    run_gpr("comisd", t_comisd, modes[0], 1);
    run_gpr("ucomisd m", t_ucomisd_m, modes[0], 1);
    set2(sse_a, D_1, 0);
    run_gpr("comisd", t_comisd, modes[0], 1);
    run_gpr("ucomisd m", t_ucomisd_m, 0x9fc0, 1);
}

/* ---- Conversions ---- */

TEST(t_cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
TEST(t_cvttps2dq, "cvttps2dq %%xmm1, %%xmm0")
TEST(t_cvtdq2ps, "cvtdq2ps %%xmm1, %%xmm0")
TEST(t_cvtps2pd, "cvtps2pd %%xmm1, %%xmm0")
TEST(t_cvtps2pd_m, "cvtps2pd sse_m+4(%%rip), %%xmm0")
TEST(t_cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
TEST(t_cvtss2sd, "cvtss2sd %%xmm1, %%xmm0")
TEST(t_cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
TEST(t_cvtdq2pd, "cvtdq2pd %%xmm1, %%xmm0")
TEST(t_cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm0")
TEST(t_cvttpd2dq, "cvttpd2dq %%xmm1, %%xmm0")
TEST(t_cvtss2si, "cvtss2si %%xmm1, %%ecx")
TEST(t_cvtss2si64, "cvtss2si %%xmm1, %%rcx")
TEST(t_cvttss2si, "cvttss2si sse_b(%%rip), %%ecx")
TEST(t_cvttss2si64, "cvttss2si %%xmm1, %%rcx")
TEST(t_cvtsd2si, "cvtsd2si %%xmm1, %%ecx")
TEST(t_cvtsd2si64, "cvtsd2si sse_b(%%rip), %%rcx")
TEST(t_cvttsd2si, "cvttsd2si %%xmm1, %%ecx")
TEST(t_cvttsd2si64, "cvttsd2si %%xmm1, %%rcx")
TEST(t_cvtsi2ss, "cvtsi2ssl gpr_in(%%rip), %%xmm0")
TEST(t_cvtsi2ss64, "movq gpr_in(%%rip), %%rdx\n\tcvtsi2ssq %%rdx, %%xmm0")
TEST(t_cvtsi2sd, "movq gpr_in(%%rip), %%rdx\n\tcvtsi2sdl %%edx, %%xmm0")
TEST(t_cvtsi2sd64, "cvtsi2sdq gpr_in(%%rip), %%xmm0")

static void conversions(void)
{
    static const uint32_t fvals[] = {0x40200000, 0xc0200000, 0x3fc00000, 0x4f32d05e,
                                     0xdf000000, 0x5f0ac723, F_QNAN,     0xcf000000};
    static const uint64_t dvals[] = {0x4004000000000000ull, 0xc004000000000000ull,
                                     0x41e65a0bc0000000ull, 0xc3e0000000000000ull,
                                     0x43e158e460913d00ull, D_SNAN,
                                     0xc1e0000000200000ull};
    static const uint64_t ivals[] = {0x7fffffffffffffffull, 0xffffffff80000001ull, 16777217,
                                     0x8000000000000001ull};

    printf("-- packed conversions: 2.5 -2.5 1.5 3e9 in each rounding\n");
    for (unsigned m = 0; m < NMODES; m++) {
        set4(sse_a, 0x12345678, 0x12345678, 0x12345678, 0x12345678);
        set4(sse_b, 0x40200000, 0xc0200000, 0x3fc00000, 0x4f32d05e);
        run("cvtps2dq", t_cvtps2dq, modes[m]);
        run("cvttps2dq", t_cvttps2dq, modes[m]);
        set4(sse_b, 0x7fffffff, 0xfffffffd, 16777217, 0x80000000);
        run("cvtdq2ps", t_cvtdq2ps, modes[m]);
        set4(sse_b, 0x3eaaaaab, F_SNAN, 0, 0);
        run("cvtps2pd", t_cvtps2pd, modes[m]);
        set2(sse_b, 0x3fd5555555555555ull, 0x7e37e43c8800759cull);
        run("cvtpd2ps", t_cvtpd2ps, modes[m]);
        set2(sse_b, 0x380fffffe0000000ull, 0x3690000000000000ull); /* tiny for a float */
        run("cvtpd2ps", t_cvtpd2ps, modes[m]);
        set2(sse_b, 0x4004000000000000ull, 0xc415af1d78b58c40ull); /* 2.5, -1e20 */
        run("cvtpd2dq", t_cvtpd2dq, modes[m]);
        run("cvttpd2dq", t_cvttpd2dq, modes[m]);
        set4(sse_b, 0xfffffffd, 0x7fffffff, 0, 0);
        run("cvtdq2pd", t_cvtdq2pd, modes[m]);
        set4(sse_b, 0x00000001, F_3, 0, 0);
        run("cvtss2sd", t_cvtss2sd, modes[m]);
        set2(sse_b, 0x3fd5555555555555ull, 0);
        run("cvtsd2ss", t_cvtsd2ss, modes[m]);
    }
    set4(sse_m, 0, F_1, F_QNAN, 0);
    run("cvtps2pd m", t_cvtps2pd_m, modes[0]);
    printf("-- to integers: 2.5 -2.5 1.5 3e9 -2^63 1e19 nan -2^31\n");
    for (unsigned k = 0; k < sizeof(fvals) / sizeof(fvals[0]); k++) {
        set4(sse_b, fvals[k], 0, 0, 0);
        run_gpr("cvtss2si", t_cvtss2si, modes[3], 0);
        run_gpr("cvtss2si q", t_cvtss2si64, modes[0], 0);
        run_gpr("cvttss2si", t_cvttss2si, modes[0], 0);
        run_gpr("cvttss2siq", t_cvttss2si64, modes[0], 0);
    }
    printf("-- to integers: 2.5 -2.5 3e9 -2^63 1e19 snan -2^31-epsilon\n");
    for (unsigned k = 0; k < sizeof(dvals) / sizeof(dvals[0]); k++) {
        set2(sse_b, dvals[k], 0);
        run_gpr("cvtsd2si", t_cvtsd2si, modes[0], 0);
        run_gpr("cvtsd2si q", t_cvtsd2si64, modes[2], 0);
        run_gpr("cvttsd2si", t_cvttsd2si, modes[0], 0);
        run_gpr("cvttsd2siq", t_cvttsd2si64, modes[0], 0);
    }
    printf("-- from integers: 2^63-1 -2^31+1 2^24+1 -2^63+1, upper lanes kept\n");
    for (unsigned k = 0; k < sizeof(ivals) / sizeof(ivals[0]); k++) {
        gpr_in = ivals[k];
        for (unsigned m = 0; m < NMODES; m++) {
            set4(sse_a, 0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321);
            run("cvtsi2ss", t_cvtsi2ss, modes[m]);
            run("cvtsi2ss q", t_cvtsi2ss64, modes[m]);
            run("cvtsi2sd", t_cvtsi2sd, modes[m]);
            run("cvtsi2sd q", t_cvtsi2sd64, modes[m]);
        }
    }
}

/* ---- Moves, shuffles, logic ---- */

TEST(t_movss, "movss %%xmm1, %%xmm0")
TEST(t_movss_ld, "movss sse_m+4(%%rip), %%xmm0")
TEST(t_movss_st, "movss %%xmm1, sse_m+4(%%rip)\n\tmovups sse_m(%%rip), %%xmm0")
TEST(t_movsd, "movsd %%xmm1, %%xmm0")
TEST(t_movsd_ld, "movsd sse_m+4(%%rip), %%xmm0")
TEST(t_movsd_st, "movsd %%xmm1, sse_m+4(%%rip)\n\tmovupd sse_m(%%rip), %%xmm0")
TEST(t_movups, "movups sse_m+4(%%rip), %%xmm0")
TEST(t_movupd_st, "movupd %%xmm1, sse_m+12(%%rip)\n\tmovups sse_m+16(%%rip), %%xmm0")
TEST(t_movaps, "movaps %%xmm1, %%xmm0")
TEST(t_movapd_st, "movapd %%xmm1, sse_m+16(%%rip)\n\tmovaps sse_m+16(%%rip), %%xmm0")
TEST(t_movntps, "movntps %%xmm1, sse_m(%%rip)\n\tmovapd sse_m(%%rip), %%xmm0")
TEST(t_movntpd, "movntpd %%xmm1, sse_m+32(%%rip)\n\tmovaps sse_m+32(%%rip), %%xmm0")
TEST(t_movhlps, "movhlps %%xmm1, %%xmm0")
TEST(t_movlhps, "movlhps %%xmm1, %%xmm0")
TEST(t_movlps_ld, "movlps sse_m+4(%%rip), %%xmm0")
TEST(t_movhps_ld, "movhps sse_m+4(%%rip), %%xmm0")
TEST(t_movlpd_ld, "movlpd sse_m+4(%%rip), %%xmm0")
TEST(t_movhpd_ld, "movhpd sse_m+4(%%rip), %%xmm0")
TEST(t_movlps_st, "movlps %%xmm1, sse_m+4(%%rip)\n\tmovups sse_m(%%rip), %%xmm0")
TEST(t_movhps_st, "movhps %%xmm1, sse_m+4(%%rip)\n\tmovups sse_m(%%rip), %%xmm0")
TEST(t_movlpd_st, "movlpd %%xmm1, sse_m(%%rip)\n\tmovups sse_m(%%rip), %%xmm0")
TEST(t_movhpd_st, "movhpd %%xmm1, sse_m+8(%%rip)\n\tmovups sse_m(%%rip), %%xmm0")
TEST(t_unpcklps, "unpcklps %%xmm1, %%xmm0")
TEST(t_unpckhps, "unpckhps sse_b(%%rip), %%xmm0")
TEST(t_unpcklpd, "unpcklpd %%xmm1, %%xmm0")
TEST(t_unpckhpd, "unpckhpd %%xmm1, %%xmm0")
TEST(t_shufps, "shufps $0x1b, %%xmm1, %%xmm0")
TEST(t_shufps2, "shufps $0xe4, sse_b(%%rip), %%xmm0")
TEST(t_shufpd, "shufpd $1, %%xmm1, %%xmm0")
TEST(t_shufpd2, "shufpd $2, %%xmm1, %%xmm0")
TEST(t_andps, "andps %%xmm1, %%xmm0")
TEST(t_andnps, "andnps %%xmm1, %%xmm0")
TEST(t_orps, "orps sse_b(%%rip), %%xmm0")
TEST(t_xorps, "xorps %%xmm1, %%xmm0")
TEST(t_andpd, "andpd %%xmm1, %%xmm0")
TEST(t_andnpd, "andnpd %%xmm1, %%xmm0")
TEST(t_orpd, "orpd %%xmm1, %%xmm0")
TEST(t_xorpd, "xorpd %%xmm1, %%xmm0")
TEST(t_movmskps, "movmskps %%xmm0, %%ecx")
TEST(t_movmskpd, "movmskpd %%xmm0, %%rcx")
TEST(t_xmm8, "movaps %%xmm1, %%xmm8\n\taddps %%xmm8, %%xmm8\n\tmovaps %%xmm8, %%xmm0")

static void moves(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } t[] = {{"movss", t_movss},         {"movss ld", t_movss_ld},   {"movss st", t_movss_st},
             {"movsd", t_movsd},         {"movsd ld", t_movsd_ld},   {"movsd st", t_movsd_st},
             {"movups", t_movups},       {"movupd st", t_movupd_st}, {"movaps", t_movaps},
             {"movapd st", t_movapd_st}, {"movntps", t_movntps},     {"movntpd", t_movntpd},
             {"movhlps", t_movhlps},     {"movlhps", t_movlhps},     {"movlps ld", t_movlps_ld},
             {"movhps ld", t_movhps_ld}, {"movlpd ld", t_movlpd_ld}, {"movhpd ld", t_movhpd_ld},
             {"movlps st", t_movlps_st}, {"movhps st", t_movhps_st}, {"movlpd st", t_movlpd_st},
             {"movhpd st", t_movhpd_st}, {"unpcklps", t_unpcklps},   {"unpckhps", t_unpckhps},
             {"unpcklpd", t_unpcklpd},   {"unpckhpd", t_unpckhpd},   {"shufps 1b", t_shufps},
             {"shufps e4", t_shufps2},   {"shufpd 1", t_shufpd},     {"shufpd 2", t_shufpd2},
             {"andps", t_andps},         {"andnps", t_andnps},       {"orps", t_orps},
             {"xorps", t_xorps},         {"andpd", t_andpd},         {"andnpd", t_andnpd},
             {"orpd", t_orpd},           {"xorpd", t_xorpd},         {"xmm8", t_xmm8}};

    printf("-- moves, shuffles, logic\n");
    for (unsigned k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
        set4(sse_a, 0x11111111, 0x80000002, 0x33333333, 0xc4444444);
        set4(sse_b, 0x55555555, 0x66666666, 0xf7777777, 0x08888888);
        for (unsigned w = 0; w < 12; w++)
            sse_m[w] = 0xa0a0a000 + w;
        run(t[k].name, t[k].fn, modes[0]);
    }
    set4(sse_a, 0x11111111, 0x80000002, 0x33333333, 0xc4444444);
    run_gpr("movmskps", t_movmskps, modes[0], 0);
    run_gpr("movmskpd", t_movmskpd, modes[0], 0);
}

/* ---- RCPPS, RSQRTPS: approximations that differ between CPUs ---- */

TEST(t_rcpps, "rcpps %%xmm1, %%xmm0")
TEST(t_rsqrtps, "rsqrtps %%xmm1, %%xmm0")
TEST(t_rcpss, "rcpss %%xmm1, %%xmm0")
TEST(t_rsqrtss, "rsqrtss sse_b(%%rip), %%xmm0")
TEST(t_rcp_check, "rcpps %%xmm1, %%xmm0\n\tmulps %%xmm1, %%xmm0")
TEST(t_rsqrt_check, "rsqrtps %%xmm1, %%xmm0\n\tmulps %%xmm0, %%xmm0\n\tmulps %%xmm1, %%xmm0")

/* Prints whether each lane of sse_r is within 2^-10 of 1.0, the accuracy the SDM promises
 * (1.5 * 2^-12 relative error) with room for the MULPS that checks it. */
static void near_one(const char *name)
{
    printf("%-10s      :", name);
    for (int k = 3; k >= 0; k--)
        printf(sse_r[k] >= 0x3f7fc000 && sse_r[k] <= 0x3f802000 ? " ~1" : " %08x", sse_r[k]);
    printf(" mx %04x\n", mx_out);
}

static void approximations(void)
{
    printf("-- rcp, rsqrt: exact for 0 and inf, else within 1.5 * 2^-12\n");
    set4(sse_a, 0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321);
    set4(sse_b, 0x00000000, 0x80000000, F_INF, F_NINF);
    run("rcpps", t_rcpps, modes[0]);
    run("rcpss", t_rcpss, modes[0]);
    set4(sse_b, 0x00000000, 0x80000000, F_INF, 0xbf800000);
    run("rsqrtps", t_rsqrtps, modes[0]);
    run("rsqrtss", t_rsqrtss, modes[0]);
    set4(sse_b, F_3, 0x3dcccccd, 0x42f60000, 0x7e000000);
    mx_in = modes[0];
    t_rcp_check();
    near_one("rcpps*x");
    t_rsqrt_check();
    near_one("rsqrtps2*x");
}

/* ---- Exceptions ---- */

TEST(t_movaps_mis, "movaps sse_m+4(%%rip), %%xmm0")
TEST(t_movaps_st_mis, "movaps %%xmm1, sse_m+8(%%rip)")
TEST(t_addps_mis, "addps sse_m+4(%%rip), %%xmm0")
TEST(t_addss_mis, "addss sse_m+4(%%rip), %%xmm0")
TEST(t_unpcklps_mis, "unpcklps sse_m+8(%%rip), %%xmm0")
TEST(t_cvtps2pd_mis, "cvtps2pd sse_m+4(%%rip), %%xmm0")

static void exceptions(void)
{
    printf("-- unmasked exceptions: #XM, the destination unchanged\n");
    set4(sse_a, F_1, 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc);
    set4(sse_b, 0x00000000, 0, 0, 0);
    run("divss ZE", t_divss, 0x1d80);
    set4(sse_b, F_3, 0, 0, 0);
    run("divss PE", t_divss, 0x0f80);
    run("divss PE-", t_divss, 0x0f80 | 0x20); /* PE already set: #XM all the same */
    set4(sse_a, 0x7e967699, 0, 0, 0);         /* 1e38 */
    set4(sse_b, 0x7e967699, 0, 0, 0);
    run("mulss OE", t_mulss, 0x1b80);
    run("mulss OE+PE", t_mulss, 0x0b80);
    run("mulss oe", t_mulss, 0x1f80);
    set4(sse_a, 0x1c800000, 0, 0, 0);
    set4(sse_b, 0x1c800000, 0, 0, 0);
    run("mulss UE", t_mulss, 0x1780); /* an exact tiny result: underflow when unmasked */
    run("mulss UEftz", t_mulss, 0x9780);
    run("mulss ue", t_mulss, 0x1f80); /* masked: a denormal, no flag */
    run("mulss ueftz", t_mulss, 0x9f80);
    set4(sse_a, 0x1c800001, 0, 0, 0);
    run("mulss UEin", t_mulss, 0x1780);
    run("mulss UE+PE", t_mulss, 0x0780);
    set4(sse_a, 0x00000001, 0, 0, 0);
    set4(sse_b, F_1, 0, 0, 0);
    run("addss DE", t_addss, 0x1e80);
    run("addss DEdaz", t_addss, 0x1ec0);
    printf("-- packed: one lane's invalid stops all; pre-computation first\n");
    set4(sse_a, F_1, 0x3f800001, F_INF, F_1);
    set4(sse_b, F_1, 0x30800000, F_NINF, F_1);
    run("addps IE", t_addps, 0x1f00);
    run("addps PE", t_addps, 0x0f80);
    run("addps IE+PE", t_addps, 0x0f00);
    set2(sse_a, D_1, D_SNAN);
    set2(sse_b, D_3, D_1);
    run("divpd IE", t_divpd, 0x1f00);
    set4(sse_b, F_SNAN, 0, 0, 0);
    run_gpr("cvtss2si IE", t_cvtss2si, 0x1f00, 0);
    set4(sse_a, F_QNAN, 0, 0, 0);
    set4(sse_b, F_1, 0, 0, 0);
    run_gpr("comiss IE", t_comiss, 0x1f00, 1);
    run_gpr("ucomiss", t_ucomiss, 0x1f00, 1);
    set4(sse_a, F_QNAN, F_1, F_1, F_1);
    set4(sse_b, F_1, F_1, F_1, F_1);
    run("cmpltps IE", t_cmpltps, 0x1f00);
    run("cmpeqps", t_cmpeqps, 0x1f00);

    printf("-- alignment: legacy SSE m128 operands on 16 bytes, #GP(0)\n");
    set4(sse_a, 0x11111111, 0x22222222, 0x33333333, 0x44444444);
    for (unsigned w = 0; w < 12; w++)
        sse_m[w] = w;
    run("movaps mis", t_movaps_mis, modes[0]);
    run("movaps st", t_movaps_st_mis, modes[0]);
    printf("           error %lx, memory %08x %08x %08x\n", caught_error, sse_m[2], sse_m[3],
           sse_m[4]);
    run("addps mis", t_addps_mis, modes[0]);
    run("unpcklps m", t_unpcklps_mis, modes[0]);
    run("addss mis", t_addss_mis, modes[0]);
    run("cvtps2pd m", t_cvtps2pd_mis, modes[0]);
    run("movups mis", t_movups, modes[0]);
}

#ifndef SSE_ON_HOST
/* Last, as the host cannot run them: the OS's say in CR4 on SSE and its exceptions. */
static void cr4_cases(void)
{
    uint64_t cr4 = read_cr4();

    printf("-- without CR4.OSXMMEXCPT: #UD instead\n");
    write_cr4(cr4 & ~CR4_OSXMMEXCPT);
    set4(sse_a, F_1, 0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc);
    set4(sse_b, 0x00000000, 0, 0, 0);
    run("divss ZE", t_divss, 0x1d80);
    run("divss ze", t_divss, 0x1f80);
    write_cr4(cr4);

    printf("-- without CR4.OSFXSR: #UD\n");
    write_cr4(cr4 & ~(CR4_OSFXSR | CR4_OSXMMEXCPT));
    caught_vector = NONE;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, resume(%%rip)\n\t"
                     "addps %%xmm1, %%xmm0\n1:"
                     :
                     :
                     : "rax", "memory");
    write_cr4(cr4);
    printf("addps: #%lu\n", caught_vector);
}
#endif

int main(void)
{
    harness_start();
    arithmetic();
    comparisons();
    conversions();
    moves();
    approximations();
    exceptions();
#ifndef SSE_ON_HOST
    cr4_cases();
#endif
    printf("done\n");
    return 0;
}
