/*
 * uart.h - the 16550A UART, the machine's serial console (chapter 4). COM1 is at port
 * 0x3f8 on IRQ 4 (COM2 0x2f8 IRQ 3, COM3 0x3e8 IRQ 4, COM4 0x2e8 IRQ 3).
 *
 * The guest sees the whole register set of National's PC16550D. The host side is a pair of
 * byte streams: bytes the guest transmits go to a callback at once, and the host offers bytes
 * to the receiver, which takes only what its FIFO has room for, so input is never lost.
 */
#ifndef STEPVM_UART_H
#define STEPVM_UART_H

#include "bus.h"
#include "irq.h"

#include <stddef.h>
#include <stdint.h>

/* The eight registers, by offset from the base port. DLAB (LCR bit 7) turns offsets 0 and 1
 * into the divisor latch. IIR is read at offset 2, FCR written there. */
#define UART_RBR    0 /* receiver buffer (read) */
#define UART_THR    0 /* transmitter holding register (write) */
#define UART_DLL    0 /* divisor latch, low byte (DLAB = 1) */
#define UART_IER    1 /* interrupt enable */
#define UART_DLM    1 /* divisor latch, high byte (DLAB = 1) */
#define UART_IIR    2 /* interrupt identification (read) */
#define UART_FCR    2 /* FIFO control (write) */
#define UART_LCR    3 /* line control */
#define UART_MCR    4 /* modem control */
#define UART_LSR    5 /* line status */
#define UART_MSR    6 /* modem status */
#define UART_SCR    7 /* scratch */
#define UART_NPORTS 8

#define UART_IER_ERBFI 0x01 /* received data available (and character timeout) */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NO_INT   0x01 /* bit 0 is 0 while an interrupt is pending */
#define UART_IIR_ID_MASK  0x0e
#define UART_IIR_MSI      0x00 /* modem status */
#define UART_IIR_THRI     0x02 /* transmitter holding register empty */
#define UART_IIR_RDI      0x04 /* received data available */
#define UART_IIR_RLSI     0x06 /* receiver line status */
#define UART_IIR_CTI      0x0c /* character timeout */
#define UART_IIR_FIFOS_ON 0xc0 /* bits 6-7: the FIFOs are enabled */

#define UART_FCR_FIFO_ENABLE 0x01
#define UART_FCR_RCVR_RESET  0x02
#define UART_FCR_XMIT_RESET  0x04
#define UART_FCR_DMA_MODE    0x08
#define UART_FCR_TRIGGER     0xc0 /* RCVR trigger: 1, 4, 8 or 14 bytes */

#define UART_LCR_WLS  0x03 /* word length: 5 + this many bits */
#define UART_LCR_STB  0x04 /* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN  0x08 /* parity enable */
#define UART_LCR_EPS  0x10 /* even parity */
#define UART_LCR_SP   0x20 /* stick parity */
#define UART_LCR_SBC  0x40 /* set break */
#define UART_LCR_DLAB 0x80 /* divisor latch access */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* on a PC, gates the UART's interrupt onto the bus */
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f /* bits 5-7 read as 0 */

#define UART_LSR_DR     0x01 /* data ready */
#define UART_LSR_OE     0x02 /* overrun error */
#define UART_LSR_PE     0x04 /* parity error */
#define UART_LSR_FE     0x08 /* framing error */
#define UART_LSR_BI     0x10 /* break interrupt */
#define UART_LSR_THRE   0x20 /* transmitter holding register empty */
#define UART_LSR_TEMT   0x40 /* transmitter empty */
#define UART_LSR_FIFOE  0x80 /* error in RCVR FIFO */
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS   0x01 /* delta clear to send */
#define UART_MSR_DDSR   0x02 /* delta data set ready */
#define UART_MSR_TERI   0x04 /* trailing edge of ring indicator */
#define UART_MSR_DDCD   0x08 /* delta data carrier detect */
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_MSR_DELTAS 0x0f

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ  1843200 /* the PC's crystal; the baud rate is this / (16 * divisor) */

/** One 16550A. Its fields are the device's own; use the functions below. */
struct uart {
    const char *name;
    const struct vclock *clock;
    struct irq_line irq;
    int irq_level; /* the level last set on the line */
    void (*tx)(void *ctx, uint8_t byte);
    void *tx_ctx;

    uint8_t ier, lcr, mcr, msr, scr, fcr;
    uint16_t divisor;
    uint8_t lsr_errors;   /* OE, PE, FE, BI latched until LSR is read */
    uint8_t rbr;          /* the last byte read, returned again when nothing is there */
    int thr_pending;      /* the THR-empty interrupt, until IIR shows it or THR is written */
    int timeout;          /* the character timeout has happened */
    uint64_t rx_activity; /* when a byte last entered or left the RX FIFO (ns) */

    /* The RX FIFO: one slot when FIFOs are off (the holding register), 16 when on. Each
     * byte carries the PE, FE and BI bits it arrived with. */
    uint8_t rx_data[UART_FIFO_SIZE], rx_flags[UART_FIFO_SIZE];
    unsigned rx_head, rx_count;
};

/**
 * Resets u to the chip's power-on state, named name (for the bus), reading time from clock
 * (which must outlive u), interrupting on irq. Each transmitted byte is passed to tx(tx_ctx,
 * byte) at once; tx may be NULL for a port with nothing attached.
 */
void uart__init(struct uart *u, const char *name, const struct vclock *clock, struct irq_line irq,
                void (*tx)(void *ctx, uint8_t byte), void *tx_ctx);

/** Claims the eight ports from base on pio. Returns 0 or -1 with the error set. */
int uart__register(struct uart *u, struct bus *pio, uint16_t base);

/**
 * The host offers len bytes to the receiver. Returns how many it took, from the front: 0 when
 * its FIFO (the holding register, with FIFOs off) is full or the UART is in loopback, where
 * the receiver hears only the transmitter. The caller keeps the rest and offers them later.
 */
size_t uart__receive(struct uart *u, const uint8_t *data, size_t len);

/**
 * The host sends a break: a 0 byte with BI enters the receiver, as a line held at spacing for
 * longer than a character does. Returns 1, or 0 when there was no room (offer it again).
 */
int uart__receive_break(struct uart *u);

/** Returns nonzero when uart__receive would take at least one byte now. */
int uart__can_receive(const struct uart *u);

/**
 * Returns when (ns) the character timeout falls due: with FIFOs on, bytes below the trigger
 * level, and nothing received or read for four character times. VCLOCK_NEVER when it cannot
 * happen or already has (see irq.h).
 */
uint64_t uart__deadline(const struct uart *u);

/** Does what is due by now: the character timeout. */
void uart__advance(struct uart *u, uint64_t now);

#endif
