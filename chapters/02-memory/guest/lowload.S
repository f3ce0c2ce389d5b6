# lowload.S - a Multiboot kernel whose only segment starts at 0x8000 (chapter 2).
#
# QEMU's -kernel boots a kernel this low, so stepvm must too: its boot structures go
# after the image, not under it. The kernel checks what a loader that got this wrong
# would break, says so on port 0xe9, and ends through port 0xf4 with 21 (status 43), or
# with 1 (status 3) at the first check that fails. The output is the same under stepvm
# and QEMU, which place the boot information at different addresses: it names none.
#
# It checks where EBX points, not what is there. QEMU 7.2 writes its info structure at
# 0x9500, then copies the kernel followed by the info's strings (page-aligned after the
# kernel: 0x9000 on) over it, so a kernel this low finds that structure zeroed there.

#define MB_MAGIC      0x1BADB002
#define MB_FLAGS      0x00000002 /* memory information, please */
#define MB_LOADER     0x2BADB002 /* EAX from a Multiboot loader */
#define TAIL_MAGIC    0x600dcafe
#define PASS          21
#define FAIL          1

    .code32
    .section .text.start, "ax"
    .p2align 2
header:
    .long   MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .globl _start
_start:
    mov     $stack_top, %esp    # a Multiboot loader leaves ESP undefined
    mov     %eax, %edi
    mov     $banner, %esi
    call    puts
    cmp     $MB_LOADER, %edi    # started by a Multiboot loader
    jne     fail
    mov     $said_magic, %esi
    call    puts
    # [lowload-checks]
    cmpl    $TAIL_MAGIC, tail   # the last bytes of the file are where they belong
    jne     fail
    mov     $bss_start, %ecx    # the bss is zero: nothing was written over it
1:  cmpb    $0, (%ecx)
    jne     fail
    inc     %ecx
    cmp     $bss_checked, %ecx
    jne     1b
    mov     $said_intact, %esi
    call    puts
    cmp     $image_end, %ebx    # the boot information lies above the image
    jae     2f
    lea     88(%ebx), %eax      # or wholly below it
    cmp     $header, %eax
    ja      fail
2:
    # [lowload-checks]
    mov     $said_info, %esi
    call    puts
    mov     $PASS, %eax
    jmp     out
fail:
    mov     $said_fail, %esi
    call    puts
    mov     $FAIL, %eax
out:
    mov     $0xf4, %dx          # isa-debug-exit: the VMM ends with status (v << 1) | 1
    out     %eax, %dx
    hlt

# Writes the NUL-terminated string at ESI to port 0xe9.
puts:
    mov     $0xe9, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    out     %al, %dx
    jmp     1b
2:  ret

banner:      .asciz "lowload: a Multiboot kernel at 0x8000\n"
said_magic:  .asciz "lowload: started by a Multiboot loader\n"
said_intact: .asciz "lowload: my bytes and my bss are intact\n"
said_info:   .asciz "lowload: the boot information lies outside me\n"
said_fail:   .asciz "lowload: FAIL\n"

    .data
    .p2align 2
tail:
    .long   TAIL_MAGIC          # the file's last bytes

    .bss
    .p2align 4
bss_start:
    .skip   0x200               # bytes the loader must zero
bss_checked:
    .skip   0x200               # the stack
stack_top:
image_end:
