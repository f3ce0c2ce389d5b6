/*
 * lapic.c - a driver for the local APIC (chapter 4): enable, EOI, in-service bits, and the
 * timer, whose frequency is the machine's to choose and so is measured against the PIT;
 * from chapter 5, interprocessor interrupts through the interrupt command register.
 */
#include <lapic.h>
#include <irq.h>
#include <pit.h>
#include <x86.h>

void lapic_enable(void)
{
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

uint8_t lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

int lapic_in_service(int vector)
{
    return (lapic_read(LAPIC_ISR + 0x10 * (vector / 32)) >> (vector % 32)) & 1;
}

uint32_t lapic_timer_calibrate(unsigned ms)
{
    uint32_t start = 0xffffffffu, left;

    lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIVIDE_16);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    pit_gate_start(PIT_HZ / 1000 * ms);
    lapic_write(LAPIC_TIMER_ICR, start);
    while (!pit_gate_expired())
        ;
    left = lapic_read(LAPIC_TIMER_CCR);
    lapic_write(LAPIC_TIMER_ICR, 0); /* a count of 0 stops the timer */
    return (start - left) / ms;
}

void lapic_timer_oneshot(int vector, uint32_t count)
{
    lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIVIDE_16);
    lapic_write(LAPIC_LVT_TIMER, (uint32_t)vector);
    lapic_write(LAPIC_TIMER_ICR, count);
}

void lapic_timer_periodic(int vector, uint32_t count)
{
    lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIVIDE_16);
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_TIMER_PERIODIC | (uint32_t)vector);
    lapic_write(LAPIC_TIMER_ICR, count);
}

void lapic_timer_stop(void)
{
    lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
    lapic_write(LAPIC_TIMER_ICR, 0);
}

/* [lapic-ipi] */
void lapic_send_ipi(uint8_t dest, uint32_t icr_low)
{
    int was_on = irq_enabled();

    irq_disable();
    lapic_write(LAPIC_ICR_HIGH, (uint32_t)dest << LAPIC_ICR_DEST_SHIFT);
    lapic_write(LAPIC_ICR_LOW, icr_low);
    if (was_on)
        irq_enable();
}

int lapic_ipi_wait(void)
{
    for (long n = 0; n < 1000000; n++) {
        if (!(lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_DELIVERY_STATUS))
            return 0;
        cpu_relax();
    }
    return -1;
}

int lapic_send_fixed(uint8_t dest, int vector)
{
    lapic_send_ipi(dest, LAPIC_ICR_FIXED | LAPIC_ICR_LEVEL_ASSERT | (uint32_t)vector);
    return lapic_ipi_wait();
}

int lapic_send_shorthand(uint32_t shorthand, int vector)
{
    lapic_send_ipi(0, shorthand | LAPIC_ICR_FIXED | LAPIC_ICR_LEVEL_ASSERT | (uint32_t)vector);
    return lapic_ipi_wait();
}
/* [lapic-ipi] */
