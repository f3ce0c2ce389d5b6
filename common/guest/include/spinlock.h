/*
 * spinlock.h - mutual exclusion between CPUs (chapter 5): a lock a CPU waits for by
 * spinning. This one is test-and-set; the chapter's lab replaces spinlock.c with a ticket
 * lock behind the same three names, adding fields to struct spinlock as it needs.
 */
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

#include <stdint.h>

struct spinlock {
    volatile uint32_t locked; /* 1 while a CPU holds it */
};

/** An unlocked spinlock, for static initialisation; all zeroes is unlocked too. */
#define SPINLOCK_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }

/**
 * Takes @p l, spinning with PAUSE while another CPU holds it. Interrupts are left as they
 * are: an interrupt handler must not take a lock the code it interrupted may hold.
 * A lock is not recursive: taking it twice on one CPU waits for ever.
 */
void spin_lock(struct spinlock *l);

/** Releases @p l, which this CPU holds; the stores made under it are visible first. */
void spin_unlock(struct spinlock *l);

/** Takes @p l if it is free and returns 1; returns 0 at once if another CPU holds it. */
int spin_trylock(struct spinlock *l);

#endif
