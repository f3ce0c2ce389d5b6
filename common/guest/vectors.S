# vectors.S - the entry stubs of the 32 exception vectors (chapter 2).
#
# The CPU pushes SS, RSP, RFLAGS, CS and RIP, and for some exceptions an error code. Each
# stub makes the frame uniform (an error code of 0 where the CPU pushes none), adds its
# vector number, and jumps to trap_entry, which saves the registers as a struct trapframe
# (trap.h) and calls trap_handler() in C, with the macros of entry.h that the interrupt
# stubs share. trap_init() puts the stubs' addresses, listed in trap_stubs, into the IDT.

#include <entry.h>

# The exceptions for which the CPU pushes an error code itself.
#define HAS_ERROR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21 || \
                      (n) == 29 || (n) == 30)

    .text
.macro stub n
    .balign 16
trap_stub_\n:
    .if !HAS_ERROR(\n)
    pushq   $0                      # no error code from the CPU: push one
    .endif
    pushq   $\n
    jmp     trap_entry
.endm

    .irp    n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    stub    \n
    .endr

trap_entry:
    trapframe_call trap_handler     # reports and exits: exceptions do not come back
1:  cli
    hlt
    jmp     1b

# The stubs' addresses, in vector order, for trap_init().
    .section .rodata
    .balign 8
    .globl  trap_stubs
trap_stubs:
    .irp    n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad   trap_stub_\n
    .endr
