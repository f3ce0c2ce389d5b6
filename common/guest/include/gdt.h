/*
 * gdt.h - the segment selectors of the guest runtime's GDT (chapter 2), shared by the
 * assembly that builds the table (boot.S) and the C that uses it. Long mode ignores segment
 * bases and limits; what the selectors still carry is the privilege level (DPL) and,
 * for code, 64-bit mode (the L bit).
 */
#ifndef GUEST_GDT_H
#define GUEST_GDT_H

/*
 * User data comes before user code: the order SYSRET expects (STAR[63:48] + 8 for SS,
 * + 16 for CS), so that a lab can switch user_call to SYSCALL/SYSRET without moving them.
 */
#define GDT_KERNEL_CODE 0x08 /* 64-bit code, DPL 0 */
#define GDT_KERNEL_DATA 0x10 /* data, DPL 0 */
#define GDT_USER_DATA   0x18 /* data, DPL 3 */
#define GDT_USER_CODE   0x20 /* 64-bit code, DPL 3 */
#define GDT_TSS         0x28 /* the task-state segment: a 16-byte descriptor (two slots) */
#define GDT_ENTRIES     7

#define SEL_RPL3 3 /* OR into a selector to request privilege level 3 */

#ifdef __ASSEMBLER__
/* Assembly, which clang-format would take for C: */
/* clang-format off */
/* In 64-bit mode, the data segments every CPU loads once (boot.S for the first, ap.S for
 * the others, chapter 5): their base and limit are ignored, but SS must hold a valid
 * selector, and DS/ES one whose DPL allows the access; FS and GS are left null. */
.macro load_kernel_data_segments
    movw    $GDT_KERNEL_DATA, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    xorw    %ax, %ax
    movw    %ax, %fs
    movw    %ax, %gs
.endm
/* clang-format on */
#endif

#endif
