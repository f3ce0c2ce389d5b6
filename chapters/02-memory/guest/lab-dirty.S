# lab-dirty.S - the guest of lab "dirty-loop" (chapter 2): yours to finish.
#
# 32-bit protected mode, paging off, no stack. Between POST 0x01 and POST 0x02, write one
# byte to each of the 64 pages from 0x400000 to 0x43ffff, with a loop, and nothing else.
# Run it with ch2 --mode protected --dirty-log and read interval 2 of the report.

    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    mov     $0x80, %dx
    mov     $1, %al
    out     %al, %dx            # POST 0x01: the interval starts here
    # [lab-dirty]
    # Your loop here.
    # [lab-dirty]
    mov     $0x80, %dx
    mov     $2, %al
    out     %al, %dx            # POST 0x02: the interval ends here
    hlt
