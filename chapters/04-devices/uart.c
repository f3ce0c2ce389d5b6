/*
 * uart.c - the 16550A UART (see uart.h; chapter 4). Register by register as National's
 * PC16550D datasheet describes them, with a transmitter that sends each byte at once.
 */
#include "uart.h"

static uint64_t uart_now(const struct uart *u)
{
    return u->clock ? vclock__now(u->clock) : 0;
}

static int fifos_on(const struct uart *u)
{
    return u->fcr & UART_FCR_FIFO_ENABLE;
}

/* The receiver holds 16 bytes with FIFOs on, one (the RBR) with them off. */
static unsigned rx_capacity(const struct uart *u)
{
    return fifos_on(u) ? UART_FIFO_SIZE : 1;
}

/* How many bytes raise "received data available": FCR bits 6-7, or 1 without FIFOs. */
static unsigned rx_trigger(const struct uart *u)
{
    static const unsigned levels[4] = {1, 4, 8, 14};

    return fifos_on(u) ? levels[u->fcr >> 6] : 1;
}

/* Four character times in ns. A character is a start bit, 5 to 8 data bits, an optional
 * parity bit and 1, 1.5 or 2 stop bits, counted here in half bits; one bit lasts 16 *
 * divisor cycles of the 1.8432 MHz clock. A zero divisor counts as 1, the fastest rate. */
static uint64_t four_char_times_ns(const struct uart *u)
{
    unsigned word = 5 + (u->lcr & UART_LCR_WLS);
    unsigned half_bits = 2 * (1 + word) + ((u->lcr & UART_LCR_PEN) ? 2 : 0);
    uint64_t divisor = u->divisor ? u->divisor : 1;

    if (!(u->lcr & UART_LCR_STB))
        half_bits += 2;
    else
        half_bits += word == 5 ? 3 : 4;
    return (uint64_t)half_bits * 2 * 16 * divisor * 1000000000ull / UART_XTAL_HZ;
}

/* ------------------------------------------------------------------ interrupts */

/* [uart-irq] */
/* The highest-priority cause that is both present and enabled, as IIR bits 0-3. */
static uint8_t uart_pending(const struct uart *u)
{
    if ((u->ier & UART_IER_ELSI) && u->lsr_errors)
        return UART_IIR_RLS;
    if ((u->ier & UART_IER_ERBFI) && u->rx_count >= rx_trigger(u))
        return UART_IIR_RDA;
    if ((u->ier & UART_IER_ERBFI) && u->timeout)
        return UART_IIR_CTI;
    if ((u->ier & UART_IER_ETBEI) && u->thr_pending)
        return UART_IIR_THRE;
    if ((u->ier & UART_IER_EDSSI) && (u->msr & UART_MSR_DELTAS))
        return UART_IIR_MS;
    return UART_IIR_NO_INT;
}

/* On a PC the UART's INTR output reaches the interrupt controller through a buffer that
 * MCR.OUT2 enables, so a guest that leaves OUT2 clear polls and gets no interrupts. The
 * line is a level: it stays up while a cause is pending. */
static void uart_update_irq(struct uart *u)
{
    int level = uart_pending(u) != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2);

    if (level != u->irq_level) {
        u->irq_level = level;
        irq__set(&u->irq, level);
    }
}
/* [uart-irq] */

/* ------------------------------------------------------------------ receiver */

static void rx_clear(struct uart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
    u->timeout = 0;
}

/* A byte's PE, FE and BI show in LSR once it is the next one to be read. */
static void rx_expose_head(struct uart *u)
{
    if (u->rx_count)
        u->lsr_errors |= u->rx_flags[u->rx_head];
}

/* A byte arrives with its error bits. When there is no room, the datasheet's overrun: OE,
 * and the new byte is lost (FIFO) or overwrites the holding register (no FIFO). */
static void rx_push(struct uart *u, uint8_t byte, uint8_t flags)
{
    unsigned tail = (u->rx_head + u->rx_count) % UART_FIFO_SIZE;

    if (!u->timeout)
        u->rx_activity = uart_now(u); /* a new byte restarts the timeout's count */
    if (u->rx_count == rx_capacity(u)) {
        u->lsr_errors |= UART_LSR_OE;
        if (fifos_on(u))
            return;
        u->rx_data[u->rx_head] = byte;
        u->rx_flags[u->rx_head] = flags;
        rx_expose_head(u);
        return;
    }
    u->rx_data[tail] = byte;
    u->rx_flags[tail] = flags;
    u->rx_count++;
    if (u->rx_count == 1)
        rx_expose_head(u);
}

/* The CPU reads RBR: the oldest byte, or the last one again when nothing is there. A read
 * clears the character timeout and restarts its count. */
static uint8_t rx_pop(struct uart *u)
{
    if (u->rx_count) {
        u->rbr = u->rx_data[u->rx_head];
        u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
        u->rx_count--;
        rx_expose_head(u);
    }
    u->timeout = 0;
    u->rx_activity = uart_now(u);
    return u->rbr;
}

/* LSR bit 7: some byte still in the FIFO arrived with an error. */
static int rx_fifo_error(const struct uart *u)
{
    for (unsigned i = 0; i < u->rx_count; i++)
        if (u->rx_flags[(u->rx_head + i) % UART_FIFO_SIZE])
            return 1;
    return 0;
}

int uart__can_receive(const struct uart *u)
{
    return !(u->mcr & UART_MCR_LOOP) && u->rx_count < rx_capacity(u);
}

size_t uart__receive(struct uart *u, const uint8_t *data, size_t len)
{
    size_t n = 0;

    while (n < len && uart__can_receive(u))
        rx_push(u, data[n++], 0);
    uart_update_irq(u);
    return n;
}

int uart__receive_break(struct uart *u)
{
    if (!uart__can_receive(u))
        return 0;
    rx_push(u, 0, UART_LSR_BI);
    uart_update_irq(u);
    return 1;
}

/* ------------------------------------------------------------------ the character timeout */

uint64_t uart__deadline(const struct uart *u)
{
    uint64_t wait;

    /* At or above the trigger level the data interrupt already calls for the CPU, and the
     * read that takes the FIFO below the level restarts the count anyway. */
    if (!fifos_on(u) || !u->rx_count || u->rx_count >= rx_trigger(u) || u->timeout)
        return VCLOCK_NEVER;
    wait = four_char_times_ns(u);
    return u->rx_activity > VCLOCK_NEVER - wait ? VCLOCK_NEVER - 1 : u->rx_activity + wait;
}

void uart__advance(struct uart *u, uint64_t now)
{
    uint64_t deadline = uart__deadline(u);

    if (deadline != VCLOCK_NEVER && now >= deadline) {
        u->timeout = 1;
        uart_update_irq(u);
    }
}

/* ------------------------------------------------------------------ modem lines */

/* The modem inputs as the chip sees them. In loopback the outputs are wired back inside:
 * RTS to CTS, DTR to DSR, OUT1 to RI, OUT2 to DCD. Otherwise the host end of the line is a
 * ready modem with a carrier: CTS, DSR and DCD asserted, RI not. */
static uint8_t modem_inputs(const struct uart *u)
{
    uint8_t m = u->mcr;

    if (!(m & UART_MCR_LOOP))
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    return ((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) | ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
           ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) | ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
}

/* New inputs set the delta bits of those that changed (RI's only when a ring ends), which
 * stay until MSR is read. */
static void msr_update(struct uart *u)
{
    uint8_t now = modem_inputs(u), changed = (uint8_t)(now ^ u->msr);

    if (changed & UART_MSR_CTS)
        u->msr |= UART_MSR_DCTS;
    if (changed & UART_MSR_DSR)
        u->msr |= UART_MSR_DDSR;
    if ((changed & UART_MSR_RI) && !(now & UART_MSR_RI))
        u->msr |= UART_MSR_TERI;
    if (changed & UART_MSR_DCD)
        u->msr |= UART_MSR_DDCD;
    u->msr = (uint8_t)((u->msr & UART_MSR_DELTAS) | now);
}

/* ------------------------------------------------------------------ registers */

/* A byte written to THR leaves at once: to the host, or back into the receiver in
 * loopback. THR is empty again before the guest can look, so THRE and TEMT stay set and the
 * THR-empty interrupt is pending again. */
static void thr_write(struct uart *u, uint8_t byte)
{
    if (u->mcr & UART_MCR_LOOP)
        rx_push(u, byte, 0);
    else if (u->tx)
        u->tx(u->tx_ctx, byte);
    u->thr_pending = 1;
}

static void ier_write(struct uart *u, uint8_t value)
{
    uint8_t old = u->ier;

    u->ier = value & 0x0f;
    /* Enabling ETBEI while THR is empty (it always is) raises THR empty at once: drivers
     * start transmitting from that interrupt. */
    if ((u->ier & UART_IER_ETBEI) && !(old & UART_IER_ETBEI))
        u->thr_pending = 1;
}

