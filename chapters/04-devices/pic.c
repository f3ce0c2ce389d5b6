/*
 * pic.c - the two 8259A interrupt controllers of a PC and the ELCR (see pic.h;
 * chapter 4).
 *
 * An 8259A takes eight interrupt request inputs, IR0-IR7, and drives one output, INT,
 * into the CPU's INTR pin. It keeps three 8-bit registers, one bit per input:
 *
 *   IRR, the interrupt request register: the inputs that are asking for service.
 *   ISR, the in-service register: the inputs the CPU has taken and not yet finished.
 *   IMR, the interrupt mask register: the inputs the guest has switched off.
 *
 * The priority resolver compares the highest-priority unmasked bit of the IRR with the
 * highest-priority bit of the ISR. If the request has the higher priority, the chip
 * raises INT: a handler can be interrupted by a more urgent device, never by a less
 * urgent one, nor by itself. After power-on IR0 has the highest priority and IR7 the
 * lowest; rotation (OCW2) moves the lowest-priority place round, so that devices of
 * equal importance take turns.
 *
 * When the CPU's IF flag lets it, the CPU answers INTR with the interrupt acknowledge
 * (INTA) cycle. In it the chip picks the winning IR, sets its ISR bit, clears its IRR bit
 * and puts a vector on the data bus: the base the guest wrote in ICW2 plus the IR. The
 * handler ends with an end-of-interrupt command (EOI), which clears the ISR bit and lets
 * lower priorities through again; in automatic EOI mode the chip does that at once.
 *
 * A PC has two chips. The slave's INT output is wired to IR2 of the master, so IRQ 8-15
 * reach the CPU through the master. When the master acknowledges IR2, it lets the slave
 * answer: the slave sets its own ISR bit and supplies the vector, and IR2 is in service
 * on the master too. A handler of IRQ 8-15 therefore sends an EOI to both.
 *
 * If a request vanishes between INT and the acknowledge (a level-triggered line that
 * fell, an input masked meanwhile), the chip still has to answer something: it gives its
 * IR7 vector and sets no ISR bit. That is the spurious IRQ 7, or IRQ 15 when it happens
 * on the slave. A guest tells it from a real IRQ 7 by reading the ISR.
 *
 * Inputs are edge-triggered (a rising edge sets the IRR bit) or level-triggered (the IRR
 * bit follows the line). A PC chipset chooses per input with its edge/level control
 * registers (ELCR) at ports 0x4d0-0x4d1, except for the inputs it keeps on edge. On the
 * real chip an edge request also vanishes if its line falls before the acknowledge; here
 * the IRR bit keeps it, because stepvm's devices signal an edge as a pulse (irq__pulse),
 * and a pulse takes no time.
 *
 * Left out: the special fully nested mode (ICW4 SFNM), in which the master would let a
 * slave that is in service interrupt again with a more urgent request; MCS-80/85 mode
 * (ICW4 uPM = 0), whose acknowledge is a three-byte CALL only an 8080 understands, so the
 * chips always answer as in 8086 mode; the buffered mode bits, which only matter for
 * wiring. ICW3 is stored but not used: on a PC the cascade is fixed on IR2.
 */
#include "pic.h"

#include <string.h>

/* ---------------------------------------------------------------- one chip */

/* Returns 1 if input ir requests by its level (ICW1 LTIM or its ELCR bit) and not by
 * its edges. */
static int chip_level_triggered(const struct pic_chip *c, int ir)
{
    return (c->icw1 & ICW1_LTIM) || (c->elcr & (1u << ir));
}

/* [pic-resolver] */
/* Returns the IR of highest priority among the bits of set, or -1 if set is empty. The
 * IR after the lowest-priority one has the highest priority. */
static int chip_highest(const struct pic_chip *c, unsigned set)
{
    for (int i = 1; i <= 8; i++) {
        int ir = (c->lowest + i) & 7;
        if (set & (1u << ir))
            return ir;
    }
    return -1;
}

/* Returns the place of ir in the priority order: 0 the highest, 7 the lowest. */
static int chip_rank(const struct pic_chip *c, int ir)
{
    return (ir - c->lowest - 1) & 7;
}

/* The priority resolver: returns the IR that would be acknowledged now, or -1 when INT
 * is low. An unmasked request wins if no IR of the same or higher priority is in
 * service. In special mask mode, the ISR bits of masked inputs do not count, so a handler
 * that masks its own input lets every other one in. */
static int chip_pending(const struct pic_chip *c)
{
    int req = chip_highest(c, c->irr & ~c->imr);
    unsigned in_service = c->special_mask ? c->isr & ~c->imr : c->isr;
    int busy = chip_highest(c, in_service);

    if (req < 0 || (busy >= 0 && chip_rank(c, busy) <= chip_rank(c, req)))
        return -1;
    return req;
}
/* [pic-resolver] */

/* The acknowledge of ir on one chip (an INTA cycle, or a poll). */
static void chip_ack(struct pic_chip *c, int ir)
{
    if (!chip_level_triggered(c, ir))
        c->irr &= ~(1u << ir);
    if (!(c->icw4 & ICW4_AEOI))
        c->isr |= 1u << ir;
    else if (c->rotate_aeoi)
        c->lowest = (uint8_t)ir;
}

/* A new level on input ir: an edge-triggered input latches a rising edge, a level-
 * triggered one copies the level. */
static void chip_input(struct pic_chip *c, int ir, int level)
{
    unsigned bit = 1u << ir;

    if (chip_level_triggered(c, ir))
        c->irr = (uint8_t)(level ? c->irr | bit : c->irr & ~bit);
    else if (level && !(c->input & bit))
        c->irr |= bit;
    c->input = (uint8_t)(level ? c->input | bit : c->input & ~bit);
}

/* After the trigger modes change: level-triggered inputs request as their lines stand. */
static void chip_refresh_levels(struct pic_chip *c)
{
    for (int ir = 0; ir < 8; ir++)
        if (chip_level_triggered(c, ir))
            chip_input(c, ir, (c->input >> ir) & 1);
}

/* ---------------------------------------------------------------- commands */

/* ICW1 starts the initialisation sequence. As the datasheet lists: the edge sense is
 * reset (an input that is high must fall and rise again before it requests), the IMR is
 * cleared, IR7 becomes the lowest priority, special mask mode is left, reads return the
 * IRR, and without IC4 every ICW4 function is off. The ISR and a pending poll are
 * cleared too, so that a chip initialised again in the middle of a handler starts clean. */
static void chip_icw1(struct pic_chip *c, uint8_t value)
{
    c->icw1 = value;
    if (!(value & ICW1_IC4))
        c->icw4 = 0;
    c->irr = 0;
    c->isr = 0;
    c->imr = 0;
    c->lowest = 7;
    c->special_mask = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->rotate_aeoi = 0;
    c->next_icw = 2;
    chip_refresh_levels(c);
}

/* A write to the odd port during initialisation: ICW2, then ICW3 unless single, then
 * ICW4 if ICW1 asked for it. Only T7-T3 of ICW2 count in 8086 mode. */
static void chip_icw(struct pic_chip *c, uint8_t value)
{
    int ic4 = c->icw1 & ICW1_IC4;

    switch (c->next_icw) {
    case 2:
        c->icw2 = value & 0xf8;
        c->next_icw = !(c->icw1 & ICW1_SNGL) ? 3 : ic4 ? 4 : 0;
        break;
    case 3:
        c->icw3 = value;
        c->next_icw = ic4 ? 4 : 0;
        break;
    default:
        c->icw4 = value;
        c->next_icw = 0;
        break;
    }
}

/* OCW2: the end-of-interrupt and rotation commands, chosen by R, SL and EOI. */
static void chip_ocw2(struct pic_chip *c, uint8_t value)
{
    int level = value & OCW2_LEVEL;
    int top = chip_highest(c, c->isr);

    switch (value & (OCW2_R | OCW2_SL | OCW2_EOI)) {
    case OCW2_EOI: /* non-specific EOI: ends the highest priority in service */
        if (top >= 0)
            c->isr &= ~(1u << top);
        break;
    case OCW2_SL | OCW2_EOI: /* specific EOI: ends IR level */
        c->isr &= ~(1u << level);
        break;
    case OCW2_R | OCW2_EOI: /* rotate on non-specific EOI: the ended IR goes last */
        if (top >= 0) {
            c->isr &= ~(1u << top);
            c->lowest = (uint8_t)top;
        }
        break;
    case OCW2_R | OCW2_SL | OCW2_EOI: /* rotate on specific EOI */
        c->isr &= ~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    case OCW2_R | OCW2_SL: /* set priority: IR level goes last */
        c->lowest = (uint8_t)level;
        break;
    case OCW2_R: /* rotate in automatic EOI mode: set */
        c->rotate_aeoi = 1;
        break;
    case 0: /* rotate in automatic EOI mode: clear */
        c->rotate_aeoi = 0;
        break;
    default: /* SL alone: no operation */
        break;
    }
}

/* OCW3: special mask mode, poll, and which register the even port reads. */
static void chip_ocw3(struct pic_chip *c, uint8_t value)
{
    if (value & OCW3_ESMM)
        c->special_mask = (value & OCW3_SMM) != 0;
    if (value & OCW3_P)
        c->poll = 1;
    if (value & OCW3_RR)
        c->read_isr = value & OCW3_RIS;
}

/* A byte written to the chip: A0 and the data bits D4 and D3 say what it is. */
static void chip_write(struct pic_chip *c, int a0, uint8_t value)
{
    if (a0) {
        if (c->next_icw)
            chip_icw(c, value);
        else
            c->imr = value; /* OCW1 */
    } else if (value & ICW1_INIT) {
        chip_icw1(c, value);
    } else if (value & OCW3_SEL) {
        chip_ocw3(c, value);
    } else {
        chip_ocw2(c, value);
    }
}

/* A byte read from the chip. After a poll command the next read, at either port, is the
 * poll word, and it acknowledges the request it reports, as an INTA cycle would. */
static uint8_t chip_read(struct pic_chip *c, int a0)
{
    if (c->poll) {
        int ir = chip_pending(c);

        c->poll = 0;
        if (ir < 0)
            return 0;
        chip_ack(c, ir);
        return (uint8_t)(PIC_POLL_I | ir);
    }
    if (a0)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

/* ---------------------------------------------------------------- the pair */

/* Brings the outputs up to date after any change: the slave's INT to the master's IR2,
 * then the master's INT to whoever listens. IR2 is an edge input on a PC, so the master
 * latches the request; the slave's INT is taken as a new edge whenever it is high after a
 * change, so a request the slave still holds after an acknowledge (in automatic EOI mode)
 * is not lost. That latch is also what makes spurious IRQ 15 possible: the master keeps
 * IR2 requested after the slave's request has gone. */
static void pic_update(struct pic *p)
{
    int slave_int = chip_pending(&p->slave) >= 0;
    int out;

    if (chip_level_triggered(&p->master, PIC_CASCADE_IR))
        chip_input(&p->master, PIC_CASCADE_IR, slave_int);
    else if (slave_int)
        p->master.irr |= 1u << PIC_CASCADE_IR;
    p->master.input = (uint8_t)((p->master.input & ~(1u << PIC_CASCADE_IR)) |
                                (unsigned)slave_int << PIC_CASCADE_IR);
    out = chip_pending(&p->master) >= 0;
    if (out != p->output) {
        p->output = out;
        if (p->intr)
            p->intr(p->ctx, out);
    }
}

static void chip_power_on(struct pic_chip *c, uint8_t elcr_mask)
{
    memset(c, 0, sizeof(*c));
    c->lowest = 7;
    c->elcr_mask = elcr_mask;
}

void pic__init(struct pic *p, void (*intr)(void *ctx, int level), void *ctx)
{
    chip_power_on(&p->master, PIC_ELCR_MASTER_MASK);
    chip_power_on(&p->slave, PIC_ELCR_SLAVE_MASK);
    p->master.pair = p->slave.pair = p;
    p->intr = intr;
    p->ctx = ctx;
    p->output = 0;
}

void pic__set_irq(struct pic *p, unsigned irq, int level)
{
    if (irq > 15 || irq == PIC_CASCADE_IR)
        return;
    chip_input(irq < 8 ? &p->master : &p->slave, irq & 7, level != 0);
    pic_update(p);
}

int pic__output(const struct pic *p)
{
    return p->output;
}

/* [pic-ack] */
int pic__ack(struct pic *p)
{
    int ir = chip_pending(&p->master);
    int vector;

    if (ir < 0) {
        vector = p->master.icw2 | 7; /* spurious IRQ 7 */
    } else {
        chip_ack(&p->master, ir);
        if (ir == PIC_CASCADE_IR && !(p->master.icw1 & ICW1_SNGL)) {
            int sir = chip_pending(&p->slave);
            if (sir >= 0)
                chip_ack(&p->slave, sir);
            vector = p->slave.icw2 | (sir >= 0 ? sir : 7); /* 7: spurious IRQ 15 */
        } else {
            vector = p->master.icw2 | ir;
        }
    }
    pic_update(p);
    return vector;
}
/* [pic-ack] */

/* ---------------------------------------------------------------- the ports */

/* The chips are 8 bits wide: a wider access is split into byte cycles, as the ISA bus
 * does, each at its own port. The bus hands over only accesses inside the range. Each
 * chip's two ports are one range, whose device is the chip. */
static uint64_t chip_port_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct pic_chip *c = dev;
    uint64_t value = 0;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < 2; i++)
        value |= (uint64_t)chip_read(c, (int)(offset + i)) << (8 * i);
    pic_update(c->pair); /* a poll acknowledges */
    return value;
}

static int chip_port_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                           uint32_t size)
{
    struct pic_chip *c = dev;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < 2; i++)
        chip_write(c, (int)(offset + i), (uint8_t)(value >> (8 * i)));
    pic_update(c->pair);
    return 0;
}

/* The ELCR: 0x4d0 for the master's inputs, 0x4d1 for the slave's. The bits the chipset
 * keeps at 0 read as 0 whatever was written. */
static uint64_t elcr_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct pic *p = dev;
    uint64_t value = 0;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < 2; i++)
        value |= (uint64_t)((offset + i) ? p->slave.elcr : p->master.elcr) << (8 * i);
    return value;
}

static int elcr_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct pic *p = dev;

    (void)v;
    for (uint32_t i = 0; i < size && offset + i < 2; i++) {
        struct pic_chip *c = (offset + i) ? &p->slave : &p->master;
        c->elcr = (uint8_t)(value >> (8 * i)) & c->elcr_mask;
        chip_refresh_levels(c);
    }
    pic_update(p);
    return 0;
}

int pic__register(struct pic *p, struct bus *pio)
{
    if (bus__register(pio, PIC_MASTER_PORT, 2, "pic-master", chip_port_read, chip_port_write,
                      &p->master) < 0 ||
        bus__register(pio, PIC_SLAVE_PORT, 2, "pic-slave", chip_port_read, chip_port_write,
                      &p->slave) < 0 ||
        bus__register(pio, PIC_ELCR_PORT, 2, "elcr", elcr_read, elcr_write, p) < 0)
        return -1;
    return 0;
}
