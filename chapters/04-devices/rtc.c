/*
 * rtc.c - the MC146818A CMOS clock, computed from the vclock (see rtc.h; chapter 4).
 *
 * Simplifications, against the datasheet: the update is instantaneous at each second
 * boundary (UIP covers the 244 us before it); changing DM or 24/12 re-presents the time
 * at once, where the chip would leave the stored bytes as they were; the day of the week
 * is computed from the date, so a value written to it lasts only while SET is 1. Any
 * divider setting other than reset runs the 32.768 kHz time base.
 */
#include "rtc.h"
#include "mem.h"

#include <string.h>
#include <time.h>

#define NS_PER_S       1000000000ull
#define RTC_BASE_HZ    32768            /* the time base the divider gives */
#define FIRST_SECOND   (-62167219200ll) /* 0000-01-01 00:00:00: the registers hold no less */
#define LAST_SECOND    253402300799ll   /* 9999-12-31 23:59:59: and no more */
#define DIVIDER_WARMUP 500000000ull     /* the first update comes 0.5 s after a divider reset */

/* ======== The calendar ======== */

/* Nanoseconds from origin_ns to now (0 for a now before it). */
static uint64_t since_origin(const struct rtc *r, uint64_t now)
{
    return now > r->origin_ns ? now - r->origin_ns : 0;
}

/* Whole seconds since origin_ns at now: how many updates there have been. */
static uint64_t updates_by(const struct rtc *r, uint64_t now)
{
    return since_origin(r, now) / NS_PER_S;
}

static int binary_mode(const struct rtc *r)
{
    return r->cmos[RTC_REG_B] & RTC_B_DM;
}

/* A value 0-99 as a register holds it: BCD unless DM is set. */
static uint8_t to_reg(const struct rtc *r, int v)
{
    return (uint8_t)(binary_mode(r) ? v : v / 10 << 4 | v % 10);
}

/* A register's value; a BCD digit above 9 counts for what it is (the chip's is undefined). */
static int from_reg(const struct rtc *r, uint8_t b)
{
    return binary_mode(r) ? b : (b >> 4) * 10 + (b & 15);
}

/* Writes the time registers (not the alarms) for the calendar second s. */
static void store_time(struct rtc *r, int64_t s)
{
    time_t t = (time_t)(s < FIRST_SECOND ? FIRST_SECOND : s > LAST_SECOND ? LAST_SECOND : s);
    struct tm tm;
    int hour;

    if (!gmtime_r(&t, &tm))
        return;
    hour = tm.tm_hour;
    r->cmos[RTC_SECONDS] = to_reg(r, tm.tm_sec);
    r->cmos[RTC_MINUTES] = to_reg(r, tm.tm_min);
    if (r->cmos[RTC_REG_B] & RTC_B_24H)
        r->cmos[RTC_HOURS] = to_reg(r, hour);
    else /* 12 AM is midnight, 12 PM noon */
        r->cmos[RTC_HOURS] =
            to_reg(r, hour % 12 ? hour % 12 : 12) | (hour >= 12 ? RTC_HOURS_PM : 0);
    r->cmos[RTC_DAY_OF_WEEK] = to_reg(r, tm.tm_wday + 1);
    r->cmos[RTC_DAY_OF_MONTH] = to_reg(r, tm.tm_mday);
    r->cmos[RTC_MONTH] = to_reg(r, tm.tm_mon + 1);
    r->cmos[RTC_YEAR] = to_reg(r, (tm.tm_year + 1900) % 100);
    r->cmos[RTC_CENTURY] = to_reg(r, (tm.tm_year + 1900) / 100);
}

/* The calendar second the time registers hold. Values out of range carry into the next
 * field, as timegm() normalizes them. */
static int64_t load_time(const struct rtc *r)
{
    struct tm tm = {0};
    uint8_t h = r->cmos[RTC_HOURS];
    int hour;

    if (r->cmos[RTC_REG_B] & RTC_B_24H) {
        hour = from_reg(r, h);
    } else {
        hour = from_reg(r, h & ~RTC_HOURS_PM) % 12 + (h & RTC_HOURS_PM ? 12 : 0);
    }
    tm.tm_sec = from_reg(r, r->cmos[RTC_SECONDS]);
    tm.tm_min = from_reg(r, r->cmos[RTC_MINUTES]);
    tm.tm_hour = hour;
    tm.tm_mday = from_reg(r, r->cmos[RTC_DAY_OF_MONTH]);
    tm.tm_mon = from_reg(r, r->cmos[RTC_MONTH]) - 1;
    tm.tm_year = from_reg(r, r->cmos[RTC_CENTURY]) * 100 + from_reg(r, r->cmos[RTC_YEAR]) - 1900;
    return (int64_t)timegm(&tm);
}

/* ======== Events: register C and IRQ 8 ======== */

/* The periodic interrupt's period in time-base cycles, or 0 when RS selects none. */
static uint64_t periodic_cycles(const struct rtc *r)
{
    unsigned rate = r->cmos[RTC_REG_A] & RTC_A_RS_MASK;

    if (rate == 0)
        return 0;
    if (rate <= 2) /* 256 Hz and 128 Hz, as the datasheet's table has them */
        return 64u << rate;
    return 1u << (rate - 1);
}

