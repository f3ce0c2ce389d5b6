/*
 * pic.c - tests of the 8259A pair and the ELCR (pic.h) against the datasheet, through
 * the port bus as a guest would program them.
 */
#include "ch4_tests.h"
#include "error.h"
#include "fake.h"
#include "pic.h"

/* A machine with the pair on its port bus and a recorder on the INTR output, its line 0. */
struct rig {
    struct bus bus;
    struct pic pic;
    struct fake_irq intr;
};

/* strict: an access outside the pair's ports fails it, else goes nowhere. */
static void rig_init(struct rig *r, int strict)
{
    fake_irq__init(&r->intr, 0);
    fake_bus__init(&r->bus, "port", strict);
    pic__init(&r->pic, fake_irq__output, &r->intr);
    ck_assert_msg(pic__register(&r->pic, &r->bus) == 0, "%s", error__get());
}

static void out(struct rig *r, uint16_t port, uint32_t size, uint64_t value)
{
    fake_bus__write(&r->bus, port, size, value);
}

static uint64_t in(struct rig *r, uint16_t port, uint32_t size)
{
    return fake_bus__read(&r->bus, port, size);
}

static void outb(struct rig *r, uint16_t port, uint8_t value)
{
    out(r, port, 1, value);
}

static uint8_t inb(struct rig *r, uint16_t port)
{
    return (uint8_t)in(r, port, 1);
}

/* The sequence a PC's firmware and Linux send: cascade, ICW4, 8086 mode; icw4 may add
 * AEOI. Masks end cleared. */
static void rig_program(struct rig *r, uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    outb(r, PIC_MASTER_PORT, ICW1_INIT | ICW1_IC4);
    outb(r, PIC_MASTER_PORT + 1, master_base);
    outb(r, PIC_MASTER_PORT + 1, 1u << PIC_CASCADE_IR);
    outb(r, PIC_MASTER_PORT + 1, icw4);
    outb(r, PIC_SLAVE_PORT, ICW1_INIT | ICW1_IC4);
    outb(r, PIC_SLAVE_PORT + 1, slave_base);
    outb(r, PIC_SLAVE_PORT + 1, PIC_CASCADE_IR);
    outb(r, PIC_SLAVE_PORT + 1, icw4);
}

/* A rig programmed with master vectors 0x20-0x27 and slave vectors 0x28-0x2f. */
static void rig_setup(struct rig *r)
{
    rig_init(r, 1);
    rig_program(r, 0x20, 0x28, ICW4_UPM);
}

/* Reads the ISR of the chip at port (OCW3 RR RIS), then sets reads back to the IRR. */
static uint8_t read_isr(struct rig *r, uint16_t port)
{
    outb(r, port, OCW3_SEL | OCW3_RR | OCW3_RIS);
    uint8_t isr = inb(r, port);
    outb(r, port, OCW3_SEL | OCW3_RR);
    return isr;
}

static void eoi(struct rig *r, uint16_t port)
{
    outb(r, port, OCW2_EOI);
}

START_TEST(power_on_state)
{
    struct rig r;

    rig_init(&r, 1);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0);     /* IRR */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0); /* IMR */
    ck_assert_int_eq(inb(&r, PIC_SLAVE_PORT + 1), 0);
    ck_assert_int_eq(in(&r, PIC_ELCR_PORT, 2), 0);
    ck_assert_int_eq(r.intr.calls[0], 0);
    /* Not yet programmed: the vector base is 0. */
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 1);
}
END_TEST

START_TEST(init_sequence_sets_vector_base)
{
    struct rig r;

    rig_init(&r, 1);
    rig_program(&r, 0x37, 0x70, ICW4_UPM); /* T2-T0 of ICW2 are ignored in 8086 mode */
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x34);
    pic__set_irq(&r.pic, 14, 1);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x76);
    /* After the sequence, the odd port is OCW1 again. */
    outb(&r, PIC_MASTER_PORT + 1, 0x5a);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0x5a);
}
END_TEST

START_TEST(init_sequence_lengths)
{
    struct rig r;

    rig_init(&r, 1);
    /* Single, no ICW4: ICW2 is the last word. */
    outb(&r, PIC_MASTER_PORT, ICW1_INIT | ICW1_SNGL);
    outb(&r, PIC_MASTER_PORT + 1, 0x40);
    outb(&r, PIC_MASTER_PORT + 1, 0xfe);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0xfe);
    /* Single with ICW4: ICW2, ICW4, then OCW1. */
    outb(&r, PIC_MASTER_PORT, ICW1_INIT | ICW1_SNGL | ICW1_IC4);
    outb(&r, PIC_MASTER_PORT + 1, 0x40);
    outb(&r, PIC_MASTER_PORT + 1, ICW4_UPM);
    outb(&r, PIC_MASTER_PORT + 1, 0xf8);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0xf8);
    /* A single master gives IR2 its own vector: no slave answers. */
    pic__set_irq(&r.pic, 10, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x42);
    /* Cascade without ICW4: ICW2, ICW3, then OCW1. */
    outb(&r, PIC_MASTER_PORT, ICW1_INIT);
    outb(&r, PIC_MASTER_PORT + 1, 0x40);
    outb(&r, PIC_MASTER_PORT + 1, 0x04);
    outb(&r, PIC_MASTER_PORT + 1, 0xfb);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0xfb);
}
END_TEST

START_TEST(icw1_resets_the_chip)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_MASTER_PORT + 1, 0xf0);
    pic__set_irq(&r.pic, 3, 1); /* held high */
    pic__set_irq(&r.pic, 5, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_ESMM | OCW3_SMM);
    rig_program(&r, 0x20, 0x28, ICW4_UPM);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0); /* IMR cleared */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0);     /* edge sense reset */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    /* A line that was high must fall and rise again. */
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    pic__set_irq(&r.pic, 3, 0);
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
}
END_TEST

START_TEST(masked_inputs_wait_in_irr)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_MASTER_PORT + 1, 0x10);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0x10);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x10); /* requested */
    ck_assert_int_eq(pic__output(&r.pic), 0);         /* but masked */
    ck_assert_int_eq(r.intr.calls[0], 0);
    outb(&r, PIC_MASTER_PORT + 1, 0x00);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(r.intr.level[0], 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x24);
    /* Masking the slave's input keeps IRQ 8-15 away; so does masking IR2. */
    outb(&r, PIC_SLAVE_PORT + 1, 0x01);
    pic__set_irq(&r.pic, 8, 1);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    outb(&r, PIC_MASTER_PORT + 1, 1u << PIC_CASCADE_IR);
    outb(&r, PIC_SLAVE_PORT + 1, 0x00);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    outb(&r, PIC_MASTER_PORT + 1, 0x00);
    ck_assert_int_eq(pic__ack(&r.pic), 0x28);
}
END_TEST

START_TEST(lower_ir_wins)
{
    struct rig r;

    rig_setup(&r);
    pic__set_irq(&r.pic, 5, 1);
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    /* IR3 in service holds IR5 off, but not IR1. */
    ck_assert_int_eq(pic__output(&r.pic), 0);
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x21);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x0a);
    eoi(&r, PIC_MASTER_PORT); /* ends IR1, the highest in service */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x08);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
    /* An IR in service also holds off a new request of its own. */
    pic__set_irq(&r.pic, 5, 0);
    pic__set_irq(&r.pic, 5, 1);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
}
END_TEST

START_TEST(set_priority_and_rotation)
{
    struct rig r;

    rig_setup(&r);
    /* Set priority: IR4 lowest, so IR5 highest, then 6, 7, 0, ... */
    outb(&r, PIC_MASTER_PORT, OCW2_R | OCW2_SL | 4);
    pic__set_irq(&r.pic, 3, 1);
    pic__set_irq(&r.pic, 6, 1);
    pic__set_irq(&r.pic, 0, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x26);
    /* IR6 in service: IR0 and IR3 now rank below it. */
    ck_assert_int_eq(pic__output(&r.pic), 0);
    /* Rotate on non-specific EOI: IR6 ends and becomes the lowest; IR7 highest. */
    outb(&r, PIC_MASTER_PORT, OCW2_R | OCW2_EOI);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    pic__set_irq(&r.pic, 6, 0);
    pic__set_irq(&r.pic, 6, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x20); /* 0 beats 3 and 6 */
    /* Rotate on specific EOI of IR0: IR1 highest, so 3 beats 6. */
    outb(&r, PIC_MASTER_PORT, OCW2_R | OCW2_SL | OCW2_EOI); /* L = 0 */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x26);
}
END_TEST

