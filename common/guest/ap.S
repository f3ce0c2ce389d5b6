# ap.S - the AP trampoline (chapter 5): where a STARTUP IPI sends an application processor,
# in real mode, and the way from there through protected mode into long mode and smp.c.
#
# smp_start() copies the bytes from ap_trampoline to ap_trampoline_end to AP_TRAMPOLINE
# (smp.h) and leaves struct ap_params at AP_PARAMS. The code runs at that address, not at
# the one it is linked at, so it names its own labels through AT().

#include <gdt.h>
#include <smp.h>

#define CR0_PE   (1 << 0)
#define CR0_NW   (1 << 29)          /* not write-through: INIT sets it */
#define CR0_CD   (1 << 30)          /* cache disable: INIT sets it */
#define CR0_PG   (1 << 31)
#define CR4_PAE  (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define AT(label) (AP_TRAMPOLINE + (label) - ap_trampoline)

# The trampoline's own GDT: real mode cannot jump straight to the runtime's, which has no
# 32-bit code segment.
#define AP_CODE32 0x08
#define AP_DATA   0x10
#define AP_CODE64 0x18

    .section .text.ap, "ax"
    .globl  ap_trampoline, ap_trampoline_end

# [ap-real]
    .code16
ap_trampoline:
    cli
    cld
    xorw    %ax, %ax
    movw    %ax, %ds                # DS = 0: the addresses below are physical
    lgdtl   AT(ap_gdt_pointer)
    movl    %cr0, %eax
    andl    $~(CR0_CD | CR0_NW), %eax  # caches on, as the BSP has them
    orl     $CR0_PE, %eax
    movl    %eax, %cr0
    ljmpl   $AP_CODE32, $AT(ap_protected)
# [ap-real]

# [ap-protected]
    .code32
ap_protected:
    movw    $AP_DATA, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    # The same steps as boot.S, with the BSP's page tables: PAE, CR3, EFER.LME, CR0.PG.
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    AP_PARAMS + AP_PARAM_CR3, %eax
    movl    %eax, %cr3
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $CR0_PG, %eax
    movl    %eax, %cr0
    ljmp    $AP_CODE64, $AT(ap_long)
# [ap-protected]

# [ap-long]
    .code64
ap_long:
    # The AP's own stack (SS was loaded in protected mode and is ignored now), the
    # runtime's GDT, and its 64-bit code segment by a far return to code in the image.
    movq    AP_PARAMS + AP_PARAM_STACK, %rsp   # 16-byte aligned
    lgdt    AP_PARAMS + AP_PARAM_GDTR
    pushq   $GDT_KERNEL_CODE
    movabsq $ap_runtime, %rax
    pushq   %rax
    lretq
# [ap-long]

    .balign 8
ap_gdt:
    .quad   0
    .quad   0x00cf9a000000ffff      # 0x08: 32-bit code, base 0, limit 4 GiB
    .quad   0x00cf92000000ffff      # 0x10: data, base 0, limit 4 GiB
    .quad   0x00af9a000000ffff      # 0x18: 64-bit code (L = 1)
ap_gdt_end:
ap_gdt_pointer:
    .word   ap_gdt_end - ap_gdt - 1
    .long   AT(ap_gdt)
ap_trampoline_end:

# From here on the code runs where it is linked, in the image.
    .text
ap_runtime:
    load_kernel_data_segments  # as the first CPU did (gdt.h)
    lidt    AP_PARAMS + AP_PARAM_IDTR
    movq    AP_PARAMS + AP_PARAM_CPU, %rdi
    call    *AP_PARAMS + AP_PARAM_ENTRY        # does not return
1:  cli
    hlt
    jmp     1b
