/*
 * simd.c - a guest that runs every SSE2 integer instruction on edge values and prints the
 * results in hex (chapter 6), so that the interpreter's answers are compared with QEMU's
 * (simd.expected). The runtime is built without SSE code: the instructions are inline
 * assembly, and the guest turns SSE on itself (CR4.OSFXSR). Last come the faults: an
 * m128 operand that is not 16-byte aligned (#GP), SSE with CR4.OSFXSR clear (#UD) and
 * with CR0.TS set (#NM), caught by handlers that resume after the instruction.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <trap.h>
#include <x86.h>

#define CR0_EM     (1ull << 2)
#define CR0_TS     (1ull << 3)
#define CR4_OSFXSR (1ull << 9)

typedef struct {
    uint64_t lo, hi;
} __attribute__((aligned(16))) v128;

/* Bytes, words, doublewords and quadwords at their saturation and sign edges. */
static const v128 vals[] = {
    {0x80017fff8000ff7full, 0x00ff0102fffe8081ull},
    {0x7f80ff0180007fffull, 0x0101ff807f00fffeull},
    {0xffffffff80000000ull, 0x7fffffff00000001ull},
    {0x8000000000000000ull, 0x7fffffffffffffffull},
};

static void print_v(const char *name, const v128 *v)
{
    printf("%-16s %016lx %016lx\n", name, v->hi, v->lo);
}

static void write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* ---- Two-operand instructions: xmm0 = op(xmm0, xmm1), and op(xmm0, m128) ---- */

#define BIN(op)                                                                                    \
    static void op##_r(v128 *d, const v128 *s)                                                     \
    {                                                                                              \
        __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t" #op " %%xmm1, %%xmm0\n\t"    \
                         "movdqu %%xmm0, %0"                                                       \
                         : "+m"(*d)                                                                \
                         : "m"(*s));                                                               \
    }                                                                                              \
    static void op##_m(v128 *d, const v128 *s)                                                     \
    {                                                                                              \
        __asm__ volatile("movdqu %0, %%xmm0\n\t" #op " %1, %%xmm0\n\tmovdqu %%xmm0, %0"            \
                         : "+m"(*d)                                                                \
                         : "m"(*s));                                                               \
    }

/* The list, laid out by hand (clang-format would stair-step it). */
/* clang-format off */
#define BINOPS(X)                                                                          \
    X(punpcklbw) X(punpcklwd) X(punpckldq) X(packsswb) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd)   \
    X(packuswb) X(punpckhbw) X(punpckhwd) X(punpckhdq) X(packssdw) X(punpcklqdq)          \
    X(punpckhqdq) X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(psrlw) X(psrld) X(psrlq) X(paddq)    \
    X(pmullw) X(psubusb) X(psubusw) X(pminub) X(pand) X(paddusb) X(paddusw) X(pmaxub)     \
    X(pandn) X(pavgb) X(psraw) X(psrad) X(pavgw) X(pmulhuw) X(pmulhw) X(psubsb) X(psubsw) \
    X(pminsw) X(por) X(paddsb) X(paddsw) X(pmaxsw) X(pxor) X(psllw) X(pslld) X(psllq)     \
    X(pmuludq) X(pmaddwd) X(psadbw) X(psubb) X(psubw) X(psubd) X(psubq) X(paddb) X(paddw) \
    X(paddd)
/* clang-format on */

BINOPS(BIN)

#define ENTRY(op) {#op, op##_r, op##_m},
static const struct {
    const char *name;
    void (*reg)(v128 *, const v128 *);
    void (*mem)(v128 *, const v128 *);
} binops[] = {BINOPS(ENTRY)};

/* Every pair of values, register source then memory source. */
static void test_binops(void)
{
    for (unsigned k = 0; k < sizeof(binops) / sizeof(binops[0]); k++)
        for (unsigned a = 0; a < 4; a++) {
            v128 d = vals[a];
            if (a & 1)
                binops[k].mem(&d, &vals[a ^ 1]);
            else
                binops[k].reg(&d, &vals[a ^ 1]);
            print_v(binops[k].name, &d);
        }
}

/* ---- Shifts by a register count, by an immediate, and the whole-register shifts ---- */

static const char *const shift_names[] = {"psrlw", "psrld", "psrlq", "psraw",
                                          "psrad", "psllw", "pslld", "psllq"};

