# paging.S - the two paging modes of 32-bit code, walked by whichever CPU runs this
# (chapter 6): classic 32-bit paging with 4 KiB and 4 MiB pages, then PAE with 4 KiB and
# 2 MiB pages and the XD bit. For each it reads and writes through an alias, prints the
# accessed and dirty bits the CPU set, and provokes page faults, whose error codes and CR2
# a small #PF handler prints. The 64-bit runtime's tests cover 4-level paging.
#
# A Multiboot kernel: QEMU, KVM and the interpreter all start it in 32-bit protected mode
# with paging off, and must print the same lines (guest/paging.expected).

#define PORT_DEBUGCON 0xe9
#define PORT_EXIT     0xf4
#define STACK_TOP     0x90000
#define DATA          0x300000 /* physical pages the tests map: 0x300000 and 0x302000 */
#define PD32          0x200000 /* 32-bit paging: page directory, page table */
#define PT32          0x201000
#define PDPT          0x204000 /* PAE: PDPT, page directory, page table */
#define PDPAE         0x205000
#define PTPAE         0x206000
#define LIN           0x400000 /* the linear pages under test: LIN + 0x1000 * n */
#define P   0x001
#define RW  0x002
#define US  0x004
#define PS  0x080

    .code32
    .section .text.start, "ax"
    .globl _start
    .align 4
multiboot_header:               # Multiboot 1: magic, flags (none), checksum
    .long   0x1badb002, 0, -0x1badb002

_start:
    cli
    mov     $STACK_TOP, %esp
    call    fill_idt
    lidt    idtr
    movl    $0x11223344, DATA          # what the first page holds
    movl    $0xcafef00d, DATA + 0x2000 # and another physical page

# ---- 32-bit paging ----
    # PDE 0: a 4 MiB page mapping 0-4 MiB onto itself (this code, its stack, the tables).
    movl    $(0 | P | RW | PS), PD32
    # PDE 1: 4-8 MiB through a page table of 4 KiB pages.
    movl    $(PT32 | P | RW | US), PD32 + 4
    movl    $(DATA | P | RW), PT32           # LIN:          DATA, writable
    movl    $(DATA | P), PT32 + 4            # LIN + 0x1000: DATA again, read-only
    movl    $0, PT32 + 8                     # LIN + 0x2000: not present
    mov     $PD32, %eax
    mov     %eax, %cr3
    mov     %cr4, %eax
    or      $0x10, %eax                      # CR4.PSE: 4 MiB pages
    mov     %eax, %cr4
    mov     %cr0, %eax
    or      $0x80010000, %eax                # CR0.PG, and CR0.WP: read-only for CPL0 too
    mov     %eax, %cr0

    mov     $s_mode32, %esi
    call    puts
    call    common_tests

    # INVLPG: point LIN at the other page; after INVLPG the CPU must see it.
    movl    $(DATA + 0x2000 | P | RW), PT32
    invlpg  LIN
    mov     $s_invlpg, %esi
    mov     LIN, %eax
    call    put_line

    # Paging off, then PAE.
    mov     %cr0, %eax
    and     $0x7fffffff, %eax
    mov     %eax, %cr0

# ---- PAE paging ----
    movl    $(PDPAE | P), PDPT               # PDPT entry 0: the first 1 GiB
    movl    $0, PDPT + 4
    movl    $(0 | P | RW | PS), PDPAE        # PDE 0: 2 MiB page at 0, onto itself
    movl    $(0x200000 | P | RW | PS), PDPAE + 8 # PDE 1: 2-4 MiB, the tables' own pages
    movl    $(PTPAE | P | RW), PDPAE + 16    # PDE 2: 4-6 MiB through a page table
    movl    $(DATA | P | RW), PTPAE          # LIN:          DATA, writable
    movl    $0, PTPAE + 4
    movl    $(DATA | P), PTPAE + 8           # LIN + 0x1000: DATA, read-only
    movl    $0, PTPAE + 12
    movl    $0, PTPAE + 16                   # LIN + 0x2000: not present
    movl    $0, PTPAE + 20
    movl    $(DATA | P), PTPAE + 24          # LIN + 0x3000: DATA, execute-disable
    movl    $0x80000000, PTPAE + 28
    mov     $0xc0000080, %ecx                # EFER.NXE: the XD bit means something
    rdmsr
    or      $0x800, %eax
    wrmsr
    movb    $0xc3, DATA + 0x10               # a RET to jump to through the XD page
    mov     $PDPT, %eax
    mov     %eax, %cr3
    mov     %cr4, %eax
    or      $0x20, %eax                      # CR4.PAE
    mov     %eax, %cr4
    mov     %cr0, %eax
    or      $0x80000000, %eax
    mov     %eax, %cr0

    mov     $s_pae, %esi
    call    puts
    call    common_tests
    # Execute from an execute-disable page: #PF with the I/D bit (error 0x11).
    movl    $1f, recover
    mov     $(LIN + 0x3010), %eax
    call    *%eax