START_TEST(rotate_in_aeoi_mode)
{
    struct rig r;

    rig_init(&r, 1);
    rig_program(&r, 0x20, 0x28, ICW4_UPM | ICW4_AEOI);
    outb(&r, PIC_MASTER_PORT, OCW2_R); /* rotate in AEOI: set */
    pic__set_irq(&r.pic, 1, 1);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x21);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0); /* AEOI: never in service */
    pic__set_irq(&r.pic, 1, 0);
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x24); /* IR1 went last */
    ck_assert_int_eq(pic__ack(&r.pic), 0x21);
    /* Rotate in AEOI: clear. The order stays where rotation left it, IR1 lowest. */
    outb(&r, PIC_MASTER_PORT, 0);
    pic__set_irq(&r.pic, 1, 0);
    pic__set_irq(&r.pic, 1, 1);
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    pic__set_irq(&r.pic, 3, 0);
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23); /* no rotation: 3 still beats 1 */
}
END_TEST

START_TEST(eoi_kinds)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_MASTER_PORT + 1, 0x00);
    pic__set_irq(&r.pic, 6, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x26);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x24);
    pic__set_irq(&r.pic, 0, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x20);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x51);
    outb(&r, PIC_MASTER_PORT, OCW2_SL | OCW2_EOI | 4); /* specific: IR4 only */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x41);
    eoi(&r, PIC_MASTER_PORT); /* non-specific: the highest, IR0 */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x40);
    outb(&r, PIC_MASTER_PORT, OCW2_SL | 6); /* no operation */
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x40);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x00);
    eoi(&r, PIC_MASTER_PORT); /* nothing in service: harmless */
    ck_assert_int_eq(pic__output(&r.pic), 0);
}
END_TEST

START_TEST(automatic_eoi)
{
    struct rig r;

    rig_init(&r, 1);
    rig_program(&r, 0x20, 0x28, ICW4_UPM | ICW4_AEOI);
    pic__set_irq(&r.pic, 5, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    pic__set_irq(&r.pic, 6, 1); /* not held off: nothing is in service */
    ck_assert_int_eq(pic__output(&r.pic), 1);
    /* Through the cascade, both in AEOI: a second slave request is not lost. */
    pic__set_irq(&r.pic, 12, 1);
    pic__set_irq(&r.pic, 13, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x2c);
    ck_assert_int_eq(pic__ack(&r.pic), 0x2d);
    ck_assert_int_eq(pic__ack(&r.pic), 0x26);
    ck_assert_int_eq(pic__output(&r.pic), 0);
}
END_TEST

START_TEST(cascade_through_ir2)
{
    struct rig r;

    rig_setup(&r);
    pic__set_irq(&r.pic, 10, 1);
    ck_assert_int_eq(inb(&r, PIC_SLAVE_PORT), 0x04);  /* slave IRR: IR2 */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x04); /* master IRR: the cascade */
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x2a);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x04);
    ck_assert_int_eq(read_isr(&r, PIC_SLAVE_PORT), 0x04);
    /* IRQ 1 outranks the cascade; IRQ 3 does not. */
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x21);
    eoi(&r, PIC_MASTER_PORT);
    /* Without special fully nested mode, IR2 in service holds off even a more urgent
     * slave request until both chips have had their EOI. */
    pic__set_irq(&r.pic, 8, 1);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    eoi(&r, PIC_SLAVE_PORT);
    ck_assert_int_eq(read_isr(&r, PIC_SLAVE_PORT), 0);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x28);
    eoi(&r, PIC_SLAVE_PORT);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    ck_assert_int_eq(read_isr(&r, PIC_SLAVE_PORT), 0);
}
END_TEST

