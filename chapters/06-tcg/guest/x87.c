/*
 * x87.c - a guest that puts the x87 FPU and the FXSAVE family through their corners
 * (chapter 6): rounding and precision control, infinities, NaNs, denormals, stack faults
 * with their masked responses, integer conversions, comparisons, the environment images,
 * and the exceptions (#MF for an unmasked one with CR0.NE, #NM for CR0.TS and CR0.EM, #GP
 * for reserved MXCSR bits). Every result is printed as hex bits, so the same file under
 * QEMU, KVM and the interpreter must print the same lines (x87.expected).
 *
 * The runtime is compiled without floating point (-mgeneral-regs-only): all x87 work is
 * inline assembly, and the register stack carries over from one asm statement to the next
 * because the compiled C around them never touches it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trap.h>
#include <x86.h>

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR0_NE         (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

/* What the exception stubs below saw: the vector, and FSW at the #MF. */
volatile uint32_t caught_vector;
volatile uint16_t caught_fsw;
/* Where the #GP and #UD stubs resume: the instruction after the faulting one. */
volatile uint64_t resume_rip;

void nm_entry(void);
void mf_entry(void);
void gp_entry(void);
void ud_entry(void);

/* #NM clears CR0.TS and CR0.EM and retries; #MF notes FSW, clears the exceptions and
 * retries; #GP (with its error code) and #UD go on at resume_rip. */
__asm__(".text\n"
        "nm_entry:\n"
        "  push %rax\n"
        "  movl $7, caught_vector(%rip)\n"
        "  mov %cr0, %rax\n"
        "  and $~0xc, %rax\n"
        "  mov %rax, %cr0\n"
        "  pop %rax\n"
        "  iretq\n"
        "mf_entry:\n"
        "  movl $16, caught_vector(%rip)\n"
        "  fnstsw caught_fsw(%rip)\n"
        "  fnclex\n"
        "  iretq\n"
        "gp_entry:\n"
        "  movl $13, caught_vector(%rip)\n"
        "  add $8, %rsp\n"
        "  jmp 1f\n"
        "ud_entry:\n"
        "  movl $6, caught_vector(%rip)\n"
        "1:\n"
        "  push %rax\n"
        "  mov resume_rip(%rip), %rax\n"
        "  mov %rax, 8(%rsp)\n"
        "  pop %rax\n"
        "  iretq\n");

