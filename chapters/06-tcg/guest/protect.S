# protect.S - protected-mode corners the interpreter once got wrong (chapter 6): a fault in a
# far CALL, IRET or far JMP must leave the state as it was, and a conforming segment keeps
# the CPL. Prints A, B, C each followed by + (right) or - (wrong); QEMU prints A+B+C+.

/* Three checks in 32-bit protected mode; prints A/B/C results to port 0xe9:
 * 1: far CALL to a not-present segment: #NP must leave ESP as before the CALL.
 * 2: IRET to CPL3 with a bad SS: #GP must be taken at CPL0 (pushed CS = 0x08).
 * 3: CPL3 far JMP to a conforming DPL0 code segment: CPL stays 3, MOV CR0 must #GP. */
#include "start32.inc"
_start:
	mov $stack_top, %esp
	mov $tss, %eax
	movw %ax, gdt+0x28+2
	shr $16, %eax
	movb %al, gdt+0x28+4
	movb %ah, gdt+0x28+7
	load_flat_gdt
	movl $kstack_top, tss+4
	movl $0x10, tss+8
	mov $0x28, %ax
	ltr %ax
	mov $h_np, %eax
	mov $11, %ebx
	call setgate
	mov $h_gp, %eax
	mov $13, %ebx
	call setgate
	lidt idtr
	/* 1 */
	mov %esp, saved
	lcall $0x30, $0
after1:
	/* 2: IRET to CPL3 with SS = 0x13 (kernel data, DPL0, RPL3) */
	movl $2, phase
	mov %esp, saved
	pushl $0x13
	pushl $ustack_top
	pushl $0x2
	pushl $0x1b
	pushl $user
iret2:	iret
after2:
	/* 3: to CPL3 properly, then ljmp to conforming */
	movl $3, phase
	pushl $0x23
	pushl $ustack_top
	pushl $0x2
	pushl $0x1b
	pushl $user3
	iret
user:	jmp user
user3:	ljmp $0x38, $conf
conf:	mov %cr0, %eax        /* CPL3 still: #GP */
	mov $'C', %al
	out %al, $0xe9
	mov $'-', %al          /* escalated: wrong */
	out %al, $0xe9
	jmp done
setgate:
	lea idt(,%ebx,8), %edi
	movw %ax, (%edi)
	movw $0x08, 2(%edi)
	movw $0x8e00, 4(%edi)
	shr $16, %eax
	movw %ax, 6(%edi)
	ret
h_np:	lea 16(%esp), %eax     /* same privilege: ESP before the fault */
	mov $'A', %dl
	call report_eq
	mov saved, %esp
	jmp after1
h_gp:	mov $0x10, %ax
	mov %ax, %ds
	cmpl $2, phase
	je gp2
	/* phase 3: #GP from MOV CR0 at CPL3 is the right answer */
	mov $'C', %al
	out %al, $0xe9
	mov $'+', %al
	out %al, $0xe9
	jmp done
gp2:	mov 8(%esp), %eax      /* pushed CS */
	mov $0x08, %ecx
	mov $'B', %dl
	mov %ecx, saved2
	mov %eax, %ecx
	mov saved2, %eax
	xchg %eax, %ecx
	cmp %eax, %ecx
	call report_flags
	mov $0x10, %ax
	mov %ax, %ss
	mov saved, %esp
	jmp after2
report_eq:
	cmp saved, %eax
report_flags:
	pushf
	mov %dl, %al
	out %al, $0xe9
	popf
	mov $'+', %al
	je 1f
	mov $'-', %al
1:	out %al, $0xe9
	ret
done:	mov $'\n', %al
	out %al, $0xe9
	mov $0, %eax
	out %eax, $0xf4
	.data
	.align 8
gdt:	.quad 0
	.quad 0x00cf9a000000ffff   /* 0x08 kernel code */
	.quad 0x00cf92000000ffff   /* 0x10 kernel data */
	.quad 0x00cffa000000ffff   /* 0x18 user code */
	.quad 0x00cff2000000ffff   /* 0x20 user data */
	.quad 0x0000890000000067   /* 0x28 TSS */
	.quad 0x00cf1a000000ffff   /* 0x30 code, NOT present */
	.quad 0x00cf9e000000ffff   /* 0x38 conforming code, DPL0 */
gdtr:	.word 63
	.long gdt
idtr:	.word 256*8-1
	.long idt
phase:	.long 1
saved:	.long 0
saved2:	.long 0
	.align 16
tss:	.space 104
	.bss
	.align 4096
idt:	.space 2048
	.space 4096
stack_top:
	.space 4096
kstack_top:
	.space 4096
ustack_top:
