# lab-msr.S - the test guest of lab "msr-stats" (chapter 1).
#
# Reads the VMM's exit counters through model-specific registers: MSR 0x57e90000 + r
# holds how many exits of reason r (a KVM_EXIT_* number) the VMM has counted so far,
# the exit of the RDMSR itself included. The guest first prints "msr\n" (four IO
# exits), then reads:
#   MSR 0x57e90002 (KVM_EXIT_IO)    which must be 4
#   MSR 0x57e90005 (KVM_EXIT_HLT)   which must be 0
#   MSR 0x57e90040 (reason 64)      which has no counter: the read must raise #GP
# and ends by writing v to port 0xf4 (exit status (v << 1) | 1):
#   v = 0 (status 1) all as expected     v = 3 (status 7) a counter's read raised #GP
#   v = 1 (status 3) the IO count is off  v = 4 (status 9) MSR 0x57e90040 did not raise #GP
#   v = 2 (status 5) the HLT count is off
# Real mode has no error code for #GP: the handler, entry 13 of the interrupt vector
# table at 0, notes the fault in DI and resumes after the two-byte RDMSR.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    movw    $gp_handler, 13 * 4 # IVT entry 13: offset, then segment 0
    movw    $0, 13 * 4 + 2
    mov     $0xe9, %dx
    mov     $'m', %al
    out     %al, %dx
    mov     $'s', %al
    out     %al, %dx
    mov     $'r', %al
    out     %al, %dx
    mov     $'\n', %al
    out     %al, %dx

    mov     $0x57e90002, %ecx   # the IO counter
    xor     %di, %di
    rdmsr
    mov     $3, %bx
    test    %di, %di
    jnz     report
    mov     $1, %bx
    cmp     $4, %eax
    jne     report
    test    %edx, %edx
    jnz     report

    mov     $0x57e90005, %ecx   # the HLT counter
    rdmsr
    mov     $3, %bx
    test    %di, %di
    jnz     report
    mov     $2, %bx
    or      %edx, %eax
    jnz     report

    mov     $0x57e90040, %ecx   # no counter there: #GP
    rdmsr
    mov     $4, %bx
    test    %di, %di
    jz      report
    xor     %bx, %bx            # all as expected
report:
    movzx   %bx, %eax
    mov     $0xf4, %dx
    outl    %eax, %dx
    hlt

gp_handler:
    mov     $1, %di             # "the last RDMSR raised #GP"
    push    %bp
    mov     %sp, %bp
    addw    $2, 2(%bp)          # the saved IP: past the RDMSR (0f 32)
    pop     %bp
    iret
