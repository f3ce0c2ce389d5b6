# compat.S - an exception from CPL3 compatibility-mode code under a 64-bit kernel (chapter 6):
# the CPU pushes a 64-bit frame on the TSS's RSP0 stack. Prints OK and exits with 0x11,
# as under QEMU.

/* Long mode; CPL3 compatibility-mode code raises #BP (int3); the 64-bit handler reports
 * which CS it interrupted and exits 0x11 on success. */
#include "start32.inc"
_start:
	mov $stack_top, %esp
	/* page tables: PML4[0] -> PDPT, PDPT[0] -> PD, PD: 2 MiB pages 0..1 GiB, user+rw */
	mov $pdpt, %eax
	or $7, %eax
	mov %eax, pml4
	mov $pd, %eax
	or $7, %eax
	mov %eax, pdpt
	mov $pd, %edi
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x87, %eax
	mov %eax, (%edi,%ecx,8)
	inc %ecx
	cmp $512, %ecx
	jne 1b
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x20, %eax
	mov %eax, %cr4
	mov $0xc0000080, %ecx
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax
	mov %eax, %cr0
	/* TSS base into its descriptor */
	mov $tss, %eax
	movw %ax, gdt+0x30+2
	shr $16, %eax
	movb %al, gdt+0x30+4
	movb %ah, gdt+0x30+7
	lgdt gdtr
	ljmp $0x08, $long64
	.code64
long64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x30, %ax
	ltr %ax
	movq $kstack_top, tss+4(%rip)
	/* IDT: vector 3 -> bp_handler, 64-bit interrupt gate DPL3 */
	lea bp_handler(%rip), %rax
	lea idt(%rip), %rdi
	movw %ax, 3*16(%rdi)
	movw $0x08, 3*16+2(%rdi)
	movw $0xee00, 3*16+4(%rdi)
	shr $16, %rax
	movw %ax, 3*16+6(%rdi)
	shr $16, %rax
	movl %eax, 3*16+8(%rdi)
	lidt idtr(%rip)
	/* iretq to compat-mode CPL3 */
	pushq $0x23            /* SS: user data */
	pushq $ustack_top
	pushq $0x2
	pushq $0x1b            /* CS: compat user code */
	lea compat_user(%rip), %rax
	pushq %rax
	iretq
	.code32
compat_user:
	int3
	mov $'?', %al          /* never: CPL3 */
	hlt
	.code64
bp_handler:
	mov $'O', %al
	out %al, $0xe9
	mov $'K', %al
	out %al, $0xe9
	mov $'\n', %al
	out %al, $0xe9
	mov 8(%rsp), %eax      /* the interrupted CS */
	cmp $0x1b, %eax
	jne bad
	mov $0x11, %eax
	out %eax, $0xf4
bad:	mov $0x22, %eax
	out %eax, $0xf4
	.data
	.align 8
gdt:	.quad 0
	.quad 0x00af9a000000ffff   /* 0x08 kernel code 64 */
	.quad 0x00cf92000000ffff   /* 0x10 kernel data */
	.quad 0x00cffa000000ffff   /* 0x18 user code 32 (compat) */
	.quad 0x00cff2000000ffff   /* 0x20 user data */
	.quad 0x00affa000000ffff   /* 0x28 user code 64 */
	.quad 0x0000890000000067   /* 0x30 TSS (base patched) */
	.quad 0
gdtr:	.word 63
	.quad gdt
idtr:	.word 256*16-1
	.quad idt
	.align 16
tss:	.space 104
	.bss
	.align 4096
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4096
idt:	.space 4096
	.space 4096
stack_top:
	.space 4096
kstack_top:
	.space 4096
ustack_top:
