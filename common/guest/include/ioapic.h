/*
 * ioapic.h - the I/O APIC at its PC address (chapter 4): one redirection entry an input
 * pin, naming the vector, the trigger, the polarity and the CPU an interrupt goes to.
 * Names follow Intel's 82093AA I/O APIC datasheet.
 */
#ifndef GUEST_IOAPIC_H
#define GUEST_IOAPIC_H

#include <stdint.h>

#define IOAPIC_BASE     0xfec00000ul
#define IOAPIC_IOREGSEL 0x00 /* the register to reach through IOWIN */
#define IOAPIC_IOWIN    0x10

#define IOAPIC_ID     0x00
#define IOAPIC_VER    0x01 /* bits 23:16: the highest redirection entry */
#define IOAPIC_REDTBL 0x10 /* entry n: registers 0x10 + 2n (low) and 0x11 + 2n (high) */

#define IOAPIC_REDTBL_LEVEL   (1u << 15) /* trigger mode: level (0: edge) */
#define IOAPIC_REDTBL_LOW     (1u << 13) /* polarity: active low (0: high) */
#define IOAPIC_REDTBL_LOGICAL (1u << 11) /* destination mode (0: physical APIC ID) */
#define IOAPIC_REDTBL_MASKED  (1u << 16)

/** Reads the I/O APIC register @p reg through IOREGSEL and IOWIN. */
uint32_t ioapic_read(uint8_t reg);

/** Writes @p value to the I/O APIC register @p reg. */
void ioapic_write(uint8_t reg, uint32_t value);

/** Returns the number of input pins (redirection entries). */
int ioapic_pins(void);

/**
 * Sets the entry of @p pin: fixed delivery of @p vector to the local APIC @p apic_id in
 * physical mode, edge triggered, active high (as ISA interrupts are), masked.
 */
void ioapic_route(int pin, int vector, uint8_t apic_id);

/** Masks @p pin. */
void ioapic_mask(int pin);

/** Unmasks @p pin. */
void ioapic_unmask(int pin);

/**
 * Returns the pin that ISA @p irq drives. It is the same number except for IRQ 0, the
 * PIT, which drives pin 2, as QEMU's and most PCs' MADT say with an interrupt source
 * override (pin 0 carries the 8259A's output).
 */
int ioapic_pin_of_isa_irq(int irq);

#endif
