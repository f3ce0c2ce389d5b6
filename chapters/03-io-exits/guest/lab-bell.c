/*
 * lab-bell.c - the test guest of lab "doorbell" (chapter 3).
 *
 * A doorbell is a port a driver writes to say "there is work": the value does not matter,
 * only that the write happened. This guest rings the doorbell at port 0x520 a thousand
 * times, then reads the port, where the device answers with how many rings it counted.
 * Before the lab is done, nobody answers: every ring is an exit to a port no device
 * claims, and the count reads as all ones.
 */
#include <stdio.h>
#include <x86.h>

#define DOORBELL 0x520
#define RINGS    1000

int main(void)
{
    /* [lab-bell] */
    for (int i = 0; i < RINGS; i++)
        outb(DOORBELL, 1);
    printf("doorbell: %u rings counted\n", inl(DOORBELL));
    /* [lab-bell] */
    return 0;
}
