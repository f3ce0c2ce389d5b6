/*
 * lab-hadd.c - the test guest of lab "sse3-hadd" (chapter 6): SSE3's horizontal adds
 * HADDPD (66 0F 7C) and HADDPS (F2 0F 7C) on edge values, every result printed as bits.
 *
 * HADDPS adds neighbouring lanes: the low half of the result holds x0+x1 and x2+x3 of the
 * destination, the high half y0+y1 and y2+y3 of the source; HADDPD gives x0+x1 and
 * y0+y1. Each test loads XMM0 from sse_a and XMM1 from sse_b, MXCSR from mx_in, runs one
 * instruction, and prints XMM0 (lanes high to low), MXCSR after it and any exception: #6
 * (#UD, an interpreter without the instruction), #19 (#XM, an unmasked exception), #13
 * (#GP, a misaligned m128). Built with -DSSE_ON_HOST, the same tests run as a Linux
 * program on the host's CPU, whose output is the reference the lab's grader compares.
 */
#define SSE_NAME_WIDTH "12" /* "haddps UEftz" */
#include "sse_harness.h"

/* A test: insn runs between the loads and the stores. */
#define TEST(fn, insn)                                                                             \
    static void fn(void)                                                                           \
    {                                                                                              \
        __asm__ volatile("movaps sse_a(%%rip), %%xmm0\n\tmovaps sse_b(%%rip), %%xmm1\n\t"          \
                         "ldmxcsr mx_in(%%rip)\n\t"                                                \
                         "leaq 1f(%%rip), %%rax\n\tmovq %%rax, resume(%%rip)\n\t" insn "\n"        \
                         "1:\tstmxcsr mx_out(%%rip)\n\tmovaps %%xmm0, sse_r(%%rip)"                \
                         :                                                                         \
                         :                                                                         \
                         : "rax", "memory", "cc" XMM_CLOBBERS);                                    \
    }

TEST(t_haddpd, "haddpd %%xmm1, %%xmm0")
TEST(t_haddps, "haddps %%xmm1, %%xmm0")
TEST(t_haddpd_m, "haddpd sse_b(%%rip), %%xmm0")
TEST(t_haddps_m, "haddps sse_b(%%rip), %%xmm0")
TEST(t_haddps_same, "haddps %%xmm0, %%xmm0")
TEST(t_haddpd_same, "haddpd %%xmm0, %%xmm0")
/* XMM8 and XMM9 (REX.R, REX.B), with the result moved to XMM0 to be printed. */
TEST(t_haddps_hi, "movaps %%xmm0, %%xmm8\n\tmovaps %%xmm1, %%xmm9\n\t"
                  "haddps %%xmm9, %%xmm8\n\tmovaps %%xmm8, %%xmm0")
TEST(t_haddpd_hi, "movaps %%xmm0, %%xmm9\n\tmovaps %%xmm1, %%xmm8\n\t"
                  "haddpd %%xmm8, %%xmm9\n\tmovaps %%xmm9, %%xmm0")
TEST(t_haddpd_mis, "haddpd sse_m+8(%%rip), %%xmm0")
TEST(t_haddps_mis, "haddps sse_m+4(%%rip), %%xmm0")

/* Operands of this lab's tests only; the others are in sse_harness.h. */
#define F_MAX 0x7f7fffffu
#define D_NEG (1ull << 63)
#define D_MAX 0x7fefffffffffffffull

/* Sets sse_a and sse_b (single precision) and runs the four single forms in every mode. */
static void ps_case(const char *what, const uint32_t a[4], const uint32_t b[4])
{
    printf("-- haddps: %s\n", what);
    for (unsigned m = 0; m < NMODES; m++) {
        set4(sse_a, a[0], a[1], a[2], a[3]);
        set4(sse_b, b[0], b[1], b[2], b[3]);
        run("haddps", t_haddps, modes[m]);
        run("haddps m", t_haddps_m, modes[m]);
        run("haddps x8", t_haddps_hi, modes[m]);
        run("haddps same", t_haddps_same, modes[m]);
    }
}

/* The same for double precision: a and b are the low and high lanes of each operand. */
static void pd_case(const char *what, uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    printf("-- haddpd: %s\n", what);
    for (unsigned m = 0; m < NMODES; m++) {
        set2(sse_a, a0, a1);
        set2(sse_b, b0, b1);
        run("haddpd", t_haddpd, modes[m]);
        run("haddpd m", t_haddpd_m, modes[m]);
        run("haddpd x8", t_haddpd_hi, modes[m]);
        run("haddpd same", t_haddpd_same, modes[m]);
    }
}

