/*
 * uart.h - the 16550A UART, the machine's serial console (chapter 4). COM1 is at port
 * 0x3f8 on IRQ 4 (COM2 0x2f8 IRQ 3, COM3 0x3e8 IRQ 4, COM4 0x2e8 IRQ 3).
 *
 * The guest sees the whole register set of National's PC16550D, whose names (UART_LSR,
 * UART_LSR_THRE ...) are in common/hw/uart16550.h, shared with the guests' driver. The host
 * side is a pair of byte streams: bytes the guest transmits go to a callback at once, and the
 * host offers bytes to the receiver, which takes only what its FIFO has room for, so input
 * is never lost.
 */
#ifndef STEPVM_UART_H
#define STEPVM_UART_H

#include "bus.h"
#include "hw/uart16550.h"
#include "irq.h"

#include <stddef.h>
#include <stdint.h>

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
