# boot.S - where every C guest starts (chapter 2): the Multiboot header, then a 32-bit
# entry that builds a GDT and identity page tables, switches the CPU to long mode, and
# calls runtime_start() in start.c, which calls the guest's main().
#
# The loader enters _start as Multiboot v1 says: 32-bit protected mode, paging off,
# EAX = 0x2BADB002, EBX = physical address of the multiboot_info, no usable stack, and
# segment registers we must not rely on. All the tables built here live in the image's
# .bss (above 1 MiB), which the loader has zeroed; nothing goes in low memory.

#include <gdt.h>
#include <multiboot.h>

#define CR0_PE   (1 << 0)       /* protected mode (the loader already set it) */
#define CR0_PG   (1 << 31)      /* paging */
#define CR4_PAE  (1 << 5)       /* physical address extension: 64-bit page table entries */
#define MSR_EFER 0xc0000080     /* the extended feature enable register */
#define EFER_LME (1 << 8)       /* long mode enable: paging turns on long mode */

#define PTE_P    (1 << 0)       /* present */
#define PTE_W    (1 << 1)       /* writable */
#define PTE_U    (1 << 2)       /* user: CPL3 may use it too (for user_call) */
#define PTE_PS   (1 << 7)       /* in a page directory entry: a 2 MiB page, not a table */
#define PTE_TABLE (PTE_P | PTE_W | PTE_U)
#define PAGE_2M  0x200000
#define PD_COUNT 4              /* 4 page directories x 512 entries x 2 MiB = 4 GiB */

# [mb-header]
# The loader scans the first 8 KiB of the file for this: magic, flags, and a checksum
# that makes the three add up to 0. Flags ask for page-aligned modules and for the memory
# information; without bit 16 (the "a.out kludge") the loader takes addresses from the
# ELF program headers. guest.ld puts this section first.
    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long   MULTIBOOT_HEADER_MAGIC
    .long   MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO
    .long   -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_PAGE_ALIGN + MULTIBOOT_MEMORY_INFO)
# [mb-header]

    .section .text.boot, "ax"
    .code32
    .globl  _start
_start:
    cli
    # The switch to 64-bit mode leaves the upper halves of registers undefined and we
    # need EAX and EBX for other things meanwhile: keep them in memory.
    movl    %eax, boot_magic
    movl    %ebx, boot_info
    movl    $boot_stack_top, %esp

# [page-tables]
    # PML4[0] -> the one PDPT: it covers the first 512 GiB.
    movl    $boot_pdpt + PTE_TABLE, boot_pml4

    # PDPT[0..3] -> four page directories, one for each GiB.
    xorl    %ecx, %ecx
    movl    $boot_pd + PTE_TABLE, %eax
1:  movl    %eax, boot_pdpt(, %ecx, 8)
    addl    $4096, %eax
    incl    %ecx
    cmpl    $PD_COUNT, %ecx
    jne     1b

    # The four directories are contiguous: 2048 entries, entry i maps the 2 MiB page at
    # physical i * 2 MiB to the same virtual address (an identity map). The high half of
    # every entry stays 0 (.bss is zeroed): all of it lies below 4 GiB.
    xorl    %ecx, %ecx
    movl    $PTE_P | PTE_W | PTE_U | PTE_PS, %eax
2:  movl    %eax, boot_pd(, %ecx, 8)
    addl    $PAGE_2M, %eax
    incl    %ecx
    cmpl    $PD_COUNT * 512, %ecx
    jne     2b
# [page-tables]

# [to-long-mode]
    # 1. CR3: where the CPU will find the PML4 once paging is on.
    movl    $boot_pml4, %eax
    movl    %eax, %cr3

    # 2. CR4.PAE: long mode uses the 64-bit entry format that PAE introduced.
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4

    # 3. EFER.LME: ask for long mode. Nothing happens yet; it becomes active (EFER.LMA)
    #    the moment paging is turned on.
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $EFER_LME, %eax
    wrmsr

    # 4. CR0.PG: paging on, and with it long mode. We now run in compatibility mode:
    #    64-bit paging, but still the 32-bit code segment the loader gave us.
    movl    %cr0, %eax
    orl     $CR0_PG | CR0_PE, %eax
    movl    %eax, %cr0

    # 5. Our own GDT, and a far jump into its 64-bit code segment (L = 1): from the next
    #    instruction on, the CPU decodes 64-bit code.
    lgdt    gdt_pointer
    ljmp    $GDT_KERNEL_CODE, $start64
# [to-long-mode]

    .code64
start64:
    load_kernel_data_segments  # (gdt.h)

    movq    $boot_stack_top, %rsp  # 16-byte aligned, as the C ABI wants before a call
    movl    boot_magic, %edi       # 32-bit moves zero the upper halves
    movl    boot_info, %esi
    call    runtime_start          # does not return
3:  cli
    hlt
    jmp     3b

# The GDT. Long mode ignores base and limit; what matters is P (present), DPL, S
# (code/data), the type (code executable-readable, data writable) and L (64-bit code).
    .data
    .balign 16
    .globl  gdt
gdt:
    .quad   0                       # 0x00: the null selector
    .quad   0x00af9a000000ffff      # 0x08 kernel code: P, DPL 0, code, L = 1
    .quad   0x00cf92000000ffff      # 0x10 kernel data: P, DPL 0, data, writable
    .quad   0x00cff2000000ffff      # 0x18 user data:   P, DPL 3, data, writable
    .quad   0x00affa000000ffff      # 0x20 user code:   P, DPL 3, code, L = 1
    .quad   0, 0                    # 0x28 TSS: filled in by trap_init(), which knows
                                    #      its address in pieces the linker cannot split
gdt_end:

gdt_pointer:
    .word   gdt_end - gdt - 1       # limit
    .quad   gdt                     # base (LGDT in 32-bit mode reads its low 32 bits)

    .bss
    .balign 4096
boot_pml4:
    .skip   4096
boot_pdpt:
    .skip   4096
boot_pd:
    .skip   4096 * PD_COUNT

    .balign 16
boot_stack:
    .skip   16384
boot_stack_top:

boot_magic:
    .skip   4
boot_info:
    .skip   4
