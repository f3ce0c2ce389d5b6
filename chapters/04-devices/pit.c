/*
 * pit.c - the 8254 timer and port B, computed from the vclock (see pit.h; chapter 4).
 *
 * Simplifications, against Intel's 8254 datasheet: a count takes effect the moment its
 * last byte is written (the chip waits for the next CLK edge), also in modes 2 and 3
 * (the chip finishes the current period first); in modes 1 and 5 a count written during
 * a one-shot changes the one in progress. A count of 1 in modes 2 and 3, which the
 * datasheet forbids, keeps OUT high. Reading mode 3's count gives N, N-2, ... in each
 * half period (for odd N the chip shows N-1, N-3, ...).
 */
#include "pit.h"

#include <string.h>

#define NS_PER_S 1000000000ull

/* ======== Time and ticks ======== */

/* Input clock ticks in ns nanoseconds, rounded down; split so that nothing overflows. */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * PIT_HZ + ns % NS_PER_S * PIT_HZ / NS_PER_S;
}

/* The first nanosecond by which ticks input clock ticks have happened (the inverse). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
    return ticks / PIT_HZ * NS_PER_S + (ticks % PIT_HZ * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

/* ======== One channel ======== */

/* The mode 0-5 a channel behaves in: modes 6 and 7 are 2 and 3 with M2 set. */
static unsigned mode_of(const struct pit_channel *c)
{
    return c->mode >= 6 ? c->mode - 4u : c->mode;
}

/* Modes 1 and 5 count from a rising gate; the others count from the count's load. */
static int gate_triggered(const struct pit_channel *c)
{
    return mode_of(c) == 1 || mode_of(c) == 5;
}

/* The counter's range: it counts modulo 65536, or 10000 in BCD. */
static uint32_t modulus(const struct pit_channel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* A low gate suspends counting in every mode but 1 and 5. */
static int paused(const struct pit_channel *c)
{
    return !c->gate && !gate_triggered(c);
}

/* [pit-out] */
/* Input clock ticks counted since the count was loaded (or triggered). */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
    if (!c->counting)
        return 0;
    if (paused(c) || now < c->start_ns)
        return c->base_ticks;
    return c->base_ticks + ns_to_ticks(now - c->start_ns);
}

/* The level of OUT at now. */
static int out_of(const struct pit_channel *c, uint64_t now)
{
    uint64_t d = elapsed(c, now), n = c->count;

    if (!c->loaded)
        return mode_of(c) != 0; /* a control word sets OUT low in mode 0, high otherwise */
    switch (mode_of(c)) {
    case 0:
        return c->counting && d >= n;
    case 1:
        return !c->counting || d >= n;
    case 2:
        return paused(c) || n < 2 || d % n != n - 1; /* low for the clock before reload */
    case 3:
        return paused(c) || d % n < (n + 1) / 2; /* high for the longer half of odd N */
    default:                                     /* 4 and 5: low for one clock at zero */
        return !c->counting || d != n;
    }
}
/* [pit-out] */

/* The counting element's value at now, in binary, modulo 65536 (or 10000). */
static uint32_t value_of(const struct pit_channel *c, uint64_t now)
{
    uint64_t d = elapsed(c, now), n = c->count, m = modulus(c), half = (n + 1) / 2, p;

    if (!c->counting)
        return (uint32_t)(n % m);
    switch (mode_of(c)) {
    case 2:
        return (uint32_t)((n - d % n) % m);
    case 3:
        p = d % n;
        return (uint32_t)((n - 2 * (p < half ? p : p - half)) % m);
    default: /* 0, 1, 4, 5 go on counting down, wrapping, after zero */
        return (uint32_t)((n % m + m - d % m) % m);
    }
}

/* Sets *tick to the first tick after d at which OUT rises; returns 0 if it never does. */
static int next_rise(const struct pit_channel *c, uint64_t d, uint64_t *tick)
{
    uint64_t n = c->count;

    if (!c->counting || paused(c))
        return 0;
    switch (mode_of(c)) {
    case 0:
    case 1:
        *tick = n;
        break;
    case 2:
    case 3:
        if (n < 2)
            return 0;
        *tick = (d / n + 1) * n;
        break;
    default: /* 4 and 5: OUT comes back up one clock after the strobe */
        *tick = n + 1;
        break;
    }
    return *tick > d;
}

/* The vclock time at which the channel reaches tick. */
static uint64_t tick_time(const struct pit_channel *c, uint64_t tick)
{
    return c->start_ns + ticks_to_ns(tick - c->base_ticks);
}

/* Starts counting from zero now. */
static void restart(struct pit_channel *c, uint64_t now)
{
    c->counting = 1;
    c->null_count = 0;
    c->base_ticks = 0;
    c->start_ns = now;
}

/* The GATE input changes: it pauses, resumes, restarts or triggers, by mode. */
static void set_gate(struct pit_channel *c, int gate, uint64_t now)
{
    if (gate == c->gate)
        return;
    if (!gate)
        c->base_ticks = elapsed(c, now); /* frozen while the gate is low */
    c->gate = gate;
    if (!gate)
        return;
    switch (mode_of(c)) {
    case 0:
    case 4:
        c->start_ns = now; /* resume where it stopped */
        break;
    case 2:
    case 3:
        if (c->counting)
            restart(c, now); /* reload the count */
        break;
    default: /* 1 and 5: the rising edge (re)triggers */
        if (c->loaded)
            restart(c, now);
        break;
    }
}

/* A complete count N was written: a raw 16-bit value, 0 meaning the largest. */
static void load_count(struct pit_channel *c, uint16_t raw, uint64_t now)
{
    uint32_t n = raw;

    if (c->bcd) /* four decimal digits; a nibble above 9 counts as its value */
        n = (raw >> 12) * 1000u + (raw >> 8 & 15) * 100u + (raw >> 4 & 15) * 10u + (raw & 15);
    c->count = n ? n : modulus(c);
    c->loaded = 1;
    c->null_count = 1;
    if (!gate_triggered(c))
        restart(c, now);
}

/* The value a read of the counter returns, 16 bits, BCD-encoded in BCD mode. */
static uint16_t readable_value(const struct pit_channel *c, uint64_t now)
{
    uint32_t v = value_of(c, now);

    if (!c->bcd)
        return (uint16_t)v;
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static uint8_t status_of(const struct pit_channel *c, uint64_t now)
{
    return (uint8_t)((out_of(c, now) ? PIT_STATUS_OUTPUT : 0) |
                     (c->null_count ? PIT_STATUS_NULL_COUNT : 0) | c->rw << PIT_CW_RW_SHIFT |
                     c->mode << PIT_CW_M_SHIFT | c->bcd);
}

/* The counter latch command: holds the count until it is read; a second one is ignored. */
static void latch_count(struct pit_channel *c, uint64_t now)
{
    if (c->latch_bytes)
        return;
    c->latch = readable_value(c, now);
    c->latch_bytes = c->rw == PIT_RW_LSB_MSB ? 2 : 1;
}

/* ======== The ports ======== */

/* One byte read from counter port 0x40 + i: a latched status, a latched count, or live. */
static uint8_t counter_read(struct pit_channel *c, uint64_t now)
{
    uint16_t v;
    int high;

    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latch_bytes) {
        high = c->rw == PIT_RW_MSB || (c->rw == PIT_RW_LSB_MSB && c->latch_bytes == 1);
        c->latch_bytes--;
        return (uint8_t)(high ? c->latch >> 8 : c->latch);
    }
    v = readable_value(c, now);
    high = c->rw == PIT_RW_MSB || (c->rw == PIT_RW_LSB_MSB && c->read_msb_next);
    if (c->rw == PIT_RW_LSB_MSB)
        c->read_msb_next = !c->read_msb_next;
    return (uint8_t)(high ? v >> 8 : v);
}

static void counter_write(struct pit_channel *c, uint8_t value, uint64_t now)
{
    switch (c->rw) {
    case PIT_RW_LSB:
        load_count(c, value, now);
        break;
    case PIT_RW_MSB:
        load_count(c, (uint16_t)(value << 8), now);
        break;
    default:
        if (c->write_msb_next) {
            c->write_msb_next = 0;
            load_count(c, (uint16_t)(c->lsb | value << 8), now);
            break;
        }
        c->lsb = value;
        c->write_msb_next = 1;
        if (mode_of(c) == 0) /* the first byte stops a mode 0 count; OUT goes low */
            c->loaded = c->counting = 0;
        break;
    }
}

