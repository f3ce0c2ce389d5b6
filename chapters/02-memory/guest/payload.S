# payload.S - chapter 2's payload: the same few lines, built once for each CPU mode the
# VMM can start a guest in (BITS = 16, 32 or 64). It prints which mode it runs in,
# reports the sum 1 + 2 + ... + 100 as a 16-bit write to port 0x80, and halts.
#
# Real mode (BITS 16): entered at CS:IP = 0x1000:0, so its labels are offsets from 0.
# Protected and long mode: flat segments, linked and entered at 0x10000.

#if BITS == 16
    .code16
#define SI %si
#define CX %cx
#elif BITS == 32
    .code32
#define SI %esi
#define CX %ecx
#else
    .code64
#define SI %rsi
#define CX %rcx
#endif

    .section .text.start, "ax"
    .globl _start
_start:
#if BITS == 16
    mov     %cs, %ax            # DS = CS: the strings are in this segment
    mov     %ax, %ds
#endif
    # [payload]
    mov     $message, SI
    mov     $0xe9, %dx
1:  lodsb                       # AL = [SI], SI += 1, in any mode
    test    %al, %al
    jz      2f
    out     %al, %dx
    jmp     1b
2:  xor     %ax, %ax
    mov     $100, CX
3:  add     %cx, %ax
    loop    3b                  # LOOP counts CX, ECX or RCX: the mode decides
    mov     $0x80, %dx
    out     %ax, %dx            # 5050 = 0x13ba
    hlt
    # [payload]

    .section .rodata
message:
#if BITS == 16
    .asciz  "payload: running in real mode\n"
#elif BITS == 32
    .asciz  "payload: running in protected mode\n"
#else
    .asciz  "payload: running in long mode\n"
#endif
