/*
 * watchdog.c - the PIT as a watchdog for a guest that waits on a device (see
 * watchdog.h; chapter 4).
 */
#include <intc.h>
#include <pit.h>
#include <stdio.h>
#include <stdlib.h>
#include <watchdog.h>

#define TICK_HZ 100

static const char *watched;
static unsigned long patience;
static volatile unsigned long idle_ticks;

static void on_tick(int vector)
{
    (void)vector;
    if (++idle_ticks > patience) {
        printf("%s: FAIL: no answer from the device in %lu s\n", watched, patience / TICK_HZ);
        exit(1);
    }
}

void watchdog_start(const char *name, unsigned seconds)
{
    watched = name;
    patience = (unsigned long)seconds * TICK_HZ;
    idle_ticks = 0;
    pit_set_periodic(TICK_HZ);
    intc_attach(PIT_IRQ, on_tick);
}

void watchdog_pet(void)
{
    idle_ticks = 0;
}
