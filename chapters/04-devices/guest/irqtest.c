/*
 * irqtest.c - chapter 4's self-checking guest: the interrupt controllers, timers and UART
 * as a guest relies on them, one PASS or FAIL line a check on the debug console, and the
 * verdict through port 0xf4 (0 when every check passed). The command line chooses the
 * controllers: irq=pic (the default) or irq=apic, which adds the local APIC timer.
 *
 * Rates are checked against each other (the PIT against the RTC's seconds, the RTC's
 * periodic interrupt and the APIC timer against the PIT) with a tolerance of 20%, because
 * emulated and nested machines deliver interrupts late. QEMU is the reference machine:
 *   qemu-system-x86_64 -M pc -display none -kernel irqtest.elf -append irq=apic
 *     -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -serial null
 */
#include "irqtest.h"

#include <intc.h>
#include <lapic.h>
#include <pit.h>
#include <rtc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <x86.h>

#define PIT_RATE     100 /* Hz */
#define RTC_RATE_SEL 10  /* RS3-0 = 1010: 32768 >> 9 = 64 Hz */
#define RTC_RATE     64
#define LAPIC_VECTOR 0x30
#define TOLERANCE    20 /* percent */

static int failures;
static volatile unsigned long pit_ticks, rtc_ticks, lapic_ticks;
static volatile unsigned long not_in_service; /* handlers that found their ISR bit clear */
static volatile unsigned long lapic_fired_at; /* pit_ticks at the last APIC timer interrupt */

