/*
 * rtc.h - the PC's CMOS clock, a Motorola MC146818A at ports 0x70-0x71 on IRQ 8
 * (chapter 4): the date and time, a periodic and a once-a-second interrupt, 128 bytes of
 * CMOS RAM in which the memory size is kept as QEMU's firmware expects to find it.
 *
 * Like the PIT, it does not tick: the calendar is a count of seconds since the epoch (UTC)
 * that was true at one vclock instant, and each register is computed from the vclock when
 * read. The alarm is not modelled: its registers are plain RAM and AF is never set.
 */
#ifndef STEPVM_RTC_H
#define STEPVM_RTC_H

#include "bus.h"
#include "irq.h"

#include <stdint.h>

#define RTC_PORT_INDEX  0x70 /* bit 7: NMI disable; bits 0-6: the register */
#define RTC_PORT_DATA   0x71
#define RTC_NMI_DISABLE 0x80

/* The registers, as the datasheet and the PC number them. */
#define RTC_SECONDS       0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES       0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS         0x04
#define RTC_HOURS_ALARM   0x05
#define RTC_DAY_OF_WEEK   0x06 /* 1 = Sunday */
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH         0x08
#define RTC_YEAR          0x09
#define RTC_REG_A         0x0a
#define RTC_REG_B         0x0b
#define RTC_REG_C         0x0c
#define RTC_REG_D         0x0d
#define RTC_CENTURY       0x32 /* the PC's (and ACPI's FADT default) century byte */
#define RTC_CMOS_SIZE     128

#define RTC_A_UIP      0x80 /* update in progress, or due within RTC_UIP_NS (read-only) */
#define RTC_A_DV_SHIFT 4    /* DV2-DV0: 010 is the 32.768 kHz time base, 11x holds it in reset */
#define RTC_A_DV_RESET 0x60
#define RTC_A_RS_MASK  0x0f /* RS3-RS0: the periodic interrupt's rate */
#define RTC_B_SET      0x80 /* stop updates so the time can be written */
#define RTC_B_PIE      0x40 /* periodic interrupt enable */
#define RTC_B_AIE      0x20 /* alarm interrupt enable */
#define RTC_B_UIE      0x10 /* update-ended interrupt enable */
#define RTC_B_SQWE     0x08 /* square wave enable (no SQW pin here: kept only) */
#define RTC_B_DM       0x04 /* data mode: 1 binary, 0 BCD */
#define RTC_B_24H      0x02 /* 1: 24-hour, 0: 12-hour with bit 7 of the hours = PM */
#define RTC_B_DSE      0x01 /* daylight saving enable (kept only: the clock is UTC) */
#define RTC_C_IRQF     0x80
#define RTC_C_PF       0x40
#define RTC_C_AF       0x20
#define RTC_C_UF       0x10
#define RTC_D_VRT      0x80 /* valid RAM and time: the battery is good */
#define RTC_HOURS_PM   0x80
#define RTC_UIP_NS     244000ull /* UIP rises this long before each update */

/** The clock and its RAM. */
struct rtc {
    const struct vclock *clock;
    struct irq_line irq8;
    uint8_t cmos[RTC_CMOS_SIZE]; /* the RAM, registers A-D, the time while held */
    uint8_t index;               /* the register port 0x71 reaches */
    int nmi_disabled;            /* port 0x70 bit 7: kept, otherwise ignored */
    int held;                    /* SET or divider reset: the time is the bytes in cmos[] */
    int64_t base_s;              /* seconds since the epoch at origin_ns ... */
    uint64_t origin_ns;          /* ... a second boundary: updates come each 1e9 ns after */
    uint64_t seen_ns;            /* register C holds every event up to this time */
};

/**
 * Resets the clock: registers A = 0x26 (32.768 kHz, 1024 Hz), B = 0x02 (24-hour, BCD),
 * the time from the host's wall clock in UTC, and CMOS bytes 0x15-0x18, 0x30-0x31,
 * 0x34-0x35 and 0x5b-0x5d holding ram_size as QEMU stores it (base memory in KiB up to
 * 640; KiB above 1 MiB; 64 KiB units above 16 MiB; 64 KiB units above 4 GiB, with RAM
 * above MEM_GAP_START moved there as chapter 2 lays it out).
 */
void rtc__init(struct rtc *r, const struct vclock *clock, struct irq_line irq8, uint64_t ram_size);

/** Claims ports 0x70-0x71 on pio. Returns 0, or -1 with the error set. */
int rtc__register(struct rtc *r, struct bus *pio);

/**
 * Sets the calendar to epoch_s seconds since 1970-01-01 00:00:00 UTC, a second that begins
 * now: what the host's wall clock does at init, and what a test does to choose the date.
 */
void rtc__set_time(struct rtc *r, int64_t epoch_s);

/** Returns when IRQ 8 must next be raised (vclock ns), or VCLOCK_NEVER. */
uint64_t rtc__deadline(const struct rtc *r);

/** Sets the flags in register C that are due by now, and raises IRQ 8 if they are enabled. */
void rtc__advance(struct rtc *r, uint64_t now);

#endif
