/*
 * rtc.c - tests of the CMOS clock (rtc.h) against the MC146818A datasheet, through a real
 * port bus, with a fake clock, a chosen date and a recorded IRQ 8.
 */
#include "ch4_tests.h"
#include "fake.h"
#include "rtc.h"

#include <stdlib.h>

#define NS_PER_S 1000000000ull
#define T0       5000000000ull /* when each test starts, in fake ns */
#define MIB      (1ull << 20)

/* Seconds since the epoch of a few instants worth testing. */
#define Y1999_LAST_SECOND 946684799ll  /* Friday 1999-12-31 23:59:59 */
#define Y2099_LAST_SECOND 4102444799ll /* Thursday 2099-12-31 23:59:59 */
#define LEAP_EVE          1709164799ll /* Wednesday 2024-02-28 23:59:59 */

/* A machine of one RTC: the fake clock, IRQ 8's recorder, the port bus. */
static struct fake_clock clk;
static struct fake_irq irq8;
static struct bus pio;
static struct rtc rtc;

static void init_with_ram(uint64_t ram_size)
{
    fake_clock__init(&clk, T0);
    fake_irq__init(&irq8, 8);
    fake_bus__init(&pio, "port", 0);
    rtc__init(&rtc, &clk.clock, fake_irq__line(&irq8, 8), ram_size);
    ck_assert_int_eq(rtc__register(&rtc, &pio), 0);
}

static void setup(void)
{
    init_with_ram(128 * MIB);
    rtc__set_time(&rtc, Y1999_LAST_SECOND);
}

static uint8_t cmos_read(uint8_t reg)
{
    fake_bus__write(&pio, RTC_PORT_INDEX, 1, reg);
    return (uint8_t)fake_bus__read(&pio, RTC_PORT_DATA, 1);
}

static void cmos_write(uint8_t reg, uint8_t value)
{
    fake_bus__write(&pio, RTC_PORT_INDEX, 1, reg);
    fake_bus__write(&pio, RTC_PORT_DATA, 1, value);
}

/* The time registers, seconds to year, then the century, as one comparable array. */
static void read_time(uint8_t t[8])
{
    static const uint8_t regs[8] = {RTC_SECONDS,      RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
                                    RTC_DAY_OF_MONTH, RTC_MONTH,   RTC_YEAR,  RTC_CENTURY};

    for (int i = 0; i < 8; i++)
        t[i] = cmos_read(regs[i]);
}

static void assert_time(uint8_t s, uint8_t m, uint8_t h, uint8_t dow, uint8_t d, uint8_t mo,
                        uint8_t y, uint8_t c)
{
    const uint8_t want[8] = {s, m, h, dow, d, mo, y, c};
    uint8_t t[8];

    read_time(t);
    for (int i = 0; i < 8; i++)
        ck_assert_msg(t[i] == want[i], "time register %d: 0x%02x, expected 0x%02x", i, t[i],
                      want[i]);
}

START_TEST(bcd_24h_after_reset)
{
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos_read(RTC_REG_B), RTC_B_24H);
    ck_assert_uint_eq(cmos_read(RTC_REG_D), RTC_D_VRT);
    assert_time(0x59, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19);
}
END_TEST

START_TEST(rollover_new_year_and_century)
{
    clk.now += NS_PER_S - 1;
    assert_time(0x59, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19);
    clk.now++;
    assert_time(0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20);

    rtc__set_time(&rtc, Y2099_LAST_SECOND);
    assert_time(0x59, 0x59, 0x23, 0x05, 0x31, 0x12, 0x99, 0x20);
    clk.now += NS_PER_S;
    assert_time(0x00, 0x00, 0x00, 0x06, 0x01, 0x01, 0x00, 0x21);

    rtc__set_time(&rtc, LEAP_EVE);
    clk.now += NS_PER_S;
    assert_time(0x00, 0x00, 0x00, 0x05, 0x29, 0x02, 0x24, 0x20);
}
END_TEST