static void write_cr0(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static uint8_t area[512] __attribute__((aligned(16)));

/* Prints the FPU state under a name: control, status, tag, then each register in use as
 * sign+exponent and significand (ST order). Then FNINIT, for the next test. */
static void show(const char *name)
{
    __asm__ volatile("fxsave %0" : "=m"(area));
    uint16_t fcw = (uint16_t)(area[0] | area[1] << 8), fsw = (uint16_t)(area[2] | area[3] << 8);
    unsigned top = (fsw >> 11) & 7;

    printf("%s: fcw %04x fsw %04x tag %02x", name, fcw, fsw, area[4]);
    for (unsigned k = 0; k < 8; k++) {
        if (!((area[4] >> ((top + k) & 7)) & 1))
            continue;
        uint64_t m;
        memcpy(&m, area + 32 + 16 * k, 8);
        printf(" st%u=%04x:%016lx", k, area[32 + 16 * k + 8] | area[32 + 16 * k + 9] << 8, m);
    }
    printf("\n");
    __asm__ volatile("fninit");
}

static void set_cw(uint16_t cw)
{
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

/* Operands in memory. */
static const uint32_t f32_snan = 0x7fa00000, f32_three = 0x40400000, f32_denorm = 0x00000001;
static const uint64_t f64_denorm = 0x0000000000000001ull, f64_tiny = 0x0010000000000000ull;
static const uint64_t f64_big = 0x7fe0000000000000ull, f64_2p5 = 0x4004000000000000ull;
static const uint64_t f64_m2p5 = 0xc004000000000000ull, f64_3p5 = 0x400c000000000000ull;
static const int16_t i16_m7 = -7;
static const int32_t i32_big = 123456789;
static const int64_t i64_big = -1234567890123456789ll;

static void basics(void)
{
    uint16_t cw, sw;

    __asm__ volatile("fninit; fnstcw %0; fnstsw %1" : "=m"(cw), "=m"(sw));
    printf("fninit: fcw %04x fsw %04x\n", cw, sw);
    __asm__ volatile("fld1; fldpi; fldl2e; fldl2t; fldlg2; fldln2; fldz");
    show("constants");
    /* The constants round as RC says (round down and toward zero differ in the last bit). */
    set_cw(0x077f);
    __asm__ volatile("fldpi; fldl2e; fldl2t; fldlg2; fldln2");
    show("constants rc=down");
    __asm__ volatile("fld1; fldpi; faddp; fldpi; fmul %st(0), %st; fld1; fsubrp; "
                     "fldpi; fdivr %st(1), %st");
    show("arith reg");
    __asm__ volatile("fld1; fadds %0; fmull %1; fsubs %0; fdivl %1; fsubrl %1; fdivrs %0"
                     :
                     : "m"(f32_three), "m"(f64_2p5));
    show("arith mem");
    __asm__ volatile("fld1; fiadds %0; fimull %1; fisubs %0; fidivl %1; fisubrl %1; fidivrs %0"
                     :
                     : "m"(i16_m7), "m"(i32_big));
    show("arith int");
    __asm__ volatile("fldpi; fld1; fldz; fadd %st, %st(2); fmul %st, %st(1); fld1; fsub %st, "
                     "%st(3); fdivr %st, %st(2); faddp %st, %st(1); fmulp %st, %st(2)");
    show("arith st(i)");
}

static void rounding(void)
{
    static const char *const name[4] = {"nearest", "down", "up", "zero"};
    for (unsigned rc = 0; rc < 4; rc++) {
        uint32_t s32;
        uint64_t s64;
        int16_t i16;
        char label[32];

        set_cw((uint16_t)(0x037f | rc << 10));
        __asm__ volatile("fld1; fdivs %3; fsts %0; fstl %1; fldl %4; fistps %2"
                         : "=m"(s32), "=m"(s64), "=m"(i16)
                         : "m"(f32_three), "m"(f64_m2p5));
        printf("rc %s: f32 %08x f64 %016lx int(-2.5) %d\n", name[rc], s32, s64, i16);
        __asm__ volatile("fldl %0; frndint; fldl %1; frndint" : : "m"(f64_2p5), "m"(f64_m2p5));
        snprintf(label, sizeof(label), "rc %s 1/3", name[rc]);
        show(label);
    }
    for (unsigned pc = 0; pc < 4; pc++) {
        char label[32];
        if (pc == 1)
            continue;
        set_cw((uint16_t)(0x007f | pc << 8));
        __asm__ volatile("fld1; fdivs %0; fld1; fadd %%st(1), %%st; fsqrt" : : "m"(f32_three));
        snprintf(label, sizeof(label), "pc %u", pc);
        show(label);
    }
}

static void specials(void)
{
    __asm__ volatile("fld1; fldz; fdivrp");
    show("1/0");
    __asm__ volatile("fldz; fldz; fdivrp");
    show("0/0");
    __asm__ volatile("fld1; fldz; fdivrp; fld %st(0); fsubrp");
    show("inf-inf");
    __asm__ volatile("fld1; fchs; fsqrt");
    show("sqrt(-1)");
    __asm__ volatile("flds %0" : : "m"(f32_snan));
    show("snan load");
    __asm__ volatile("fld1; fldl %0; fmul %%st(0), %%st" : : "m"(f64_big));
    show("overflow");
    __asm__ volatile("fldl %1; fmul %%st(0), %%st; fstpl %0"
                     : "=m"(*(uint64_t *)area)
                     : "m"(f64_tiny));
    show("underflow to m64");
    __asm__ volatile("flds %0; fldl %1; fmulp" : : "m"(f32_denorm), "m"(f64_denorm));
    show("denormals");
    __asm__ volatile("fld1; fchs; fabs; fld1; fchs; fld1; fldz; fchs");
    show("chs abs");
}

static void stack(void)
{
    __asm__ volatile("fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fldpi");
    show("stack overflow");
    __asm__ volatile("fld1; fadd %st(3), %st");
    show("stack underflow");
    __asm__ volatile("fstp %st(0); fldz");
    show("fstp empty");
    __asm__ volatile("fldpi; fld1; fxch; fld1; fincstp; fincstp; fdecstp; ffree %st(1)");
    show("fxch incstp free");
    set_cw(0x037e); /* IE unmasked: the underflow leaves everything alone */
    __asm__ volatile("fld1; fadd %st(2), %st");
    show("underflow unmasked");
}

static void integers(void)
{
    int16_t a16, b16;
    int32_t a32, b32;
    int64_t a64, b64;
    uint16_t sw;

    __asm__ volatile("filds %0; fildl %1; fildll %2" : : "m"(i16_m7), "m"(i32_big), "m"(i64_big));
    show("fild");
    __asm__ volatile("fldl %6; fists %0; fistl %1; fistpll %2; fldl %7; fldl %7; fldl %7; "
                     "fisttps %3; fisttpl %4; fisttpll %5"
                     : "=m"(a16), "=m"(a32), "=m"(a64), "=m"(b16), "=m"(b32), "=m"(b64)
                     : "m"(f64_3p5), "m"(f64_m2p5));
    printf("fist 3.5: %d %d %ld fisttp -2.5: %d %d %ld\n", a16, a32, (long)a64, b16, b32,
           (long)b64);
    __asm__ volatile("fildl %1; fists %0" : "=m"(a16) : "m"(i32_big));
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    printf("fist out of range: %04x fsw %04x\n", (uint16_t)a16, sw);
    __asm__ volatile("fninit");
}

static void compares(void)
{
    static const char *const name[] = {"1 vs 2", "2 vs 1", "1 vs 1", "1 vs nan"};
    for (unsigned k = 0; k < 4; k++) {
        uint64_t flags;
        uint16_t sw;
        __asm__ volatile("fninit; fld1; fld1; fadd %st(0), %st");
        if (k == 0)
            __asm__ volatile("fld1");
        else if (k == 2)
            __asm__ volatile("fstp %st(0); fld1");
        else if (k == 3)
            __asm__ volatile("fstp %st(0); fldz; fldz; fdivrp; fld1");
        __asm__ volatile("fcomi %%st(1), %%st; pushfq; popq %0; fnstsw %1" : "=r"(flags), "=m"(sw));
        printf("fcomi %s: flags %03lx fsw %04x", name[k], flags & 0x8d5, sw);
        __asm__ volatile("fnclex; fucomi %%st(1), %%st; pushfq; popq %0; fnstsw %1"
                         : "=r"(flags), "=m"(sw));
        printf(" fucomi %03lx %04x", flags & 0x8d5, sw);
        __asm__ volatile("fnclex; fcom %%st(1); fnstsw %0" : "=m"(sw));
        printf(" fcom %04x", sw);
        __asm__ volatile("fnclex; fucom %%st(1); fnstsw %0" : "=m"(sw));
        printf(" fucom %04x", sw);
        __asm__ volatile("fnclex; ficoms %1; fnstsw %0" : "=m"(sw) : "m"(i16_m7));
        printf(" ficom %04x", sw);
        __asm__ volatile("fnclex; ftst; fnstsw %0" : "=m"(sw));
        printf(" ftst %04x\n", sw);
    }
    __asm__ volatile("fninit; fld1; fldpi; fcompp; fld1; fld1; fucompp; fld1; fldz; "
                     "fucomip %st(1), %st; fldpi; fcomip %st(1), %st");
    show("pops");
    __asm__ volatile("fninit; fxam; fnstsw %0" : "=m"(*(uint16_t *)area));
    printf("fxam empty %04x", *(uint16_t *)area);
    __asm__ volatile("fldz; fchs; fxam; fnstsw %0" : "=m"(*(uint16_t *)area));
    printf(" -0 %04x", *(uint16_t *)area);
    __asm__ volatile("fld1; fldz; fdivrp; fxam; fnstsw %0" : "=m"(*(uint16_t *)area));
    printf(" inf %04x", *(uint16_t *)area);
    __asm__ volatile("fldl %1; fxam; fnstsw %0" : "=m"(*(uint16_t *)area) : "m"(f64_denorm));
    printf(" denormal %04x", *(uint16_t *)area);
    __asm__ volatile("fldz; fldz; fdivrp; fxam; fnstsw %0" : "=m"(*(uint16_t *)area));
    printf(" nan %04x", *(uint16_t *)area);
    __asm__ volatile("fldpi; fchs; fxam; fnstsw %0" : "=m"(*(uint16_t *)area));
    printf(" -pi %04x\n", *(uint16_t *)area);
    __asm__ volatile("fninit");
}

static void misc(void)
{
    __asm__ volatile("fldl %0; fld1; fadd %%st(0), %%st; fscale" : : "m"(f64_3p5));
    show("fscale");
    __asm__ volatile("fldl %0; fldpi; fprem; fldl %0; fldpi; fprem1" : : "m"(f64_3p5));
    show("fprem fprem1");
    __asm__ volatile("fldl %0; fxtract" : : "m"(f64_m2p5));
    show("fxtract");
    __asm__ volatile("fld1; fld1; fadd %st(0), %st; fadd %st(0), %st; fadd %st(0), %st; fyl2x");
    show("fyl2x 8");
    __asm__ volatile("fldpi; fld1; stc; fcmovb %%st(1), %%st; fldz; clc; fcmovb %%st(2), %%st; "
                     "fldz; fcmovnb %%st(3), %%st; fld1; xor %%eax, %%eax; fcmove %%st(4), %%st"
                     :
                     :
                     : "eax", "cc");
    show("fcmov");
    __asm__ volatile("fnop; fldpi; fst %st(3); fstp %st(1)");
    show("fst st(i)");
}

static void images(void)
{
    uint8_t env[28], save[108];

    set_cw(0x0363);
    __asm__ volatile("fld1; fldz; fldpi; fchs; fldz; fdivrp; fnstenv %0" : "=m"(env));
    printf("fnstenv fcw %04x fsw %04x tag %04x\n", env[0] | env[1] << 8, env[4] | env[5] << 8,
           env[8] | env[9] << 8);
    __asm__ volatile("fnstcw %0" : "=m"(*(uint16_t *)area));
    printf("fcw after fnstenv %04x\n", *(uint16_t *)area);
    __asm__ volatile("fninit; fldenv %0" : : "m"(env));
    show("fldenv");
    __asm__ volatile("fld1; fldpi; fldl2t; fnsave %0" : "=m"(save));
    printf("fnsave fcw %04x fsw %04x tag %04x st0 %04x:%016lx st2 %04x:%016lx\n",
           save[0] | save[1] << 8, save[4] | save[5] << 8, save[8] | save[9] << 8,
           save[36] | save[37] << 8, *(uint64_t *)(save + 28), save[56] | save[57] << 8,
           *(uint64_t *)(save + 48));
    show("after fnsave");
    __asm__ volatile("frstor %0" : : "m"(save));
    show("frstor");

    /* FXSAVE: the abridged tag, MXCSR and its mask; FXRSTOR puts it all back. */
    uint32_t mxcsr = 0x1fa0, bad = 0x10000;
    __asm__ volatile("ldmxcsr %0; fld1; fldz; fldpi" : : "m"(mxcsr));
    __asm__ volatile("fxsave %0" : "=m"(area));
    printf("fxsave fcw %04x fsw %04x ftw %02x mxcsr %08x mask %08x st0 %04x:%016lx\n",
           area[0] | area[1] << 8, area[2] | area[3] << 8, area[4], *(uint32_t *)(area + 24),
           *(uint32_t *)(area + 28), area[40] | area[41] << 8, *(uint64_t *)(area + 32));
    __asm__ volatile("fninit; fxrstor %0" : : "m"(area));
    show("fxrstor");
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    printf("stmxcsr %08x\n", mxcsr);

    caught_vector = 0;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, resume_rip(%%rip); ldmxcsr %0; 1:"
                     :
                     : "m"(bad)
                     : "rax", "memory");
    printf("ldmxcsr reserved: vector %u\n", caught_vector);
    caught_vector = 0;
    *(uint32_t *)(area + 24) = 0x10000;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, resume_rip(%%rip); fxrstor %0; 1:"
                     :
                     : "m"(area)
                     : "rax", "memory");
    printf("fxrstor reserved mxcsr: vector %u\n", caught_vector);
    caught_vector = 0;
    __asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, resume_rip(%%rip); fxsave 8+%0; 1:"
                     : "=m"(area)
                     :
                     : "rax", "memory");
    printf("fxsave misaligned: vector %u\n", caught_vector);
    __asm__ volatile("mfence; lfence; sfence; clflush %0" : : "m"(area[0]));
    __asm__ volatile("fninit");
}

