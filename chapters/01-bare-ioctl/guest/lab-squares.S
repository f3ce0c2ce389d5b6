# lab-squares.S - the guest of lab "sum-of-squares" (chapter 1): yours to finish.
#
# Compute 1*1 + 2*2 + ... + 10*10 in real mode, write the result to port 0x80 as one
# 16-bit OUT (as hello.S does with its sum), then halt. MUL multiplies AX by its operand
# into DX:AX; LOOP counts CX down.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    # [lab-squares]
    # Your code here.
    # [lab-squares]
1:  hlt
    jmp     1b
