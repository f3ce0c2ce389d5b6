/*
 * diff_native.c - the host CPU as the differential test's third reference (chapter 6): an
 * x87 or SSE instruction with register operands run natively, from a case's FPU state,
 * where Unicorn (QEMU 5.0's softfloat) is not to be trusted. See diff.h.
 *
 * The instruction is copied into a small executable stub between FXRSTOR and FXSAVE, so
 * the host loads the case's x87 and SSE registers, runs it once and stores what it left;
 * the test process's own FPU state is saved before and restored after. An exception the
 * instruction raises arrives as a signal (SIGFPE for #XM and #MF, SIGILL for #UD) and the
 * handler jumps back out of the stub.
 */
#include "diff.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* The FXSAVE image (64-bit format): the fields at these offsets, ST(i) in stack order. */
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4
#define FX_MXCSR 24
#define FX_ST    32
#define FX_XMM   160
#define FX_SIZE  512

/* The stub: fxsave64 [rsi] (the host's state); fxrstor64 [rdi] (the case's); push rdx;
 * popfq (its flags); the instruction; pushfq; pop rax; fxsave64 [rdi]; fxrstor64 [rsi];
 * cld; ret. As a function: uint64_t stub(void *case_image, void *host_image, rflags). */
static const uint8_t stub_head[] = {0x48, 0x0f, 0xae, 0x06, 0x48, 0x0f, 0xae, 0x0f, 0x52, 0x9d};
static const uint8_t stub_tail[] = {0x9c, 0x58, 0x48, 0x0f, 0xae, 0x07,
                                    0x48, 0x0f, 0xae, 0x0e, 0xfc, 0xc3};
/* After a signal: fxrstor64 [rsi]; cld; ret, called as restore(NULL, host_image). */
static const uint8_t stub_restore[] = {0x48, 0x0f, 0xae, 0x0e, 0xfc, 0xc3};
#define RESTORE_AT 64 /* where stub_restore sits in the page */

typedef uint64_t (*stub_fn)(void *image, void *host, uint64_t rflags);

static uint8_t *page;        /* the executable page, made once (NULL: not yet) */
static int page_failed;      /* the host refused an executable mapping */
static sigjmp_buf escape;    /* where a signal in the stub returns to */
static volatile int caught;  /* the signal, 0 when none */
static uintptr_t insn_at;    /* the instruction's address in the stub */
static volatile int outside; /* the signal came from elsewhere than the instruction */

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;

    (void)info;
    caught = sig;
    outside = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP] != insn_at;
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

static int make_page(void)
{
    if (page || page_failed)
        return page ? 0 : -1;
    void *p =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        page_failed = 1;
        return -1;
    }
    page = p;
    memcpy(page + RESTORE_AT, stub_restore, sizeof(stub_restore));
    return 0;
}

int diff__native_run(const struct diff_case *c, unsigned length, struct diff_result *res)
{
    static _Alignas(64) uint8_t image[FX_SIZE], host[FX_SIZE];
    struct sigaction sa, old[3];
    static const int sigs[3] = {SIGFPE, SIGILL, SIGSEGV};
    const size_t at = sizeof(stub_head);

    if (c->mode != X86_MODE_64 || length == 0 || length > X86_MAX_LENGTH || make_page() < 0)
        return -1;
    memcpy(page, stub_head, at);
    memcpy(page + at, c->code, length);
    memcpy(page + at + length, stub_tail, sizeof(stub_tail));
    __builtin___clear_cache((char *)page, (char *)page + 64);
    insn_at = (uintptr_t)page + at;
    to_image(&c->fpu, image);

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int k = 0; k < 3; k++)
        sigaction(sigs[k], &sa, &old[k]);
    caught = 0;
    outside = 0;
    uint64_t flags = c->rflags & 0xcd5; /* the arithmetic flags and DF: the rest stay */
    if (sigsetjmp(escape, 1) == 0) {
        uint64_t out = ((stub_fn)(void *)page)(image, host, flags | 0x202);
        res->rflags = (out & 0xcd5) | 0x2;
        res->end = DIFF_END_STEP;
        from_image(image, &res->fpu);
    } else {
        ((stub_fn)(void *)(page + RESTORE_AT))(NULL, host, 0);
        res->end = DIFF_END_EXCEPTION;
        /* SIGFPE: #XM for an SSE instruction; diff.c makes it #MF for an x87 one. */
        res->vector = caught == SIGILL ? 6 : caught == SIGSEGV ? 13 : 19;
        res->rflags = c->rflags;
        res->fpu = c->fpu;
    }
    for (int k = 0; k < 3; k++)
        sigaction(sigs[k], &old[k], NULL);
    if (outside)
        return -1;
    memcpy(res->r, c->r, sizeof(res->r));
    res->rip = res->end == DIFF_END_STEP ? c->rip + length : c->rip;
    res->native = 1;
    snprintf(res->what, sizeof(res->what), "the host CPU");
    return 0;
}
