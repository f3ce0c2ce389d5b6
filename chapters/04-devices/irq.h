/*
 * irq.h - interrupt lines and the machine's clock, as devices see them (chapter 4).
 *
 * A device does not know who delivers its interrupt: KVM's in-kernel PIC and I/O APIC
 * (--irqchip=kernel), stepvm's own models of them (--irqchip=user), or a test that
 * records what the device did. It holds an irq_line and sets its level; the sink at the
 * other end decides what that means. Lines are numbered as global system interrupts
 * (GSI): ISA IRQ n is GSI n, which is also pin n of the I/O APIC.
 *
 * Devices that keep time (the PIT, the RTC, the local APIC timer, the UART's character
 * timeout) read the machine's clock through a vclock, and tell the machine when they next
 * need attention through a pair of functions every such device provides:
 *
 *     uint64_t dev__deadline(const struct dev *d);   next time (ns) to call advance, or
 *                                                     VCLOCK_NEVER
 *     void     dev__advance(struct dev *d, uint64_t now);   do what is due by now
 *
 * The machine's event loop sleeps until the earliest deadline; tests drive a fake clock.
 */
#ifndef STEPVM_IRQ_H
#define STEPVM_IRQ_H

#include <stdint.h>

/** Where interrupt lines end: sets input line to level (1 asserted, 0 not). */
struct irq_sink {
    void (*set)(void *ctx, unsigned line, int level);
    void *ctx;
};

/** One device's interrupt line: which input of the machine's controllers it drives. */
struct irq_line {
    const struct irq_sink *sink; /* NULL: not wired (the line goes nowhere) */
    unsigned line;               /* the GSI */
};

/** Sets the line's level. */
static inline void irq__set(const struct irq_line *l, int level)
{
    if (l->sink)
        l->sink->set(l->sink->ctx, l->line, level);
}

static inline void irq__raise(const struct irq_line *l)
{
    irq__set(l, 1);
}

static inline void irq__lower(const struct irq_line *l)
{
    irq__set(l, 0);
}

/** An edge: raise, then lower at once (an edge-triggered input latches the rising edge). */
static inline void irq__pulse(const struct irq_line *l)
{
    irq__set(l, 1);
    irq__set(l, 0);
}

#define VCLOCK_NEVER UINT64_MAX /* a deadline that never comes */

/** The machine's notion of now, in nanoseconds: the host's monotonic clock, or a test's. */
struct vclock {
    uint64_t (*now_ns)(void *ctx);
    void *ctx;
};

static inline uint64_t vclock__now(const struct vclock *c)
{
    return c->now_ns(c->ctx);
}

/** The host's CLOCK_MONOTONIC. */
extern const struct vclock vclock_host;

#endif
