/*
 * bus.h - where port and memory accesses find their device (chapter 3).
 *
 * A device claims a range of addresses with a read and a write handler. The machine has
 * two buses: one for I/O ports, one for MMIO addresses. Dispatch is a binary search over
 * ranges kept sorted, so its cost grows with log2 of the number of devices. An access no
 * device claims reads as all ones and is dropped on write, as on a PC, and is reported
 * once per address; in strict mode it stops the guest instead.
 */
#ifndef STEPVM_BUS_H
#define STEPVM_BUS_H

#include "vcpu.h"

#include <stdint.h>
#include <stdio.h>

#define BUS_MAX_RANGES   64
#define BUS_MAX_REPORTED 256 /* distinct unclaimed addresses remembered */

/**
 * A read handler: returns the value of size bytes (1, 2, 4 or 8) at offset in the range.
 * v is the vCPU that made the access: a device with state per CPU (a local APIC) or one
 * that reads guest memory (the hypercall port) needs to know which.
 */
typedef uint64_t (*bus_read_fn)(void *dev, struct vcpu *v, uint64_t offset, uint32_t size);
/** A write handler: vCPU v wrote value (size bytes) at offset. -1 stops the machine. */
typedef int (*bus_write_fn)(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                            uint32_t size);

/** One device's claim. */
struct bus_range {
    uint64_t base, len;
    const char *name;
    bus_read_fn read;
    bus_write_fn write;
    void *dev;
};

/** A bus: its ranges, sorted by base, and what it has reported. */
struct bus {
    const char *name; /* "port" or "mmio", for messages */
    struct bus_range ranges[BUS_MAX_RANGES];
    int nranges;
    int strict; /* an unclaimed access is an error */
    FILE *diag;
    uint64_t reported[BUS_MAX_REPORTED];
    int nreported;
};

/** Starts an empty bus. */
void bus__init(struct bus *bus, const char *name, FILE *diag, int strict);

/**
 * Claims [base, base + len) for a device; read or write may be NULL (reads all ones,
 * writes dropped). Refuses an empty range, one that wraps, one that overlaps a claimed
 * range, or one too many. Returns 0 or -1 with the error set.
 */
int bus__register(struct bus *bus, uint64_t base, uint64_t len, const char *name, bus_read_fn read,
                  bus_write_fn write, void *dev);

/** Returns the range holding addr, or NULL. Binary search. */
const struct bus_range *bus__find(const struct bus *bus, uint64_t addr);

/**
 * Performs one access of size bytes at addr for vCPU v: *value is read into or written from.
 * Returns 0, or -1 with the error set (strict mode and nobody there, or a device that
 * refused the write).
 */
int bus__access(struct bus *bus, struct vcpu *v, uint64_t addr, uint32_t size, int write,
                uint64_t *value);

#endif
