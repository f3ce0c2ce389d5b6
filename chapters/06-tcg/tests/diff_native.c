/*
 * diff_native.c - the host CPU as the differential test's third reference (chapter 6): an
 * x87 or SSE instruction run natively, from the case's registers, FPU state and memory,
 * where Unicorn (QEMU 5.0's softfloat) is not to be trusted: every 64-bit-mode case, and
 * the register forms of 16 and 32-bit mode, which do the same in 64-bit mode. See diff.h.
 *
 * The case's memory is mapped at its own addresses in the test process (the paged layout
 * of diff.h, code region executable), so the instruction runs at the case's RIP:
 * RIP-relative operands, memory operands and MASKMOVDQU's DS:RDI reach the same bytes. A
 * small trampoline loads the case's FPU state (FXRSTOR) and every general register, RSP
 * included, then enters the instruction by IRETQ with RFLAGS.TF set: the host traps
 * (SIGTRAP) after that one instruction, or faults on it (SIGFPE, SIGILL, SIGSEGV,
 * SIGBUS). The handler, on an alternate stack so the case's stack stays untouched, takes
 * the registers and the FPU state from the signal frame and jumps back out.
 */
#include "cpu.h"
#include "diff.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* The FXSAVE image (64-bit format): the fields at these offsets, ST(i) in stack order. */
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4
#define FX_MXCSR 24
#define FX_ST    32
#define FX_XMM   160
#define FX_SIZE  512

/* What the trampoline loads: the general registers by encoding, RIP, RFLAGS, the FXSAVE
 * image, and the selectors of the test process's own code and stack segments. */
struct enter_block {
    uint64_t r[16];
    uint64_t rip, rflags; /* offsets 128, 136 */
    uint64_t image;       /* 144: address of the FXRSTOR image */
    uint64_t cs, ss;      /* 152, 160 */
};

/* diff_native_enter(block): FXRSTOR the image, build an IRETQ frame from the block, load
 * all sixteen general registers (RDI last) and IRETQ into the instruction. It never
 * returns: the signal that ends the instruction jumps back to diff__native_run. */
void diff_native_enter(const struct enter_block *b);
__asm__(".text\n"
        ".globl diff_native_enter\n"
        ".type diff_native_enter, @function\n"
        "diff_native_enter:\n"
        "    mov 144(%rdi), %rax\n"
        "    fxrstor64 (%rax)\n"
        "    pushq 160(%rdi)\n" /* SS */
        "    pushq 32(%rdi)\n"  /* RSP */
        "    pushq 136(%rdi)\n" /* RFLAGS, TF set */
        "    pushq 152(%rdi)\n" /* CS */
        "    pushq 128(%rdi)\n" /* RIP */
        "    mov 0(%rdi), %rax\n"
        "    mov 8(%rdi), %rcx\n"
        "    mov 16(%rdi), %rdx\n"
        "    mov 24(%rdi), %rbx\n"
        "    mov 40(%rdi), %rbp\n"
        "    mov 48(%rdi), %rsi\n"
        "    mov 64(%rdi), %r8\n"
        "    mov 72(%rdi), %r9\n"
        "    mov 80(%rdi), %r10\n"
        "    mov 88(%rdi), %r11\n"
        "    mov 96(%rdi), %r12\n"
        "    mov 104(%rdi), %r13\n"
        "    mov 112(%rdi), %r14\n"
        "    mov 120(%rdi), %r15\n"
        "    mov 56(%rdi), %rdi\n"
        "    iretq\n"
        ".size diff_native_enter, .-diff_native_enter\n");

static uint8_t *arena;    /* the case's memory at DIFF_BASE_PAGED, NULL: not yet */
static int arena_failed;  /* the addresses were taken, or the host refused */
static sigjmp_buf escape; /* where the signal that ends the instruction returns to */
static volatile int caught, trapno;
static volatile uint64_t stop_rip, stop_regs[16], stop_rflags;
static _Alignas(64) uint8_t frame_fpu[FX_SIZE]; /* the FPU state the signal frame held */
static volatile int have_fpu;

/* Linux's general-register slots in ucontext, in encoding order. */
static const int greg_slot[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                  REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                  REG_R12, REG_R13, REG_R14, REG_R15};

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)info;
    caught = sig;
    trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    stop_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    stop_rflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    for (int k = 0; k < 16; k++)
        stop_regs[k] = (uint64_t)uc->uc_mcontext.gregs[greg_slot[k]];
    have_fpu = uc->uc_mcontext.fpregs != NULL;
    if (have_fpu)
        memcpy(frame_fpu, uc->uc_mcontext.fpregs, FX_SIZE);
    siglongjmp(escape, 1);
}

/* The image of state f for FXRSTOR. */
static void to_image(const struct diff_fpu *f, uint8_t *im)
{
    unsigned top = (f->fsw >> 11) & 7;

    memset(im, 0, FX_SIZE);
    memcpy(im + FX_FCW, &f->fcw, 2);
    memcpy(im + FX_FSW, &f->fsw, 2);
    im[FX_FTW] = f->ftw;
    memcpy(im + FX_MXCSR, &f->mxcsr, 4);
    for (unsigned k = 0; k < 8; k++)
        memcpy(im + FX_ST + 16 * k, f->st[(top + k) & 7], 10);
    memcpy(im + FX_XMM, f->xmm, sizeof(f->xmm));
}

static void from_image(const uint8_t *im, struct diff_fpu *f)
{
    memcpy(&f->fcw, im + FX_FCW, 2);
    memcpy(&f->fsw, im + FX_FSW, 2);
    f->ftw = im[FX_FTW];
    memcpy(&f->mxcsr, im + FX_MXCSR, 4);
    unsigned top = (f->fsw >> 11) & 7;
    for (unsigned k = 0; k < 8; k++)
        memcpy(f->st[(top + k) & 7], im + FX_ST + 16 * k, 10);
    memcpy(f->xmm, im + FX_XMM, sizeof(f->xmm));
}

/* Maps the paged layout at its own addresses, readable, writable and executable, with a
 * guard page after it (below it lies the page tables' range, never mapped here). */
static int make_arena(void)
{
    if (arena || arena_failed)
        return arena ? 0 : -1;
    void *want = (void *)(uintptr_t)DIFF_BASE_PAGED;
    void *p = mmap(want, DIFF_SIZE_PAGED + 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != want) {
        if (p != MAP_FAILED)
            munmap(p, DIFF_SIZE_PAGED + 4096);
        arena_failed = 1;
        return -1;
    }
    if (mprotect((uint8_t *)p + DIFF_SIZE_PAGED, 4096, PROT_NONE) < 0) {
        munmap(p, DIFF_SIZE_PAGED + 4096);
        arena_failed = 1;
        return -1;
    }
    arena = p;
    return 0;
}

/* Is the page at a certain to fault in the host as in the interpreter: not mapped in the
 * test process (or the guard page, or the kernel's half)? */
static int host_unmapped(uint64_t page)
{
    if (page >= DIFF_BASE_PAGED + DIFF_SIZE_PAGED &&
        page < DIFF_BASE_PAGED + DIFF_SIZE_PAGED + 4096)
        return 1;
    if (page >= 0xffffffffff600000ull) /* the vsyscall page may be readable */
        return 0;
    if (page >= 0x800000000000ull) /* canonical upper half: supervisor only */
        return 1;
    return page < 4096 || (msync((void *)(uintptr_t)page, 4096, MS_ASYNC) < 0 && errno == ENOMEM);
}

/* The most bytes i may touch at its memory operand. */
static uint64_t operand_span(const struct x86_insn *i)
{
    unsigned digit = i->reg & 7;

    if (i->map == X86_MAP_0F && i->opcode == 0xae)
        return 512; /* FXSAVE, FXRSTOR (and the rest of the group, smaller) */
    if (i->map == X86_MAP_ONE_BYTE && i->opcode == 0xdd && (digit == 4 || digit == 6))
        return 108; /* FRSTOR, FNSAVE */
    return 32;      /* FLDENV/FNSTENV 28, an XMM operand 16, the rest less */
}

