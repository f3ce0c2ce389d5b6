/*
 * fake.h - the bench chapter 4's device tests build their machines on: a clock that
 * moves only when the test moves it, a recorder at the far end of the interrupt lines,
 * and a bus whose warnings about unclaimed addresses go nowhere.
 */
#ifndef STEPVM_CH4_FAKE_H
#define STEPVM_CH4_FAKE_H

#include "bus.h"
#include "irq.h"

#include <stdint.h>

/** A clock that stands still: the test sets now, devices read it through clock. */
struct fake_clock {
    struct vclock clock;
    uint64_t now; /* in ns */
};

/** Starts the clock at now. */
void fake_clock__init(struct fake_clock *c, uint64_t now);

#define FAKE_IRQ_LINES 32

/** What the devices did to their lines, line by line. */
struct fake_irq {
    struct irq_sink sink;
    int only;                  /* the one line a device may drive, or -1 for any */
    int level[FAKE_IRQ_LINES]; /* the last level set */
    int rises[FAKE_IRQ_LINES]; /* rising edges: a 1 set on a line at 0 */
    int calls[FAKE_IRQ_LINES]; /* every set, whatever the level */
};

/**
 * Starts with every line low and nothing counted. With only at 0 or more, a device that
 * sets any other line fails the test.
 */
void fake_irq__init(struct fake_irq *r, int only);

/** Returns input line of the recorder, for a device's init. */
struct irq_line fake_irq__line(struct fake_irq *r, unsigned line);

/** Records a controller's single output (an 8259A's INTR; ctx is the fake_irq) as line 0. */
void fake_irq__output(void *ctx, int level);

/**
 * Starts a bus as bus__init does, with its warnings written to /dev/null. A strict bus
 * writes none anyway; the others warn about the addresses a test probes on purpose.
 */
void fake_bus__init(struct bus *bus, const char *name, int strict);

/** Writes value (size bytes) at addr; fails the test if the bus refuses. */
void fake_bus__write(struct bus *bus, uint64_t addr, uint32_t size, uint64_t value);

/** Returns the size bytes at addr; fails the test if the bus refuses. */
uint64_t fake_bus__read(struct bus *bus, uint64_t addr, uint32_t size);

#endif
