# irqvec.S - the entry stubs of the interrupt vectors 32 to 255 (chapter 4).
#
# An external interrupt pushes no error code, so each stub pushes a 0 in its place and its
# vector number, making the same frame as an exception (struct trapframe in trap.h). The
# common entry saves the registers with the exception stubs' macros (entry.h), calls
# irq_dispatch() in C, restores them and returns to the interrupted code with IRETQ.
# irq_init() puts the stubs' addresses, listed in irq_stubs, into the IDT.

#include <entry.h>
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
# the stub's two words and the fifteen registers trapframe_call pushes make 17 words more.
irq_entry:
    trapframe_call irq_dispatch
    trapframe_pop
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
