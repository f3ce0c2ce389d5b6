/*
 * lab-rtc.c - the test guest of lab "cmos-rtc" (chapter 3).
 *
 * A PC keeps the time of day in its CMOS real-time clock: write a register number to
 * port 0x70, read the register from port 0x71. The time registers hold BCD digits
 * (0x59 means 59). Before the lab is done, nobody answers and everything reads 0xff.
 */
#include <stdio.h>
#include <x86.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

int main(void)
{
    /* [lab-rtc] */
    uint8_t status_b = cmos_read(0x0b);
    uint8_t hours = cmos_read(0x04), minutes = cmos_read(0x02), seconds = cmos_read(0x00);

    printf("status B 0x%02x\n", status_b);
    printf("time %02x:%02x:%02x UTC\n", hours, minutes, seconds); /* BCD prints as decimal in hex */
    /* [lab-rtc] */
    return 0;
}
