/*
 * lab-msibell.c - the test guest of lab "msi-doorbell" (chapter 4).
 *
 * Chapter 3's doorbell at port 0x520 counts rings (lab "doorbell"); here it also answers
 * them. The guest gives it a message-signalled interrupt, an address in the local APIC's
 * window and a vector as the data, then rings it in rounds of 10, 20, ... rings and
 * waits, in HLT, for the interrupt that says the device has seen them. The handler reads
 * the count. A watchdog on the PIT ends the guest with a FAIL line when no interrupt comes.
 */
#include <intc.h>
#include <stdio.h>
#include <stdlib.h>
#include <watchdog.h>
#include <x86.h>

#define DOORBELL      0x520 /* chapter 3's: a write rings, a 32-bit read is the count */
#define BELL_MSI_ADDR 0x524 /* the message's address */
#define BELL_MSI_DATA 0x528 /* the message's data */
#define BELL_VECTOR   0x41
#define ROUNDS        5

static volatile unsigned long interrupts;
static volatile uint32_t count_seen; /* the count the last interrupt's handler read */

static void on_bell(int vector)
{
    (void)vector;
    interrupts++;
    count_seen = inl(DOORBELL);
}

int main(void)
{
    uint32_t rung = 0;

    irq_init();
    intc_init(INTC_APIC); /* the local APIC on: an MSI goes to it, past the I/O APIC */
    irq_set_handler(BELL_VECTOR, on_bell);
    irq_enable();
    watchdog_start("msibell", 3);
    /* [lab-msibell] */
    outl(BELL_MSI_ADDR, 0xfee00000);  /* APIC ID 0, physical destination */
    outl(BELL_MSI_DATA, BELL_VECTOR); /* fixed delivery, edge-triggered */
    for (int round = 1; round <= ROUNDS; round++) {
        for (int i = 0; i < 10 * round; i++)
            outb(DOORBELL, 1);
        rung += 10 * round;
        while (count_seen != rung) /* the handler's count: every ring seen */
            wait_for_interrupt();
        watchdog_pet();
        printf("round %d: the interrupt came, %u rings counted\n", round, count_seen);
    }
    /* [lab-msibell] */
    irq_disable();
    printf("msibell: %lu interrupts for %u rings\n", interrupts, inl(DOORBELL));
    exit(0);
}
