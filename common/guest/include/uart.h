/*
 * uart.h - the 16550A UART of COM1 (chapter 4): its port and IRQ, and an interrupt-driven
 * driver with a receive and a transmit ring. The registers' names are the datasheet's, in
 * <uart16550.h> (common/hw), which the VMM's model of the chip shares. The console
 * (console.c) also writes to COM1, polling, when a guest turns that on.
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#include <stddef.h>
#include <uart16550.h>

#define PORT_COM1     0x3f8
#define PORT_COM1_LSR (PORT_COM1 + UART_LSR)
#define COM1_IRQ      4

/**
 * Sets COM1 up for the driver: @p baud (a divisor of 115200), 8N1, FIFOs on with the
 * receive trigger at 4 bytes, DTR, RTS and OUT2 (without OUT2 no interrupt reaches the
 * controller), and receive and line-status interrupts on IRQ 4 through intc_attach().
 * intc_init() must have run.
 */
void uart_init(unsigned baud);

/** Queues @p c for sending; waits for room while the transmit ring is full. */
void uart_putc(char c);

/** uart_putc() for each byte of the string @p s. */
void uart_puts(const char *s);

/** Waits until every queued byte has left the transmitter. */
void uart_flush(void);

/** Returns the next received byte, waiting for an interrupt to bring one. */
int uart_getc(void);

/** Returns the next received byte, or -1 at once when none has arrived. */
int uart_try_getc(void);

/** The number of line-status interrupts (overrun, parity, framing, break) seen. */
extern volatile unsigned long uart_line_errors;

#endif
