# user.S - user_call(): run a C function at CPL3 and come back (chapter 2).
#
# Down: IRETQ, from a frame built by hand, is the one instruction that changes CS, SS,
# RSP, RFLAGS and RIP together, so it drops to CPL3 with IOPL = 3 in one step.
# Up: the user side ends with INT 0x80, through an interrupt gate of DPL 3.
#
# Why an interrupt gate and not SYSCALL: any interrupt or exception that arrives at CPL3
# needs a TSS whose RSP0 names the CPL0 stack, so the TSS is there anyway; with it, the
# way back is one IDT entry, and no MSRs (EFER.SCE, STAR, LSTAR, SFMASK) need setting up.
# user_call stores its own stack pointer in TSS.RSP0, so "the CPL0 stack" is exactly
# where it left its registers.

#include <gdt.h>
#include <trap.h>

#define RFLAGS_IOPL3 (3 << 12)
#define TSS_RSP0     4          /* offset of RSP0 in the 64-bit TSS */

    .text
# [user-call]
# long user_call(long (*fn)(void *), void *arg): fn in RDI, arg in RSI.
    .globl  user_call
user_call:
    # The registers the C ABI says a call preserves. fn preserves them as well, but the
    # way back comes through an interrupt, so keep our own copy rather than rely on it.
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, tss + TSS_RSP0    # the INT 0x80 (or an exception) at CPL3 lands here

    movq    %rdi, %rax              # fn, for user_entry
    movq    %rsi, %rdi              # arg: fn's first argument

    # The frame IRETQ pops: RIP, CS, RFLAGS, RSP, SS (pushed in reverse).
    pushq   $GDT_USER_DATA | SEL_RPL3   # SS
    pushq   $user_stack_top             # RSP
    pushfq                              # RFLAGS: ours (interrupts stay off) ...
    orq     $RFLAGS_IOPL3, (%rsp)       # ... with IOPL = 3: IN and OUT allowed at CPL3
    pushq   $GDT_USER_CODE | SEL_RPL3   # CS: its RPL is the new CPL
    pushq   $user_entry                 # RIP
    iretq

# At CPL3, on the user stack.
user_entry:
    call    *%rax                   # RAX = fn(arg)
    int     $TRAP_USER_RETURN       # back to CPL0, at user_return; RAX survives

# At CPL0, reached through the DPL 3 gate that trap_init() installs. The CPU switched to
# the stack in TSS.RSP0 and pushed a frame we do not need: go back to where user_call
# left its registers, and return from user_call with fn's result in RAX.
    .globl  user_return
user_return:
    movq    tss + TSS_RSP0, %rsp
    movw    $GDT_KERNEL_DATA, %cx   # going to CPL3 emptied DS and ES: refill them
    movw    %cx, %ds
    movw    %cx, %es
    movw    %cx, %ss                # the interrupt left SS null (RPL 0)
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    ret
# [user-call]

    .bss
    .balign 16
user_stack:
    .skip   16384
user_stack_top:
