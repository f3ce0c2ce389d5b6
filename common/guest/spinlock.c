/*
 * spinlock.c - the test-and-set spinlock (chapter 5): XCHG swaps a 1 into the lock word
 * and returns what was there, atomically (XCHG with memory is locked without a prefix).
 */
#include <spinlock.h>
#include <x86.h>

/* [spin-lock] */
/* Swaps @p v into *@p p; returns the old value. A full barrier. */
static inline uint32_t xchg(volatile uint32_t *p, uint32_t v)
{
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

int spin_trylock(struct spinlock *l)
{
    return xchg(&l->locked, 1) == 0;
}

/*
 * Spins on a plain read while the lock is taken, and tries the XCHG again only once it
 * looks free: a read keeps the cache line shared, a write would take it from the holder.
 */
void spin_lock(struct spinlock *l)
{
    while (!spin_trylock(l))
        while (l->locked)
            cpu_relax();
}

/* A plain store releases: x86 never makes a store visible before earlier loads and stores. */
void spin_unlock(struct spinlock *l)
{
    __asm__ volatile("" : : : "memory");
    l->locked = 0;
}
/* [spin-lock] */
