/*
 * lab-com2in.c - the test guest of lab "com-file-input" (chapter 4).
 *
 * It reads COM2 (0x2f8, IRQ 3) line by line with interrupts only: the receive FIFO
 * interrupts at 8 bytes, and the character timeout brings the rest of a burst. Each line
 * is printed on the debug console as "line N: TEXT" and sent back on COM2 in capitals. The
 * line "end" ends the input; four seconds without a byte end it too, so a COM2 that never
 * hears anything is reported rather than waited for.
 */
#include <intc.h>
#include <pit.h>
#include <stdio.h>
#include <stdlib.h>
#include <uart.h>
#include <x86.h>

#define PORT_COM2  0x2f8
#define COM2_IRQ   3
#define TICK_HZ    100
#define IDLE_TICKS (4 * TICK_HZ)
#define RING_SIZE  4096 /* a power of two */
#define LINE_MAX   200

static volatile unsigned long ticks, interrupts, received, overruns;
static volatile unsigned head, tail;
static char ring[RING_SIZE];

static void pit_tick(int vector)
{
    (void)vector;
    ticks++;
}

/* IRQ 3: drains the FIFO for every "data available" or "timeout" the UART reports. */
static void com2_irq(int vector)
{
    uint8_t iir;

    (void)vector;
    interrupts++;
    while (!((iir = inb(PORT_COM2 + UART_IIR)) & UART_IIR_NO_INT)) {
        if ((iir & UART_IIR_ID) == UART_IIR_RLS && (inb(PORT_COM2 + UART_LSR) & UART_LSR_OE))
            overruns++;
        while (inb(PORT_COM2 + UART_LSR) & UART_LSR_DR) {
            char c = (char)inb(PORT_COM2 + UART_RBR);
            if (head - tail < RING_SIZE)
                ring[head++ % RING_SIZE] = c;
            received++;
        }
    }
}

static void com2_init(void)
{
    outb(PORT_COM2 + UART_LCR, UART_LCR_DLAB);
    outb(PORT_COM2 + UART_DLL, 1); /* 115200 baud */
    outb(PORT_COM2 + UART_DLM, 0);
    outb(PORT_COM2 + UART_LCR, UART_LCR_8N1);
    outb(PORT_COM2 + UART_FCR,
         UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET | UART_FCR_TRIGGER_8);
    outb(PORT_COM2 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    outb(PORT_COM2 + UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
}

static void com2_putc(char c)
{
    while (!(inb(PORT_COM2 + UART_LSR) & UART_LSR_THRE))
        ;
    outb(PORT_COM2 + UART_THR, (uint8_t)c);
}

/* The next byte, or -1 after IDLE_TICKS without one. */
static int com2_getc(void)
{
    unsigned long start = ticks;

    for (;;) {
        irq_disable();
        if (head != tail) {
            char c = ring[tail++ % RING_SIZE];
            irq_enable();
            return (unsigned char)c;
        }
        if (ticks - start >= IDLE_TICKS) {
            irq_enable();
            return -1;
        }
        wait_for_interrupt(); /* STI; HLT: a byte that came meanwhile is not missed */
    }
}

/* Reads a line into @p line; returns its length, or -1 when the input stopped. */
static int read_line(char *line)
{
    int len = 0, c;

    while ((c = com2_getc()) >= 0 && c != '\n')
        if (c != '\r' && len < LINE_MAX)
            line[len++] = (char)c;
    line[len] = '\0';
    return c < 0 && len == 0 ? -1 : len;
}

static int is_end(const char *line)
{
    return line[0] == 'e' && line[1] == 'n' && line[2] == 'd' && line[3] == '\0';
}

int main(void)
{
    char line[LINE_MAX + 1];
    int n = 0, ended = 0;

    irq_init();
    intc_init(INTC_PIC);
    pit_set_periodic(TICK_HZ);
    intc_attach(PIT_IRQ, pit_tick);
    com2_init();
    intc_attach(COM2_IRQ, com2_irq);
    irq_enable();

    while (read_line(line) >= 0) {
        if (is_end(line)) {
            ended = 1;
            break;
        }
        printf("line %d: %s\n", ++n, line);
        for (char *p = line; *p; p++)
            com2_putc(*p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        com2_putc('\n');
    }
    irq_disable();
    printf("lines: %d\n", n);
    printf("bytes: %lu\n", received);
    printf("interrupts: %lu\n", interrupts);
    printf("overruns: %lu\n", overruns);
    printf("end: %s\n", ended ? "seen" : "timeout");
    pit_stop();
    exit(0);
}