static int divider_running(const struct rtc *r)
{
    return (r->cmos[RTC_REG_A] & RTC_A_DV_RESET) != RTC_A_DV_RESET;
}

/* How many periodic interrupts have come by now since origin_ns. */
static uint64_t periods_by(const struct rtc *r, uint64_t now, uint64_t cycles)
{
    uint64_t ns = since_origin(r, now);

    return (ns / NS_PER_S * RTC_BASE_HZ + ns % NS_PER_S * RTC_BASE_HZ / NS_PER_S) / cycles;
}

/* When periodic interrupt number k comes: the first ns by which its cycles have passed. */
static uint64_t period_time(const struct rtc *r, uint64_t k, uint64_t cycles)
{
    uint64_t c = k * cycles;

    return r->origin_ns + c / RTC_BASE_HZ * NS_PER_S +
           (c % RTC_BASE_HZ * NS_PER_S + RTC_BASE_HZ - 1) / RTC_BASE_HZ;
}

/* IRQF follows the flags and their enables; once set it stays until C is read. */
static void update_irq(struct rtc *r)
{
    uint8_t c = r->cmos[RTC_REG_C], b = r->cmos[RTC_REG_B];

    if (c & RTC_C_IRQF || !(c & b & (RTC_C_PF | RTC_C_AF | RTC_C_UF)))
        return;
    r->cmos[RTC_REG_C] |= RTC_C_IRQF;
    irq__raise(&r->irq8);
}

/* Sets PF and UF for what happened between seen_ns and now. */
static void catch_up(struct rtc *r, uint64_t now)
{
    uint64_t cycles = periodic_cycles(r);

    if (now <= r->seen_ns)
        return;
    if (divider_running(r)) {
        if (cycles && periods_by(r, now, cycles) > periods_by(r, r->seen_ns, cycles))
            r->cmos[RTC_REG_C] |= RTC_C_PF;
        if (!r->held && updates_by(r, now) > updates_by(r, r->seen_ns))
            r->cmos[RTC_REG_C] |= RTC_C_UF;
    }
    r->seen_ns = now;
    update_irq(r);
}

/* ======== Holding the time (SET, divider reset) ======== */

/* Stops or restarts the clock. Restarted, it reads what the registers hold, and its
 * next update is a second (or first_update ns) later. */
static void set_held(struct rtc *r, int held, uint64_t now, uint64_t first_update)
{
    if (held == r->held)
        return;
    if (held)
        store_time(r, r->base_s + (int64_t)updates_by(r, now));
    else {
        r->base_s = load_time(r);
        r->origin_ns = now >= NS_PER_S - first_update ? now - (NS_PER_S - first_update) : now;
    }
    r->held = held;
}

static int should_hold(const struct rtc *r)
{
    return (r->cmos[RTC_REG_B] & RTC_B_SET) || !divider_running(r);
}

static void write_reg_a(struct rtc *r, uint8_t value, uint64_t now)
{
    int was_reset = !divider_running(r);

    r->cmos[RTC_REG_A] = value & ~RTC_A_UIP;
    set_held(r, should_hold(r), now, was_reset ? DIVIDER_WARMUP : NS_PER_S);
}

/* Bytes written while held are read in the format they were written in; bytes stored when
 * the clock stops are in the format the new B asks for. */
static void write_reg_b(struct rtc *r, uint8_t value, uint64_t now)
{
    int hold = (value & RTC_B_SET) || !divider_running(r);

    if (value & RTC_B_SET) /* setting SET clears UIE */
        value &= (uint8_t)~RTC_B_UIE;
    if (!hold)
        set_held(r, 0, now, NS_PER_S);
    r->cmos[RTC_REG_B] = value;
    set_held(r, hold, now, NS_PER_S);
    update_irq(r);
}

/* ======== The ports ======== */

static int is_time_reg(unsigned i)
{
    return i == RTC_CENTURY || (i <= RTC_YEAR && i != RTC_SECONDS_ALARM && i != RTC_MINUTES_ALARM &&
                                i != RTC_HOURS_ALARM);
}

/* [rtc-read] */
static uint8_t data_read(struct rtc *r, uint64_t now)
{
    unsigned i = r->index;
    uint8_t c;

    if (is_time_reg(i) && !r->held)
        store_time(r, r->base_s + (int64_t)updates_by(r, now));
    switch (i) {
    case RTC_REG_A: {
        int uip = !r->held && divider_running(r) &&
                  since_origin(r, now) % NS_PER_S >= NS_PER_S - RTC_UIP_NS;

        return (uint8_t)(r->cmos[i] | (uip ? RTC_A_UIP : 0));
    }
    case RTC_REG_C: /* reading C clears it and lowers IRQ 8 */
        c = r->cmos[i];
        r->cmos[i] = 0;
        irq__lower(&r->irq8);
        return c;
    case RTC_REG_D:
        return RTC_D_VRT;
    default:
        return r->cmos[i];
    }
}
/* [rtc-read] */

