# lab-scratch.S - the test guest of lab "scratch-register" (chapter 1).
#
# A 16550 UART has a scratch register at base + 7 that holds whatever byte was last
# written to it. This guest writes two patterns to COM1's (port 0x3ff), reads each back,
# and reports through port 0xf4: v = 0 (exit status 1) when both came back, v = 1
# (status 3) when not. Before the lab is done, the read returns all ones.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    mov     $0x3ff, %dx
    mov     $0x5a, %al
    out     %al, %dx
    in      %dx, %al
    cmp     $0x5a, %al
    jne     fail
    mov     $0xa5, %al
    out     %al, %dx
    in      %dx, %al
    cmp     $0xa5, %al
    jne     fail
    xor     %eax, %eax          # pass: v = 0
    jmp     report
fail:
    mov     $1, %eax            # fail: v = 1
report:
    mov     $0xf4, %dx
    outl    %eax, %dx
    hlt
