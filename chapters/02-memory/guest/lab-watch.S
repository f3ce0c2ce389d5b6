# lab-watch.S - a test guest of lab "watch-step" (chapter 2).
#
# 32-bit protected mode, paging off, no stack, loaded at 0x10000. It writes twice to the
# byte at 0xd3000 and once to its neighbour, in the upper memory of lab "umb-slot":
# before that lab is done there is no RAM there, and each write is an MMIO exit the
# machine drops. A watchpoint on 0xd3000 sees two changes: to 0x11, then to 0x33.

    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    movb    $0x11, 0xd3000
    movb    $0x22, 0xd3001      # the neighbour: a watch on 0xd3000 does not see it
    movb    $0x33, 0xd3000
    hlt
