/*
 * irq.c - the interrupt round-trip benchmark's guest (chapter 4): with the Multiboot
 * command line "irq=pic n=N" (or irq=apic) it makes COM1 raise IRQ 4 N times, and each
 * time its handler acknowledges the UART and the controller before the next one starts.
 *
 * One round trip: IER.ETBEI goes 0 -> 1 while THR is empty, which raises the THRE
 * interrupt at once (on a 16550, in stepvm's model and in QEMU's); the controller
 * delivers it; the handler reads IIR, which clears the cause and lowers the line, and
 * the dispatcher sends the EOI (to the master PIC, or to the local APIC). Nothing else
 * runs: no timer is programmed, the UART sends no byte.
 *
 * The guest ends with status 0 (stepvm's and QEMU's exit status 1) when every round trip
 * brought exactly one interrupt that the handler found to be the THRE interrupt, and 1
 * otherwise. QEMU is the reference machine:
 *   qemu-system-x86_64 -M pc -display none -kernel bench-irq.elf -append "irq=apic n=1000"
 *     -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -serial null
 */
#include <intc.h>
#include <multiboot.h>
#include <stdio.h>
#include <string.h>
#include <uart.h>
#include <x86.h>

#define COM(reg) (PORT_COM1 + UART_##reg)

static volatile unsigned long com1_irqs; /* interrupts taken on IRQ 4 */
static volatile unsigned long wrong_iir; /* ... whose IIR named another cause, or none */

/* [handler] */
/* IRQ 4: reading IIR while THRE is the cause clears it (the 16550's acknowledge). The
 * dispatcher (irq.c in the runtime) sends the controller's EOI after this returns. */
static void on_com1(int vector)
{
    (void)vector;
    if ((inb(COM(IIR)) & 0x0f) != UART_IIR_THRE)
        wrong_iir++;
    com1_irqs++;
}
/* [handler] */

/* [round-trip] */
/* The n-th round trip: the THRE interrupt raised on purpose, then waited for. Interrupts
 * are on at the OUT, so the interrupt is usually taken right after it; otherwise STI; HLT
 * waits, with the count tested while interrupts are off, so the wake-up cannot be missed. */
static void round_trip(unsigned long n)
{
    outb(COM(IER), 0);
    outb(COM(IER), UART_IER_ETBEI);
    irq_disable();
    while (com1_irqs < n)
        wait_for_interrupt(), irq_disable();
    irq_enable();
}
/* [round-trip] */

/* Returns the number after the word "n=" in cmdline; 0 when there is none. */
static unsigned long count_from(const char *cmdline)
{
    unsigned long n = 0;

    for (const char *p = cmdline; *p; p++)
        if ((p == cmdline || p[-1] == ' ') && p[0] == 'n' && p[1] == '=') {
            for (p += 2; *p >= '0' && *p <= '9'; p++)
                n = n * 10 + (unsigned long)(*p - '0');
            break;
        }
    return n;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    const char *cmdline = "";
    enum intc_mode mode = intc_mode_from_cmdline(mbi);

    if (magic == MULTIBOOT_BOOT_MAGIC && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
        cmdline = (const char *)(uintptr_t)mbi->cmdline;
    unsigned long n = count_from(cmdline);
    if (n == 0) {
        printf("bench-irq: command line '%s': want 'irq=pic n=N' or 'irq=apic n=N'\n", cmdline);
        return 1;
    }
    irq_init();
    intc_init(mode);
    /* COM1 with its FIFOs on and nothing to send; OUT2 lets its interrupt onto IRQ 4. */
    outb(COM(IER), 0);
    outb(COM(FCR), UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET);
    outb(COM(MCR), UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    inb(COM(LSR));
    inb(COM(IIR));
    intc_attach(COM1_IRQ, on_com1);
    irq_enable();

    for (unsigned long i = 1; i <= n; i++)
        round_trip(i);

    irq_disable();
    outb(COM(IER), 0);
    intc_mask(COM1_IRQ);
    int ok = com1_irqs == n && wrong_iir == 0 && irq_unexpected == 0;
    printf("bench-irq: %lu round trips through the %s: %lu interrupts, %lu not THRE, %lu stray\n",
           n, intc_mode_name(mode), com1_irqs, wrong_iir, irq_unexpected);
    return !ok;
}