static void test_shift_counts(void)
{
    static const uint64_t counts[] = {0, 1, 15, 16, 31, 32, 63, 64, 0x100000001ull};
    void (*fns[])(v128 *, const v128 *) = {psrlw_r, psrld_r, psrlq_r, psraw_r,
                                           psrad_r, psllw_r, pslld_r, psllq_r};

    for (unsigned k = 0; k < 8; k++)
        for (unsigned n = 0; n < sizeof(counts) / sizeof(counts[0]); n++) {
            v128 d = vals[0], count = {counts[n], 0x5}; /* the upper quadword does not count */
            fns[k](&d, &count);
            char name[32];
            snprintf(name, sizeof(name), "%s %lx", shift_names[k], counts[n]);
            print_v(name, &d);
        }
}

/* op $n, %xmm2 for the immediates test_shift_imm uses (an immediate is part of the code). */
#define SHIFT_CASE(op, n)                                                                          \
    case n:                                                                                        \
        __asm__ volatile("movdqu %0, %%xmm2\n\t" #op " $" #n ", %%xmm2\n\tmovdqu %%xmm2, %0"       \
                         : "+m"(*d));                                                              \
        break;
#define SHIFT_IMM(op)                                                                              \
    static void op##_i(v128 *d, int n)                                                             \
    {                                                                                              \
        switch (n) {                                                                               \
            SHIFT_CASE(op, 0)                                                                      \
            SHIFT_CASE(op, 1)                                                                      \
            SHIFT_CASE(op, 7)                                                                      \
            SHIFT_CASE(op, 15)                                                                     \
            SHIFT_CASE(op, 16)                                                                     \
            SHIFT_CASE(op, 33)                                                                     \
            SHIFT_CASE(op, 64)                                                                     \
            SHIFT_CASE(op, 255)                                                                    \
        }                                                                                          \
    }
/* clang-format off */
#define SHIFTS_IMM(X) \
    X(psrlw) X(psraw) X(psllw) X(psrld) X(psrad) X(pslld) X(psrlq) X(psllq) X(psrldq) X(pslldq)
/* clang-format on */
SHIFTS_IMM(SHIFT_IMM)
#define SHIFT_ENTRY(op) {#op, op##_i},

