/*
 * lab-alarm.c - the test guest of lab "rtc-alarm" (chapter 4).
 *
 * The MC146818A compares its time with three alarm registers (seconds 0x01, minutes
 * 0x03, hours 0x05) at every update, and sets AF in register C when they agree; with AIE
 * in register B, AF raises IRQ 8. An alarm byte of 0xc0-0xff matches any value, so all
 * three at 0xff ring once a second. This guest sets the alarm two seconds ahead and
 * waits for IRQ 8, then tries the "don't care" bytes, then looks for AF without AIE. The
 * PIT's 100 Hz tick measures every wait, so a clock that never rings is reported, not
 * waited for.
 */
#include <intc.h>
#include <pit.h>
#include <rtc.h>
#include <stdio.h>
#include <stdlib.h>

#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS_ALARM   0x05
#define DONT_CARE         0xff
#define TICK_HZ           100

static volatile unsigned long ticks, alarms, other_irqs;
static volatile uint8_t last_c;

static void pit_tick(int vector)
{
    (void)vector;
    ticks++;
}

/* IRQ 8: reading C acknowledges it; count the interrupts that carried AF. */
static void rtc_irq(int vector)
{
    uint8_t c = rtc_ack();

    (void)vector;
    last_c = c;
    if (c & RTC_C_AF)
        alarms++;
    else
        other_irqs++;
}

static uint8_t bcd(int v)
{
    return (uint8_t)(v / 10 << 4 | v % 10);
}

static void set_alarm(uint8_t h, uint8_t m, uint8_t s)
{
    rtc_write(RTC_HOURS_ALARM, h);
    rtc_write(RTC_MINUTES_ALARM, m);
    rtc_write(RTC_SECONDS_ALARM, s);
}

/* Waits until @p want alarms have come, or @p max_ticks have passed; returns the ticks. */
static unsigned long wait_alarms(unsigned long want, unsigned long max_ticks)
{
    unsigned long start = ticks;

    while (alarms < want && ticks - start < max_ticks)
        wait_for_interrupt();
    return ticks - start;
}

int main(void)
{
    struct rtc_time t;
    unsigned long took;

    irq_init();
    intc_init(INTC_PIC);
    pit_set_periodic(TICK_HZ);
    intc_attach(PIT_IRQ, pit_tick);
    intc_attach(RTC_IRQ, rtc_irq);
    rtc_write(RTC_REG_B, RTC_B_24H); /* BCD, 24-hour, every interrupt off */
    rtc_ack();
    irq_enable();

    /* 1. An alarm two seconds from now: one IRQ 8, with AF, one to three seconds later. */
    rtc_read_time(&t);
    int s = t.hours * 3600 + t.minutes * 60 + t.seconds + 2;
    s %= 86400;
    set_alarm(bcd(s / 3600), bcd(s / 60 % 60), bcd(s % 60));
    rtc_write(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
    took = wait_alarms(1, 4 * TICK_HZ);
    printf("alarm at %02d:%02d:%02d\n", s / 3600, s / 60 % 60, s % 60);
    if (alarms) {
        rtc_read_time(&t);
        printf("alarm: rang after %lu ticks\n", took);
        printf("register C: 0x%02x\n", last_c);
        printf("time when it rang: %02d:%02d:%02d\n", t.hours, t.minutes, t.seconds);
    } else {
        printf("alarm: silent for %lu ticks\n", took);
    }

    /* 2. Every field "don't care": once a second. */
    alarms = 0;
    set_alarm(DONT_CARE, DONT_CARE, DONT_CARE);
    took = wait_alarms(3, 5 * TICK_HZ);
    printf("every second: %lu alarms in %lu ticks\n", alarms, took);
    rtc_write(RTC_REG_B, RTC_B_24H);
    rtc_ack();

    /* 3. Without AIE: AF still rises in C, and no interrupt comes. */
    alarms = other_irqs = 0;
    rtc_ack();
    unsigned long start = ticks;
    while (ticks - start < 3 * TICK_HZ / 2)
        wait_for_interrupt();
    uint8_t c = rtc_read(RTC_REG_C);
    printf("without AIE: interrupts %lu, AF %s, IRQF %s\n", alarms + other_irqs,
           (c & RTC_C_AF) ? "set" : "clear", (c & RTC_C_IRQF) ? "set" : "clear");

    pit_stop();
    exit(0);
}
