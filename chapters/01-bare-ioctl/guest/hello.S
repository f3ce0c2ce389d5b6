# hello.S - chapter 1's guest: greet through two ports, add 1..100, report the sum, halt.
#
# Real mode, 16-bit code, CS = DS = ES = SS = 0, loaded and entered at 0x1000.
# Every OUT and IN below leaves the guest: KVM exits to the VMM, which plays the device.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    mov     $greeting, %si
    call    puts

    # [com1]
    mov     $0x3fd, %dx         # COM1 line status register
1:  in      %dx, %al            # an IN exit: the VMM supplies AL
    test    $0x20, %al          # transmit holding register empty?
    jz      1b
    mov     $com1_msg, %si
    mov     $com1_len, %cx
    mov     $0x3f8, %dx         # COM1 data register
    cld
    rep outsb                   # string I/O: KVM still exits once a byte (it batches
                                # only INS), so this is 13 exits
    # [com1]

    # [sum]
    xor     %ax, %ax
    mov     $100, %cx
2:  add     %cx, %ax            # AX = 100 + 99 + ... + 1
    loop    2b
    mov     $0x80, %dx
    out     %ax, %dx            # a 16-bit write: the host sees 5050 (0x13ba)
    # [sum]

    push    %ax
    mov     $sum_msg, %si
    call    puts
    pop     %ax
    call    print_decimal
    mov     $newline, %si
    call    puts
3:  hlt                         # interrupts are off: the VMM ends the guest
    jmp     3b

# [puts]
# Writes the NUL-terminated string at DS:SI to the debug console, a byte an exit.
puts:
    mov     $0xe9, %dx
4:  lodsb                       # AL = *SI++
    test    %al, %al
    jz      5f
    out     %al, %dx
    jmp     4b
5:  ret
# [puts]

# Writes AX in decimal to the debug console; clobbers AX, BX, CX, DX.
print_decimal:
    mov     $10, %bx
    xor     %cx, %cx
6:  xor     %dx, %dx
    div     %bx                 # AX = DX:AX / 10, DX = the next digit
    push    %dx
    inc     %cx
    test    %ax, %ax
    jnz     6b
    mov     $0xe9, %dx
7:  pop     %ax
    add     $'0', %al
    out     %al, %dx
    loop    7b
    ret

    .section .rodata
greeting:
    .asciz  "Hello from real mode!\n"
com1_msg:
    .ascii  "COM1 says hi\n"
    .set    com1_len, . - com1_msg
sum_msg:
    .asciz  "sum 1..100 = "
newline:
    .asciz  "\n"
