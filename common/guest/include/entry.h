/*
 * entry.h - the common entry path of the guest's trap and interrupt stubs, as assembler
 * macros: vectors.S (the exceptions, chapter 2) and irqvec.S (the interrupts, chapter 4)
 * both include it, so the frame they build is the one struct trapframe (trap.h) describes.
 */
/* Assembler, which the C formatter would take apart: */
/* clang-format off */
#ifndef GUEST_ENTRY_H
#define GUEST_ENTRY_H

#ifdef __ASSEMBLER__

/*
 * Expects the stub's error code and vector on the stack, above the CPU's frame. Pushes
 * the fifteen general registers, which completes a struct trapframe, and calls handler
 * with its address as the one argument.
 */
.macro trapframe_call handler
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    cld                             # the C ABI expects the direction flag clear
    movq    %rsp, %rdi              # the struct trapframe
    call    \handler
.endm

/*
 * Undoes trapframe_call once the handler has returned: restores the registers and drops
 * the vector and the error code, leaving the CPU's frame for IRETQ.
 */
.macro trapframe_pop
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    addq    $16, %rsp               # the vector and the error code
.endm

#endif /* __ASSEMBLER__ */
#endif
