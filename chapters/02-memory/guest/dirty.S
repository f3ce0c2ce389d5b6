# dirty.S - a guest whose writes are known page by page, for dirty logging (chapter 2).
#
# 32-bit protected mode, paging off, no stack: the only memory it writes is what the
# MOVs below name, so KVM's dirty log must report exactly those pages. Each POST code
# written to port 0x80 ends an interval of the report.

    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    # [dirty-writes]
    movb    $1, 0x300000        # interval 1: pages 0x300000, 0x301000, 0x305000
    movb    $1, 0x301000
    movb    $1, 0x305000
    mov     $0x80, %dx
    mov     $1, %al
    out     %al, %dx            # POST 0x01: the VMM fetches and clears the log
    movb    $2, 0x300000        # interval 2: page 0x300000 again, and a 4-byte write
    movl    $2, 0x310ffe        # that straddles pages 0x310000 and 0x311000
    mov     $2, %al
    out     %al, %dx            # POST 0x02
    hlt                         # interval 3, at exit: nothing
    # [dirty-writes]
