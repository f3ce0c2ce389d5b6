# irqvec.S - the entry stubs of the interrupt vectors 32 to 255 (chapter 4).
#
# An external interrupt pushes no error code, so each stub pushes a 0 in its place and its
# vector number, making the same frame as an exception (struct trapframe in trap.h). The
# common entry saves the registers, calls irq_dispatch() in C, restores them and returns
# to the interrupted code with IRETQ. irq_init() puts the stubs' addresses, listed in
# irq_stubs, into the IDT.

#include <irq.h>

    .altmacro
    .text
# [irq-stub]
.macro irq_stub n
    .balign 16
irq_stub_\n:
    pushq   $0                      # no error code for an interrupt
    pushq   $\n
    jmp     irq_entry
.endm

    .set    vector, IRQ_FIRST_VECTOR
    .rept   IRQ_VECTORS
    irq_stub %vector
    .set    vector, vector + 1
    .endr
# [irq-stub]

# The stack is 16-byte aligned here: the CPU aligns it before pushing its five words, and
# the stub's two words and the fifteen registers below add up to 17 words more.
irq_entry:
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
    call    irq_dispatch
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
    iretq

.macro irq_stub_address n
    .quad   irq_stub_\n
.endm

# The stubs' addresses, in vector order from IRQ_FIRST_VECTOR, for irq_init().
    .section .rodata
    .balign 8
    .globl  irq_stubs
irq_stubs:
    .set    vector, IRQ_FIRST_VECTOR
    .rept   IRQ_VECTORS
    irq_stub_address %vector
    .set    vector, vector + 1
    .endr