/* FCR: bit 0 switches the FIFOs, and a change empties them. The other bits are programmed
 * only while bit 0 is written as 1; the two reset bits clear themselves. The transmitter
 * FIFO is always empty here, so its reset has nothing to do. */
static void fcr_write(struct uart *u, uint8_t value)
{
    if ((value ^ u->fcr) & UART_FCR_FIFO_ENABLE)
        rx_clear(u);
    if (!(value & UART_FCR_FIFO_ENABLE)) {
        u->fcr &= (uint8_t)~UART_FCR_FIFO_ENABLE;
        return;
    }
    if (value & UART_FCR_RCVR_RESET)
        rx_clear(u);
    u->fcr = value & (UART_FCR_FIFO_ENABLE | UART_FCR_DMA_MODE | UART_FCR_TRIGGER);
}

static uint8_t iir_read(struct uart *u)
{
    uint8_t id;

    uart__advance(u, uart_now(u)); /* a guest that polls IIR sees the timeout when due */
    id = uart_pending(u);
    if (id == UART_IIR_THRE)
        u->thr_pending = 0; /* reading IIR is how the THR-empty interrupt is acknowledged */
    return (uint8_t)(id | (fifos_on(u) ? UART_IIR_FIFOS_ENABLED : 0));
}

/* Reading LSR clears the error bits it reports, and with them the line status interrupt. */
static uint8_t lsr_read(struct uart *u)
{
    uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;

    if (u->rx_count)
        lsr |= UART_LSR_DR;
    if (fifos_on(u) && rx_fifo_error(u))
        lsr |= UART_LSR_FIFOE;
    u->lsr_errors = 0;
    return lsr;
}

static uint8_t reg_read(struct uart *u, unsigned offset)
{
    int dlab = u->lcr & UART_LCR_DLAB;
    uint8_t msr;

    switch (offset) {
    case UART_RBR:
        return dlab ? (uint8_t)u->divisor : rx_pop(u);
    case UART_IER:
        return dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
    case UART_IIR:
        return iir_read(u);
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR:
        return lsr_read(u);
    case UART_MSR:
        msr = u->msr;
        u->msr &= (uint8_t)~UART_MSR_DELTAS; /* reading MSR clears the deltas */
        return msr;
    default:
        return u->scr;
    }
}

static void reg_write(struct uart *u, unsigned offset, uint8_t value)
{
    int dlab = u->lcr & UART_LCR_DLAB;

    switch (offset) {
    case UART_THR:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0xff00) | value);
        else
            thr_write(u, value);
        break;
    case UART_IER:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0x00ff) | (value << 8));
        else
            ier_write(u, value);
        break;
    case UART_FCR:
        fcr_write(u, value);
        break;
    case UART_LCR:
        u->lcr = value;
        break;
    case UART_MCR:
        u->mcr = value & UART_MCR_MASK;
        msr_update(u);
        break;
    case UART_LSR:
    case UART_MSR:
        break; /* read-only: the datasheet leaves writes to them for factory tests */
    default:
        u->scr = value;
        break;
    }
}

/* An access wider than a byte is split as an ISA bus splits it: byte by byte, upwards. */
static uint64_t uart_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct uart *u = dev;
    uint64_t value = 0;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < UART_NPORTS; i++)
        value |= (uint64_t)reg_read(u, (unsigned)(offset + i)) << (8 * i);
    uart_update_irq(u);
    return value;
}

static int uart_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct uart *u = dev;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < UART_NPORTS; i++)
        reg_write(u, (unsigned)(offset + i), (uint8_t)(value >> (8 * i)));
    uart_update_irq(u);
    return 0;
}

/* ------------------------------------------------------------------ set-up */

void uart__init(struct uart *u, const char *name, const struct vclock *clock, struct irq_line irq,
                void (*tx)(void *ctx, uint8_t byte), void *tx_ctx)
{
    *u = (struct uart){.name = name, .clock = clock, .irq = irq, .tx = tx, .tx_ctx = tx_ctx};
    /* The datasheet leaves the divisor undefined at reset; 12 is 9600 baud, the PC BIOS's. */
    u->divisor = 12;
    u->msr = modem_inputs(u);
}

int uart__register(struct uart *u, struct bus *pio, uint16_t base)
{
    return bus__register(pio, base, UART_NPORTS, u->name, uart_read, uart_write, u);
}