void check(int ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("%s %s: ", ok ? "PASS" : "FAIL", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    failures += !ok;
}

int wait_port(uint16_t port, uint8_t mask, uint8_t want, unsigned ms)
{
    for (unsigned i = 0; i < ms * 10; i++) {
        if ((inb(port) & mask) == want)
            return 1;
        pit_delay_us(100);
    }
    return (inb(port) & mask) == want;
}

static int within(unsigned long got, unsigned long want)
{
    return got * 100 >= want * (100 - TOLERANCE) && got * 100 <= want * (100 + TOLERANCE);
}

/* ---------------------------------------------------------------- handlers */

/* Each handler runs before the dispatcher's EOI, so its vector must be in service. */
static void note_in_service(int vector)
{
    if (!intc_in_service(vector))
        not_in_service++;
}

static void on_pit(int vector)
{
    note_in_service(vector);
    pit_ticks++;
}

static void on_rtc(int vector)
{
    note_in_service(vector);
    if (rtc_ack() & RTC_C_PF)
        rtc_ticks++;
}

static void on_lapic_timer(int vector)
{
    note_in_service(vector);
    lapic_ticks++;
    lapic_fired_at = pit_ticks;
}

/* ---------------------------------------------------------------- PIT and RTC */

/*
 * Waits for the RTC's seconds to change, at most 3 s by channel 2. Meanwhile checks that
 * the tick count never goes backwards. Returns non-zero when the second changed.
 */
static int wait_second(unsigned long *backwards)
{
    struct rtc_time t;
    unsigned long last = pit_ticks;
    int start;

    rtc_read_time(&t);
    start = t.seconds;
    for (int i = 0; i < 6000 && t.seconds == start; i++) {
        pit_delay_us(500);
        rtc_read_time(&t);
        if (pit_ticks < last)
            (*backwards)++;
        last = pit_ticks;
    }
    return t.seconds != start;
}

/* (a), (b) and part of (e): both timers counted over one RTC second. */
static void check_timers(void)
{
    unsigned long backwards = 0, pit0, rtc0, pit1 = 0, rtc1 = 0;
    struct rtc_time t;
    int ok = 0;

    rtc_read_time(&t);
    check(t.seconds < 60 && t.minutes < 60 && t.hours < 24 && t.day >= 1 && t.day <= 31 &&
              t.month >= 1 && t.month <= 12 && t.year <= 99,
          "rtc-time", "20%02d-%02d-%02d %02d:%02d:%02d, register B 0x%02x", t.year, t.month, t.day,
          t.hours, t.minutes, t.seconds, rtc_read(RTC_REG_B));

    pit_set_periodic(PIT_RATE);
    intc_attach(PIT_IRQ, on_pit);
    /* The handler first, then the clock: an I/O APIC pin drops an edge that comes while it
     * is masked, and the RTC's line then stays up (nobody reads C), so no edge comes again. */
    intc_attach(RTC_IRQ, on_rtc);
    rtc_periodic_start(RTC_RATE_SEL);
    irq_enable();

    /* A host too busy to run the guest for a whole period loses ticks (a request that
     * comes while the last is still pending is lost, on a real PIC too): measure again,
     * up to three windows, before calling a rate wrong. */
    for (int window = 0; window < 3; window++) {
        ok = wait_second(&backwards);
        pit0 = pit_ticks;
        rtc0 = rtc_ticks;
        ok = ok && wait_second(&backwards);
        pit1 = pit_ticks - pit0;
        rtc1 = rtc_ticks - rtc0;
        if (!ok || (within(pit1, PIT_RATE) && within(rtc1, RTC_RATE)))
            break;
    }
    check(ok && within(pit1, PIT_RATE), "pit-rate", "%lu IRQ 0 ticks in one RTC second, want %d",
          pit1, PIT_RATE);
    check(ok && within(rtc1, RTC_RATE), "rtc-periodic",
          "%lu IRQ 8 interrupts in one second, want %d", rtc1, RTC_RATE);
    check(backwards == 0, "ticks-monotonic", "the count went backwards %lu times", backwards);
    rtc_periodic_stop();
    intc_mask(RTC_IRQ);
}

/* (e): a masked IRQ brings nothing; unmasked, ticks come again, so every EOI was sent. */
static void check_mask_and_eoi(void)
{
    unsigned long before, during, after;

    intc_mask(PIT_IRQ);
    pit_delay_us(1000); /* a tick already on its way may still land */
    before = pit_ticks;
    pit_delay_us(50000);
    during = pit_ticks - before;
    intc_unmask(PIT_IRQ);
    before = pit_ticks;
    pit_delay_us(100000);
    after = pit_ticks - before;
    check(during == 0, "pit-masked", "%lu ticks in 50 ms while IRQ 0 was masked", during);
    check(after >= 2 && after <= PIT_RATE / 10 + 2, "pit-unmasked",
          "%lu ticks in 100 ms after unmasking, want about %d", after, PIT_RATE / 10);
    check(not_in_service == 0, "in-service", "%lu interrupts found their ISR bit clear",
          not_in_service);
}

/* ---------------------------------------------------------------- local APIC timer */

/* (d): one-shot fires once, periodic at its rate, both against PIT ticks. */
static void check_lapic_timer(void)
{
    uint32_t per_ms = lapic_timer_calibrate(10);
    unsigned long start, got;

    check(per_ms > 0, "lapic-calibrate", "%u counts a millisecond at divide 16", per_ms);
    irq_set_handler(LAPIC_VECTOR, on_lapic_timer);

    start = pit_ticks;
    lapic_timer_oneshot(LAPIC_VECTOR, 20 * per_ms);
    pit_delay_us(100000);
    got = lapic_ticks;
    check(got == 1 && lapic_fired_at - start >= 1 && lapic_fired_at - start <= 5, "lapic-oneshot",
          "%lu interrupts in 100 ms, after %lu PIT ticks (20 ms: want 1 to 5)", got,
          lapic_fired_at - start);

    /* At 100 Hz for half a second by channel 2, in up to three tries, as above. */
    for (int try = 0; try < 3; try++) {
        lapic_ticks = 0;
        lapic_timer_periodic(LAPIC_VECTOR, 10 * per_ms);
        pit_delay_us(500000);
        got = lapic_ticks;
        lapic_timer_stop();
        if (within(got, 50))
            break;
    }
    check(within(got, 50), "lapic-periodic", "%lu interrupts at 100 Hz in 500 ms, want 50", got);
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    enum intc_mode mode = intc_mode_from_cmdline(mbi);

    (void)magic;
    irq_init();
    intc_init(mode);
    printf("irqtest: interrupts through the %s\n", intc_mode_name(mode));
    check_uart();
    check_timers();
    if (mode == INTC_APIC)
        check_lapic_timer();
    check_mask_and_eoi();
    irq_disable();
    check(irq_unexpected == 0, "no-stray", "%lu interrupts on vectors with no handler",
          irq_unexpected);
    printf("irqtest: %d failed\n", failures);
    return failures;
}