int diff__native_fits(const struct diff_case *c, const struct x86_insn *i)
{
    uint64_t lo, span;

    struct diff_layout l = diff__layout(c->mode);

    if (!diff__native_ok(i))
        return 0;
    /* The host runs the instruction from its own copy of the bytes: one that runs past
     * the end of the mapped range (a #PF fetching it) is not its to judge. */
    if (c->rip + i->length > l.base + l.size)
        return 0;
    if (c->mode != X86_MODE_64) /* register forms only (diff__native_ok) */
        return 1;
    if (i->map == X86_MAP_0F && i->opcode == 0xf7) { /* MASKMOVDQU: DS:rDI */
        lo = c->r[7] & (i->addrsize == 4 ? 0xffffffffull : ~0ull);
        span = 16;
    } else if (i->has_mem) {
        lo = diff__operand_address(c, i);
        span = operand_span(i);
    } else {
        return 1;
    }
    uint64_t hi = lo + span - 1;
    if (!tcg__canonical(lo) || !tcg__canonical(hi))
        return 1; /* non-canonical: #GP or #SS in both */
    if (hi < lo)
        return 0;
    for (uint64_t page = lo & ~4095ull; page <= hi; page += 4096) {
        int inside = page >= DIFF_BASE_PAGED && page < DIFF_BASE_PAGED + DIFF_SIZE_PAGED;
        if (!inside && !host_unmapped(page))
            return 0;
        if (page + 4096 < page)
            break;
    }
    return 1;
}

int diff__native_run(const struct diff_case *c, const struct x86_insn *i, const uint8_t *mem,
                     struct diff_result *res)
{
    static _Alignas(64) uint8_t image[FX_SIZE], host[FX_SIZE];
    static uint8_t alt[1 << 16];
    static const int sigs[5] = {SIGTRAP, SIGFPE, SIGILL, SIGSEGV, SIGBUS};
    struct sigaction sa, old[5];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)}, old_ss;
    struct enter_block b;
    uint16_t cs, sel_ss;

    if (!diff__native_fits(c, i) || make_arena() < 0)
        return -1;
    /* A register form of 16 or 32-bit mode runs the same in 64-bit mode: its bytes alone,
     * at the start of the code region, the case's memory left out (it touches none). */
    uint64_t rip = c->mode == X86_MODE_64 ? c->rip : DIFF_BASE_PAGED;
    if (c->mode == X86_MODE_64)
        memcpy(arena, mem, DIFF_SIZE_PAGED);
    else
        memcpy(arena, c->code, X86_MAX_LENGTH);
    to_image(&c->fpu, image);
    memcpy(b.r, c->r, sizeof(b.r));
    b.rip = rip;
    b.rflags = (c->rflags & 0xcd5) | 0x202 | RFLAGS_TF; /* arithmetic flags, DF; IF; TF */
    b.image = (uint64_t)(uintptr_t)image;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(sel_ss));
    b.cs = cs;
    b.ss = sel_ss;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaltstack(&ss, &old_ss);
    for (int k = 0; k < 5; k++)
        sigaction(sigs[k], &sa, &old[k]);
    caught = 0;
    have_fpu = 0;
    __asm__ volatile("fxsave64 %0" : "=m"(host));
    if (sigsetjmp(escape, 1) == 0)
        diff_native_enter(&b);
    __asm__ volatile("fxrstor64 %0" : : "m"(host));
    for (int k = 0; k < 5; k++)
        sigaction(sigs[k], &old[k], NULL);
    sigaltstack(&old_ss, NULL);

    if (!have_fpu)
        return -1;
    if (caught == SIGTRAP) {
        if (trapno != 1 || stop_rip != rip + i->length)
            return -1; /* it went somewhere else: not one instruction's answer */
        res->end = DIFF_END_STEP;
    } else {
        if (stop_rip != rip)
            return -1; /* a signal from the trampoline, not from the instruction */
        res->end = DIFF_END_EXCEPTION;
        res->vector = trapno;
    }
    for (int k = 0; k < 16; k++)
        res->r[k] = stop_regs[k];
    res->rip = stop_rip - rip + c->rip;
    res->rflags = (stop_rflags & 0xcd5) | (c->rflags & ~0xcd5ull);
    from_image(frame_fpu, &res->fpu);
    res->mem = c->mode == X86_MODE_64 ? arena : mem;
    res->native = 1;
    snprintf(res->what, sizeof(res->what), "the host CPU");
    return 0;
}
