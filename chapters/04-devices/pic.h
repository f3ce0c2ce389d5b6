/*
 * pic.h - the PC's pair of 8259A programmable interrupt controllers and its ELCR
 * (chapter 4): stepvm's own model, used with --irqchip=user and on the interpreter.
 */
#ifndef STEPVM_PIC_H
#define STEPVM_PIC_H

#include "bus.h"

#include <stdint.h>

/* Where a PC decodes the pair. A0, the chip's one address line, selects the even port
 * (ICW1, OCW2, OCW3; IRR, ISR or poll word) or the odd one (ICW2-4, OCW1; IMR). */
#define PIC_MASTER_PORT 0x20  /* IRQ 0-7 */
#define PIC_SLAVE_PORT  0xa0  /* IRQ 8-15, cascaded on the master's IR2 */
#define PIC_ELCR_PORT   0x4d0 /* edge/level control: 0x4d0 master, 0x4d1 slave */
#define PIC_CASCADE_IR  2     /* the master input the slave's INT drives */

/* ICW1 (written to the even port with D4 set): starts the initialisation sequence. */
#define ICW1_IC4  0x01 /* an ICW4 follows */
#define ICW1_SNGL 0x02 /* single chip: no ICW3 (a PC is always cascaded) */
#define ICW1_ADI  0x04 /* call address interval (MCS-80/85 only) */
#define ICW1_LTIM 0x08 /* level triggered mode for every input */
#define ICW1_INIT 0x10 /* D4: this write is ICW1 */

/* ICW4. */
#define ICW4_UPM  0x01 /* 8086/8088 mode (0: MCS-80/85) */
#define ICW4_AEOI 0x02 /* automatic end of interrupt */
#define ICW4_MS   0x04 /* buffered mode: master (1) or slave (0) */
#define ICW4_BUF  0x08 /* buffered mode */
#define ICW4_SFNM 0x10 /* special fully nested mode */

/* OCW2 (even port, D4 and D3 clear): the command is in R, SL and EOI; L2-L0 an IR. */
#define OCW2_R     0x80 /* rotate */
#define OCW2_SL    0x40 /* specific: L2-L0 name the IR */
#define OCW2_EOI   0x20 /* end of interrupt */
#define OCW2_LEVEL 0x07 /* L2-L0 */

/* OCW3 (even port, D4 clear, D3 set). */
#define OCW3_ESMM 0x40 /* enable special mask mode: SMM is taken */
#define OCW3_SMM  0x20 /* special mask mode on (with ESMM) */
#define OCW3_SEL  0x08 /* D3: this write is OCW3 */
#define OCW3_P    0x04 /* poll: the next read is the poll word */
#define OCW3_RR   0x02 /* read register: RIS is taken */
#define OCW3_RIS  0x01 /* reads of the even port return the ISR (0: the IRR) */

#define PIC_POLL_I 0x80 /* poll word: an interrupt was pending; W2-W0 its IR */

/* The PIIX chipsets hold the ELCR bits of IRQ 0, 1, 2 (timer, keyboard, cascade) and 8,
 * 13 (RTC, FPU error) at 0: edge. These masks are the bits a guest may set. */
#define PIC_ELCR_MASTER_MASK 0xf8
#define PIC_ELCR_SLAVE_MASK  0xde

/** One 8259A. The names of its registers are the datasheet's. */
struct pic_chip {
    uint8_t irr;       /* interrupt request register: inputs waiting */
    uint8_t isr;       /* in-service register: acknowledged, not yet ended */
    uint8_t imr;       /* interrupt mask register (OCW1) */
    uint8_t input;     /* the IR pins' levels now, for edge detection */
    uint8_t elcr;      /* edge (0) or level (1) per input, as the chipset's ELCR */
    uint8_t elcr_mask; /* the ELCR bits that may be set */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t next_icw;     /* 2, 3 or 4 during the initialisation sequence; else 0 */
    uint8_t lowest;       /* the IR of lowest priority: the next one has the highest */
    uint8_t read_isr;     /* reads of the even port return the ISR (OCW3 RIS) */
    uint8_t poll;         /* the next read is the poll word (OCW3 P) */
    uint8_t special_mask; /* special mask mode (OCW3 SMM) */
    uint8_t rotate_aeoi;  /* rotate in automatic EOI mode (OCW2) */
    struct pic *pair;     /* the pair it belongs to: its ports' accesses update the output */
};

struct pic;

/** The pair as a PC wires it, and where the master's INTR output goes. */
struct pic {
    struct pic_chip master, slave;
    void (*intr)(void *ctx, int level);
    void *ctx;
    int output; /* the master's INTR level, as last reported to intr */
};

/**
 * Puts the pair in its power-on state: no requests, nothing in service, nothing masked,
 * vector base 0, every input edge-triggered, IR7 the lowest priority. A guest must send
 * the ICW sequence before the vectors mean anything. intr (which may be NULL) is called
 * with ctx each time the master's INTR output changes level, after the pair's state is
 * consistent; the machine forwards it to the CPU's INTR pin or the local APIC's LINT0.
 */
void pic__init(struct pic *p, void (*intr)(void *ctx, int level), void *ctx);

/**
 * Claims the master's ports 0x20-0x21, the slave's 0xa0-0xa1 and the ELCR's
 * 0x4d0-0x4d1 on the port bus. Returns 0, or -1 with the error set.
 */
int pic__register(struct pic *p, struct bus *pio);

/**
 * Sets the level of input irq (0-7 the master's, 8-15 the slave's; others, and 2, which
 * is the cascade, are ignored). An edge-triggered input latches a rising edge into the
 * IRR, where it stays until acknowledged even if the line falls again (so irq__pulse
 * works); a level-triggered one (its ELCR bit, or ICW1's LTIM) requests while the level
 * is high and no longer.
 */
void pic__set_irq(struct pic *p, unsigned irq, int level);

/** Returns the master's INTR output now: 1 while an interrupt waits for the CPU. */
int pic__output(const struct pic *p);

/**
 * Performs the CPU's interrupt acknowledge cycle and returns the vector the pair puts on
 * the data bus: the ICW2 base of the chip that answers plus the IR. The IR moves from
 * the IRR to the ISR (not in automatic EOI mode; a level-triggered request stays in the
 * IRR while its line is high). An IR of the master that has the slave (IR2) is
 * acknowledged on both chips, and the slave gives the vector. When no request is left
 * by the time of the acknowledge, the chip answers with its IR7 vector without setting
 * the ISR: spurious IRQ 7, or IRQ 15 when the master has already taken IR2.
 */
int pic__ack(struct pic *p);

#endif
