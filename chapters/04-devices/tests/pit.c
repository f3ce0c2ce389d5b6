/*
 * pit.c - tests of the 8254 timer and port B (pit.h) against the datasheet, through a real
 * port bus, with a fake clock and a recorded IRQ 0.
 */
#include "ch4_tests.h"
#include "fake.h"
#include "pit.h"

#include <stdlib.h>

#define NS_PER_S 1000000000ull
#define T0       1000000ull /* when each test starts, in fake ns */

/* A machine of one PIT: the fake clock, IRQ 0's recorder, the port bus (whose warnings
 * about the unclaimed ports hostile_accesses hits go nowhere). */
static struct fake_clock clk;
static struct fake_irq irq0;
static struct bus pio;
static struct pit pit;

static void setup(void)
{
    fake_clock__init(&clk, T0);
    fake_irq__init(&irq0, 0);
    fake_bus__init(&pio, "port", 0);
    pit__init(&pit, &clk.clock, fake_irq__line(&irq0, 0));
    ck_assert_int_eq(pit__register(&pit, &pio), 0);
}

static void outb(uint16_t port, uint8_t value)
{
    fake_bus__write(&pio, port, 1, value);
}

static uint8_t inb(uint16_t port)
{
    return (uint8_t)fake_bus__read(&pio, port, 1);
}

/* The first ns (after a load at t) by which n input clock ticks have passed. */
static uint64_t at_tick(uint64_t t, uint64_t n)
{
    return t + (n * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

/* Programs counter ch: control word cw, then the count as LSB and MSB. */
static void program(int ch, uint8_t cw, uint16_t count)
{
    outb(PIT_PORT_CTRL, cw);
    outb((uint16_t)(PIT_PORT_BASE + ch), count & 0xff);
    outb((uint16_t)(PIT_PORT_BASE + ch), count >> 8);
}

/* Latches counter ch and reads the count, LSB first. */
static uint16_t latched(int ch)
{
    uint16_t lo, hi;

    outb(PIT_PORT_CTRL, (uint8_t)(ch << 6));
    lo = inb((uint16_t)(PIT_PORT_BASE + ch));
    hi = inb((uint16_t)(PIT_PORT_BASE + ch));
    return (uint16_t)(hi << 8 | lo);
}

static int out2(void)
{
    return !!(inb(PORT_B) & PORT_B_OUT2);
}

/* Checks that OUT2 turns to level exactly at t (ns): not at t - 1, then at t, where the
 * clock is left. */
static void assert_out2_turns(int level, uint64_t t)
{
    clk.now = t - 1;
    ck_assert_int_eq(out2(), !level);
    clk.now = t;
    ck_assert_int_eq(out2(), level);
}

START_TEST(nothing_counts_after_reset)
{
    ck_assert_uint_eq(pit__deadline(&pit), VCLOCK_NEVER);
    clk.now += NS_PER_S;
    pit__advance(&pit, clk.now);
    ck_assert_int_eq(irq0.rises[0], 0);
}
END_TEST

/* Mode 2: an edge on IRQ 0 every N ticks, on the grid of the load, even when late. */
START_TEST(mode2_edges_each_period)
{
    program(0, 0x34, 1193); /* counter 0, LSB then MSB, mode 2: about 1 kHz */
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 1193));
    pit__advance(&pit, at_tick(T0, 1193) - 1);
    ck_assert_int_eq(irq0.rises[0], 0);
    pit__advance(&pit, at_tick(T0, 1193));
    ck_assert_int_eq(irq0.rises[0], 1);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 2 * 1193));

    /* Eight and a half periods late: one edge, and the next on the original grid. */
    pit__advance(&pit, at_tick(T0, 10 * 1193 + 600));
    ck_assert_int_eq(irq0.rises[0], 2);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 11 * 1193));
    for (uint64_t k = 11; k < 1000; k++)
        pit__advance(&pit, pit__deadline(&pit));
    ck_assert_int_eq(irq0.rises[0], 991);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 1000 * 1193));
}
END_TEST

/* Mode 2's count runs N..1 and reloads. */
START_TEST(mode2_count_reloads)
{
    program(0, 0x34, 100);
    ck_assert_uint_eq(latched(0), 100);
    clk.now = at_tick(T0, 99);
    ck_assert_uint_eq(latched(0), 1);
    clk.now = at_tick(T0, 100);
    ck_assert_uint_eq(latched(0), 100);
    clk.now = at_tick(T0, 250);
    ck_assert_uint_eq(latched(0), 50);
}
END_TEST

/* Mode 0 on channel 0: one rising edge at terminal count, then nothing. */
START_TEST(mode0_irq_at_terminal_count)
{
    program(0, 0x30, 5000);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 5000));
    pit__advance(&pit, at_tick(T0, 5000));
    ck_assert_int_eq(irq0.rises[0], 1);
    ck_assert_uint_eq(pit__deadline(&pit), VCLOCK_NEVER);
    clk.now = at_tick(T0, 70000); /* the count wraps on, but OUT stays high */
    pit__advance(&pit, clk.now);
    ck_assert_int_eq(irq0.rises[0], 1);
}
END_TEST

/* Linux's TSC calibration: channel 2, mode 0, gate on, poll port B bit 5. */
START_TEST(mode0_out2_at_terminal_count)
{
    const uint16_t latch = 59659; /* Linux's CAL_LATCH: 50 ms */

    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPKR_DATA) | PORT_B_GATE2));
    program(2, 0xb0, latch);
    ck_assert_int_eq(out2(), 0);
    assert_out2_turns(1, at_tick(T0, latch));
    clk.now += NS_PER_S;
    ck_assert_int_eq(out2(), 1);
    ck_assert_int_eq(irq0.rises[0], 0); /* channel 2 is not IRQ 0 */
}
END_TEST

/* A low gate suspends a mode 0 count; it resumes where it stopped. */
START_TEST(gate_pauses_mode0)
{
    outb(PORT_B, PORT_B_GATE2);
    program(2, 0xb0, 1000);
    clk.now = at_tick(T0, 400);
    outb(PORT_B, 0);
    ck_assert_uint_eq(latched(2), 600);
    clk.now += NS_PER_S;
    ck_assert_uint_eq(latched(2), 600);
    ck_assert_int_eq(out2(), 0);
    uint64_t resumed = clk.now;
    outb(PORT_B, PORT_B_GATE2);
    assert_out2_turns(1, at_tick(resumed, 600));
}
END_TEST

/* The latch command freezes the count until both bytes are read. */
START_TEST(latch_freezes_value)
{
    program(0, 0x34, 10000);
    clk.now = at_tick(T0, 1234);
    outb(PIT_PORT_CTRL, 0x00); /* latch counter 0 */
    clk.now = at_tick(T0, 5000);
    outb(PIT_PORT_CTRL, 0x00); /* a second latch before reading is ignored */
    ck_assert_uint_eq(inb(0x40), (10000 - 1234) & 0xff);
    clk.now = at_tick(T0, 6000);
    ck_assert_uint_eq(inb(0x40), (10000 - 1234) >> 8);
    /* Latch consumed: the next reads are live. */
    ck_assert_uint_eq(inb(0x40), (10000 - 6000) & 0xff);
    ck_assert_uint_eq(inb(0x40), (10000 - 6000) >> 8);
}
END_TEST

/* Read-back: the status byte (OUT, null count, RW, mode, BCD), then the count. */
START_TEST(read_back_status)
{
    outb(PORT_B, PORT_B_GATE2);
    outb(PIT_PORT_CTRL, 0xb0);          /* counter 2, LSB/MSB, mode 0, binary */
    outb(PIT_PORT_CTRL, 0xe0 | 0x08);   /* read-back: status only (COUNT=1), counter 2 */
    ck_assert_uint_eq(inb(0x42), 0x70); /* OUT low, null count, RW=3, mode 0 */
    program(2, 0xb0, 300);
    outb(PIT_PORT_CTRL, 0xc0 | 0x08); /* read-back: count and status */
    clk.now = at_tick(T0, 300);       /* OUT rises, but the latched status stays */
    ck_assert_uint_eq(inb(0x42), 0x30);
    ck_assert_uint_eq(inb(0x42), 300 & 0xff);
    ck_assert_uint_eq(inb(0x42), 300 >> 8);
    outb(PIT_PORT_CTRL, 0xe0 | 0x08);   /* status only */
    ck_assert_uint_eq(inb(0x42), 0xb0); /* OUT high now */

    outb(PIT_PORT_CTRL, 0x17);          /* counter 0, LSB only, mode 3, BCD */
    outb(PIT_PORT_CTRL, 0xe0 | 0x02);   /* status of counter 0 */
    ck_assert_uint_eq(inb(0x40), 0xd7); /* OUT high, null count, RW=1, mode 3, BCD */
}
END_TEST

/* The three access modes: LSB then MSB, LSB only, MSB only. */
START_TEST(lsb_msb_order)
{
    program(0, 0x34, 0x1234);
    ck_assert_uint_eq(latched(0), 0x1234);
    outb(PIT_PORT_CTRL, 0x14); /* LSB only, mode 2 */
    outb(0x40, 0x56);
    outb(PIT_PORT_CTRL, 0x00);
    ck_assert_uint_eq(inb(0x40), 0x56);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 0x56));
    outb(PIT_PORT_CTRL, 0x24); /* MSB only, mode 2 */
    outb(0x40, 0x12);
    outb(PIT_PORT_CTRL, 0x00);
    ck_assert_uint_eq(inb(0x40), 0x12);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 0x1200));
    /* Live reads in LSB/MSB mode alternate bytes. */
    program(0, 0x34, 0x1234);
    ck_assert_uint_eq(inb(0x40), 0x34);
    ck_assert_uint_eq(inb(0x40), 0x12);
}
END_TEST

/* A count of 0 is 65536 (10000 in BCD). */
START_TEST(count_zero_is_65536)
{
    program(0, 0x34, 0);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(T0, 65536));
    clk.now = at_tick(T0, 1);
    ck_assert_uint_eq(latched(0), 0xffff);
    program(0, 0x35, 0); /* BCD: 10000 */
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(clk.now, 10000));
    uint64_t load = clk.now;
    clk.now = at_tick(load, 1);
    ck_assert_uint_eq(latched(0), 0x9999);
    clk.now = at_tick(load, 1234);
    ck_assert_uint_eq(latched(0), 0x8766);
}
END_TEST

/* Mode 3: OUT high for ceil(N/2) ticks, low for floor(N/2), an IRQ 0 edge each period. */
START_TEST(mode3_half_periods)
{
    outb(PORT_B, PORT_B_GATE2);
    program(2, 0xb6, 101); /* counter 2, mode 3, odd count */
    ck_assert_int_eq(out2(), 1);
    assert_out2_turns(0, at_tick(T0, 51));
    assert_out2_turns(1, at_tick(T0, 101));
    clk.now = at_tick(T0, 101 + 50);
    ck_assert_int_eq(out2(), 1);

    uint64_t load = clk.now;
    program(2, 0xb6, 100);
    assert_out2_turns(0, at_tick(load, 50));

    /* A low gate forces OUT high; a rising one restarts the period. */
    outb(PORT_B, 0);
    ck_assert_int_eq(out2(), 1);
    load = clk.now += 12345;
    outb(PORT_B, PORT_B_GATE2);
    clk.now = at_tick(load, 50);
    ck_assert_int_eq(out2(), 0);

    program(0, 0x36, 1000);
    pit__advance(&pit, at_tick(clk.now, 1000));
    pit__advance(&pit, at_tick(clk.now, 2000));
    ck_assert_int_eq(irq0.rises[0], 2);
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(clk.now, 3000));
}
END_TEST