static void exceptions(void)
{
    uint64_t cr0 = read_cr0();

    caught_vector = 0;
    set_cw(0x037b); /* ZE unmasked */
    __asm__ volatile("fld1; fldz; fdivrp");
    printf("unmasked ze: no fault yet, vector %u\n", caught_vector);
    __asm__ volatile("fwait");
    printf("fwait: vector %u fsw %04x\n", caught_vector, caught_fsw);
    show("after #mf");

    caught_vector = 0;
    set_cw(0x037b);
    __asm__ volatile("fld1; fldz; fdivrp; fld1");
    printf("next x87 insn: vector %u fsw %04x\n", caught_vector, caught_fsw);
    show("after #mf 2");

    caught_vector = 0;
    write_cr0(cr0 | CR0_TS);
    __asm__ volatile("fld1");
    printf("cr0.ts: vector %u\n", caught_vector);
    caught_vector = 0;
    write_cr0(cr0 | CR0_EM);
    __asm__ volatile("fldpi");
    printf("cr0.em: vector %u\n", caught_vector);
    caught_vector = 0;
    write_cr0((cr0 & ~CR0_MP) | CR0_TS);
    __asm__ volatile("fwait");
    printf("fwait ts without mp: vector %u\n", caught_vector);
    caught_vector = 0;
    write_cr0(cr0 | CR0_MP | CR0_TS);
    __asm__ volatile("fwait");
    printf("fwait ts with mp: vector %u\n", caught_vector);
    write_cr0(cr0);
    show("end");
}

int main(void)
{
    write_cr0((read_cr0() | CR0_NE | CR0_MP) & ~(CR0_EM | CR0_TS));
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    trap_set_gate(6, ud_entry, 0);
    trap_set_gate(7, nm_entry, 0);
    trap_set_gate(13, gp_entry, 0);
    trap_set_gate(16, mf_entry, 0);
    basics();
    rounding();
    specials();
    stack();
    integers();
    compares();
    misc();
    images();
    exceptions();
    printf("x87 done\n");
    exit(0);
}