static void test_shift_imm(void)
{
    static const int imms[] = {0, 1, 7, 15, 16, 33, 64, 255};
    static const struct {
        const char *name;
        void (*fn)(v128 *, int);
    } ops[] = {SHIFTS_IMM(SHIFT_ENTRY)};

    for (unsigned k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
        for (unsigned n = 0; n < sizeof(imms) / sizeof(imms[0]); n++) {
            v128 d = vals[1];
            ops[k].fn(&d, imms[n]);
            char name[32];
            snprintf(name, sizeof(name), "%s $%d", ops[k].name, imms[n]);
            print_v(name, &d);
        }
}

/* ---- Shuffles ---- */

#define PSHUF(op, imm)                                                                             \
    do {                                                                                           \
        v128 d;                                                                                    \
        __asm__ volatile(#op " $" #imm ", %1, %%xmm3\n\tmovdqu %%xmm3, %0"                         \
                         : "=m"(d)                                                                 \
                         : "m"(vals[0]));                                                          \
        print_v(#op " " #imm, &d);                                                                 \
        __asm__ volatile("movdqa %1, %%xmm4\n\t" #op " $" #imm ", %%xmm4, %%xmm3\n\t"              \
                         "movdqu %%xmm3, %0"                                                       \
                         : "=m"(d)                                                                 \
                         : "m"(vals[1]));                                                          \
        print_v(#op " " #imm, &d);                                                                 \
    } while (0)

static void test_shuffles(void)
{
    PSHUF(pshufd, 0x1b);
    PSHUF(pshufd, 0xe4);
    PSHUF(pshufd, 0x00);
    PSHUF(pshufhw, 0x1b);
    PSHUF(pshufhw, 0xff);
    PSHUF(pshuflw, 0x1b);
    PSHUF(pshuflw, 0x55);
}

/* ---- Moves ---- */

static void test_moves(void)
{
    static v128 buf[3];
    uint64_t r, r2;
    v128 d;

    /* MOVD/MOVQ from a GPR and memory: the rest of the register is cleared. */
    __asm__ volatile("movdqa %2, %%xmm5\n\tmovd %3, %%xmm5\n\tmovdqu %%xmm5, %0\n\t"
                     "movdqa %2, %%xmm6\n\tmovq %4, %%xmm6\n\tmovdqu %%xmm6, %1"
                     : "=m"(d), "=m"(buf[2])
                     : "m"(vals[3]), "r"(0x89abcdefu), "r"(0x0123456789abcdefull));
    print_v("movd r32", &d);
    print_v("movq r64", &buf[2]);
    __asm__ volatile("movdqa %1, %%xmm5\n\tmovd %2, %%xmm5\n\tmovdqu %%xmm5, %0"
                     : "=m"(d)
                     : "m"(vals[3]), "m"(vals[2].hi));
    print_v("movd m32", &d);
    /* MOVD/MOVQ to a GPR and memory. */
    r = ~0ull;
    __asm__ volatile("movdqa %2, %%xmm7\n\tmovd %%xmm7, %k0\n\tmovq %%xmm7, %1"
                     : "+r"(r), "=r"(r2)
                     : "m"(vals[0]));
    printf("%-16s %016lx\n%-16s %016lx\n", "movd to r32", r, "movq to r64", r2);
    buf[0] = vals[2];
    __asm__ volatile("movdqa %1, %%xmm7\n\tmovd %%xmm7, %0" : "+m"(buf[0].lo) : "m"(vals[0]));
    print_v("movd m32", &buf[0]);
    /* F3 0F 7E: MOVQ xmm, xmm/m64; 66 0F D6: MOVQ xmm/m64, xmm. Both clear the upper half of
     * a register destination. */
    __asm__ volatile("movdqa %1, %%xmm8\n\tmovq %2, %%xmm8\n\tmovdqu %%xmm8, %0"
                     : "=m"(d)
                     : "m"(vals[3]), "m"(vals[0].hi));
    print_v("movq m64", &d);
    __asm__ volatile("movdqa %1, %%xmm9\n\tmovdqa %2, %%xmm10\n\tmovq %%xmm10, %%xmm9\n\t"
                     "movdqu %%xmm9, %0"
                     : "=m"(d)
                     : "m"(vals[3]), "m"(vals[0]));
    print_v("movq xmm", &d);
    __asm__ volatile("movdqa %1, %%xmm0\n\tmovdqa %2, %%xmm1\n\t"
                     ".byte 0x66, 0x0f, 0xd6, 0xc8\n\t" /* movq xmm0, xmm1 by 66 0F D6 */
                     "movdqu %%xmm0, %0"
                     : "=m"(d)
                     : "m"(vals[3]), "m"(vals[1]));
    print_v("movq d6", &d);
    buf[0] = vals[2];
    __asm__ volatile("movdqa %1, %%xmm1\n\tmovq %%xmm1, %0" : "+m"(buf[0].lo) : "m"(vals[1]));
    print_v("movq st64", &buf[0]);
    /* MOVDQA, MOVDQU, MOVNTDQ loads and stores; MOVDQU at an odd address. */
    uint8_t *odd = (uint8_t *)buf + 3;
    __asm__ volatile("movdqa %2, %%xmm11\n\tmovdqu %%xmm11, %0\n\tmovdqu %0, %%xmm12\n\t"
                     "movdqa %%xmm12, %1"
                     : "+m"(*(v128 *)odd), "=m"(d)
                     : "m"(vals[1]));
    print_v("movdqu", &d);
    print_v("movdqu st", &buf[0]);
    __asm__ volatile("movdqa %1, %%xmm13\n\tmovntdq %%xmm13, %0" : "=m"(buf[1]) : "m"(vals[2]));
    print_v("movntdq", &buf[1]);
    __asm__ volatile("movdqa %1, %%xmm14\n\tmovdqa %%xmm14, %%xmm15\n\tmovdqa %%xmm15, %0"
                     : "=m"(d)
                     : "m"(vals[3]));
    print_v("movdqa", &d);
    /* MOVNTI: 32 and 64 bits. */
    buf[0] = vals[0];
    __asm__ volatile("movnti %k2, %0\n\tmovnti %2, %1"
                     : "=m"(buf[0].lo), "=m"(buf[0].hi)
                     : "r"(0xfedcba9876543210ull));
    print_v("movnti", &buf[0]);
    /* PINSRW from a register and memory, PEXTRW, PMOVMSKB. */
    __asm__ volatile("movdqa %1, %%xmm2\n\tpinsrw $3, %k2, %%xmm2\n\tpinsrw $13, %3, %%xmm2\n\t"
                     "movdqu %%xmm2, %0"
                     : "=m"(d)
                     : "m"(vals[0]), "r"(0x12345678u), "m"(vals[2].hi));
    print_v("pinsrw", &d);
    r = ~0ull;
    r2 = ~0ull;
    __asm__ volatile("movdqa %2, %%xmm3\n\tpextrw $6, %%xmm3, %k0\n\tpextrw $9, %%xmm3, %1"
                     : "+r"(r), "+r"(r2)
                     : "m"(vals[0]));
    printf("%-16s %016lx %016lx\n", "pextrw", r, r2);
    __asm__ volatile("movdqa %2, %%xmm3\n\tpmovmskb %%xmm3, %k0\n\tmovdqa %3, %%xmm4\n\t"
                     "pmovmskb %%xmm4, %1"
                     : "=r"(r), "=r"(r2)
                     : "m"(vals[0]), "m"(vals[2]));
    printf("%-16s %016lx %016lx\n", "pmovmskb", r, r2);
    /* MASKMOVDQU: the bytes whose mask byte has bit 7 set, at RDI (here an odd address). */
    buf[0] = vals[3];
    buf[1] = vals[3];
    __asm__ volatile("movdqa %1, %%xmm5\n\tmovdqa %2, %%xmm6\n\tmaskmovdqu %%xmm6, %%xmm5"
                     :
                     : "D"((uint8_t *)buf + 5), "m"(vals[1]), "m"(vals[0])
                     : "memory");
    print_v("maskmovdqu", &buf[0]);
    print_v("maskmovdqu", &buf[1]);
}

/* ---- Faults ---- */

/* The handlers note the vector (and #GP's error code) and resume at resume_at. */
volatile uint64_t caught, caught_error, resume_at;
__asm__(".globl gp_stub, ud_stub, nm_stub\n"
        "gp_stub:\n"
        "    movq $13, caught(%rip)\n"
        "    popq caught_error(%rip)\n"
        "    jmp resume\n"
        "ud_stub:\n"
        "    movq $6, caught(%rip)\n"
        "    jmp resume\n"
        "nm_stub:\n"
        "    movq $7, caught(%rip)\n"
        "resume:\n"
        "    pushq %rax\n"
        "    movq resume_at(%rip), %rax\n"
        "    movq %rax, 8(%rsp)\n"
        "    popq %rax\n"
        "    iretq\n");
extern void gp_stub(void), ud_stub(void), nm_stub(void);

/* Runs one instruction (insn, with operands %0 and %1) and reports the exception it raised. */
#define TRY(what, insn, ...)                                                                       \
    do {                                                                                           \
        caught = ~0ull;                                                                            \
        caught_error = 0;                                                                          \
        __asm__ volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, resume_at(%%rip)\n\t" insn "\n1:"   \
                         :                                                                         \
                         : __VA_ARGS__                                                             \
                         : "rax", "memory");                                                       \
        printf("%-20s vector %ld, error %lx\n", what, (long)caught, caught_error);                 \
    } while (0)

static void test_faults(void)
{
    static v128 buf[2];
    uint8_t *odd = (uint8_t *)buf + 8;

    trap_set_gate(6, ud_stub, 0);
    trap_set_gate(7, nm_stub, 0);
    trap_set_gate(13, gp_stub, 0);
    TRY("movdqa load", "movdqa (%0), %%xmm0", "r"(odd));
    TRY("movdqa store", "movdqa %%xmm0, (%0)", "r"(odd));
    TRY("paddb m128", "paddb (%0), %%xmm0", "r"(odd));
    TRY("psrlw count m128", "psrlw (%0), %%xmm0", "r"(odd));
    TRY("pshufd m128", "pshufd $0, (%0), %%xmm0", "r"(odd));
    TRY("movntdq", "movntdq %%xmm0, (%0)", "r"(odd));
    TRY("movdqu load", "movdqu (%0), %%xmm0", "r"(odd));
    TRY("movq m64", "movq (%0), %%xmm0", "r"(odd + 1));
    TRY("movdqa aligned", "movdqa (%0), %%xmm0", "r"(buf));
    write_cr0(read_cr0() | CR0_TS);
    TRY("paddb with CR0.TS", "paddb %%xmm1, %%xmm0", "r"(0));
    write_cr0(read_cr0() & ~CR0_TS);
    write_cr4(read_cr4() & ~CR4_OSFXSR);
    TRY("pxor without OSFXSR", "pxor %%xmm1, %%xmm0", "r"(0));
    write_cr4(read_cr4() | CR4_OSFXSR);
    TRY("pxor with OSFXSR", "pxor %%xmm1, %%xmm0", "r"(0));
}

int main(void)
{
    write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
    write_cr4(read_cr4() | CR4_OSFXSR);
    test_binops();
    test_shift_counts();
    test_shift_imm();
    test_shuffles();
    test_moves();
    test_faults();
    printf("done\n");
    exit(0);
}
