/*
 * pic.h - the two cascaded 8259A programmable interrupt controllers of the PC (chapter 4):
 * the master takes IRQ 0-7, the slave IRQ 8-15 and reaches the master through its IRQ 2.
 */
#ifndef GUEST_PIC_H
#define GUEST_PIC_H

#include <stdint.h>

#define PIC_MASTER_CMD  0x20 /* ICW1, OCW2, OCW3; reads IRR or ISR */
#define PIC_MASTER_DATA 0x21 /* ICW2-4; OCW1, the interrupt mask register */
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1
#define PIC_CASCADE_IRQ 2 /* the master's input that the slave drives */

#define PIC_ICW1_IC4  0x01 /* an ICW4 follows */
#define PIC_ICW1_INIT 0x10 /* this is ICW1: start the initialization sequence */
#define PIC_ICW4_8086 0x01 /* 8086/8088 mode: the PIC supplies a vector, not a CALL */
#define PIC_OCW2_EOI  0x20 /* non-specific end of interrupt */
#define PIC_OCW3      0x08 /* marks a write to the command port as OCW3 */
#define PIC_OCW3_RR   0x02 /* read register on the next read ... */
#define PIC_OCW3_RIS  0x01 /* ... the ISR when set, the IRR when clear */

#define PIC_VECTOR_BASE 0x20 /* where pic_init() puts IRQ 0: vectors 0x20-0x2f */

/**
 * Initializes both PICs with ICW1-4: edge triggered, cascaded, IRQ 0-15 on vectors
 * 0x20-0x2f, every IRQ masked. Without this, IRQ 0-7 would arrive on the vectors of CPU
 * exceptions (8-15), as the PC's BIOS left them for real mode.
 */
void pic_init(void);

/** Masks (disables) ISA @p irq (0-15). */
void pic_mask(int irq);

/** Unmasks ISA @p irq; for IRQ 8-15 also the cascade input of the master. */
void pic_unmask(int irq);

/** Masks all sixteen inputs: what a guest does when it uses the APICs instead. */
void pic_mask_all(void);

/** Ends the interrupt of @p irq: the slave and then the master for IRQ 8-15. */
void pic_eoi(int irq);

/** Returns the in-service register of both PICs, IRQ 8-15 in the high byte. */
uint16_t pic_isr(void);

/** Returns the interrupt request register of both PICs, IRQ 8-15 in the high byte. */
uint16_t pic_irr(void);

#endif
