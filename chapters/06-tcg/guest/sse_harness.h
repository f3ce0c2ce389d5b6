/*
 * sse_harness.h - what chapter 6's SSE guests (sse.c, lab-hadd.c) share: the operands
 * their inline assembly names, the catching of #UD, #GP and #XM, the MXCSR modes and edge
 * operands they try, the printing of a result, and the small setters.
 *
 * Each test loads XMM0 from sse_a and XMM1 from sse_b and MXCSR from mx_in, runs its
 * instruction, and stores XMM0 to sse_r and MXCSR to mx_out; an exception is caught by a
 * handler that records its vector (and error code) and resumes at `resume`, after the
 * instruction. Built with -DSSE_ON_HOST, the same guest is a Linux program for the host's
 * own CPU, the hardware reference: the kernel turns #XM, #UD and #GP into SIGFPE, SIGILL
 * and SIGSEGV, whose handler resumes the same way. CR4 cannot be written from there.
 */
#ifndef STEPVM_SSE_HARNESS_H
#define STEPVM_SSE_HARNESS_H

#ifndef SSE_ON_HOST
#include <stdio.h>
#include <trap.h>
#include <x86.h>
#else
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#endif

#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define NONE           0xff

/* What the tests read and write; named in the assembly, so not static. */
uint32_t sse_a[4] __attribute__((aligned(16))), sse_b[4] __attribute__((aligned(16)));
uint32_t sse_r[4] __attribute__((aligned(16))), sse_m[12] __attribute__((aligned(16)));
uint32_t mx_in, mx_out;
uint64_t resume, caught_vector, caught_error;

#ifdef SSE_ON_HOST
static void on_signal(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;

    (void)info;
    caught_vector = sig == SIGFPE ? 19 : sig == SIGILL ? 6 : 13;
    caught_error = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume;
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
/* The host's compiler may keep values in XMM registers: it is told which the tests use. */
#define XMM_CLOBBERS , "xmm0", "xmm1", "xmm8", "xmm9"
#else
/* The handler of #UD, #GP and #XM: records the vector and returns to `resume`. */
__asm__(".text\n"
        "catch_ud: pushq $0\n\tpushq $6\n\tjmp catch\n"
        "catch_gp: pushq $13\n\tjmp catch\n"
        "catch_xm: pushq $0\n\tpushq $19\n\tjmp catch\n"
        "catch: popq caught_vector(%rip)\n\tpopq caught_error(%rip)\n\tpushq %rax\n\t"
        "movq resume(%rip), %rax\n\tmovq %rax, 8(%rsp)\n\tpopq %rax\n\tiretq\n");
void catch_ud(void), catch_gp(void), catch_xm(void);

static inline void write_cr4(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
/* The guest's code uses no XMM register (it is built without SSE): nothing to tell. */
#define XMM_CLOBBERS
#endif

/* MXCSR: the default (all masked, nearest), FTZ+DAZ, and the three other roundings. */
static const uint32_t modes[] = {0x1f80, 0x9fc0, 0x3f80, 0x5f80, 0x7f80};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

/* Operands both guests use, as bits: single precision F_*, double precision D_*. */
#define F_1    0x3f800000u
#define F_3    0x40400000u
#define F_QNAN 0x7fc00001u
#define F_SNAN 0x7f800001u
#define F_INF  0x7f800000u
#define F_NINF 0xff800000u
#define D_1    0x3ff0000000000000ull
#define D_3    0x4008000000000000ull
#define D_QNAN 0x7ff8000000000001ull
#define D_SNAN 0x7ff0000000000001ull
#define D_INF  0x7ff0000000000000ull

/* Installs the catching of #UD, #GP and #XM (signals on the host) and, in the guest,
 * turns SSE and its exceptions on in CR4. Called first by main(). */
static void harness_start(void)
{
#ifdef SSE_ON_HOST
    catch_signals();
#else
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    trap_set_gate(6, catch_ud, 0);
    trap_set_gate(13, catch_gp, 0);
    trap_set_gate(19, catch_xm, 0);
#endif
}

/* Ends a printed line: the vector of the exception the test caught, if any. */
static void print_caught(void)
{
    if (caught_vector != NONE)
        printf(" #%lu", caught_vector);
    printf("\n");
}

/* The width of a test's name in the printed lines; a guest with longer names sets it
 * before the include. */
#ifndef SSE_NAME_WIDTH
#define SSE_NAME_WIDTH "10"
#endif

/* Runs fn under MXCSR mx and prints XMM0 (lanes high to low), MXCSR after, any exception. */
static void run(const char *name, void (*fn)(void), uint32_t mx)
{
    mx_in = mx;
    caught_vector = NONE;
    sse_r[0] = sse_r[1] = sse_r[2] = sse_r[3] = 0xdeadbeef;
    fn();
    printf("%-" SSE_NAME_WIDTH "s %04x: %08x %08x %08x %08x mx %04x", name, mx, sse_r[3], sse_r[2],
           sse_r[1], sse_r[0], mx_out);
    print_caught();
}

static inline void set4(uint32_t *v, uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3)
{
    v[0] = x0;
    v[1] = x1;
    v[2] = x2;
    v[3] = x3;
}

static inline void set2(uint32_t *v, uint64_t x0, uint64_t x1)
{
    set4(v, (uint32_t)x0, (uint32_t)(x0 >> 32), (uint32_t)x1, (uint32_t)(x1 >> 32));
}

#endif
