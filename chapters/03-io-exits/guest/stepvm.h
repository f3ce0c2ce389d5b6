/*
 * stepvm.h - how a guest calls stepvm's hypercall port (chapter 3). The block layout
 * and service numbers match chapters/03-io-exits/hypercall.h, which the host uses.
 */
#ifndef GUEST_STEPVM_H
#define GUEST_STEPVM_H

#include <stdint.h>
#include <x86.h>

#define HYPERCALL_PORT 0x500
#define HC_PRINT       1
#define HC_MEMSIZE     2
#define HC_NOW         3

struct hypercall_block {
    uint32_t nr;
    int32_t result;
    uint64_t arg[3];
} __attribute__((aligned(8)));

/* [guest-hypercall] */
/* One OUT of the block's address: one exit, and the host has answered when it returns
 * (the guest runtime identity-maps memory, so the address is the physical one). The
 * "memory" clobber tells the compiler the host may have changed any memory meanwhile. */
static inline int32_t hypercall(struct hypercall_block *b)
{
    __asm__ volatile("outl %0, %1"
                     :
                     : "a"((uint32_t)(uintptr_t)b), "Nd"((uint16_t)HYPERCALL_PORT)
                     : "memory");
    return b->result;
}
/* [guest-hypercall] */

#endif
