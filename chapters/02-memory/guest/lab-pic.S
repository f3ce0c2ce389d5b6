# lab-pic.S - the guest of lab "load-anywhere" (chapter 2): yours to fix.
#
# A long-mode flat binary linked for 0x10000. It prints its message by the message's
# absolute address, so loaded anywhere else (ch2 --mode long --load-addr 0x200000) it
# prints whatever lies at 0x10000 + offset instead. Make it work wherever it is loaded.

    .code64
    .section .text.start, "ax"
    .globl _start
_start:
    # [lab-pic]
    mov     $message, %rsi      # an absolute address, fixed when the file was linked
    # [lab-pic]
    mov     $0xe9, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    out     %al, %dx
    jmp     1b
2:  hlt

    .section .rodata
message:
    .asciz  "position-independent: found my message\n"
