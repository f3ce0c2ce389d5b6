/*
 * storm.c - a hostile guest for chapter 4's machine: every timer at its fastest at once
 * (the PIT at count 2, the RTC at 8192 Hz, the local APIC timer at a count of 1 in
 * apic mode), interrupts on, until it has taken a set number of interrupts from any of
 * them (a slow machine serves the APIC timer's higher-priority vector first, and the
 * others may starve). The VMM must keep both its threads responsive and the guest must
 * still reach its end: it prints the counts and exits through port 0xf4 with 0.
 * irq=pic or irq=apic, as irqtest.elf. (QEMU's TCG does not get through it: it serves
 * every period of a 600 kHz PIT. stepvm's event loop, like KVM's in-kernel timers, puts
 * a floor under how often it fires a device's timer.)
 */
#include <intc.h>
#include <lapic.h>
#include <pit.h>
#include <rtc.h>
#include <stdio.h>
#include <x86.h>

#define PIT_IRQ      0
#define RTC_IRQ      8
#define LAPIC_VECTOR 0x31
#define PIT_FASTEST  2 /* the smallest count mode 2 allows */
#define RTC_FASTEST  3 /* rate select 3: 8192 Hz */
#define INTERRUPTS   600

static volatile unsigned long pit_ticks, rtc_ticks, lapic_ticks;

static void on_pit(int vector)
{
    (void)vector;
    pit_ticks++;
}

static void on_rtc(int vector)
{
    (void)vector;
    rtc_ack();
    rtc_ticks++;
}

static void on_lapic(int vector)
{
    (void)vector;
    lapic_ticks++;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    enum intc_mode mode = intc_mode_from_cmdline(mbi);

    (void)magic;
    irq_init();
    intc_init(mode);
    intc_attach(PIT_IRQ, on_pit);
    intc_attach(RTC_IRQ, on_rtc);
    outb(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
    outb(0x40, PIT_FASTEST);
    outb(0x40, 0);
    rtc_periodic_start(RTC_FASTEST);
    if (mode == INTC_APIC) {
        irq_set_handler(LAPIC_VECTOR, on_lapic);
        lapic_timer_periodic(LAPIC_VECTOR, 1);
    }
    irq_enable();
    while (pit_ticks + rtc_ticks + lapic_ticks < INTERRUPTS)
        wait_for_interrupt();
    irq_disable();
    if (mode == INTC_APIC)
        lapic_timer_stop();
    rtc_periodic_stop();
    pit_stop();
    printf("storm: %lu PIT, %lu RTC, %lu APIC timer interrupts; still standing\n", pit_ticks,
           rtc_ticks, lapic_ticks);
    return 0;
}
