/*
 * lapic.c - tests of the local APIC model (lapic.h) against the SDM, register by
 * register, with a fake clock and recording callbacks.
 */
#include "ch4_tests.h"
#include "fake.h"
#include "lapic.h"

/* The calls one lapic makes to the machine around it, recorded. */
struct calls {
    int intr_calls;
    int eoi_calls;
    uint8_t eoi_vector;
    int ipi_calls;
    uint32_t ipi_low, ipi_dest;
};

static void fake_intr(void *ctx, struct lapic *l)
{
    (void)l;
    ((struct calls *)ctx)->intr_calls++;
}

static void fake_eoi(void *ctx, uint8_t vector)
{
    struct calls *rec = ctx;

    rec->eoi_calls++;
    rec->eoi_vector = vector;
}

static void fake_send_ipi(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest)
{
    struct calls *rec = ctx;

    (void)from;
    rec->ipi_calls++;
    rec->ipi_low = icr_low;
    rec->ipi_dest = dest;
}

static const struct lapic_ops fake_ops = {fake_intr, fake_eoi, fake_send_ipi};

static struct calls calls;
static struct fake_clock clk;
static struct lapic l;

/* A lapic with ID 0 at time 0, software-enabled unless the test says otherwise. */
static void setup(void)
{
    calls = (struct calls){0};
    fake_clock__init(&clk, 0);
    lapic__init(&l, 0, &clk.clock, &fake_ops, &calls);
}

static uint32_t rd(uint32_t offset)
{
    return (uint32_t)lapic__read(&l, offset, 4);
}

static void wr(uint32_t offset, uint32_t value)
{
    lapic__write(&l, offset, value, 4);
}

static void enable(void)
{
    wr(APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0xff);
}

/* Whether vector v's bit is set in the 256-bit register (APIC_IRR, APIC_ISR or APIC_TMR)
 * at base: eight 32-bit words, 0x10 apart. */
static int has(uint32_t base, uint8_t v)
{
    return (rd(base + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

START_TEST(reset_values)
{
    lapic__init(&l, 3, &clk.clock, &fake_ops, &calls);
    ck_assert_uint_eq(rd(APIC_ID), 0x03000000);
    ck_assert_uint_eq(rd(APIC_LVR), 0x00060014);
    ck_assert_uint_eq(rd(APIC_TASKPRI), 0);
    ck_assert_uint_eq(rd(APIC_ARBPRI), 0);
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0);
    ck_assert_uint_eq(rd(APIC_LDR), 0);
    ck_assert_uint_eq(rd(APIC_DFR), 0xffffffff);
    ck_assert_uint_eq(rd(APIC_SPIV), 0xff);
    for (uint32_t i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(APIC_ISR + 0x10 * i), 0);
        ck_assert_uint_eq(rd(APIC_TMR + 0x10 * i), 0);
        ck_assert_uint_eq(rd(APIC_IRR + 0x10 * i), 0);
    }
    ck_assert_uint_eq(rd(APIC_ESR), 0);
    ck_assert_uint_eq(rd(APIC_LVTCMCI), APIC_LVT_MASKED);
    for (uint32_t off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
        ck_assert_uint_eq(rd(off), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(APIC_ICR), 0);
    ck_assert_uint_eq(rd(APIC_ICR2), 0);
    ck_assert_uint_eq(rd(APIC_TMICT), 0);
    ck_assert_uint_eq(rd(APIC_TMCCT), 0);
    ck_assert_uint_eq(rd(APIC_TDCR), 0);
    ck_assert_int_eq(lapic__pending(&l), 0);
    ck_assert_int_eq(lapic__extint(&l), 0);
    ck_assert_uint_eq(lapic__deadline(&l), VCLOCK_NEVER);
}
END_TEST

START_TEST(writable_bits)
{
    enable();
    wr(APIC_ID, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_ID), 0xff000000);
    wr(APIC_ID, 0);
    wr(APIC_LVR, 0);
    ck_assert_uint_eq(rd(APIC_LVR), LAPIC_VERSION_VALUE);
    wr(APIC_TASKPRI, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_TASKPRI), 0xff);
    wr(APIC_LDR, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_LDR), 0xff000000);
    wr(APIC_DFR, 0);
    ck_assert_uint_eq(rd(APIC_DFR), 0x0fffffff);
    wr(APIC_SPIV, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_SPIV), 0x3ff); /* no directed EOI: bit 12 stays 0 */
    wr(APIC_LVTT, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_LVTT), 0x300ff); /* no TSC-deadline mode */
    wr(APIC_LVT0, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_LVT0), 0x1a7ff); /* delivery status, remote IRR read-only */
    wr(APIC_LVTERR, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_LVTERR), 0x100ff);
    wr(APIC_TDCR, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_TDCR), 0xb);
    wr(APIC_ICR2, 0xffffffff);
    ck_assert_uint_eq(rd(APIC_ICR2), 0xff000000);
    wr(APIC_IRR, 0xffffffff); /* IRR, ISR, TMR and PPR are read-only */
    wr(APIC_PROCPRI, 0xff);
    ck_assert_uint_eq(rd(APIC_IRR), 0);
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0xff); /* from the TPR written above */
}
END_TEST

START_TEST(tpr_masks_by_priority_class)
{
    enable();
    lapic__accept(&l, 0x45, 0);
    ck_assert(has(APIC_IRR, 0x45));
    ck_assert_int_eq(lapic__pending(&l), 1);
    wr(APIC_TASKPRI, 0x40); /* the same class: held */
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0x40);
    ck_assert_int_eq(lapic__pending(&l), 0);
    ck_assert_int_eq(lapic__ack(&l), 0xff); /* spurious */
    ck_assert(has(APIC_IRR, 0x45));
    wr(APIC_TASKPRI, 0x3f); /* a lower class: delivered */
    ck_assert_int_eq(lapic__pending(&l), 1);
    ck_assert_int_eq(lapic__ack(&l), 0x45);
    ck_assert(!has(APIC_IRR, 0x45));
    ck_assert(has(APIC_ISR, 0x45));
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0x40); /* the in-service class is above the TPR */
    wr(APIC_TASKPRI, 0x52);
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0x52); /* now the TPR is */
}
END_TEST

START_TEST(nested_priorities_in_order)
{
    enable();
    wr(APIC_SPIV, APIC_SPIV_APIC_ENABLED | 0x27);
    lapic__accept(&l, 0x30, 0);
    ck_assert_int_eq(lapic__ack(&l), 0x30);
    lapic__accept(&l, 0x50, 0); /* a higher class interrupts the handler of 0x30 */
    ck_assert_int_eq(lapic__pending(&l), 1);
    ck_assert_int_eq(lapic__ack(&l), 0x50);
    lapic__accept(&l, 0x40, 0); /* a lower class than 0x50 waits */
    lapic__accept(&l, 0x5f, 0); /* so does the same class */
    ck_assert_int_eq(lapic__pending(&l), 0);
    ck_assert_int_eq(lapic__ack(&l), 0x27);
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0x50);
    wr(APIC_EOI, 0); /* ends 0x50, the highest in service */
    ck_assert(!has(APIC_ISR, 0x50));
    ck_assert(has(APIC_ISR, 0x30));
    ck_assert_int_eq(lapic__ack(&l), 0x5f); /* the highest request goes first */
    wr(APIC_EOI, 0);
    ck_assert_int_eq(lapic__ack(&l), 0x40);
    ck_assert_uint_eq(rd(APIC_ISR + 0x10), 1u << 16); /* 0x30 */
    ck_assert_uint_eq(rd(APIC_ISR + 0x20), 1u << 0);  /* 0x40 */
    wr(APIC_EOI, 0);
    wr(APIC_EOI, 0);
    ck_assert_uint_eq(rd(APIC_ISR + 0x10), 0);
    ck_assert_uint_eq(rd(APIC_ISR + 0x20), 0);
    wr(APIC_EOI, 0); /* nothing in service: no effect */
    ck_assert_uint_eq(rd(APIC_PROCPRI), 0);
    ck_assert_int_eq(calls.eoi_calls, 0); /* all were edge-triggered */
}
END_TEST

START_TEST(tmr_and_eoi_callback)
{
    enable();
    lapic__accept(&l, 0x61, 1);
    ck_assert(has(APIC_TMR, 0x61));
    ck_assert_int_eq(lapic__ack(&l), 0x61);
    wr(APIC_EOI, 0);
    ck_assert_int_eq(calls.eoi_calls, 1);
    ck_assert_uint_eq(calls.eoi_vector, 0x61);
    lapic__accept(&l, 0x61, 0); /* accepted as edge: TMR cleared */
    ck_assert(!has(APIC_TMR, 0x61));
    ck_assert_int_eq(lapic__ack(&l), 0x61);
    wr(APIC_EOI, 0);
    ck_assert_int_eq(calls.eoi_calls, 1);
}
END_TEST

START_TEST(intr_callback_on_changes)
{
    int before;

    enable();
    before = calls.intr_calls;
    lapic__accept(&l, 0x80, 0);
    ck_assert_int_gt(calls.intr_calls, before);
    before = calls.intr_calls;
    lapic__ack(&l);
    ck_assert_int_gt(calls.intr_calls, before);
    before = calls.intr_calls;
    wr(APIC_EOI, 0);
    ck_assert_int_gt(calls.intr_calls, before);
    before = calls.intr_calls;
    wr(APIC_TASKPRI, 0x10);
    ck_assert_int_gt(calls.intr_calls, before);
}
END_TEST

START_TEST(timer_one_shot)
{
    enable();
    wr(APIC_LVTT, 0x20);
    wr(APIC_TDCR, 0x3); /* divide by 16 */
    clk.now = 1000;
    wr(APIC_TMICT, 1000);
    ck_assert_uint_eq(rd(APIC_TMCCT), 1000);
    clk.now = 1000 + 160;
    ck_assert_uint_eq(rd(APIC_TMCCT), 990);
    ck_assert_uint_eq(lapic__deadline(&l), 1000 + 16000);
    lapic__advance(&l, 1000 + 15999);
    ck_assert(!has(APIC_IRR, 0x20));
    clk.now = 1000 + 16000;
    lapic__advance(&l, clk.now);
    ck_assert(has(APIC_IRR, 0x20));
    ck_assert_uint_eq(rd(APIC_TMCCT), 0);
    ck_assert_uint_eq(rd(APIC_TMICT), 1000);
    ck_assert_uint_eq(lapic__deadline(&l), VCLOCK_NEVER);
    ck_assert_int_eq(lapic__ack(&l), 0x20);
    clk.now += 1000000;
    lapic__advance(&l, clk.now);
    ck_assert(!has(APIC_IRR, 0x20)); /* once */
}
END_TEST

START_TEST(timer_periodic)
{
    enable();
    wr(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x21);
    wr(APIC_TDCR, 0xb); /* divide by 1: one tick a nanosecond */
    wr(APIC_TMICT, 100);
    ck_assert_uint_eq(lapic__deadline(&l), 100);
    clk.now = 250;
    ck_assert_uint_eq(rd(APIC_TMCCT), 50); /* reloaded at 100 and 200 */
    lapic__advance(&l, clk.now);
    ck_assert(has(APIC_IRR, 0x21)); /* the missed periods are one interrupt */
    ck_assert_uint_eq(lapic__deadline(&l), 300);
    ck_assert_int_eq(lapic__ack(&l), 0x21);
    wr(APIC_EOI, 0);
    clk.now = 300;
    lapic__advance(&l, clk.now);
    ck_assert(has(APIC_IRR, 0x21));
    ck_assert_uint_eq(rd(APIC_TMCCT), 100);
    ck_assert_uint_eq(lapic__deadline(&l), 400);
    wr(APIC_TMICT, 0); /* stops it */
    ck_assert_uint_eq(lapic__deadline(&l), VCLOCK_NEVER);
    ck_assert_uint_eq(rd(APIC_TMCCT), 0);
}
END_TEST

START_TEST(timer_divider)
{
    static const struct {
        uint32_t dcr, divide;
    } codes[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
                 {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};

    enable();
    wr(APIC_LVTT, 0x22);
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        clk.now = 0;
        wr(APIC_TDCR, codes[i].dcr);
        wr(APIC_TMICT, 10);
        ck_assert_uint_eq(lapic__deadline(&l), 10 * codes[i].divide);
    }
    /* A new divider changes the rate from then on, not what was counted. */
    clk.now = 0;
    wr(APIC_TDCR, 0x0); /* 2 */
    wr(APIC_TMICT, 1000);
    clk.now = 200;
    ck_assert_uint_eq(rd(APIC_TMCCT), 900);
    wr(APIC_TDCR, 0xa); /* 128 */
    ck_assert_uint_eq(rd(APIC_TMCCT), 900);
    clk.now = 200 + 128;
    ck_assert_uint_eq(rd(APIC_TMCCT), 899);
    ck_assert_uint_eq(lapic__deadline(&l), 200 + 900 * 128);
}
END_TEST

START_TEST(timer_masked_sets_nothing)
{
    enable();
    wr(APIC_LVTT, APIC_LVT_MASKED | 0x23);
    wr(APIC_TDCR, 0xb);
    wr(APIC_TMICT, 50);
    clk.now = 50;
    lapic__advance(&l, clk.now);
    ck_assert(!has(APIC_IRR, 0x23));
    ck_assert_uint_eq(rd(APIC_TMCCT), 0); /* it still counted down */
    ck_assert_int_eq(lapic__pending(&l), 0);
}
END_TEST

START_TEST(svr_disable_masks_lvts)
{
    enable();
    wr(APIC_LVT0, APIC_MODE_EXTINT);
    wr(APIC_LVTT, 0x20);
    ck_assert_int_eq(lapic__extint(&l), 1);
    wr(APIC_SPIV, 0xff); /* software disable */
    for (uint32_t off = APIC_LVTT; off <= APIC_LVTERR; off += 0x10)
        ck_assert_uint_ne(rd(off) & APIC_LVT_MASKED, 0);
    ck_assert_uint_eq(rd(APIC_LVT0), APIC_LVT_MASKED | APIC_MODE_EXTINT);
    ck_assert_int_eq(lapic__extint(&l), 0);
    wr(APIC_LVTT, 0x20); /* cannot be unmasked */
    ck_assert_uint_eq(rd(APIC_LVTT), APIC_LVT_MASKED | 0x20);
    lapic__accept(&l, 0x40, 0); /* dropped while disabled */
    ck_assert(!has(APIC_IRR, 0x40));
    enable(); /* enabling does not unmask */
    ck_assert_uint_eq(rd(APIC_LVTT), APIC_LVT_MASKED | 0x20);
    wr(APIC_LVTT, 0x20);
    ck_assert_uint_eq(rd(APIC_LVTT), 0x20);
}
END_TEST

/* INIT (lapic__init_reset, sent by chapter 5's APIC bus): power-up values but the ID. */
START_TEST(init_reset_keeps_id)
{
    lapic__init(&l, 5, &clk.clock, &fake_ops, &calls);
    enable();
    wr(APIC_TASKPRI, 0x40);
    wr(APIC_LDR, 0x02000000);
    wr(APIC_DFR, 0x0fffffff);
    wr(APIC_LVTT, 0x30);
    wr(APIC_TMICT, 100);
    lapic__accept(&l, 0x50, 1);
    calls.intr_calls = 0;
    lapic__init_reset(&l);
    ck_assert_uint_eq(rd(APIC_ID), 0x05000000);
    ck_assert_uint_eq(rd(APIC_SPIV), 0xff);
    ck_assert_uint_eq(rd(APIC_TASKPRI), 0);
    ck_assert_uint_eq(rd(APIC_LDR), 0);
    ck_assert_uint_eq(rd(APIC_DFR), 0xffffffff);
    ck_assert_uint_eq(rd(APIC_LVTT), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(APIC_TMICT), 0);
    ck_assert(!has(APIC_IRR, 0x50) && !has(APIC_TMR, 0x50));
    ck_assert_uint_eq(lapic__deadline(&l), VCLOCK_NEVER);
    ck_assert_int_eq(l.hw_enabled, 1); /* the APIC base MSR is not the APIC's register */
    ck_assert_int_eq(calls.intr_calls, 1);
}
END_TEST

START_TEST(esr_write_then_read)
{
    enable();
    lapic__accept(&l, 5, 0); /* an illegal vector */
    ck_assert_uint_eq(rd(APIC_IRR), 0);
    ck_assert_uint_eq(rd(APIC_ESR), 0); /* not latched yet */
    wr(APIC_ESR, 0);
    ck_assert_uint_eq(rd(APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
    wr(APIC_ICR, APIC_DEST_SELF | 3);
    ck_assert_uint_eq(rd(APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR); /* until the next write */
    wr(APIC_ESR, 0);
    ck_assert_uint_eq(rd(APIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
    wr(APIC_ESR, 0);
    ck_assert_uint_eq(rd(APIC_ESR), 0);
    wr(APIC_LVTERR, 0xfe); /* errors now interrupt */
    lapic__accept(&l, 15, 0);
    ck_assert(has(APIC_IRR, 0xfe));
    wr(APIC_LVTERR, 0x0e); /* an illegal error vector is itself not delivered */
    lapic__accept(&l, 1, 0);
    wr(APIC_ESR, 0);
    ck_assert_uint_eq(rd(APIC_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
}
END_TEST

START_TEST(self_ipi)
{
    lapic__init(&l, 2, &clk.clock, &fake_ops, &calls);
    enable();
    wr(APIC_ICR, APIC_DEST_SELF | 0x55);
    ck_assert(has(APIC_IRR, 0x55));
    ck_assert_uint_eq(rd(APIC_ICR) & APIC_SEND_PENDING, 0);
    ck_assert_int_eq(calls.ipi_calls, 0);
    wr(APIC_ICR2, 2u << 24); /* fixed, physical, to its own ID */
    wr(APIC_ICR, 0x66);
    ck_assert(has(APIC_IRR, 0x66));
    ck_assert_int_eq(calls.ipi_calls, 0);
    wr(APIC_ICR2, 5u << 24); /* to another CPU */
    wr(APIC_ICR, 0x67);
    ck_assert(!has(APIC_IRR, 0x67));
    ck_assert_int_eq(calls.ipi_calls, 1);
    ck_assert_uint_eq(calls.ipi_low, 0x67);
    ck_assert_uint_eq(calls.ipi_dest, 5);
    wr(APIC_ICR, APIC_DEST_ALLINC | 0x68); /* this CPU and the others */
    ck_assert(has(APIC_IRR, 0x68));
    ck_assert_int_eq(calls.ipi_calls, 2);
    wr(APIC_ICR, APIC_DEST_ALLBUT | 0x69);
    ck_assert(!has(APIC_IRR, 0x69));
    ck_assert_int_eq(calls.ipi_calls, 3);
    wr(APIC_ICR, APIC_DEST_SELF | APIC_MODE_NMI); /* not fixed: the machine's */
    ck_assert_int_eq(calls.ipi_calls, 4);
    ck_assert_uint_eq(calls.ipi_low, APIC_DEST_SELF | APIC_MODE_NMI);
}
END_TEST

START_TEST(destination_matching)
{
    lapic__init(&l, 2, &clk.clock, &fake_ops, &calls);
    ck_assert(lapic__match_dest(&l, 2, 0));
    ck_assert(lapic__match_dest(&l, 0xff, 0));
    ck_assert(!lapic__match_dest(&l, 3, 0));
    wr(APIC_LDR, 0x04u << 24); /* flat: bit 2 */
    ck_assert(lapic__match_dest(&l, 0x06, 1));
    ck_assert(!lapic__match_dest(&l, 0x09, 1));
    wr(APIC_DFR, 0x0fffffff); /* cluster 3, member bit 1 */
    wr(APIC_LDR, 0x32u << 24);
    ck_assert(lapic__match_dest(&l, 0x33, 1));
    ck_assert(lapic__match_dest(&l, 0xf2, 1));
    ck_assert(!lapic__match_dest(&l, 0x23, 1));
    ck_assert(!lapic__match_dest(&l, 0x31, 1));
}
END_TEST

START_TEST(lint0_extint)
{
    enable();
    ck_assert_int_eq(lapic__extint(&l), 0);
    wr(APIC_LVT0, APIC_MODE_EXTINT);
    ck_assert_int_eq(lapic__extint(&l), 1);
    wr(APIC_LVT0, APIC_LVT_MASKED | APIC_MODE_EXTINT);
    ck_assert_int_eq(lapic__extint(&l), 0);
    wr(APIC_LVT0, APIC_MODE_NMI);
    ck_assert_int_eq(lapic__extint(&l), 0);
    lapic__accept(&l, 0x70, 0);
    lapic__set_enabled(&l, 0); /* disabled in the base MSR: the PIC goes straight through */
    ck_assert_int_eq(lapic__extint(&l), 1);
    ck_assert_int_eq(lapic__pending(&l), 0);
    ck_assert_uint_eq(rd(APIC_SPIV), 0xff); /* back to power-up state */
    ck_assert_uint_eq(rd(APIC_IRR + 0x30), 0);
    lapic__set_enabled(&l, 1);
    ck_assert_int_eq(lapic__extint(&l), 0);
    lapic__set_virtual_wire(&l); /* as at reset on the boot CPU */
    ck_assert_uint_eq(rd(APIC_LVT0), APIC_MODE_EXTINT);
    ck_assert_int_eq(lapic__extint(&l), 1);
}
END_TEST

/* Any value at any offset and size: nothing crashes, and only aligned 32-bit accesses
 * reach a register. */
START_TEST(hostile_accesses)
{
    static const uint32_t sizes[] = {0, 1, 2, 3, 4, 8, 16};
    uint64_t seed = 1;

    enable();
    wr(APIC_TASKPRI, 0x20);
    ck_assert_uint_eq(lapic__read(&l, APIC_TASKPRI, 2), 0);
    ck_assert_uint_eq(lapic__read(&l, APIC_TASKPRI, 8), 0);
    ck_assert_uint_eq(lapic__read(&l, APIC_TASKPRI + 4, 4), 0);
    ck_assert_uint_eq(lapic__read(&l, APIC_LVR, 1), 0);
    lapic__write(&l, APIC_TASKPRI, 0x30, 1);
    lapic__write(&l, APIC_TASKPRI + 1, 0x30, 4);
    ck_assert_uint_eq(rd(APIC_TASKPRI), 0x20);
    for (uint64_t off = 0; off < 0x1010; off++)
        for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            (void)lapic__read(&l, off, sizes[s]);
            if (off != APIC_SPIV && off != APIC_ID) /* stay enabled and addressable */
                lapic__write(&l, off, seed, sizes[s]);
            lapic__advance(&l, clk.now += seed >> 50);
            (void)lapic__ack(&l);
        }
    ck_assert_uint_eq(lapic__read(&l, UINT64_MAX & ~0xfull, 4), 0);
    lapic__write(&l, UINT64_MAX, 1, 4);
    ck_assert_uint_eq(rd(APIC_LVR), LAPIC_VERSION_VALUE);
}
END_TEST

TCase *lapic_tests(void)
{
    TCase *tc = tcase_create("lapic");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, writable_bits);
    tcase_add_test(tc, tpr_masks_by_priority_class);
    tcase_add_test(tc, nested_priorities_in_order);
    tcase_add_test(tc, tmr_and_eoi_callback);
    tcase_add_test(tc, intr_callback_on_changes);
    tcase_add_test(tc, timer_one_shot);
    tcase_add_test(tc, timer_periodic);
    tcase_add_test(tc, timer_divider);
    tcase_add_test(tc, timer_masked_sets_nothing);
    tcase_add_test(tc, svr_disable_masks_lvts);
    tcase_add_test(tc, init_reset_keeps_id);
    tcase_add_test(tc, esr_write_then_read);
    tcase_add_test(tc, self_ipi);
    tcase_add_test(tc, destination_matching);
    tcase_add_test(tc, lint0_extint);
    tcase_add_test(tc, hostile_accesses);
    return tc;
}