START_TEST(binary_mode)
{
    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_DM);
    assert_time(59, 59, 23, 6, 31, 12, 99, 19);
}
END_TEST

/* 12-hour mode: bit 7 of the hours is PM; midnight is 12 AM, noon 12 PM. */
START_TEST(twelve_hour_mode)
{
    cmos_write(RTC_REG_B, 0);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), RTC_HOURS_PM | 0x11);
    clk.now += NS_PER_S;
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x12);
    clk.now += 3600 * NS_PER_S;
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x01);
    clk.now += 11 * 3600 * NS_PER_S;
    ck_assert_uint_eq(cmos_read(RTC_HOURS), RTC_HOURS_PM | 0x12);
    cmos_write(RTC_REG_B, RTC_B_DM);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), RTC_HOURS_PM | 12);
    clk.now += 3600 * NS_PER_S;
    ck_assert_uint_eq(cmos_read(RTC_HOURS), RTC_HOURS_PM | 1);

    /* Writing 12-hour values: 9 PM. */
    cmos_write(RTC_REG_B, RTC_B_SET);
    cmos_write(RTC_HOURS, RTC_HOURS_PM | 0x09);
    cmos_write(RTC_REG_B, RTC_B_24H);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x21);
}
END_TEST

/* SET stops the clock so the time can be written; clearing it restarts from what was written. */
START_TEST(set_then_write_time)
{
    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    cmos_write(RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_UIE);
    ck_assert_uint_eq(cmos_read(RTC_REG_B), RTC_B_SET | RTC_B_24H); /* SET clears UIE */
    cmos_write(RTC_SECONDS, 0x30);
    cmos_write(RTC_MINUTES, 0x15);
    cmos_write(RTC_HOURS, 0x08);
    cmos_write(RTC_DAY_OF_MONTH, 0x04);
    cmos_write(RTC_MONTH, 0x07);
    cmos_write(RTC_YEAR, 0x76);
    cmos_write(RTC_CENTURY, 0x20);
    clk.now += 5 * NS_PER_S; /* held: no updates while SET is 1 */
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x30);
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, 0);
    cmos_write(RTC_REG_B, RTC_B_24H);
    assert_time(0x30, 0x15, 0x08, 0x07, 0x04, 0x07, 0x76, 0x20); /* a Saturday */
    clk.now += NS_PER_S - 1;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x30);
    clk.now++;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x31);

    /* A running clock takes a field written without SET, and keeps its phase. */
    clk.now += NS_PER_S / 2;
    cmos_write(RTC_MINUTES, 0x45);
    ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x45);
    clk.now += NS_PER_S / 2;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x32);
}
END_TEST

/* UIP: high in the 244 us before each update, low otherwise. */
START_TEST(uip_window)
{
    uint64_t update = T0 + NS_PER_S;

    clk.now = update - RTC_UIP_NS - 1;
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x26);
    clk.now++;
    ck_assert_uint_eq(cmos_read(RTC_REG_A), RTC_A_UIP | 0x26);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59); /* not updated yet */
    clk.now = update - 1;
    ck_assert_uint_eq(cmos_read(RTC_REG_A), RTC_A_UIP | 0x26);
    clk.now = update;
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x00);
    cmos_write(RTC_REG_A, 0xff); /* UIP is read-only */
    clk.now = update + NS_PER_S / 2;
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x7f);
}
END_TEST

/* Counts periodic interrupts over one second, serving each as a driver does. */
static int periodic_per_second(uint8_t rate)
{
    uint64_t end;
    int n = 0;

    cmos_write(RTC_REG_A, 0x20 | rate);
    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    cmos_read(RTC_REG_C);
    end = clk.now + NS_PER_S;
    while (rtc__deadline(&rtc) <= end) {
        clk.now = rtc__deadline(&rtc);
        rtc__advance(&rtc, clk.now);
        ck_assert_int_eq(irq8.level[8], 1);
        ck_assert_uint_eq(cmos_read(RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
        ck_assert_int_eq(irq8.level[8], 0);
        n++;
    }
    clk.now = end;
    return n;
}

START_TEST(periodic_rates)
{
    ck_assert_int_eq(periodic_per_second(6), 1024);
    ck_assert_int_eq(periodic_per_second(3), 8192);
    ck_assert_int_eq(periodic_per_second(15), 2);
    ck_assert_int_eq(periodic_per_second(1), 256);
    ck_assert_int_eq(periodic_per_second(2), 128);
    ck_assert_int_eq(periodic_per_second(0), 0);
    ck_assert_uint_eq(rtc__deadline(&rtc), VCLOCK_NEVER);
}
END_TEST

/* IRQ 8 stays up until C is read; reading C clears it and lowers the line. */
START_TEST(periodic_held_until_c_read)
{
    uint64_t period = (32 * NS_PER_S + 32767) / 32768; /* 1024 Hz, from the origin at T0 */

    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    ck_assert_uint_eq(rtc__deadline(&rtc), T0 + period);
    rtc__advance(&rtc, T0 + period - 1);
    ck_assert_int_eq(irq8.level[8], 0);
    rtc__advance(&rtc, T0 + period);
    ck_assert_int_eq(irq8.level[8], 1);
    ck_assert_uint_eq(rtc__deadline(&rtc), VCLOCK_NEVER);
    clk.now = T0 + 10 * period;
    rtc__advance(&rtc, clk.now);
    ck_assert_int_eq(irq8.rises[8], 1);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
    ck_assert_int_eq(irq8.level[8], 0);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0);
    ck_assert_uint_eq(rtc__deadline(&rtc), T0 + (11 * 32 * NS_PER_S + 32767) / 32768);

    /* PF is set without PIE; enabling PIE with PF pending raises IRQ 8 at once. */
    cmos_write(RTC_REG_B, RTC_B_24H);
    clk.now += NS_PER_S / 100;
    rtc__advance(&rtc, clk.now);
    ck_assert_int_eq(irq8.level[8], 0);
    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    ck_assert_int_eq(irq8.level[8], 1);
}
END_TEST

/* The update-ended interrupt: UF once a second, at the update. */
START_TEST(update_interrupt)
{
    cmos_write(RTC_REG_A, 0x20); /* no periodic interrupt */
    cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    ck_assert_uint_eq(rtc__deadline(&rtc), T0 + NS_PER_S);
    for (int s = 1; s <= 3; s++) {
        rtc__advance(&rtc, T0 + s * NS_PER_S - 1);
        ck_assert_int_eq(irq8.level[8], 0);
        clk.now = T0 + s * NS_PER_S;
        rtc__advance(&rtc, clk.now);
        ck_assert_int_eq(irq8.level[8], 1);
        ck_assert_uint_eq(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
        ck_assert_int_eq(irq8.level[8], 0);
        ck_assert_uint_eq(rtc__deadline(&rtc), T0 + (s + 1) * NS_PER_S);
    }
    ck_assert_int_eq(irq8.rises[8], 3);
}
END_TEST

/* A divider held in reset stops the clock; released, the first update is 0.5 s later. */
START_TEST(divider_reset)
{
    cmos_write(RTC_REG_A, 0x70);
    clk.now += 10 * NS_PER_S;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59);
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, 0);
    cmos_write(RTC_REG_A, 0x26);
    uint64_t released = clk.now;
    clk.now = released + NS_PER_S / 2 - 1;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59);
    clk.now++;
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x00);
}
END_TEST

