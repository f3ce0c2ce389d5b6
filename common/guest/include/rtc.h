/*
 * rtc.h - the PC's MC146818 real-time clock in CMOS (chapter 4): the time of day, read
 * so that an update cannot tear it, and the periodic interrupt on IRQ 8. Register and bit
 * names are the MC146818's.
 */
#ifndef GUEST_RTC_H
#define GUEST_RTC_H

#include <stdint.h>

#define RTC_INDEX 0x70 /* writes select a register */
#define RTC_DATA  0x71
#define RTC_IRQ   8

#define RTC_SECONDS      0x00
#define RTC_MINUTES      0x02
#define RTC_HOURS        0x04
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH        0x08
#define RTC_YEAR         0x09
#define RTC_REG_A        0x0a
#define RTC_REG_B        0x0b
#define RTC_REG_C        0x0c /* read only; reading clears it and the IRQ */

#define RTC_A_UIP      0x80 /* update in progress: the time registers may be changing */
#define RTC_A_DV_32768 0x20 /* DV2-0 = 010: the 32.768 kHz time base */
#define RTC_A_RS       0x0f /* RS3-0: the periodic rate, 32768 >> (RS - 1) Hz; 0 is off */
#define RTC_B_SET      0x80 /* updates stopped */
#define RTC_B_PIE      0x40 /* periodic interrupt enable */
#define RTC_B_AIE      0x20 /* alarm interrupt enable */
#define RTC_B_UIE      0x10 /* update-ended interrupt enable */
#define RTC_B_DM       0x04 /* data mode: binary (0: BCD) */
#define RTC_B_24H      0x02 /* hours 0-23 (0: 1-12 with bit 7 for PM) */
#define RTC_C_IRQF     0x80 /* an enabled flag below is set: the IRQ line is asserted */
#define RTC_C_PF       0x40 /* periodic */
#define RTC_C_AF       0x20 /* alarm */
#define RTC_C_UF       0x10 /* update ended */

/** The time of day, in binary whatever the clock's data mode. */
struct rtc_time {
    int year; /* the two digits the clock keeps: 0-99 */
    int month, day, hours, minutes, seconds;
};

/** Reads CMOS register @p reg. */
uint8_t rtc_read(uint8_t reg);

/** Writes @p value to CMOS register @p reg. */
void rtc_write(uint8_t reg, uint8_t value);

/** Reads the time: outside an update, twice until two reads agree. */
void rtc_read_time(struct rtc_time *t);

/**
 * Starts the periodic interrupt at 32768 >> (@p rate - 1) Hz (@p rate 3 to 15: 8192 Hz
 * to 2 Hz). Each interrupt must be acknowledged with rtc_ack(), or no other comes.
 */
void rtc_periodic_start(int rate);

/** Stops the periodic interrupt. */
void rtc_periodic_stop(void);

/** Reads register C, which acknowledges the interrupt; returns the flags it held. */
uint8_t rtc_ack(void);

#endif
