/*
 * apicbus.c - tests of the wires between the local APICs (apicbus.h): four real lapics
 * from chapter 4 on a clock that stands still, driven through their registers as a guest
 * drives them, with the bus's calls to the machine recorded.
 */
#include "apicbus.h"
#include "ch5_tests.h"
#include "error.h"

#include <string.h>

#define NCPU 4

/* A clock that never moves: nothing here depends on the timer. */
static uint64_t clock_now(void *ctx)
{
    (void)ctx;
    return 0;
}

static const struct vclock still_clock = {clock_now, NULL};

/* What the bus and the lapics asked of the machine, CPU by CPU. */
static struct {
    int changed[APICBUS_MAX_CPUS], nmi[APICBUS_MAX_CPUS], init[APICBUS_MAX_CPUS];
    int startup[APICBUS_MAX_CPUS], intr[APICBUS_MAX_CPUS];
    uint8_t startup_vector[APICBUS_MAX_CPUS];
} rec;

static struct apicbus bus;
static struct lapic cpu[APICBUS_MAX_CPUS];

static void on_changed(void *ctx, unsigned i)
{
    ck_assert_ptr_eq(ctx, &bus);
    rec.changed[i]++;
}

static void on_nmi(void *ctx, unsigned i)
{
    (void)ctx;
    rec.nmi[i]++;
}

static void on_init(void *ctx, unsigned i)
{
    (void)ctx;
    rec.init[i]++;
}

static void on_startup(void *ctx, unsigned i, uint8_t vector)
{
    (void)ctx;
    rec.startup[i]++;
    rec.startup_vector[i] = vector;
}

static const struct apicbus_ops bus_ops = {on_changed, on_nmi, on_init, on_startup};

/* The lapic side: every acceptance calls intr, which counts how often a lapic took one. */
static void lapic_intr(void *ctx, struct lapic *l)
{
    (void)ctx;
    rec.intr[l - cpu]++;
}

static void lapic_send_ipi(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest)
{
    apicbus__send_ipi(ctx, from, icr_low, dest);
}

static const struct lapic_ops lapic_ops = {lapic_intr, NULL, lapic_send_ipi};

static uint32_t rd(unsigned i, uint32_t offset)
{
    return (uint32_t)lapic__read(&cpu[i], offset, 4);
}

static void wr(unsigned i, uint32_t offset, uint32_t value)
{
    lapic__write(&cpu[i], offset, value, 4);
}

/* Puts n lapics (APIC ID = index) on a fresh bus, software-enabled. */
static void start(unsigned n)
{
    apicbus__init(&bus, &bus_ops, &bus);
    for (unsigned i = 0; i < n; i++) {
        lapic__init(&cpu[i], i, &still_clock, &lapic_ops, &bus);
        ck_assert_int_eq(apicbus__add(&bus, &cpu[i]), (int)i);
        wr(i, APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff);
    }
    memset(&rec, 0, sizeof(rec));
}

static void setup(void)
{
    start(NCPU);
}

/* CPU from sends an IPI as a guest does: the destination first, then the low word. */
static void send(unsigned from, uint32_t dest, uint32_t icr_low)
{
    wr(from, APIC_ICR2, dest << 24);
    wr(from, APIC_ICR, icr_low);
}

/* Whether vector v's bit is set in CPU i's 256-bit register at base (IRR, ISR, TMR). */
static int has(unsigned i, uint32_t base, uint8_t v)
{
    return (rd(i, base + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

/* Asserts which CPUs hold vector v in IRR: bit i of mask for CPU i. */
static void assert_irr(uint8_t v, unsigned mask)
{
    for (unsigned i = 0; i < NCPU; i++)
        ck_assert_msg(has(i, APIC_IRR, v) == (int)((mask >> i) & 1), "CPU %u: IRR bit 0x%02x is %d",
                      i, v, has(i, APIC_IRR, v));
}

/* Asserts how many times counts[i] was called for each of the four CPUs. */
static void assert_counts(const int *counts, int c0, int c1, int c2, int c3)
{
    int want[NCPU] = {c0, c1, c2, c3};

    for (unsigned i = 0; i < NCPU; i++)
        ck_assert_msg(counts[i] == want[i], "CPU %u: %d calls, expected %d", i, counts[i], want[i]);
}

START_TEST(fixed_physical_reaches_one_cpu)
{
    send(0, 2, APIC_DM_FIXED | 0x40);
    assert_irr(0x40, 1u << 2);
    assert_counts(rec.changed, 0, 0, 1, 0);
    assert_counts(rec.intr, 0, 0, 1, 0);
    ck_assert(!has(2, APIC_TMR, 0x40)); /* an IPI is an edge */
}
END_TEST

START_TEST(broadcast_reaches_every_cpu_once)
{
    send(1, APIC_DEST_BROADCAST, APIC_DM_FIXED | 0x41);
    assert_irr(0x41, 0xf);
    /* Each lapic accepted exactly once: the sender itself, the others through the bus. */
    assert_counts(rec.intr, 1, 1, 1, 1);
    assert_counts(rec.changed, 1, 0, 1, 1);
}
END_TEST

START_TEST(shorthands)
{
    send(3, 0, APIC_DEST_SELF | 0x50);
    assert_irr(0x50, 1u << 3);
    assert_counts(rec.changed, 0, 0, 0, 0); /* the lapic took it alone */

    send(0, 0, APIC_DEST_ALLINC | 0x51);
    assert_irr(0x51, 0xf);
    assert_counts(rec.changed, 0, 1, 1, 1);

    send(2, 0, APIC_DEST_ALLBUT | 0x52);
    assert_irr(0x52, 0xb);
    assert_counts(rec.changed, 1, 2, 1, 2);
}
END_TEST

START_TEST(logical_flat)
{
    for (unsigned i = 0; i < NCPU; i++)
        wr(i, APIC_LDR, 1u << (24 + i)); /* DFR keeps its reset value, the flat model */
    send(0, 0x0a, APIC_DEST_LOGICAL | 0x60);
    assert_irr(0x60, 0xa);
    send(1, 0x03, APIC_DEST_LOGICAL | 0x61); /* the sender is in the set */
    assert_irr(0x61, 0x3);
    assert_counts(rec.intr, 1, 2, 0, 1);
}
END_TEST

START_TEST(logical_cluster)
{
    static const uint32_t ldr[NCPU] = {0x01, 0x02, 0x11, 0x12}; /* cluster, bit */

    for (unsigned i = 0; i < NCPU; i++) {
        wr(i, APIC_DFR, 0x0fffffff);
        wr(i, APIC_LDR, ldr[i] << 24);
    }
    send(0, 0x13, APIC_DEST_LOGICAL | 0x70); /* cluster 1, both CPUs */
    assert_irr(0x70, 0xc);
    send(0, 0xf1, APIC_DEST_LOGICAL | 0x71); /* every cluster, the first CPU */
    assert_irr(0x71, 0x5);
    send(3, 0x22, APIC_DEST_LOGICAL | 0x72); /* a cluster nobody is in */
    assert_irr(0x72, 0);
}
END_TEST

START_TEST(lowest_priority_picks_lowest_tpr_and_rotates)
{
    static const uint32_t tpr[NCPU] = {0x20, 0x10, 0x30, 0x1f}; /* 1 and 3: class 1 */

    for (unsigned i = 0; i < NCPU; i++)
        wr(i, APIC_TASKPRI, tpr[i]);
    send(0, APIC_DEST_BROADCAST, APIC_DM_LOWEST | 0x80);
    assert_irr(0x80, 0x2);
    send(0, APIC_DEST_BROADCAST, APIC_DM_LOWEST | 0x81);
    assert_irr(0x81, 0x8);
    send(0, APIC_DEST_BROADCAST, APIC_DM_LOWEST | 0x82);
    assert_irr(0x82, 0x2);
    assert_counts(rec.changed, 0, 2, 0, 1);

    wr(0, APIC_TASKPRI, 0); /* now the sender is the lowest: it competes too */
    send(0, APIC_DEST_BROADCAST, APIC_DM_LOWEST | 0x83);
    assert_irr(0x83, 0x1);
    /* Only the addressed CPUs compete. */
    send(0, 0x04, APIC_DEST_LOGICAL | APIC_DM_LOWEST | 0x84);
    assert_irr(0x84, 0);
    wr(2, APIC_LDR, 0x04u << 24);
    send(0, 0x04, APIC_DEST_LOGICAL | APIC_DM_LOWEST | 0x84);
    assert_irr(0x84, 0x4);
}
END_TEST

START_TEST(nmi_reaches_the_addressed_cpus)
{
    send(0, 2, APIC_DM_NMI);
    assert_counts(rec.nmi, 0, 0, 1, 0);
    send(0, 0, APIC_DEST_ALLBUT | APIC_DM_NMI);
    assert_counts(rec.nmi, 0, 1, 2, 1);
    assert_counts(rec.changed, 0, 0, 0, 0);
}
END_TEST

START_TEST(init_resets_the_target)
{
    wr(2, APIC_TASKPRI, 0x50);
    wr(2, APIC_LDR, 0x04u << 24);
    wr(2, APIC_DFR, 0x0fffffff);
    wr(2, APIC_LVTT, 0x30);
    wr(2, APIC_TMICT, 1000);
    send(0, 2, 0x45);
    ck_assert(has(2, APIC_IRR, 0x45));

    send(0, 2, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
    assert_counts(rec.init, 0, 0, 1, 0);
    ck_assert_uint_eq(rd(2, APIC_ID), 2u << 24);
    ck_assert_uint_eq(rd(2, APIC_SPIV), 0xff);
    ck_assert_uint_eq(rd(2, APIC_TASKPRI), 0);
    ck_assert_uint_eq(rd(2, APIC_LDR), 0);
    ck_assert_uint_eq(rd(2, APIC_DFR), 0xffffffff);
    ck_assert_uint_eq(rd(2, APIC_LVTT), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(2, APIC_LVT0), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(2, APIC_TMICT), 0);
    ck_assert(!has(2, APIC_IRR, 0x45));
    ck_assert_uint_eq(rd(1, APIC_SPIV), APIC_SPIV_APIC_ENABLED | 0xff); /* others untouched */
}
END_TEST

START_TEST(init_deassert_is_ignored)
{
    send(0, 0, APIC_DEST_ALLINC | APIC_DM_INIT | APIC_INT_LEVELTRIG);
    assert_counts(rec.init, 0, 0, 0, 0);
    for (unsigned i = 0; i < NCPU; i++)
        ck_assert_uint_eq(rd(i, APIC_SPIV), APIC_SPIV_APIC_ENABLED | 0xff);
}
END_TEST

START_TEST(startup_carries_its_vector)
{
    send(0, 1, APIC_DM_STARTUP | 0x9a);
    assert_counts(rec.startup, 0, 1, 0, 0);
    ck_assert_uint_eq(rec.startup_vector[1], 0x9a);
    send(0, 0, APIC_DEST_ALLBUT | APIC_DM_STARTUP | 0x08);
    assert_counts(rec.startup, 0, 2, 1, 1);
    ck_assert_uint_eq(rec.startup_vector[3], 0x08);
}
END_TEST

START_TEST(disabled_target_gets_only_nmi_init_startup)
{
    wr(3, APIC_SPIV, 0xff); /* software-disabled */
    send(0, 3, APIC_DM_FIXED | 0x90);
    assert_irr(0x90, 0);
    send(0, 0x08, APIC_DEST_LOGICAL | APIC_DM_LOWEST | 0x91); /* LDR is 0: nobody */
    send(0, 3, APIC_DM_NMI);
    send(0, 3, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
    send(0, 3, APIC_DM_STARTUP | 0x10);
    assert_counts(rec.nmi, 0, 0, 0, 1);
    assert_counts(rec.init, 0, 0, 0, 1);
    assert_counts(rec.startup, 0, 0, 0, 1);

    /* Lowest priority passes over a disabled APIC, however low its TPR. */
    wr(1, APIC_TASKPRI, 0x40);
    wr(2, APIC_TASKPRI, 0x40);
    send(0, 0, APIC_DEST_ALLBUT | APIC_DM_LOWEST | 0x92);
    ck_assert_int_eq(has(1, APIC_IRR, 0x92) + has(2, APIC_IRR, 0x92), 1);
    ck_assert(!has(3, APIC_IRR, 0x92));
}
END_TEST

START_TEST(delivery_status_reads_idle)
{
    send(0, 1, APIC_SEND_PENDING | 0x40);
    ck_assert_uint_eq(rd(0, APIC_ICR) & APIC_SEND_PENDING, 0);
    ck_assert_uint_eq(rd(0, APIC_ICR) & APIC_VECTOR_MASK, 0x40);
    assert_irr(0x40, 0x2);
}
END_TEST

START_TEST(ioapic_physical)
{
    struct ioapic_msg m = {.vector = 0x30, .dest = 2, .level_triggered = 1};

    apicbus__deliver(&bus, &m);
    assert_irr(0x30, 0x4);
    ck_assert(has(2, APIC_TMR, 0x30));
    assert_counts(rec.changed, 0, 0, 1, 0);
}
END_TEST

START_TEST(ioapic_logical_and_lowest)
{
    struct ioapic_msg m = {.vector = 0x31, .dest_mode = 1, .dest = 0x05};

    for (unsigned i = 0; i < NCPU; i++)
        wr(i, APIC_LDR, 1u << (24 + i));
    apicbus__deliver(&bus, &m);
    assert_irr(0x31, 0x5);
    ck_assert(!has(0, APIC_TMR, 0x31));

    m = (struct ioapic_msg){
        .vector = 0x32, .delivery_mode = IOAPIC_DM_LOWEST, .dest_mode = 1, .dest = 0x0f};
    wr(0, APIC_TASKPRI, 0x30);
    wr(1, APIC_TASKPRI, 0x30);
    wr(3, APIC_TASKPRI, 0x30);
    apicbus__deliver(&bus, &m);
    assert_irr(0x32, 0x4);

    m = (struct ioapic_msg){.delivery_mode = IOAPIC_DM_NMI, .dest = 1};
    apicbus__deliver(&bus, &m);
    assert_counts(rec.nmi, 0, 1, 0, 0);
}
END_TEST

START_TEST(illegal_vector_reaches_nobody)
{
    send(0, 1, APIC_DM_FIXED | 0x05);
    send(0, APIC_DEST_BROADCAST, APIC_DM_LOWEST | 0x0f);
    for (unsigned v = 0; v < 16; v++)
        assert_irr((uint8_t)v, 0);
    assert_counts(rec.changed, 0, 0, 0, 0);
    wr(0, APIC_ESR, 0); /* latches the errors found */
    ck_assert_uint_eq(rd(0, APIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
    for (unsigned i = 1; i < NCPU; i++) {
        wr(i, APIC_ESR, 0);
        ck_assert_uint_eq(rd(i, APIC_ESR), 0);
    }
}
END_TEST

START_TEST(unknown_destination_reaches_nobody)
{
    send(0, 0x20, APIC_DM_FIXED | 0x40);
    send(0, 0x20, APIC_DM_LOWEST | 0x41);
    send(0, 0x20, APIC_DM_NMI);
    send(0, 0x20, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
    send(0, 0x20, APIC_DM_STARTUP | 0x10);
    send(0, 0xf0, APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x42); /* no LDR is set */
    send(0, 0x01, APIC_DM_SMI);
    assert_irr(0x40, 0);
    assert_irr(0x41, 0);
    assert_irr(0x42, 0);
    assert_counts(rec.changed, 0, 0, 0, 0);
    assert_counts(rec.nmi, 0, 0, 0, 0);
    assert_counts(rec.init, 0, 0, 0, 0);
    assert_counts(rec.startup, 0, 0, 0, 0);
}
END_TEST

START_TEST(sixty_four_cpus_and_no_more)
{
    struct lapic extra;

    start(APICBUS_MAX_CPUS);
    send(0, 63, APIC_DM_FIXED | 0x40);
    for (unsigned i = 0; i < APICBUS_MAX_CPUS; i++)
        ck_assert_int_eq(has(i, APIC_IRR, 0x40), i == 63);
    ck_assert_int_eq(rec.changed[63], 1);
    send(5, APIC_DEST_BROADCAST, APIC_DM_FIXED | 0x41);
    for (unsigned i = 0; i < APICBUS_MAX_CPUS; i++)
        ck_assert(has(i, APIC_IRR, 0x41));

    lapic__init(&extra, APICBUS_MAX_CPUS, &still_clock, &lapic_ops, &bus);
    ck_assert_int_eq(apicbus__add(&bus, &extra), -1);
    ck_assert_ptr_nonnull(strstr(error__get(), "at most 64"));
    ck_assert_uint_eq(bus.n, APICBUS_MAX_CPUS);
}
END_TEST

TCase *apicbus_tests(void)
{
    TCase *tc = tcase_create("apicbus");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, fixed_physical_reaches_one_cpu);
    tcase_add_test(tc, broadcast_reaches_every_cpu_once);
    tcase_add_test(tc, shorthands);
    tcase_add_test(tc, logical_flat);
    tcase_add_test(tc, logical_cluster);
    tcase_add_test(tc, lowest_priority_picks_lowest_tpr_and_rotates);
    tcase_add_test(tc, nmi_reaches_the_addressed_cpus);
    tcase_add_test(tc, init_resets_the_target);
    tcase_add_test(tc, init_deassert_is_ignored);
    tcase_add_test(tc, startup_carries_its_vector);
    tcase_add_test(tc, disabled_target_gets_only_nmi_init_startup);
    tcase_add_test(tc, delivery_status_reads_idle);
    tcase_add_test(tc, ioapic_physical);
    tcase_add_test(tc, ioapic_logical_and_lowest);
    tcase_add_test(tc, illegal_vector_reaches_nobody);
    tcase_add_test(tc, unknown_destination_reaches_nobody);
    tcase_add_test(tc, sixty_four_cpus_and_no_more);
    return tc;
}
