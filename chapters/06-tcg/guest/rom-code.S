# rom-code.S - a hostile guest (chapter 6): it runs code in the ROM page, so the interpreter
# caches it, then writes to that page. The write must become an MMIO exit, as on KVM, and
# the VMM must go on. (QEMU 7.2's TCG aborts on this guest.)

/* Executes one instruction in the ROM page (it faults), then writes to that page. */
#include "start32.inc"
_start:
	load_flat_gdt
	mov $stack_top, %esp
	/* IDT: every one of 32 vectors goes to handler */
	mov $idt, %edi
	mov $32, %ecx
2:	mov $handler, %eax
	movw %ax, (%edi)
	movw $0x08, 2(%edi)
	movw $0x8e00, 4(%edi)
	shr $16, %eax
	movw %ax, 6(%edi)
	add $8, %edi
	loop 2b
	lidt idtr
	mov $0x18, %ax      /* DS: limit 0 */
	mov %ax, %ds
	mov $0x1000, %eax
	jmp 0xf000a         /* ": " in the ROM's text: cmp ah,[eax] -> #GP */
handler:
	mov $0x10, %ax
	mov %ax, %ds
	mov $'H', %al
	out %al, $0xe9
	movb $0x41, 0xf0000  /* a write to ROM, in a page with decoded code */
	mov $'W', %al
	out %al, $0xe9
	mov $0, %eax
	out %eax, $0xf4
	hlt
	.data
	.align 8
gdt:	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x0040920000000000
gdtr:	.word 31
	.long gdt
idtr:	.word 32*8-1
	.long idt
	.bss
	.align 8
idt:	.space 32*8
	.space 4096
stack_top:
