/*
 * atomic.h - the read-modify-write instructions several CPUs can share a variable with
 * (chapter 5): LOCK XADD for an atomic add, LOCK CMPXCHG for compare-and-swap. Each is a
 * full barrier on x86, and a compiler barrier too ("memory").
 */
#ifndef GUEST_ATOMIC_H
#define GUEST_ATOMIC_H

#include <stdint.h>

/* [atomic-add] */
/** Adds @p n to *@p p atomically. Returns the value *@p p held before. */
static inline long atomic_add(volatile long *p, long n)
{
    __asm__ volatile("lock xaddq %0, %1" : "+r"(n), "+m"(*p) : : "memory");
    return n;
}
/* [atomic-add] */

/**
 * Compare-and-swap: when *@p p equals @p expected, stores @p desired there, atomically.
 * Returns the value *@p p held before: @p expected exactly when the store happened.
 */
static inline long atomic_cas(volatile long *p, long expected, long desired)
{
    __asm__ volatile("lock cmpxchgq %2, %1" : "+a"(expected), "+m"(*p) : "r"(desired) : "memory");
    return expected;
}

/** Reads *@p p once, from memory (no caching in a register). */
static inline long atomic_read(const volatile long *p)
{
    return *p;
}

/** Writes @p v to *@p p; x86 keeps stores in order, so earlier stores are visible first. */
static inline void atomic_write(volatile long *p, long v)
{
    __asm__ volatile("" : : : "memory");
    *p = v;
}

#endif