/* The memory size where QEMU keeps it. */
START_TEST(memory_size_bytes)
{
    ck_assert_uint_eq(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
    ck_assert_uint_eq(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff); /* 127 MiB: capped */
    ck_assert_uint_eq(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
    ck_assert_uint_eq(cmos_read(0x34) | cmos_read(0x35) << 8, (128 - 16) * 16);
    ck_assert_uint_eq(cmos_read(0x5b) | cmos_read(0x5c) << 8 | cmos_read(0x5d) << 16, 0);

    init_with_ram(5ull << 30); /* 3 GiB below the gap, 2 GiB above 4 GiB */
    ck_assert_uint_eq(cmos_read(0x34) | cmos_read(0x35) << 8, (3072 - 16) * 16);
    ck_assert_uint_eq(cmos_read(0x5b) | cmos_read(0x5c) << 8 | cmos_read(0x5d) << 16,
                      (2ull << 30) >> 16);

    init_with_ram(8 * MIB);
    ck_assert_uint_eq(cmos_read(0x17) | cmos_read(0x18) << 8, 7 * 1024);
    ck_assert_uint_eq(cmos_read(0x34) | cmos_read(0x35) << 8, 0);
}
END_TEST

/* The rest is RAM; C and D ignore writes; the index keeps seven bits. */
START_TEST(ram_and_index)
{
    cmos_write(0x40, 0xaa);
    cmos_write(0x7f, 0x55);
    cmos_write(RTC_SECONDS_ALARM, 0x42);
    ck_assert_uint_eq(cmos_read(0x40), 0xaa);
    ck_assert_uint_eq(cmos_read(0x7f), 0x55);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS_ALARM), 0x42);
    cmos_write(RTC_REG_D, 0x00);
    ck_assert_uint_eq(cmos_read(RTC_REG_D), RTC_D_VRT);
    cmos_write(RTC_REG_C, 0xff);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0);
    ck_assert_uint_eq(cmos_read(RTC_NMI_DISABLE | 0x40), 0xaa); /* NMI off, same register */
    ck_assert_int_eq(rtc.nmi_disabled, 1);
    ck_assert_uint_eq(cmos_read(0xff), 0x55);

    /* A 16-bit write to 0x70 sets the index, then writes the data byte. */
    uint64_t v = 0x3341;
    ck_assert_int_eq(bus__access(&pio, NULL, RTC_PORT_INDEX, 2, 1, &v), 0);
    ck_assert_uint_eq(cmos_read(0x41), 0x33);
}
END_TEST

/* Any value at any index, any size, in any order, as time passes: no crash. */
START_TEST(hostile_accesses)
{
    static const uint32_t sizes[] = {1, 2, 4, 8};

    srand(8);
    for (int i = 0; i < 200000; i++) {
        uint64_t v = (uint64_t)rand() << 32 | (uint64_t)rand();

        clk.now += (uint64_t)(rand() % 5000000);
        bus__access(&pio, NULL, (uint16_t)(0x6f + rand() % 4), sizes[rand() % 4], rand() & 1, &v);
        if (rtc__deadline(&rtc) <= clk.now)
            rtc__advance(&rtc, clk.now);
        ck_assert_uint_gt(rtc__deadline(&rtc), clk.now);
    }
}
END_TEST

TCase *rtc_tests(void)
{
    TCase *tc = tcase_create("rtc");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, bcd_24h_after_reset);
    tcase_add_test(tc, rollover_new_year_and_century);
    tcase_add_test(tc, binary_mode);
    tcase_add_test(tc, twelve_hour_mode);
    tcase_add_test(tc, set_then_write_time);
    tcase_add_test(tc, uip_window);
    tcase_add_test(tc, periodic_rates);
    tcase_add_test(tc, periodic_held_until_c_read);
    tcase_add_test(tc, update_interrupt);
    tcase_add_test(tc, divider_reset);
    tcase_add_test(tc, memory_size_bytes);
    tcase_add_test(tc, ram_and_index);
    tcase_add_test(tc, hostile_accesses);
    return tc;
}