/* The read-back command: latches the count and/or status of each selected counter. */
static void read_back(struct pit *p, uint8_t value, uint64_t now)
{
    for (int i = 0; i < 3; i++) {
        struct pit_channel *c = &p->ch[i];

        if (!(value & PIT_RB_CNT(i)))
            continue;
        if (!(value & PIT_RB_COUNT))
            latch_count(c, now);
        if (!(value & PIT_RB_STATUS) && !c->status_latched) {
            c->status = status_of(c, now);
            c->status_latched = 1;
        }
    }
}

static void control_write(struct pit *p, uint8_t value, uint64_t now)
{
    unsigned sc = value >> PIT_CW_SC_SHIFT, rw = value >> PIT_CW_RW_SHIFT & 3;
    struct pit_channel *c = &p->ch[sc & 3];

    if (sc == 3) {
        read_back(p, value, now);
        return;
    }
    if (rw == PIT_RW_LATCH) {
        latch_count(c, now);
        return;
    }
    /* A new mode resets the counter's logic: nothing counts until a count is written. */
    c->rw = (uint8_t)rw;
    c->mode = value >> PIT_CW_M_SHIFT & 7;
    c->bcd = value & PIT_CW_BCD;
    c->loaded = c->counting = 0;
    c->null_count = 1;
    c->write_msb_next = c->read_msb_next = 0;
    c->latch_bytes = c->status_latched = 0;
    c->base_ticks = 0;
}

/* Recomputes when channel 0's OUT next rises. */
static void schedule(struct pit *p, uint64_t now)
{
    const struct pit_channel *c = &p->ch[0];
    uint64_t tick;

    p->next_irq_ns = next_rise(c, elapsed(c, now), &tick) ? tick_time(c, tick) : VCLOCK_NEVER;
}

/* Each byte of a wider access goes to the next port, as an ISA bus splits it. */
static uint64_t pit_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct pit *p = dev;
    uint64_t now = vclock__now(p->clock), value = 0;

    (void)v;
    pit__advance(p, now);
    for (uint32_t i = 0; i < size; i++) {
        uint64_t port = offset + i;
        uint8_t byte = port < 3 ? counter_read(&p->ch[port], now) : 0xff; /* 0x43: write-only */

        value |= (uint64_t)byte << (8 * i);
    }
    return value;
}

static int pit_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct pit *p = dev;
    uint64_t now = vclock__now(p->clock);

    (void)v;
    pit__advance(p, now);
    for (uint32_t i = 0; i < size; i++) {
        uint64_t port = offset + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));

        if (port < 3)
            counter_write(&p->ch[port], byte, now);
        else
            control_write(p, byte, now);
    }
    schedule(p, now);
    return 0;
}

/* [port-b] */
/* Port B: the refresh toggle flips on every read, which is what polling code waits for. */
static uint64_t port_b_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct pit *p = dev;
    uint64_t now = vclock__now(p->clock);

    (void)v, (void)offset, (void)size;
    p->refresh = !p->refresh;
    return p->port_b | (p->refresh ? PORT_B_REFRESH : 0) |
           (out_of(&p->ch[2], now) ? PORT_B_OUT2 : 0);
}
/* [port-b] */

static int port_b_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct pit *p = dev;

    (void)v, (void)offset, (void)size;
    p->port_b = value & PORT_B_WRITABLE;
    set_gate(&p->ch[2], value & PORT_B_GATE2, vclock__now(p->clock));
    return 0;
}

/* ======== The machine's side ======== */

void pit__init(struct pit *p, const struct vclock *clock, struct irq_line irq0)
{
    memset(p, 0, sizeof(*p));
    p->clock = clock;
    p->irq0 = irq0;
    for (int i = 0; i < 3; i++) {
        p->ch[i].mode = 3;
        p->ch[i].rw = PIT_RW_LSB_MSB;
        p->ch[i].count = 65536;
        p->ch[i].gate = i != 2;
    }
    p->next_irq_ns = VCLOCK_NEVER;
}

int pit__register(struct pit *p, struct bus *pio)
{
    if (bus__register(pio, PIT_PORT_BASE, 4, "pit", pit_read, pit_write, p) < 0 ||
        bus__register(pio, PORT_B, 1, "port-b", port_b_read, port_b_write, p) < 0)
        return -1;
    return 0;
}

uint64_t pit__deadline(const struct pit *p)
{
    return p->next_irq_ns;
}

void pit__advance(struct pit *p, uint64_t now)
{
    if (p->next_irq_ns > now)
        return;
    irq__pulse(&p->irq0);
    schedule(p, now); /* the next rise after now, on the grid of the load time */
}
