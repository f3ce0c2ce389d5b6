/*
 * trap.h - the guest's interrupt descriptor table (chapter 2). At boot the runtime points
 * the 32 exception vectors at a handler that reports the exception and exits with
 * EXIT_EXCEPTION, so a guest that crashes says why instead of triple-faulting.
 */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#define TRAP_EXCEPTIONS  32   /* vectors 0-31 are the CPU's exceptions */
#define TRAP_USER_RETURN 0x80 /* INT 0x80 from CPL3 ends a user_call */

#ifndef __ASSEMBLER__
#include <stdint.h>

/** What the entry stubs in vectors.S save: pushed by hand first, then by the CPU. */
struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector; /* pushed by the stub */
    uint64_t error;  /* pushed by the CPU for some exceptions, else 0 by the stub */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/** Builds the IDT and the TSS and loads them (the runtime calls it before main). */
void trap_init(void);

/** Points IDT vector @p vector at @p entry, an interrupt gate callable from CPL @p dpl. */
void trap_set_gate(int vector, void (*entry)(void), int dpl);

/** Called by vectors.S with the frame of an exception: reports it and exits. */
void trap_handler(struct trapframe *tf);

#endif /* __ASSEMBLER__ */
#endif
