/*
 * ioapic.c - the I/O APIC model: the indirect register window, the redirection table and
 * the pin logic of edge and level inputs (see ioapic.h; chapter 4). References are to the
 * Intel 82093AA I/O APIC datasheet.
 */
#include "ioapic.h"

/* The bits of an entry software may write: remote IRR and delivery status are the
 * I/O APIC's own, and bits 17-55 are reserved. */
#define IOAPIC_WRITABLE                                                                            \
    (0xffull << IOAPIC_DEST_SHIFT | IOAPIC_MASKED | IOAPIC_TRIGGER_LEVEL | IOAPIC_POLARITY_LOW |   \
     IOAPIC_DEST_MODE | 7ull << IOAPIC_DM_SHIFT | IOAPIC_VECTOR_MASK)

/* Whether pin is asserted: its wire level, inverted for an active-low pin. */
static int pin_asserted(const struct ioapic *io, unsigned pin)
{
    return io->input[pin] ^ ((io->redtbl[pin] & IOAPIC_POLARITY_LOW) != 0);
}

static void pin_deliver(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->redtbl[pin];
    struct ioapic_msg m = {
        .vector = (uint8_t)(e & IOAPIC_VECTOR_MASK),
        .delivery_mode = (uint8_t)((e >> IOAPIC_DM_SHIFT) & 7),
        .dest_mode = (e & IOAPIC_DEST_MODE) != 0,
        .level_triggered = (e & IOAPIC_TRIGGER_LEVEL) != 0,
        .dest = (uint8_t)(e >> IOAPIC_DEST_SHIFT),
    };

    if (m.level_triggered)
        io->redtbl[pin] |= IOAPIC_REMOTE_IRR;
    if (io->deliver)
        io->deliver(io->ctx, &m);
}

/* [remote-irr] */
/* A level-triggered pin sends one message while it is asserted and unmasked; remote IRR,
 * set until the local APIC's EOI, keeps it from sending another meanwhile. */
static void pin_service_level(struct ioapic *io, unsigned pin)
{
    uint64_t e = io->redtbl[pin];

    if ((e & IOAPIC_TRIGGER_LEVEL) && !(e & (IOAPIC_MASKED | IOAPIC_REMOTE_IRR)) &&
        pin_asserted(io, pin))
        pin_deliver(io, pin);
}

void ioapic__set_irq(struct ioapic *io, unsigned pin, int level)
{
    int was;

    if (pin >= IOAPIC_NUM_PINS)
        return;
    was = pin_asserted(io, pin);
    io->input[pin] = level != 0;
    if (io->redtbl[pin] & IOAPIC_TRIGGER_LEVEL)
        pin_service_level(io, pin);
    else if (!was && pin_asserted(io, pin) && !(io->redtbl[pin] & IOAPIC_MASKED))
        pin_deliver(io, pin); /* a rising edge; one on a masked pin is lost */
}

void ioapic__eoi(struct ioapic *io, uint8_t vector)
{
    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = io->redtbl[pin];

        if ((e & IOAPIC_VECTOR_MASK) != vector || !(e & IOAPIC_TRIGGER_LEVEL) ||
            !(e & IOAPIC_REMOTE_IRR))
            continue;
        io->redtbl[pin] &= ~IOAPIC_REMOTE_IRR;
        pin_service_level(io, pin);
    }
}
/* [remote-irr] */

/* Writes one half of pin's entry. Switching a pin to edge clears its remote IRR (Linux
 * relies on this to end a level interrupt on I/O APICs of version 0x11, which have no EOI
 * register). A level pin that is asserted and now unmasked delivers. */
static void redtbl_write(struct ioapic *io, unsigned pin, int high, uint32_t value)
{
    uint64_t e = io->redtbl[pin], keep = e & (IOAPIC_REMOTE_IRR | IOAPIC_DELIVERY_STATUS);

    if (high)
        e = (e & 0xffffffffull) | (uint64_t)value << 32;
    else
        e = (e & ~0xffffffffull) | value;
    e = (e & IOAPIC_WRITABLE) | keep;
    if (!(e & IOAPIC_TRIGGER_LEVEL))
        e &= ~IOAPIC_REMOTE_IRR;
    io->redtbl[pin] = e;
    pin_service_level(io, pin);
}

static uint32_t window_read(const struct ioapic *io)
{
    uint32_t reg = io->ioregsel;

    switch (reg) {
    case IOAPIC_ID:
    case IOAPIC_ARB: /* the arbitration ID is loaded from the APIC ID */
        return io->id;
    case IOAPIC_VERSION:
        return IOAPIC_VERSION_VALUE;
    }
    if (reg >= IOAPIC_REDTBL && reg < IOAPIC_REDTBL + 2 * IOAPIC_NUM_PINS) {
        uint64_t e = io->redtbl[(reg - IOAPIC_REDTBL) / 2];

        return (uint32_t)(reg & 1 ? e >> 32 : e);
    }
    return 0;
}

static void window_write(struct ioapic *io, uint32_t value)
{
    uint32_t reg = io->ioregsel;

    if (reg == IOAPIC_ID)
        io->id = value & 0x0f000000;
    else if (reg >= IOAPIC_REDTBL && reg < IOAPIC_REDTBL + 2 * IOAPIC_NUM_PINS)
        redtbl_write(io, (reg - IOAPIC_REDTBL) / 2, reg & 1, value);
}

uint64_t ioapic__read(struct ioapic *io, uint64_t offset, uint32_t size)
{
    if (size != 4)
        return 0;
    if (offset == IOAPIC_REG_SELECT)
        return io->ioregsel;
    if (offset == IOAPIC_REG_WINDOW)
        return window_read(io);
    return 0;
}

void ioapic__write(struct ioapic *io, uint64_t offset, uint64_t value, uint32_t size)
{
    if (size != 4)
        return;
    if (offset == IOAPIC_REG_SELECT)
        io->ioregsel = (uint32_t)value & 0xff;
    else if (offset == IOAPIC_REG_WINDOW)
        window_write(io, (uint32_t)value);
}

static uint64_t ioapic_mmio_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    (void)v;
    return ioapic__read(dev, offset, size);
}

static int ioapic_mmio_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                             uint32_t size)
{
    (void)v;
    ioapic__write(dev, offset, value, size);
    return 0;
}

int ioapic__register(struct ioapic *io, struct bus *mmio)
{
    return bus__register(mmio, IOAPIC_BASE, IOAPIC_SIZE, "ioapic", ioapic_mmio_read,
                         ioapic_mmio_write, io);
}

void ioapic__init(struct ioapic *io, void (*deliver)(void *ctx, const struct ioapic_msg *m),
                  void *ctx)
{
    *io = (struct ioapic){.deliver = deliver, .ctx = ctx};
    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
        io->redtbl[pin] = IOAPIC_MASKED;
}
