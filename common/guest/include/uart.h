/*
 * uart.h - the 16550A UART of COM1 (chapter 4): its registers, named as in the 16550
 * datasheet, and an interrupt-driven driver with a receive and a transmit ring. The
 * console (console.c) also writes to COM1, polling, when a guest turns that on.
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#include <stddef.h>

#define PORT_COM1     0x3f8
#define PORT_COM1_LSR (PORT_COM1 + UART_LSR)
#define COM1_IRQ      4
#define UART_CLOCK_HZ 115200 /* the baud rate of divisor 1 (1.8432 MHz / 16) */

/* Register offsets from the base port. DLAB (LCR bit 7) switches 0 and 1 to the divisor. */
#define UART_RBR 0 /* receiver buffer (read) */
#define UART_THR 0 /* transmitter holding register (write) */
#define UART_DLL 0 /* divisor latch, low byte (DLAB = 1) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch, high byte (DLAB = 1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_IER_ERBFI 0x01 /* received data available (and character timeout) */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NO_INT 0x01 /* bit 0 is 0 while an interrupt is pending */
#define UART_IIR_ID     0x0e /* which one, in priority order: */
#define UART_IIR_RLS    0x06 /*   1. receiver line status (read LSR) */
#define UART_IIR_RDA    0x04 /*   2. received data at the trigger level (read RBR) */
#define UART_IIR_CTI    0x0c /*   2. character timeout: data below it (read RBR) */
#define UART_IIR_THRE   0x02 /*   3. THR empty (read IIR, or write THR) */
#define UART_IIR_MS     0x00 /*   4. modem status (read MSR) */
#define UART_IIR_FIFOS  0xc0 /* both set when the FIFOs are enabled */

#define UART_FCR_FIFO_ENABLE 0x01
#define UART_FCR_RCVR_RESET  0x02
#define UART_FCR_XMIT_RESET  0x04
#define UART_FCR_TRIGGER_1   0x00 /* RCVR trigger: received-data interrupt at 1 byte ... */
#define UART_FCR_TRIGGER_4   0x40 /* ... 4 bytes */
#define UART_FCR_TRIGGER_8   0x80
#define UART_FCR_TRIGGER_14  0xc0

#define UART_LCR_8N1  0x03 /* WLS1-0 = 11: 8 data bits; 1 stop bit, no parity */
#define UART_LCR_DLAB 0x80 /* divisor latch access bit */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* on a PC, gates the UART's interrupt onto IRQ 4 */
#define UART_MCR_LOOP 0x10 /* loopback: THR feeds RBR, MCR's outputs feed MSR's inputs */

#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_OE   0x02 /* overrun error */
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20 /* transmitter holding register (or FIFO) empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty: THR and the shift register */

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI  0x40
#define UART_MSR_DCD 0x80

#define UART_FIFO_SIZE 16

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