static void data_write(struct rtc *r, uint8_t value, uint64_t now)
{
    unsigned i = r->index;
    uint64_t n = updates_by(r, now);

    switch (i) {
    case RTC_REG_A:
        write_reg_a(r, value, now);
        break;
    case RTC_REG_B:
        write_reg_b(r, value, now);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        if (is_time_reg(i) && !r->held) { /* a running clock takes the new field at once */
            store_time(r, r->base_s + (int64_t)n);
            r->cmos[i] = value;
            r->base_s = load_time(r) - (int64_t)n;
            break;
        }
        r->cmos[i] = value;
        break;
    }
}

/* Each byte of a wider access goes to the next port, as an ISA bus splits it. */
static uint64_t rtc_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct rtc *r = dev;
    uint64_t now = vclock__now(r->clock), value = 0;

    (void)v;
    catch_up(r, now);
    for (uint32_t i = 0; i < size; i++) {
        uint8_t byte = offset + i == 0 ? 0xff : data_read(r, now); /* 0x70 is write-only */

        value |= (uint64_t)byte << (8 * i);
    }
    return value;
}

static int rtc_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct rtc *r = dev;
    uint64_t now = vclock__now(r->clock);

    (void)v;
    catch_up(r, now);
    for (uint32_t i = 0; i < size; i++) {
        uint8_t byte = (uint8_t)(value >> (8 * i));

        if (offset + i == 0) {
            r->index = byte & ~RTC_NMI_DISABLE;
            r->nmi_disabled = !!(byte & RTC_NMI_DISABLE);
        } else {
            data_write(r, byte, now);
        }
    }
    return 0;
}

/* ======== The machine's side ======== */

/* Stores a little-endian value of n bytes at CMOS offset at. */
static void store_le(struct rtc *r, unsigned at, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        r->cmos[at + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t at_most(uint64_t v, uint64_t max)
{
    return v < max ? v : max;
}

/* The memory size where QEMU's PC machine puts it for the firmware. */
static void store_memory_size(struct rtc *r, uint64_t ram_size)
{
    uint64_t below = at_most(ram_size, MEM_GAP_START), above = ram_size - below;
    uint64_t extended = below > (1u << 20) ? at_most((below - (1u << 20)) / 1024, 0xffff) : 0;
    uint64_t over_16m = below > (16u << 20) ? at_most((below - (16u << 20)) >> 16, 0xffff) : 0;

    store_le(r, 0x15, at_most(below / 1024, 640), 2);     /* base memory, KiB */
    store_le(r, 0x17, extended, 2);                       /* extended memory, KiB */
    store_le(r, 0x30, extended, 2);                       /* the same, where later BIOSes look */
    store_le(r, 0x34, over_16m, 2);                       /* above 16 MiB, 64 KiB units */
    store_le(r, 0x5b, at_most(above >> 16, 0xffffff), 3); /* above 4 GiB, 64 KiB units */
}

void rtc__init(struct rtc *r, const struct vclock *clock, struct irq_line irq8, uint64_t ram_size)
{
    struct timespec ts;
    uint64_t now = vclock__now(clock);

    memset(r, 0, sizeof(*r));
    r->clock = clock;
    r->irq8 = irq8;
    r->cmos[RTC_REG_A] = 2 << RTC_A_DV_SHIFT | 6;
    r->cmos[RTC_REG_B] = RTC_B_24H;
    store_memory_size(r, ram_size);
    clock_gettime(CLOCK_REALTIME, &ts);
    r->base_s = ts.tv_sec;
    /* Keep the host's phase, so the guest's seconds turn over with the host's. */
    r->origin_ns = now >= (uint64_t)ts.tv_nsec ? now - (uint64_t)ts.tv_nsec : now;
    r->seen_ns = now;
}

int rtc__register(struct rtc *r, struct bus *pio)
{
    return bus__register(pio, RTC_PORT_INDEX, 2, "rtc", rtc_read, rtc_write, r);
}

void rtc__set_time(struct rtc *r, int64_t epoch_s)
{
    uint64_t now = vclock__now(r->clock);

    catch_up(r, now);
    r->base_s = epoch_s;
    r->origin_ns = now;
}

uint64_t rtc__deadline(const struct rtc *r)
{
    uint8_t b = r->cmos[RTC_REG_B];
    uint64_t cycles = periodic_cycles(r), next = VCLOCK_NEVER;

    if (r->cmos[RTC_REG_C] & RTC_C_IRQF || !divider_running(r))
        return VCLOCK_NEVER; /* IRQ 8 is up until C is read; nothing can raise it again */
    if (b & RTC_B_PIE && cycles)
        next = period_time(r, periods_by(r, r->seen_ns, cycles) + 1, cycles);
    if (b & RTC_B_UIE && !r->held) {
        uint64_t t = r->origin_ns + (updates_by(r, r->seen_ns) + 1) * NS_PER_S;

        next = t < next ? t : next;
    }
    return next;
}

void rtc__advance(struct rtc *r, uint64_t now)
{
    catch_up(r, now);
}
