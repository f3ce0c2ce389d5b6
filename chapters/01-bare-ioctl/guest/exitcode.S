# exitcode.S - a guest that ends the VM with a status of its choosing (chapter 1).
#
# Port 0xf4 is QEMU's isa-debug-exit device: a write of v ends the machine with exit
# status (v << 1) | 1, so a test guest can report pass or fail under any VMM.

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    # [exit-port]
    mov     $0x10, %eax
    mov     $0xf4, %dx
    outl    %eax, %dx           # a 32-bit write: status (0x10 << 1) | 1 = 33
    hlt                         # not reached
    # [exit-port]
