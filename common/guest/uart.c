/*
 * uart.c - an interrupt-driven driver for COM1's 16550A (chapter 4). The interrupt
 * handler drains the receive FIFO into a ring and refills the transmit FIFO from another;
 * the rest of the guest only touches the rings, with interrupts off for a moment.
 */
#include <intc.h>
#include <uart.h>
#include <x86.h>

#define RING_SIZE 256 /* a power of two: indices wrap with a mask */

/** A ring of bytes: head is where the next byte goes in, tail where it comes out. */
struct ring {
    volatile unsigned head, tail; /* free-running; head - tail is the fill */
    char data[RING_SIZE];
};

static struct ring rx, tx;
static uint8_t ier; /* the interrupt enables as last written */

volatile unsigned long uart_line_errors;

static int ring_empty(const struct ring *r)
{
    return r->head == r->tail;
}

static int ring_full(const struct ring *r)
{
    return r->head - r->tail == RING_SIZE;
}

static void ring_put(struct ring *r, char c)
{
    r->data[r->head % RING_SIZE] = c;
    r->head++;
}

static char ring_get(struct ring *r)
{
    char c = r->data[r->tail % RING_SIZE];

    r->tail++;
    return c;
}

static void set_ier(uint8_t value)
{
    ier = value;
    outb(PORT_COM1 + UART_IER, ier);
}

/*
 * Moves queued bytes into the transmit FIFO while it is empty (THRE means all 16 places
 * are free), and asks for the THRE interrupt only while bytes are still waiting.
 * Called with interrupts off.
 */
static void tx_kick(void)
{
    if (inb(PORT_COM1 + UART_LSR) & UART_LSR_THRE)
        for (int n = 0; n < UART_FIFO_SIZE && !ring_empty(&tx); n++)
            outb(PORT_COM1 + UART_THR, ring_get(&tx));
    if (ring_empty(&tx) && (ier & UART_IER_ETBEI))
        set_ier(ier & ~UART_IER_ETBEI);
    else if (!ring_empty(&tx) && !(ier & UART_IER_ETBEI))
        set_ier(ier | UART_IER_ETBEI);
}

/* [guest-uart-irq] */
/* IRQ 4: serves every pending cause, highest priority first, until none is left. */
static void uart_irq(int vector)
{
    uint8_t iir;

    (void)vector;
    while (!((iir = inb(PORT_COM1 + UART_IIR)) & UART_IIR_NO_INT)) {
        switch (iir & UART_IIR_ID) {
        case UART_IIR_RLS:
            inb(PORT_COM1 + UART_LSR); /* reading LSR clears the error bits */
            uart_line_errors++;
            break;
        case UART_IIR_RDA:
        case UART_IIR_CTI:
            while (inb(PORT_COM1 + UART_LSR) & UART_LSR_DR) {
                char c = (char)inb(PORT_COM1 + UART_RBR);
                if (!ring_full(&rx))
                    ring_put(&rx, c); /* a full ring drops the byte */
            }
            break;
        case UART_IIR_THRE:
            tx_kick();
            break;
        default:
            inb(PORT_COM1 + UART_MSR); /* modem status: reading MSR clears it */
            break;
        }
    }
}
/* [guest-uart-irq] */

void uart_init(unsigned baud)
{
    uint16_t divisor = (uint16_t)(UART_BAUD_BASE / baud);

    outb(PORT_COM1 + UART_IER, 0);
    outb(PORT_COM1 + UART_LCR, UART_LCR_DLAB);
    outb(PORT_COM1 + UART_DLL, divisor & 0xff);
    outb(PORT_COM1 + UART_DLM, divisor >> 8);
    outb(PORT_COM1 + UART_LCR, UART_LCR_8N1); /* and DLAB back to 0 */
    outb(PORT_COM1 + UART_FCR,
         UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET | UART_FCR_TRIGGER_4);
    outb(PORT_COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    /* Stale state from before: a byte, an error, a modem change. */
    inb(PORT_COM1 + UART_LSR);
    inb(PORT_COM1 + UART_RBR);
    inb(PORT_COM1 + UART_MSR);
    intc_attach(COM1_IRQ, uart_irq);
    set_ier(UART_IER_ERBFI | UART_IER_ELSI);
}

/* Interrupts on: sleep until the handler makes progress. Off: do its work by polling. */
static void uart_wait(int was_enabled)
{
    if (was_enabled) {
        wait_for_interrupt();
        irq_disable();
    } else {
        tx_kick();
    }
}

void uart_putc(char c)
{
    int was_enabled = irq_enabled();

    irq_disable();
    while (ring_full(&tx))
        uart_wait(was_enabled);
    ring_put(&tx, c);
    tx_kick();
    if (was_enabled)
        irq_enable();
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_flush(void)
{
    int was_enabled = irq_enabled();

    irq_disable();
    while (!ring_empty(&tx))
        uart_wait(was_enabled);
    while (!(inb(PORT_COM1 + UART_LSR) & UART_LSR_TEMT))
        ;
    if (was_enabled)
        irq_enable();
}

int uart_getc(void)
{
    int c;

    irq_disable();
    while (ring_empty(&rx)) {
        wait_for_interrupt();
        irq_disable();
    }
    c = (unsigned char)ring_get(&rx);
    irq_enable();
    return c;
}

int uart_try_getc(void)
{
    int c = -1;
    int was_enabled = irq_enabled();

    irq_disable();
    if (!ring_empty(&rx))
        c = (unsigned char)ring_get(&rx);
    if (was_enabled)
        irq_enable();
    return c;
}
