/*
 * pit.h - the PC's 8254 programmable interval timer (chapter 4): channel 0 interrupts on
 * IRQ 0 at a chosen rate; channel 2, gated and read back through port 0x61, measures a
 * delay without any interrupt.
 */
#ifndef GUEST_PIT_H
#define GUEST_PIT_H

#include <stdint.h>

#define PIT_HZ       1193182 /* the input clock of every channel */
#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_CONTROL  0x43 /* the control word register */
#define PIT_IRQ      0    /* channel 0's output */

/* Fields of the control word: SC (select counter), RW (read/write), M (mode). */
#define PIT_SC(n)      ((n) << 6)
#define PIT_RW_LSB_MSB (3 << 4)   /* the count is written low byte, then high byte */
#define PIT_M(n)       ((n) << 1) /* mode 0: interrupt on terminal count; 2: rate generator */

/* Port 0x61, the PC's system control port B: channel 2's gate and output. */
#define PORT_B         0x61
#define PORT_B_GATE2   0x01 /* channel 2's gate: counting runs while it is 1 */
#define PORT_B_SPEAKER 0x02 /* speaker data: keep 0, or channel 2 is heard */
#define PORT_B_OUT2    0x20 /* channel 2's output (read only) */

/** Programs channel 0 as a rate generator: IRQ 0 @p hz times a second (19 to PIT_HZ). */
void pit_set_periodic(unsigned hz);

/** Stops channel 0's interrupts (mode 0 with the longest count, which fires only once). */
void pit_stop(void);

/**
 * Starts channel 2 in mode 0 with @p count (1 to 65535 input clocks, at most 54.9 ms),
 * its gate on and the speaker off. Its output, pit_gate_expired(), rises at the end.
 */
void pit_gate_start(uint16_t count);

/** Returns non-zero once channel 2 has counted down (port 0x61, bit 5). */
int pit_gate_expired(void);

/** Busy-waits @p us microseconds, measured by channel 2 (interrupts may come meanwhile). */
void pit_delay_us(unsigned long us);

#endif