1:  mov     $s_pte_a, %esi                   # the accessed bits of the PAE entries
    mov     PTPAE, %eax
    and     $0x60, %eax
    call    put_line

    mov     $s_done, %esi
    call    puts
    mov     $0, %eax
    out     %eax, $PORT_EXIT                 # exit status 1: (0 << 1) | 1
    hlt

# The tests both modes share: LIN is DATA writable, LIN + 0x1000 DATA read-only, LIN +
# 0x2000 not present.
common_tests:
    mov     $s_read, %esi
    mov     LIN, %eax
    call    put_line
    movl    $0x55667788, LIN + 4             # write through one alias...
    mov     $s_alias, %esi
    mov     LIN + 0x1004, %eax               # ...read through the other
    call    put_line
    mov     $s_pte_ad, %esi                  # A and D of the writable page's entry
    mov     %cr4, %eax
    test    $0x20, %eax
    jz      1f
    mov     PTPAE, %eax
    jmp     2f
1:  mov     PT32, %eax
2:  and     $0x60, %eax
    call    put_line
    mov     $(LIN + 0x2000), %ebx            # not present: error 0, CR2 = the address
    mov     (%ebx), %eax                     # 2 bytes: the handler skips them
    mov     $(LIN + 0x1000), %ebx            # read-only: error 3 (present, write)
    mov     %eax, (%ebx)
    ret

# #PF: print the error code and CR2, then go on after the 2-byte faulting instruction, or
# at `recover` when that is set.
pf_handler:
    push    %eax
    push    %esi
    mov     $s_pf_err, %esi
    mov     8(%esp), %eax                    # the error code the CPU pushed
    call    put_line
    mov     $s_pf_cr2, %esi
    mov     %cr2, %eax
    call    put_line
    pop     %esi
    pop     %eax
    add     $4, %esp                         # the error code
    cmpl    $0, recover
    je      1f
    push    %eax
    mov     recover, %eax
    mov     %eax, 4(%esp)                    # the saved EIP
    movl    $0, recover
    pop     %eax
    add     $4, %esp                         # and the return address CALL pushed
    sub     $4, %esp
    iret
1:  addl    $2, (%esp)
    iret

# Points the 32 gates at other_handler, except #PF (14) at pf_handler: interrupt gates
# (0x8e: present, DPL 0, 32-bit) in the code segment the Multiboot loader left, whose
# selector each loader chooses.
fill_idt:
    mov     $idt, %edi
    xor     %ecx, %ecx
    mov     %cs, %dx
1:  mov     $other_handler, %eax
    cmp     $14, %ecx
    jne     2f
    mov     $pf_handler, %eax
2:  mov     %ax, (%edi)
    mov     %dx, 2(%edi)
    movw    $0x8e00, 4(%edi)
    shr     $16, %eax
    mov     %ax, 6(%edi)
    add     $8, %edi
    inc     %ecx
    cmp     $32, %ecx
    jne     1b
    ret

# Any other exception: say which, and stop with status 3.
other_handler:
    mov     $s_other, %esi
    call    puts
    mov     $1, %eax
    out     %eax, $PORT_EXIT
    hlt

# puts: the string at ESI. put_line: the string at ESI, then EAX in hex, then a newline.
puts:
    push    %eax
    push    %edx
    mov     $PORT_DEBUGCON, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    out     %al, %dx
    jmp     1b
2:  pop     %edx
    pop     %eax
    ret

put_line:
    push    %ecx
    push    %edx
    call    puts
    mov     %eax, %edx
    mov     $8, %ecx
1:  rol     $4, %edx
    mov     %edx, %eax
    and     $0xf, %eax
    movb    hexdigits(%eax), %al
    push    %edx
    mov     $PORT_DEBUGCON, %dx
    out     %al, %dx
    pop     %edx
    loop    1b
    mov     $PORT_DEBUGCON, %dx
    mov     $'\n', %al
    out     %al, %dx
    pop     %edx
    pop     %ecx
    ret

    .data
    .align 8
# The IDT: 32 interrupt gates (8 bytes each), filled by fill_idt at run time.
idt:
    .space  32 * 8
idt_end:
idtr:
    .word   idt_end - idt - 1
    .long   idt
recover:
    .long   0
hexdigits:
    .ascii  "0123456789abcdef"
s_mode32:   .asciz "32-bit paging\n"
s_pae:      .asciz "PAE paging\n"
s_read:     .asciz "  read through the page:        "
s_alias:    .asciz "  written, read through alias:  "
s_pte_ad:   .asciz "  PTE accessed|dirty bits:      "
s_pte_a:    .asciz "  PTE bits after it all:        "
s_pf_err:   .asciz "  #PF error code:               "
s_pf_cr2:   .asciz "  #PF CR2:                      "
s_invlpg:   .asciz "  after INVLPG, the new page:   "
s_done:     .asciz "done\n"
s_other:    .asciz "an unexpected exception\n"
