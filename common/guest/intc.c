/*
 * intc.c - the choice between the PICs and the APICs (chapter 4), and the EOI each needs.
 */
#include <intc.h>
#include <ioapic.h>
#include <lapic.h>
#include <pic.h>

#define ISA_IRQS 16

enum intc_mode intc_mode = INTC_PIC;

enum intc_mode intc_mode_from_cmdline(const struct multiboot_info *mbi)
{
    return multiboot_cmdline_has(mbi, "irq=apic") ? INTC_APIC : INTC_PIC;
}

const char *intc_mode_name(enum intc_mode mode)
{
    return mode == INTC_APIC ? "apic" : "pic";
}

void intc_init(enum intc_mode mode)
{
    intc_mode = mode;
    pic_init();
    if (mode != INTC_APIC)
        return;
    lapic_enable();
    for (int pin = 0; pin < ioapic_pins(); pin++)
        ioapic_mask(pin);
    /* IRQ 2 is the PICs' cascade, which no device drives; its pin is IRQ 0's. */
    for (int irq = 0; irq < ISA_IRQS; irq++)
        if (irq != PIC_CASCADE_IRQ)
            ioapic_route(ioapic_pin_of_isa_irq(irq), INTC_ISA_VECTOR(irq), lapic_id());
}

void intc_attach(int irq, irq_handler fn)
{
    irq_set_handler(INTC_ISA_VECTOR(irq), fn);
    intc_unmask(irq);
}

void intc_mask(int irq)
{
    if (intc_mode == INTC_APIC)
        ioapic_mask(ioapic_pin_of_isa_irq(irq));
    else
        pic_mask(irq);
}

void intc_unmask(int irq)
{
    if (intc_mode == INTC_APIC)
        ioapic_unmask(ioapic_pin_of_isa_irq(irq));
    else
        pic_unmask(irq);
}

int intc_in_service(int vector)
{
    if (intc_mode == INTC_APIC)
        return lapic_in_service(vector);
    if (vector < INTC_ISA_VECTOR(0) || vector >= INTC_ISA_VECTOR(ISA_IRQS))
        return 0;
    return (pic_isr() >> (vector - INTC_ISA_VECTOR(0))) & 1;
}

/*
 * An 8259A that loses its request between raising INTR and the acknowledge cycle answers
 * with its lowest-priority input, 7, without setting an ISR bit. From the slave, the
 * master did see a real request on input 2, so the master wants its EOI.
 */
int intc_spurious(int vector)
{
    if (intc_mode == INTC_APIC)
        return vector == LAPIC_SPURIOUS_VECTOR;
    if (vector != INTC_ISA_VECTOR(7) && vector != INTC_ISA_VECTOR(15))
        return 0;
    if (intc_in_service(vector))
        return 0;
    if (vector == INTC_ISA_VECTOR(15))
        pic_eoi(PIC_CASCADE_IRQ);
    return 1;
}

void intc_eoi(int vector)
{
    if (intc_mode == INTC_APIC)
        lapic_eoi();
    else if (vector >= INTC_ISA_VECTOR(0) && vector < INTC_ISA_VECTOR(ISA_IRQS))
        pic_eoi(vector - INTC_ISA_VECTOR(0));
}
