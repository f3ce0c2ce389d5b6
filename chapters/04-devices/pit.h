/*
 * pit.h - the 8254 programmable interval timer and the PC's system control port B
 * (chapter 4): the timer tick on IRQ 0, and the channel 2 one-shot Linux times its TSC by.
 *
 * Counters are not ticked: a channel remembers when its count was loaded, and its value
 * and OUT pin are computed from the vclock whenever the guest (or the machine) asks.
 * All three channels are modelled alike; channel 1 (DRAM refresh on the PC) counts as
 * programmed but its OUT goes nowhere. Every mode 0-5 is modelled, and BCD counting;
 * the gates of channels 0 and 1 are tied high, so modes 1 and 5 never trigger there.
 */
#ifndef STEPVM_PIT_H
#define STEPVM_PIT_H

#include "bus.h"
#include "irq.h"

#include <stdint.h>

#define PIT_HZ        1193182 /* the input clock, CLK0-2 */
#define PIT_PORT_BASE 0x40    /* counters 0-2 at 0x40-0x42, control word at 0x43 */
#define PIT_PORT_CTRL 0x43
#define PORT_B        0x61 /* system control port B */

/* The control word (written to 0x43). */
#define PIT_CW_SC_SHIFT 6    /* SC1-SC0: the counter, or 3 for read-back */
#define PIT_CW_RW_SHIFT 4    /* RW1-RW0: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */
#define PIT_CW_M_SHIFT  1    /* M2-M0: the mode (6 and 7 are 2 and 3) */
#define PIT_CW_BCD      0x01 /* count in BCD */
#define PIT_RW_LATCH    0
#define PIT_RW_LSB      1
#define PIT_RW_MSB      2
#define PIT_RW_LSB_MSB  3

/* The read-back command: SC = 3, then these bits (active low for COUNT and STATUS). */
#define PIT_RB_COUNT  0x20 /* 0: latch the count of each selected counter */
#define PIT_RB_STATUS 0x10 /* 0: latch the status of each selected counter */
#define PIT_RB_CNT(n) (0x02 << (n))

/* The status byte a read-back latches. */
#define PIT_STATUS_OUTPUT     0x80
#define PIT_STATUS_NULL_COUNT 0x40

/* Port B (0x61). */
#define PORT_B_GATE2     0x01 /* timer 2 gate (read/write) */
#define PORT_B_SPKR_DATA 0x02 /* speaker data enable (read/write) */
#define PORT_B_WRITABLE  0x0f /* bits 2-3 (parity and channel check enables) are kept too */
#define PORT_B_REFRESH   0x10 /* refresh toggle: flips on each read */
#define PORT_B_OUT2      0x20 /* timer 2 OUT (read-only) */

/** One counter of the 8254. */
struct pit_channel {
    uint8_t mode, rw, bcd; /* from the last control word */
    uint32_t count;        /* the initial count N: 1..65536 (1..10000 in BCD) */
    uint8_t lsb;           /* the low byte of a two-byte count being written */
    int write_msb_next;    /* LSB-then-MSB: the next write is the high byte */
    int read_msb_next;     /* LSB-then-MSB: the next read of the live count is the high byte */
    int loaded;            /* a count has been written since the control word */
    int counting;          /* the count is in the counting element (modes 1, 5: triggered) */
    int null_count;        /* written but not yet in the counting element */
    int gate;              /* the GATE input: 1 for channels 0 and 1, port B bit 0 for 2 */
    uint64_t start_ns;     /* when counting last (re)started with the gate high */
    uint64_t base_ticks;   /* ticks counted before start_ns (modes 0 and 4 pause) */
    uint16_t latch;        /* a latched count, as the guest will read it */
    int latch_bytes;       /* bytes of the latched count still to read (0: none latched) */
    uint8_t status;        /* a latched status byte */
    int status_latched;
};

/** The 8254 and port B. The guest's accesses and advance keep IRQ 0 up to date. */
struct pit {
    const struct vclock *clock;
    struct irq_line irq0;
    struct pit_channel ch[3];
    uint8_t port_b;       /* bits PORT_B_WRITABLE as last written */
    int refresh;          /* the refresh toggle */
    uint64_t next_irq_ns; /* channel 0's next rising OUT, or VCLOCK_NEVER */
};

/**
 * Resets the PIT: no counter counts until the guest writes a count (a firmware's 18.2 Hz
 * tick is the guest's to start), channel 0's OUT drives irq0, channel 2's gate is low.
 */
void pit__init(struct pit *p, const struct vclock *clock, struct irq_line irq0);

/** Claims ports 0x40-0x43 and 0x61 on pio. Returns 0, or -1 with the error set. */
int pit__register(struct pit *p, struct bus *pio);

/** Returns when channel 0's OUT next rises (IRQ 0), in vclock ns, or VCLOCK_NEVER. */
uint64_t pit__deadline(const struct pit *p);

/**
 * Raises IRQ 0 if channel 0's OUT rose by now: one edge however many periods were
 * missed, since an edge-triggered input merges them. The next deadline stays on the
 * programmed period's grid, so a late call does not make the timer drift.
 */
void pit__advance(struct pit *p, uint64_t now);

#endif
