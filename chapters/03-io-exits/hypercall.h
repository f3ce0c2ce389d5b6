/*
 * hypercall.h - a paravirtual service port (chapter 3).
 *
 * A guest that knows it runs on stepvm can ask the host for a service instead of poking
 * emulated hardware: it writes the guest-physical address of an argument block to port
 * HYPERCALL_PORT (one 32-bit OUT, one exit). The host reads the block, checks it like any
 * input from the guest, does the work and writes the result back into the block. This is
 * Xen's idea of a hypercall, carried by an I/O exit.
 */
#ifndef STEPVM_HYPERCALL_H
#define STEPVM_HYPERCALL_H

#include "bus.h"
#include "vcpu.h"

#include <stdint.h>
#include <stdio.h>

#define HYPERCALL_PORT 0x500

/* [block] */
/* Services. */
#define HC_PRINT   1 /* print arg[1] bytes at guest-physical arg[0]; result = bytes printed */
#define HC_MEMSIZE 2 /* arg[0] = the guest's RAM size in bytes */
#define HC_NOW     3 /* arg[0] = the host's monotonic clock in nanoseconds */

#define HC_PRINT_MAX 4096

/* Results (negative errno values, as Linux and KVM's own hypercalls use). */
#define HC_EFAULT -14 /* a guest address in the arguments is not RAM */
#define HC_EINVAL -22 /* an argument is out of range */
#define HC_ENOSYS -38 /* no such service */

/** The argument block, in guest memory, 8-byte aligned. */
struct hypercall_block {
    uint32_t nr;
    int32_t result;
    uint64_t arg[3];
};
/* [block] */

/** The device's state. */
struct hypercall {
    uint64_t ram_size;
    FILE *console, *diag;
    unsigned long calls;
    unsigned long warnings; /* refused calls so far */
};

/** Puts the hypercall port on the port bus. Each call reads and writes guest memory through
 * the vCPU that made it. */
int hypercall__register(struct hypercall *hc, struct bus *pio, uint64_t ram_size, FILE *console,
                        FILE *diag);

#endif
