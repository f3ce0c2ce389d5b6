/*
 * ioapic.h - the I/O APIC (Intel 82093AA), as stepvm models it for --irqchip=user and the
 * interpreter (chapter 4). It turns the machine's interrupt lines into messages for the
 * local APICs, through a redirection table the guest programs.
 *
 * The guest reaches its registers indirectly: it writes a register number to IOREGSEL
 * (+0x00) and reads or writes the register through IOWIN (+0x10). Pin n is GSI n. The
 * model delivers at once, so an entry's delivery status always reads idle.
 */
#ifndef STEPVM_IOAPIC_H
#define STEPVM_IOAPIC_H

#include "bus.h"

#include <stdint.h>

#define IOAPIC_BASE     0xfec00000u
#define IOAPIC_SIZE     0x20u
#define IOAPIC_NUM_PINS 24

/* Memory-mapped registers (offsets from IOAPIC_BASE). */
#define IOAPIC_REG_SELECT 0x00 /* IOREGSEL */
#define IOAPIC_REG_WINDOW 0x10 /* IOWIN */

/* Registers reached through IOWIN. */
#define IOAPIC_ID      0x00
#define IOAPIC_VERSION 0x01
#define IOAPIC_ARB     0x02
#define IOAPIC_REDTBL  0x10 /* pin n: low half at 0x10 + 2n, high half at 0x11 + 2n */

#define IOAPIC_VERSION_ID    0x11
#define IOAPIC_VERSION_VALUE (IOAPIC_VERSION_ID | ((IOAPIC_NUM_PINS - 1) << 16))

/* Redirection table entry bits. */
#define IOAPIC_VECTOR_MASK     0xffull
#define IOAPIC_DM_SHIFT        8 /* delivery mode, bits 8-10 */
#define IOAPIC_DM_FIXED        0
#define IOAPIC_DM_LOWEST       1
#define IOAPIC_DM_SMI          2
#define IOAPIC_DM_NMI          4
#define IOAPIC_DM_INIT         5
#define IOAPIC_DM_EXTINT       7
#define IOAPIC_DEST_MODE       (1ull << 11) /* logical */
#define IOAPIC_DELIVERY_STATUS (1ull << 12)
#define IOAPIC_POLARITY_LOW    (1ull << 13)
#define IOAPIC_REMOTE_IRR      (1ull << 14)
#define IOAPIC_TRIGGER_LEVEL   (1ull << 15)
#define IOAPIC_MASKED          (1ull << 16)
#define IOAPIC_DEST_SHIFT      56

/** One interrupt message, as the I/O APIC sends it to the local APICs. */
struct ioapic_msg {
    uint8_t vector, delivery_mode, dest_mode, level_triggered, dest;
};

/** The I/O APIC's state. */
struct ioapic {
    uint32_t ioregsel;
    uint32_t id; /* the ID register: the APIC ID in bits 24-27 */
    uint64_t redtbl[IOAPIC_NUM_PINS];
    uint8_t input[IOAPIC_NUM_PINS]; /* each pin's level as it is wired, before polarity */
    void (*deliver)(void *ctx, const struct ioapic_msg *m);
    void *ctx;
};

/**
 * Puts io in its reset state: every pin masked, every line low. deliver receives each
 * interrupt message; the machine routes it to the local APICs it addresses.
 */
void ioapic__init(struct ioapic *io, void (*deliver)(void *ctx, const struct ioapic_msg *m),
                  void *ctx);

/** Claims IOAPIC_BASE, IOAPIC_SIZE bytes, on the MMIO bus. Returns 0, or -1 with the error set. */
int ioapic__register(struct ioapic *io, struct bus *mmio);

/** Reads at offset: IOREGSEL or IOWIN, 32 bits; any other access reads 0. */
uint64_t ioapic__read(struct ioapic *io, uint64_t offset, uint32_t size);

/** Writes at offset: IOREGSEL or IOWIN, 32 bits; any other access is ignored. */
void ioapic__write(struct ioapic *io, uint64_t offset, uint64_t value, uint32_t size);

/** Sets the wire level of input pin (1 high, 0 low); pins beyond the last are ignored. */
void ioapic__set_irq(struct ioapic *io, unsigned pin, int level);

/**
 * A local APIC ended level-triggered vector: clears remote IRR in the level-triggered
 * entries with that vector, and delivers again from a pin that is still asserted.
 */
void ioapic__eoi(struct ioapic *io, uint8_t vector);

#endif
