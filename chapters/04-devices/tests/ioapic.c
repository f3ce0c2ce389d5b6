/*
 * ioapic.c - tests of the I/O APIC model (ioapic.h) against the 82093AA datasheet, with
 * the messages it sends recorded.
 */
#include "ch4_tests.h"
#include "fake.h"
#include "ioapic.h"

#define MAX_MSGS 16

struct recorder {
    struct ioapic_msg msg[MAX_MSGS];
    int n;
};

static struct recorder rec;
static struct ioapic io;

static void record(void *ctx, const struct ioapic_msg *m)
{
    struct recorder *r = ctx;

    if (r->n < MAX_MSGS)
        r->msg[r->n] = *m;
    r->n++;
}

static void setup(void)
{
    rec = (struct recorder){0};
    ioapic__init(&io, record, &rec);
}

static uint32_t reg_read(uint32_t reg)
{
    ioapic__write(&io, IOAPIC_REG_SELECT, reg, 4);
    return (uint32_t)ioapic__read(&io, IOAPIC_REG_WINDOW, 4);
}

static void reg_write(uint32_t reg, uint32_t value)
{
    ioapic__write(&io, IOAPIC_REG_SELECT, reg, 4);
    ioapic__write(&io, IOAPIC_REG_WINDOW, value, 4);
}

/* Programs pin's entry: high half first, so the pin is unmasked with its destination set. */
static void route(unsigned pin, uint64_t entry)
{
    reg_write(IOAPIC_REDTBL + 2 * pin + 1, (uint32_t)(entry >> 32));
    reg_write(IOAPIC_REDTBL + 2 * pin, (uint32_t)entry);
}

START_TEST(masked_at_reset)
{
    for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 2 * pin), IOAPIC_MASKED);
        ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 2 * pin + 1), 0);
        ioapic__set_irq(&io, pin, 1);
        ioapic__set_irq(&io, pin, 0);
    }
    ck_assert_int_eq(rec.n, 0);
}
END_TEST

START_TEST(id_version_arbitration)
{
    ck_assert_uint_eq(reg_read(IOAPIC_VERSION), 0x00170011);
    ck_assert_uint_eq(reg_read(IOAPIC_ID), 0);
    reg_write(IOAPIC_ID, 0xffffffff);
    ck_assert_uint_eq(reg_read(IOAPIC_ID), 0x0f000000); /* a 4-bit ID in bits 24-27 */
    ck_assert_uint_eq(reg_read(IOAPIC_ARB), 0x0f000000);
    reg_write(IOAPIC_VERSION, 0);
    reg_write(IOAPIC_ARB, 0);
    ck_assert_uint_eq(reg_read(IOAPIC_VERSION), 0x00170011);
    ck_assert_uint_eq(reg_read(IOAPIC_ARB), 0x0f000000);
    ck_assert_uint_eq(ioapic__read(&io, IOAPIC_REG_SELECT, 4), IOAPIC_ARB);
}
END_TEST

START_TEST(entry_bits)
{
    reg_write(IOAPIC_REDTBL + 6, 0xffffffff);
    reg_write(IOAPIC_REDTBL + 7, 0xffffffff);
    /* Delivery status (12) and remote IRR (14) are read-only; 17-55 are reserved. */
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 6), 0x1afff);
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 7), 0xff000000);
}
END_TEST

START_TEST(edge_delivers_once)
{
    route(4, 0x01ull << 56 | IOAPIC_DEST_MODE | IOAPIC_DM_LOWEST << 8 | 0x34);
    ioapic__set_irq(&io, 4, 1);
    ck_assert_int_eq(rec.n, 1);
    ck_assert_uint_eq(rec.msg[0].vector, 0x34);
    ck_assert_uint_eq(rec.msg[0].delivery_mode, IOAPIC_DM_LOWEST);
    ck_assert_uint_eq(rec.msg[0].dest_mode, 1);
    ck_assert_uint_eq(rec.msg[0].level_triggered, 0);
    ck_assert_uint_eq(rec.msg[0].dest, 0x01);
    ioapic__set_irq(&io, 4, 1); /* still high: no new edge */
    ioapic__set_irq(&io, 4, 0);
    ck_assert_int_eq(rec.n, 1);
    ioapic__set_irq(&io, 4, 1);
    ck_assert_int_eq(rec.n, 2);
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 8) & IOAPIC_REMOTE_IRR, 0);
    ioapic__eoi(&io, 0x34); /* no effect on an edge pin */
    ck_assert_int_eq(rec.n, 2);
}
END_TEST

START_TEST(edge_while_masked_is_lost)
{
    route(3, IOAPIC_MASKED | 0x33);
    ioapic__set_irq(&io, 3, 1);
    route(3, 0x33); /* unmasking an asserted edge pin delivers nothing */
    ck_assert_int_eq(rec.n, 0);
}
END_TEST

START_TEST(level_remote_irr_and_eoi)
{
    route(9, 0x02ull << 56 | IOAPIC_TRIGGER_LEVEL | 0x39);
    ioapic__set_irq(&io, 9, 1);
    ck_assert_int_eq(rec.n, 1);
    ck_assert_uint_eq(rec.msg[0].level_triggered, 1);
    ck_assert_uint_eq(rec.msg[0].dest, 0x02);
    ck_assert_uint_ne(reg_read(IOAPIC_REDTBL + 18) & IOAPIC_REMOTE_IRR, 0);
    ioapic__set_irq(&io, 9, 1);
    ioapic__set_irq(&io, 9, 0);
    ioapic__set_irq(&io, 9, 1); /* remote IRR holds it back */
    ck_assert_int_eq(rec.n, 1);
    ioapic__eoi(&io, 0x38); /* another vector */
    ck_assert_int_eq(rec.n, 1);
    ioapic__eoi(&io, 0x39); /* still asserted: delivered again */
    ck_assert_int_eq(rec.n, 2);
    ck_assert_uint_ne(reg_read(IOAPIC_REDTBL + 18) & IOAPIC_REMOTE_IRR, 0);
    ioapic__set_irq(&io, 9, 0);
    ioapic__eoi(&io, 0x39);
    ck_assert_int_eq(rec.n, 2);
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 18) & IOAPIC_REMOTE_IRR, 0);
}
END_TEST

START_TEST(edge_mode_clears_remote_irr)
{
    route(10, IOAPIC_TRIGGER_LEVEL | 0x3a);
    ioapic__set_irq(&io, 10, 1);
    ck_assert_uint_ne(reg_read(IOAPIC_REDTBL + 20) & IOAPIC_REMOTE_IRR, 0);
    reg_write(IOAPIC_REDTBL + 20, IOAPIC_MASKED | 0x3a); /* to edge, as Linux ends a level IRQ */
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 20) & IOAPIC_REMOTE_IRR, 0);
    ioapic__set_irq(&io, 10, 0);
    reg_write(IOAPIC_REDTBL + 20, IOAPIC_TRIGGER_LEVEL | 0x3a);
    ck_assert_int_eq(rec.n, 1);
}
END_TEST

START_TEST(polarity_active_low)
{
    route(11, IOAPIC_MASKED | IOAPIC_POLARITY_LOW | IOAPIC_TRIGGER_LEVEL | 0x3b);
    ioapic__set_irq(&io, 11, 1); /* high: inactive */
    route(11, IOAPIC_POLARITY_LOW | IOAPIC_TRIGGER_LEVEL | 0x3b);
    ck_assert_int_eq(rec.n, 0);
    ioapic__set_irq(&io, 11, 0); /* low: asserted */
    ck_assert_int_eq(rec.n, 1);
    ioapic__set_irq(&io, 11, 1);
    ioapic__eoi(&io, 0x3b);
    ck_assert_int_eq(rec.n, 1);

    route(12, IOAPIC_POLARITY_LOW | 0x3c); /* edge: the falling edge counts */
    ioapic__set_irq(&io, 12, 1);
    ck_assert_int_eq(rec.n, 1);
    ioapic__set_irq(&io, 12, 0);
    ck_assert_int_eq(rec.n, 2);
    ck_assert_uint_eq(rec.msg[1].vector, 0x3c);
}
END_TEST

START_TEST(unmask_asserted_level_pin)
{
    route(5, IOAPIC_MASKED | IOAPIC_TRIGGER_LEVEL | 0x35);
    ioapic__set_irq(&io, 5, 1);
    ck_assert_int_eq(rec.n, 0);
    route(5, IOAPIC_TRIGGER_LEVEL | 0x35);
    ck_assert_int_eq(rec.n, 1);
    ck_assert_uint_eq(rec.msg[0].vector, 0x35);
}
END_TEST

START_TEST(hostile_registers_and_sizes)
{
    static const uint32_t sizes[] = {0, 1, 2, 3, 8};
    uint64_t seed = 7;

    route(1, 0x31); /* an edge pin that must not fire by accident */
    for (uint64_t sel = 0; sel < 0x200; sel++) {
        ioapic__write(&io, IOAPIC_REG_SELECT, sel | 0xabcd0000ull << 8, 4);
        ck_assert_uint_eq(ioapic__read(&io, IOAPIC_REG_SELECT, 4), sel & 0xff);
        (void)ioapic__read(&io, IOAPIC_REG_WINDOW, 4);
        if ((sel & 0xff) >= IOAPIC_REDTBL + 2 * IOAPIC_NUM_PINS || (sel & 0xff) < IOAPIC_REDTBL) {
            ioapic__write(&io, IOAPIC_REG_WINDOW, 0xffffffff, 4);
            ck_assert_uint_eq(ioapic__read(&io, IOAPIC_REG_WINDOW, 4),
                              (sel & 0xff) == IOAPIC_VERSION ? IOAPIC_VERSION_VALUE
                              : (sel & 0xff) <= IOAPIC_ARB   ? 0x0f000000
                                                             : 0);
        }
    }
    for (uint64_t off = 0; off < 0x20; off++)
        for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            ck_assert_uint_eq(ioapic__read(&io, off, sizes[s]), 0);
            ioapic__write(&io, off, seed, sizes[s]);
        }
    ck_assert_uint_eq(ioapic__read(&io, 0x14, 4), 0);
    ck_assert_uint_eq(ioapic__read(&io, UINT64_MAX, 4), 0);
    ioapic__write(&io, UINT64_MAX, 0, 4);
    ioapic__set_irq(&io, IOAPIC_NUM_PINS, 1);
    ioapic__set_irq(&io, ~0u, 1);
    ck_assert_uint_eq(reg_read(IOAPIC_REDTBL + 2), 0x31);
    ck_assert_int_eq(rec.n, 0);
}
END_TEST

START_TEST(claims_its_mmio_range)
{
    struct bus mmio;
    uint64_t value = 0;

    fake_bus__init(&mmio, "mmio", 1);
    ck_assert_int_eq(ioapic__register(&io, &mmio), 0);
    fake_bus__write(&mmio, IOAPIC_BASE, 4, IOAPIC_VERSION);
    ck_assert_uint_eq(fake_bus__read(&mmio, IOAPIC_BASE + 0x10, 4), IOAPIC_VERSION_VALUE);
    ck_assert_int_eq(bus__access(&mmio, NULL, IOAPIC_BASE + 0x20, 4, 0, &value), -1);
}
END_TEST

TCase *ioapic_tests(void)
{
    TCase *tc = tcase_create("ioapic");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, masked_at_reset);
    tcase_add_test(tc, id_version_arbitration);
    tcase_add_test(tc, entry_bits);
    tcase_add_test(tc, edge_delivers_once);
    tcase_add_test(tc, edge_while_masked_is_lost);
    tcase_add_test(tc, level_remote_irr_and_eoi);
    tcase_add_test(tc, edge_mode_clears_remote_irr);
    tcase_add_test(tc, polarity_active_low);
    tcase_add_test(tc, unmask_asserted_level_pin);
    tcase_add_test(tc, hostile_registers_and_sizes);
    tcase_add_test(tc, claims_its_mmio_range);
    return tc;
}
