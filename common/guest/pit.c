/*
 * pit.c - a driver for the 8254 PIT (chapter 4): a periodic tick on channel 0, and
 * channel 2 as a stopwatch for calibrating other clocks and for short delays.
 */
#include <pit.h>
#include <x86.h>

static void pit_load(int channel, int mode, uint16_t count)
{
    outb(PIT_CONTROL, PIT_SC(channel) | PIT_RW_LSB_MSB | PIT_M(mode));
    outb(PIT_CHANNEL0 + channel, count & 0xff);
    outb(PIT_CHANNEL0 + channel, count >> 8);
}

void pit_set_periodic(unsigned hz)
{
    pit_load(0, 2, (uint16_t)((PIT_HZ + hz / 2) / hz));
}

void pit_stop(void)
{
    pit_load(0, 0, 0xffff);
}

/* [pit-stopwatch] */
void pit_gate_start(uint16_t count)
{
    uint8_t b = inb(PORT_B) & ~(PORT_B_GATE2 | PORT_B_SPEAKER);

    outb(PORT_B, b); /* gate off while the count is loaded */
    pit_load(2, 0, count);
    outb(PORT_B, b | PORT_B_GATE2);
}

int pit_gate_expired(void)
{
    return (inb(PORT_B) & PORT_B_OUT2) != 0;
}
/* [pit-stopwatch] */

void pit_delay_us(unsigned long us)
{
    while (us > 0) {
        unsigned long chunk = us > 50000 ? 50000 : us;
        uint32_t count = (uint32_t)((uint64_t)PIT_HZ * chunk / 1000000);

        pit_gate_start(count ? (uint16_t)count : 1);
        while (!pit_gate_expired())
            ;
        us -= chunk;
    }
}