START_TEST(level_line_requests_again)
{
    struct rig r;

    rig_setup(&r);
    out(&r, PIC_ELCR_PORT, 2, 0x0220); /* IRQ 5 and IRQ 9 level-triggered */
    ck_assert_int_eq(in(&r, PIC_ELCR_PORT, 2), 0x0220);
    pic__set_irq(&r.pic, 5, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x20); /* still requesting */
    ck_assert_int_eq(pic__output(&r.pic), 0);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__output(&r.pic), 1); /* the line is still high */
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
    pic__set_irq(&r.pic, 5, 0);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x00);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    /* The same on the slave, through the cascade. */
    pic__set_irq(&r.pic, 9, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x29);
    eoi(&r, PIC_SLAVE_PORT);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__ack(&r.pic), 0x29);
    /* ICW1's LTIM makes every input of that chip level-triggered. */
    outb(&r, PIC_MASTER_PORT, ICW1_INIT | ICW1_IC4 | ICW1_LTIM);
    outb(&r, PIC_MASTER_PORT + 1, 0x20);
    outb(&r, PIC_MASTER_PORT + 1, 0x04);
    outb(&r, PIC_MASTER_PORT + 1, ICW4_UPM);
    pic__set_irq(&r.pic, 0, 1);
    pic__set_irq(&r.pic, 0, 0);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT) & 1, 0);
}
END_TEST

START_TEST(edge_needs_a_new_edge)
{
    struct rig r;

    rig_setup(&r);
    pic__set_irq(&r.pic, 4, 1);
    pic__set_irq(&r.pic, 4, 0); /* a pulse stays latched */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x10);
    ck_assert_int_eq(pic__ack(&r.pic), 0x24);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x00);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(pic__output(&r.pic), 0);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x24);
    eoi(&r, PIC_MASTER_PORT);
    pic__set_irq(&r.pic, 4, 1); /* still high: no edge */
    ck_assert_int_eq(pic__output(&r.pic), 0);
    pic__set_irq(&r.pic, 4, 0);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
}
END_TEST

START_TEST(elcr_keeps_isa_inputs_on_edge)
{
    struct rig r;

    rig_setup(&r);
    out(&r, PIC_ELCR_PORT, 2, 0xffff);
    ck_assert_int_eq(inb(&r, PIC_ELCR_PORT), PIC_ELCR_MASTER_MASK);
    ck_assert_int_eq(inb(&r, PIC_ELCR_PORT + 1), PIC_ELCR_SLAVE_MASK);
    /* IRQ 0 stays edge-triggered: a pulse is latched. */
    pic__set_irq(&r.pic, 0, 1);
    pic__set_irq(&r.pic, 0, 0);
    ck_assert_int_eq(pic__ack(&r.pic), 0x20);
    eoi(&r, PIC_MASTER_PORT);
    outb(&r, PIC_ELCR_PORT, 0);
    pic__set_irq(&r.pic, 7, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x27);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x80); /* a real IRQ 7 */
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0);
    /* A line already high when its input turns level-triggered requests at once. */
    outb(&r, PIC_ELCR_PORT, 0x80);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x80);
}
END_TEST

START_TEST(spurious_irq7)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_ELCR_PORT, 0x20);
    pic__set_irq(&r.pic, 5, 1);
    ck_assert_int_eq(r.intr.level[0], 1);
    pic__set_irq(&r.pic, 5, 0); /* gone before the acknowledge */
    ck_assert_int_eq(r.intr.level[0], 0);
    ck_assert_int_eq(pic__ack(&r.pic), 0x27);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0); /* no ISR bit: spurious */
    /* Masked between INTR and INTA: the same. */
    pic__set_irq(&r.pic, 3, 1);
    outb(&r, PIC_MASTER_PORT + 1, 0x08);
    ck_assert_int_eq(pic__ack(&r.pic), 0x27);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    /* A real IRQ 7 sets its ISR bit. */
    pic__set_irq(&r.pic, 7, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x27);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x80);
}
END_TEST

