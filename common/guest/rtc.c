/*
 * rtc.c - a driver for the MC146818 RTC (chapter 4): time of day with the update-in-
 * progress protocol, BCD or binary as register B says, and the periodic interrupt.
 */
#include <rtc.h>
#include <x86.h>

uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

void rtc_write(uint8_t reg, uint8_t value)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, value);
}

/* Reads the six time registers as they are stored, once no update is under way. */
static void rtc_read_raw(struct rtc_time *t)
{
    while (rtc_read(RTC_REG_A) & RTC_A_UIP)
        ;
    t->seconds = rtc_read(RTC_SECONDS);
    t->minutes = rtc_read(RTC_MINUTES);
    t->hours = rtc_read(RTC_HOURS);
    t->day = rtc_read(RTC_DAY_OF_MONTH);
    t->month = rtc_read(RTC_MONTH);
    t->year = rtc_read(RTC_YEAR);
}

static int from_bcd(int v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

void rtc_read_time(struct rtc_time *t)
{
    struct rtc_time again;
    uint8_t b = rtc_read(RTC_REG_B);
    int pm;

    /* UIP may rise just after we looked: an update between the two reads shows as a
     * difference, and we read again. */
    rtc_read_raw(t);
    for (;;) {
        rtc_read_raw(&again);
        if (again.seconds == t->seconds && again.minutes == t->minutes && again.hours == t->hours &&
            again.day == t->day && again.month == t->month && again.year == t->year)
            break;
        *t = again;
    }
    pm = !(b & RTC_B_24H) && (t->hours & 0x80);
    t->hours &= 0x7f;
    if (!(b & RTC_B_DM)) {
        t->seconds = from_bcd(t->seconds);
        t->minutes = from_bcd(t->minutes);
        t->hours = from_bcd(t->hours);
        t->day = from_bcd(t->day);
        t->month = from_bcd(t->month);
        t->year = from_bcd(t->year);
    }
    if (!(b & RTC_B_24H))
        t->hours = t->hours % 12 + (pm ? 12 : 0); /* 12 AM is 0, 12 PM is 12 */
}

void rtc_periodic_start(int rate)
{
    rtc_write(RTC_REG_A, (rtc_read(RTC_REG_A) & ~RTC_A_RS) | (rate & RTC_A_RS));
    rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) | RTC_B_PIE);
    rtc_ack(); /* an interrupt left pending from before would hold the line up */
}

void rtc_periodic_stop(void)
{
    rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) & ~RTC_B_PIE);
    rtc_ack();
}

uint8_t rtc_ack(void)
{
    return rtc_read(RTC_REG_C);
}
