/*
 * pic.c - a driver for the PC's two 8259A PICs (chapter 4): initialization words, masks,
 * end of interrupt, and a look at the in-service and request registers.
 */
#include <pic.h>
#include <x86.h>

void pic_init(void)
{
    /* ICW1: edge triggered, cascade mode, ICW4 needed. */
    outb(PIC_MASTER_CMD, PIC_ICW1_INIT | PIC_ICW1_IC4);
    outb(PIC_SLAVE_CMD, PIC_ICW1_INIT | PIC_ICW1_IC4);
    /* ICW2: the vector of each PIC's input 0 (its low three bits must be 0). */
    outb(PIC_MASTER_DATA, PIC_VECTOR_BASE);
    outb(PIC_SLAVE_DATA, PIC_VECTOR_BASE + 8);
    /* ICW3: the master has a slave on input 2 (a bit mask); the slave's identity is 2. */
    outb(PIC_MASTER_DATA, 1 << PIC_CASCADE_IRQ);
    outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ);
    /* ICW4: 8086 mode, normal (not automatic) EOI. */
    outb(PIC_MASTER_DATA, PIC_ICW4_8086);
    outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
    /* OCW1: every input masked until a driver asks for its IRQ. */
    pic_mask_all();
}

void pic_mask(int irq)
{
    uint16_t port = irq < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA;

    outb(port, inb(port) | (1 << (irq & 7)));
}

void pic_unmask(int irq)
{
    uint16_t port = irq < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA;

    outb(port, inb(port) & ~(1 << (irq & 7)));
    if (irq >= 8)
        pic_unmask(PIC_CASCADE_IRQ);
}

void pic_mask_all(void)
{
    outb(PIC_MASTER_DATA, 0xff);
    outb(PIC_SLAVE_DATA, 0xff);
}

/* The slave's interrupt is in service on both chips: the master's input 2 as well. */
void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC_SLAVE_CMD, PIC_OCW2_EOI);
    outb(PIC_MASTER_CMD, PIC_OCW2_EOI);
}

static uint16_t pic_read(uint8_t ocw3)
{
    outb(PIC_MASTER_CMD, ocw3);
    outb(PIC_SLAVE_CMD, ocw3);
    return inb(PIC_MASTER_CMD) | (inb(PIC_SLAVE_CMD) << 8);
}

uint16_t pic_isr(void)
{
    return pic_read(PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
}

uint16_t pic_irr(void)
{
    return pic_read(PIC_OCW3 | PIC_OCW3_RR);
}
