/*
 * uart16550.h - the 16550A UART's registers and their bits, by the names of National
 * Semiconductor's PC16550D datasheet (chapter 4; chapter 1 already reads COM1's LSR).
 *
 * These are the hardware's names, shared by the devices the VMM models and the drivers the
 * guests run: chapter 4's model of the chip (chapters/04-devices/uart.c) and the guests'
 * driver (common/guest/uart.c) include this one file, so the two sides of the port cannot
 * disagree about what a bit means. Only facts about the chip live here; the model's state
 * and the driver's functions are in each side's own uart.h. Where the datasheet gives a
 * bit a mnemonic (THRE, DLAB, ERBFI) the name uses it; where it only describes it (the IIR
 * causes) the name is the initials of its words.
 *
 * The VMM includes this file as "hw/uart16550.h". Guests are built freestanding and see
 * only common/hw of common/, so they include it as <uart16550.h>; for the same reason it
 * includes nothing itself.
 */
#ifndef STEPVM_UART16550_H
#define STEPVM_UART16550_H

/* The registers, by offset from the base port (0x3f8 for COM1). DLAB (LCR bit 7) turns
 * offsets 0 and 1 into the divisor latch. IIR is read at offset 2, FCR written there. */
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
#define UART_NPORTS 8 /* the ports the registers take from the base */

#define UART_IER_ERBFI 0x01 /* received data available (and character timeout) */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

/* IIR names the most urgent pending cause. A driver reads it until NO_INT is set. */
#define UART_IIR_NO_INT        0x01 /* bit 0 is 0 while an interrupt is pending */
#define UART_IIR_ID            0x0e /* bits 1-3: which one, in priority order: */
#define UART_IIR_RLS           0x06 /*   1. receiver line status (read LSR) */
#define UART_IIR_RDA           0x04 /*   2. received data at the trigger level (read RBR) */
#define UART_IIR_CTI           0x0c /*   2. character timeout: data below it (read RBR) */
#define UART_IIR_THRE          0x02 /*   3. THR empty (read IIR, or write THR) */
#define UART_IIR_MS            0x00 /*   4. modem status (read MSR) */
#define UART_IIR_FIFOS_ENABLED 0xc0 /* bits 6-7: both set when the FIFOs are enabled */

#define UART_FCR_FIFO_ENABLE 0x01
#define UART_FCR_RCVR_RESET  0x02 /* empties the receive FIFO; the bit clears itself */
#define UART_FCR_XMIT_RESET  0x04 /* empties the transmit FIFO; likewise */
#define UART_FCR_DMA_MODE    0x08
#define UART_FCR_TRIGGER     0xc0 /* bits 6-7, RCVR trigger: the received-data interrupt ... */
#define UART_FCR_TRIGGER_1   0x00 /* ... at 1 byte */
#define UART_FCR_TRIGGER_4   0x40 /* ... at 4 bytes */
#define UART_FCR_TRIGGER_8   0x80 /* ... at 8 bytes */
#define UART_FCR_TRIGGER_14  0xc0 /* ... at 14 bytes */

#define UART_LCR_WLS  0x03 /* word length select: 5 + this many bits */
#define UART_LCR_STB  0x04 /* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN  0x08 /* parity enable */
#define UART_LCR_EPS  0x10 /* even parity select */
#define UART_LCR_SP   0x20 /* stick parity */
#define UART_LCR_SBC  0x40 /* set break */
#define UART_LCR_DLAB 0x80 /* divisor latch access bit */
#define UART_LCR_8N1  0x03 /* WLS = 11: 8 data bits; STB, PEN clear: 1 stop bit, no parity */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* on a PC, gates the UART's interrupt onto its IRQ line */
#define UART_MCR_LOOP 0x10 /* loopback: THR feeds RBR, MCR's outputs feed MSR's inputs */
#define UART_MCR_MASK 0x1f /* bits 5-7 read as 0 */

#define UART_LSR_DR     0x01 /* data ready */
#define UART_LSR_OE     0x02 /* overrun error */
#define UART_LSR_PE     0x04 /* parity error */
#define UART_LSR_FE     0x08 /* framing error */
#define UART_LSR_BI     0x10 /* break interrupt */
#define UART_LSR_THRE   0x20 /* transmitter holding register (or FIFO) empty */
#define UART_LSR_TEMT   0x40 /* transmitter empty: THR and the shift register */
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
#define UART_MSR_DELTAS 0x0f /* the four deltas; reading MSR clears them */

#define UART_FIFO_SIZE 16 /* bytes in each direction */

/* The clock. A PC feeds the chip a 1.8432 MHz crystal (XIN); the baud rate is that over
 * 16 times the divisor, so divisor 1 gives UART_BAUD_BASE and divisor d that over d. */
#define UART_XTAL_HZ   1843200
#define UART_BAUD_BASE (UART_XTAL_HZ / 16) /* 115200: the baud rate of divisor 1 */

#endif
