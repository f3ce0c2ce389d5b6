/*
 * ioapic.c - a driver for the I/O APIC (chapter 4): its two-register window and the
 * redirection entries of ISA interrupts.
 */
#include <ioapic.h>

uint32_t ioapic_read(uint8_t reg)
{
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_IOREGSEL) = reg;
    return *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_IOWIN);
}

void ioapic_write(uint8_t reg, uint32_t value)
{
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_IOREGSEL) = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_IOWIN) = value;
}

int ioapic_pins(void)
{
    return ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
}

void ioapic_route(int pin, int vector, uint8_t apic_id)
{
    /* The destination is in the high half: write it first, while the entry is masked. */
    ioapic_write(IOAPIC_REDTBL + 2 * pin, IOAPIC_REDTBL_MASKED);
    ioapic_write(IOAPIC_REDTBL + 2 * pin + 1, (uint32_t)apic_id << 24);
    ioapic_write(IOAPIC_REDTBL + 2 * pin, IOAPIC_REDTBL_MASKED | (uint32_t)vector);
}

void ioapic_mask(int pin)
{
    uint8_t reg = IOAPIC_REDTBL + 2 * pin;

    ioapic_write(reg, ioapic_read(reg) | IOAPIC_REDTBL_MASKED);
}

void ioapic_unmask(int pin)
{
    uint8_t reg = IOAPIC_REDTBL + 2 * pin;

    ioapic_write(reg, ioapic_read(reg) & ~IOAPIC_REDTBL_MASKED);
}

int ioapic_pin_of_isa_irq(int irq)
{
    return irq == 0 ? 2 : irq;
}
