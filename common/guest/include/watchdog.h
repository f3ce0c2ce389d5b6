/*
 * watchdog.h - a guest's guard against waiting for ever (chapter 4): a device test that
 * waits for an answer must end, with a failure, when none comes.
 */
#ifndef GUEST_WATCHDOG_H
#define GUEST_WATCHDOG_H

/**
 * Programs the PIT for 100 ticks a second and watches them: when @p seconds pass without
 * a watchdog_pet(), the guest prints "NAME: FAIL: no answer from the device in N s" and
 * exits with status 1. The interrupt controller must be set up (intc_init) and
 * interrupts enabled for the ticks to come.
 */
void watchdog_start(const char *name, unsigned seconds);

/** Says the guest got an answer: the wait starts again. */
void watchdog_pet(void);

#endif
