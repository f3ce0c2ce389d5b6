/*
 * fake.c - the fake clock, the interrupt line recorder and the quiet bus of chapter 4's
 * device tests (fake.h).
 */
#include "fake.h"

#include <check.h>
#include <stdio.h>

static uint64_t fake_clock_now(void *ctx)
{
    return ((struct fake_clock *)ctx)->now;
}

void fake_clock__init(struct fake_clock *c, uint64_t now)
{
    c->clock = (struct vclock){fake_clock_now, c};
    c->now = now;
}

static void fake_irq_set(void *ctx, unsigned line, int level)
{
    struct fake_irq *r = ctx;

    if (r->only >= 0)
        ck_assert_uint_eq(line, (unsigned)r->only);
    ck_assert_uint_lt(line, FAKE_IRQ_LINES);
    r->rises[line] += level && !r->level[line];
    r->level[line] = level;
    r->calls[line]++;
}

void fake_irq__init(struct fake_irq *r, int only)
{
    *r = (struct fake_irq){.sink = {fake_irq_set, r}, .only = only};
}

struct irq_line fake_irq__line(struct fake_irq *r, unsigned line)
{
    return (struct irq_line){&r->sink, line};
}

void fake_irq__output(void *ctx, int level)
{
    fake_irq_set(ctx, 0, level);
}

/* One /dev/null for every bus, opened on first use and left open until the process ends. */
static FILE *quiet(void)
{
    static FILE *f;

    if (!f)
        f = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

void fake_bus__init(struct bus *bus, const char *name, int strict)
{
    bus__init(bus, name, quiet(), strict);
}

void fake_bus__write(struct bus *bus, uint64_t addr, uint32_t size, uint64_t value)
{
    ck_assert_int_eq(bus__access(bus, NULL, addr, size, 1, &value), 0);
}

uint64_t fake_bus__read(struct bus *bus, uint64_t addr, uint32_t size)
{
    uint64_t value = 0;

    ck_assert_int_eq(bus__access(bus, NULL, addr, size, 0, &value), 0);
    return value;
}