/* Port B: bits 0-3 read back, bit 4 flips on each read, bit 5 cannot be written. */
START_TEST(port_b_bits)
{
    uint8_t a, b;

    outb(PORT_B, 0xff);
    a = inb(PORT_B);
    b = inb(PORT_B);
    ck_assert_uint_eq(a & PORT_B_WRITABLE, PORT_B_WRITABLE);
    ck_assert_uint_eq((a ^ b) & PORT_B_REFRESH, PORT_B_REFRESH);
    ck_assert_uint_eq(a & 0xc0, 0);
    ck_assert_uint_eq(a & PORT_B_OUT2, PORT_B_OUT2); /* channel 2 idle in mode 3: high */
    outb(PIT_PORT_CTRL, 0xb0);                       /* mode 0 before a count: OUT low */
    outb(PORT_B, PORT_B_SPKR_DATA);
    ck_assert_uint_eq(inb(PORT_B) & ~PORT_B_REFRESH, PORT_B_SPKR_DATA);
}
END_TEST

/* Modes 1 and 5 wait for the gate; mode 4 strobes OUT low for one tick. */
START_TEST(strobes_and_one_shot)
{
    program(2, 0xb2, 100); /* mode 1: the gate is low, nothing counts */
    clk.now = at_tick(T0, 500);
    ck_assert_int_eq(out2(), 1);
    uint64_t trig = clk.now;
    outb(PORT_B, PORT_B_GATE2); /* trigger: OUT low for N ticks */
    ck_assert_int_eq(out2(), 0);
    clk.now = at_tick(trig, 100);
    ck_assert_int_eq(out2(), 1);

    program(0, 0x38, 10); /* mode 4 on channel 0: IRQ 0 when OUT comes back up */
    uint64_t load = clk.now;
    ck_assert_uint_eq(pit__deadline(&pit), at_tick(load, 11));
    pit__advance(&pit, at_tick(load, 11));
    ck_assert_int_eq(irq0.rises[0], 1);
    ck_assert_uint_eq(pit__deadline(&pit), VCLOCK_NEVER);
}
END_TEST

/* Any value at any port, of any size, in any order, as time passes: no crash. */
START_TEST(hostile_accesses)
{
    static const uint32_t sizes[] = {1, 2, 4, 8};

    srand(4);
    for (int i = 0; i < 200000; i++) {
        uint16_t port = (uint16_t)(0x40 + rand() % 0x22);
        uint64_t v = (uint64_t)rand() << 32 | (uint64_t)rand();
        int write = rand() & 1;

        clk.now += (uint64_t)(rand() % 3000);
        bus__access(&pio, NULL, port, sizes[rand() % 4], write, &v);
        if (pit__deadline(&pit) <= clk.now)
            pit__advance(&pit, clk.now);
        ck_assert_uint_gt(pit__deadline(&pit), clk.now);
    }
}
END_TEST

TCase *pit_tests(void)
{
    TCase *tc = tcase_create("pit");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, nothing_counts_after_reset);
    tcase_add_test(tc, mode2_edges_each_period);
    tcase_add_test(tc, mode2_count_reloads);
    tcase_add_test(tc, mode0_irq_at_terminal_count);
    tcase_add_test(tc, mode0_out2_at_terminal_count);
    tcase_add_test(tc, gate_pauses_mode0);
    tcase_add_test(tc, latch_freezes_value);
    tcase_add_test(tc, read_back_status);
    tcase_add_test(tc, lsb_msb_order);
    tcase_add_test(tc, count_zero_is_65536);
    tcase_add_test(tc, mode3_half_periods);
    tcase_add_test(tc, port_b_bits);
    tcase_add_test(tc, strobes_and_one_shot);
    tcase_add_test(tc, hostile_accesses);
    return tc;
}
