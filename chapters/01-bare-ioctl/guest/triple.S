# triple.S - a guest that triple-faults on purpose, to show KVM_EXIT_SHUTDOWN and the
# register dump (chapter 1).
#
# In real mode the CPU finds interrupt handlers in the table IDTR points at. With its
# limit set to 0, INT 3 cannot find vector 3: that is a #GP, whose vector cannot be
# found either, so a double fault, which cannot be found either: the CPU shuts down.
#
# That takes a CPU that checks the IDT limit in real mode, as every x86 CPU running the
# guest itself does (AMD-V, Intel's unrestricted guest). A KVM that runs real mode in its
# own instruction emulator delivers the interrupt without that check (Linux's
# arch/x86/kvm/emulate.c leaves it out): the guest then jumps through the zeros at 0:0 and
# slides through them (00 00 is ADD [BX+SI], AL) back into its own code, again and again,
# with no exit that a VMM could stop on.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    mov     $msg, %si
    mov     $0xe9, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    out     %al, %dx
    jmp     1b
    # [triple]
2:  lidt    empty_idt           # IDTR.limit = 0: no vector fits
    int3                        # #BP -> #GP -> #DF -> shutdown
    hlt
    # [triple]

    .section .rodata
msg:
    .asciz  "about to triple-fault\n"
empty_idt:
    .word   0                   # limit
    .long   0                   # base