START_TEST(spurious_irq15)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_ELCR_PORT + 1, 0x04); /* IRQ 10 level-triggered */
    pic__set_irq(&r.pic, 10, 1);
    pic__set_irq(&r.pic, 10, 0);
    /* The master latched the cascade's edge; the slave has nothing left. */
    ck_assert_int_eq(pic__output(&r.pic), 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x2f);
    ck_assert_int_eq(read_isr(&r, PIC_SLAVE_PORT), 0);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x04); /* the master took IR2 */
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0);
    ck_assert_int_eq(pic__output(&r.pic), 0);
}
END_TEST

START_TEST(ocw3_selects_the_register)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_MASTER_PORT + 1, 0x81);
    pic__set_irq(&r.pic, 3, 1);
    pic__set_irq(&r.pic, 6, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x40); /* IRR after ICW1 */
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_RR | OCW3_RIS);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x08);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x08); /* the choice stays */
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_RIS);   /* RIS without RR: no change */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x08);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT + 1), 0x81); /* the odd port is the IMR */
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_RR);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x40);
    /* A 16-bit read is two byte cycles: IRR, then IMR. */
    ck_assert_int_eq(in(&r, PIC_MASTER_PORT, 2), 0x8140);
}
END_TEST

START_TEST(poll_command)
{
    struct rig r;

    rig_setup(&r);
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_P);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0); /* nothing pending: I clear */
    pic__set_irq(&r.pic, 6, 1);
    pic__set_irq(&r.pic, 4, 1);
    ck_assert_int_eq(r.intr.level[0], 1);
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_P);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), PIC_POLL_I | 4);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x10); /* polled is acknowledged */
    ck_assert_int_eq(r.intr.level[0], 0);                  /* IR6 is held off */
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0x40);      /* one read only */
    eoi(&r, PIC_MASTER_PORT);
    outb(&r, PIC_SLAVE_PORT, OCW3_SEL | OCW3_P); /* the slave polls on its own */
    ck_assert_int_eq(inb(&r, PIC_SLAVE_PORT + 1), 0);
    pic__set_irq(&r.pic, 15, 1);
    outb(&r, PIC_SLAVE_PORT, OCW3_SEL | OCW3_P);
    ck_assert_int_eq(inb(&r, PIC_SLAVE_PORT + 1), PIC_POLL_I | 7);
    ck_assert_int_eq(read_isr(&r, PIC_SLAVE_PORT), 0x80);
}
END_TEST

START_TEST(special_mask_mode)
{
    struct rig r;

    rig_setup(&r);
    pic__set_irq(&r.pic, 3, 1);
    ck_assert_int_eq(pic__ack(&r.pic), 0x23);
    pic__set_irq(&r.pic, 5, 1);
    outb(&r, PIC_MASTER_PORT + 1, 0x08);
    ck_assert_int_eq(pic__output(&r.pic), 0); /* IR3 in service holds IR5 off */
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_ESMM | OCW3_SMM);
    ck_assert_int_eq(pic__output(&r.pic), 1); /* masked IR3 no longer counts */
    ck_assert_int_eq(pic__ack(&r.pic), 0x25);
    ck_assert_int_eq(read_isr(&r, PIC_MASTER_PORT), 0x28);
    outb(&r, PIC_MASTER_PORT, OCW2_SL | OCW2_EOI | 5);
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_SMM); /* SMM without ESMM: no change */
    pic__set_irq(&r.pic, 6, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
    outb(&r, PIC_MASTER_PORT, OCW3_SEL | OCW3_ESMM); /* reset special mask */
    ck_assert_int_eq(pic__output(&r.pic), 0);
}
END_TEST

START_TEST(intr_reports_each_change_once)
{
    struct rig r;

    rig_setup(&r);
    ck_assert_int_eq(r.intr.calls[0], 0);
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(r.intr.calls[0], 1);
    ck_assert_int_eq(r.intr.level[0], 1);
    pic__set_irq(&r.pic, 4, 1); /* INTR is already high */
    ck_assert_int_eq(r.intr.calls[0], 1);
    pic__ack(&r.pic); /* IR1 in service holds IR4 off */
    ck_assert_int_eq(r.intr.calls[0], 2);
    ck_assert_int_eq(r.intr.level[0], 0);
    eoi(&r, PIC_MASTER_PORT);
    ck_assert_int_eq(r.intr.calls[0], 3);
    ck_assert_int_eq(r.intr.level[0], 1);
    outb(&r, PIC_MASTER_PORT + 1, 0xff);
    ck_assert_int_eq(r.intr.calls[0], 4);
    ck_assert_int_eq(r.intr.level[0], 0);
    outb(&r, PIC_MASTER_PORT + 1, 0xff);
    ck_assert_int_eq(r.intr.calls[0], 4);
    /* No callback at all is fine too. */
    pic__init(&r.pic, NULL, NULL);
    pic__set_irq(&r.pic, 1, 1);
    ck_assert_int_eq(pic__output(&r.pic), 1);
}
END_TEST

START_TEST(out_of_range_inputs_are_ignored)
{
    struct rig r;

    rig_setup(&r);
    pic__set_irq(&r.pic, 2, 1);
    pic__set_irq(&r.pic, 16, 1);
    pic__set_irq(&r.pic, ~0u, 1);
    ck_assert_int_eq(inb(&r, PIC_MASTER_PORT), 0);
    ck_assert_int_eq(inb(&r, PIC_SLAVE_PORT), 0);
    ck_assert_int_eq(pic__output(&r.pic), 0);
}
END_TEST

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

START_TEST(hostile_accesses)
{
    static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1};
    static const uint32_t sizes[] = {1, 2, 4, 8};
    struct rig r;
    uint32_t seed = 0x8259a;

    rig_init(&r, 0); /* wide accesses that leave the range go nowhere */
    /* Every byte at every port. */
    for (unsigned p = 0; p < sizeof(ports) / sizeof(ports[0]); p++)
        for (unsigned v = 0; v < 256; v++) {
            out(&r, ports[p], 1, v);
            in(&r, ports[p], 1);
            pic__set_irq(&r.pic, v & 15, (int)(v >> 4) & 1);
            if (pic__output(&r.pic))
                pic__ack(&r.pic);
        }
    /* Then random values, sizes and events. */
    for (int i = 0; i < 20000; i++) {
        uint32_t x = next_random(&seed);
        uint16_t port = ports[x % 6];
        uint32_t size = sizes[(x >> 3) & 3];
        if ((x >> 5) & 1)
            out(&r, port, size, ((uint64_t)next_random(&seed) << 32) | next_random(&seed));
        else
            in(&r, port, size);
        pic__set_irq(&r.pic, (x >> 8) & 31, (x >> 13) & 1);
        if ((x >> 14) & 1) {
            int vector = pic__ack(&r.pic);
            ck_assert_int_ge(vector, 0);
            ck_assert_int_le(vector, 0xff);
        }
        ck_assert_int_eq(pic__output(&r.pic), r.intr.level[0]);
    }
}
END_TEST

TCase *pic_tests(void)
{
    TCase *tc = tcase_create("pic");

    tcase_add_test(tc, power_on_state);
    tcase_add_test(tc, init_sequence_sets_vector_base);
    tcase_add_test(tc, init_sequence_lengths);
    tcase_add_test(tc, icw1_resets_the_chip);
    tcase_add_test(tc, masked_inputs_wait_in_irr);
    tcase_add_test(tc, lower_ir_wins);
    tcase_add_test(tc, set_priority_and_rotation);
    tcase_add_test(tc, rotate_in_aeoi_mode);
    tcase_add_test(tc, eoi_kinds);
    tcase_add_test(tc, automatic_eoi);
    tcase_add_test(tc, cascade_through_ir2);
    tcase_add_test(tc, level_line_requests_again);
    tcase_add_test(tc, edge_needs_a_new_edge);
    tcase_add_test(tc, elcr_keeps_isa_inputs_on_edge);
    tcase_add_test(tc, spurious_irq7);
    tcase_add_test(tc, spurious_irq15);
    tcase_add_test(tc, ocw3_selects_the_register);
    tcase_add_test(tc, poll_command);
    tcase_add_test(tc, special_mask_mode);
    tcase_add_test(tc, intr_reports_each_change_once);
    tcase_add_test(tc, out_of_range_inputs_are_ignored);
    tcase_add_test(tc, hostile_accesses);
    return tc;
}