static void values(void)
{
    static const uint32_t order_a[4] = {F_1, 0x40000000, 0x40800000, 0x41000000}; /* 1 2 4 8 */
    static const uint32_t order_b[4] = {0x41800000, 0x42000000, 0x42800000, 0x43000000};
    static const uint32_t nan_a[4] = {F_1, F_QNAN, F_INF, 0x00000001};
    static const uint32_t nan_b[4] = {F_SNAN, F_3, F_INF, F_NINF};
    static const uint32_t round_a[4] = {F_1, 0x33800001, 0xbf800000, 0xb3800001};
    static const uint32_t round_b[4] = {F_MAX, F_MAX, 0x00800000, 0x80000001};
    static const uint32_t tiny_a[4] = {0x00000001, 0x00400000, 0x80000000, 0x00000000};
    static const uint32_t tiny_b[4] = {0x00800000, 0x807fffff, F_QNAN, F_SNAN};

    ps_case("1 2 4 8 | 16 32 64 128: which lanes add, and where the sums go", order_a, order_b);
    ps_case("1+qnan, inf+denormal | snan+3, inf+-inf", nan_a, nan_b);
    ps_case("1+2^-24(1+e), -(1+2^-24(1+e)) | max+max, normal-denormal", round_a, round_b);
    ps_case("denormals, -0+0 | normal-denormal, qnan+snan", tiny_a, tiny_b);
    pd_case("1+2 | 4+8", D_1, 0x4000000000000000ull, 0x4010000000000000ull, 0x4020000000000000ull);
    pd_case("1+denormal | 3+-inf", D_1, 1, D_3, D_INF | D_NEG);
    pd_case("qnan+-0 | snan+0", D_QNAN, D_NEG, D_SNAN, 0);
    pd_case("inf+-inf | max+max", D_INF, D_INF | D_NEG, D_MAX, D_MAX);
    pd_case("1+2^-53(1+e) | normal-denormal", D_1, 0x3ca0000000000001ull, 0x0010000000000000ull,
            D_NEG | 1);
}

static void exceptions(void)
{
    printf("-- unmasked exceptions: #XM, the destination unchanged\n");
    set4(sse_a, F_1, F_1, F_INF, F_NINF);
    set4(sse_b, F_1, F_1, F_1, F_1);
    run("haddps IE", t_haddps, 0x1f00);
    run("haddps ie", t_haddps, 0x1f80);
    set4(sse_a, F_1, 0x33800001, F_1, F_1);
    run("haddps PE", t_haddps, 0x0f80);
    run("haddps PE-", t_haddps, 0x0f80 | 0x20); /* PE already set: #XM all the same */
    set4(sse_a, F_1, F_1, F_1, F_1);
    set4(sse_b, F_MAX, 0x7f7ffffe, F_1, F_1); /* inexact, scaled or not */
    run("haddps OE", t_haddps, 0x1b80);
    run("haddps OE+PE", t_haddps, 0x0b80);
    set4(sse_b, 0x00800000, 0x80000001, F_1, F_1); /* an exact denormal result */
    run("haddps UE", t_haddps, 0x1780);
    run("haddps UEftz", t_haddps, 0x9780);
    run("haddps ue", t_haddps, 0x1f80);
    set4(sse_b, 0x00000001, F_1, F_1, F_1); /* a denormal operand */
    run("haddps DE", t_haddps, 0x1e80);
    run("haddps DEdaz", t_haddps, 0x1ec0);
    set2(sse_a, D_1, D_SNAN);
    set2(sse_b, D_3, D_1);
    run("haddpd IE", t_haddpd, 0x1f00);
    set2(sse_a, 0x0010000000000000ull, D_NEG | 1);
    run("haddpd UE", t_haddpd, 0x1780);
    run("haddpd ue", t_haddpd, 0x1f80);

    printf("-- alignment: a legacy SSE m128 operand on 16 bytes, #GP(0)\n");
    set4(sse_a, 0x11111111, 0x22222222, 0x33333333, 0x44444444);
    for (unsigned w = 0; w < 12; w++)
        sse_m[w] = w;
    run("haddpd mis", t_haddpd_mis, modes[0]);
    run("haddps mis", t_haddps_mis, modes[0]);
}

int main(void)
{
    harness_start();
    /* [lab-hadd] */
    set2(sse_a, D_1, D_3);
    set2(sse_b, D_3, D_1);
    run("haddpd", t_haddpd, modes[0]);
    printf("haddpd: %s\n", caught_vector == 6 ? "#UD" : "executed");
    set4(sse_a, F_1, F_3, F_1, F_3);
    set4(sse_b, F_3, F_3, F_1, F_1);
    run("haddps", t_haddps, modes[0]);
    printf("haddps: %s\n", caught_vector == 6 ? "#UD" : "executed");
    /* [lab-hadd] */
    values();
    exceptions();
    printf("done\n");
    return 0;
}
