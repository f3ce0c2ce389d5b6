/*
 * virtio_mmio.h - the virtio-mmio transport, version 2 (virtio 1.x, spec 4.2; chapter 4):
 * the page of registers through which a driver finds a virtio device, agrees on features,
 * hands it queues and is interrupted, whatever the device type behind it.
 *
 * A device type (virtio_blk.c, virtio_console.c) fills a struct virtio_dev_ops; the
 * transport does the rest. A driver that breaks the protocol (a bad ring, a bad request)
 * puts the device in DEVICE_NEEDS_RESET: one line on the diagnostic stream, a configuration
 * interrupt, and nothing more is done until the driver writes 0 to Status. Every function
 * runs with the machine's lock held; there is no locking inside.
 */
#ifndef STEPVM_VIRTIO_MMIO_H
#define STEPVM_VIRTIO_MMIO_H

#include "bus.h"
#include "irq.h"
#include "virtq.h" /* struct virtio_dma, struct virtq */

#include <stdint.h>
#include <stdio.h>

/* VendorID: "SVM" and a 0 byte, read as a little-endian 32-bit value ("stepvm"). The spec
 * leaves the value to the device; drivers match on DeviceID. */
#define VIRTIO_MMIO_VENDOR_STEPVM 0x004d5653

#define VIRTIO_MMIO_MAX_QUEUES 2      /* the most any of stepvm's devices has */
#define VIRTIO_MMIO_SIZE       0x1000 /* bytes each device claims */

struct virtio_mmio;

/** What a device type adds to the transport. */
struct virtio_dev_ops {
    uint32_t device_id; /* VIRTIO_ID_* */
    unsigned nqueues;   /* at most VIRTIO_MMIO_MAX_QUEUES */
    uint16_t queue_max; /* QueueNumMax offered: a power of 2, at most VIRTQ_CHAIN_MAX */
    /** The device's feature bits (the transport adds VERSION_1 and EVENT_IDX). */
    uint64_t (*features)(void *dev);
    /** Returns size bytes at off in the device's configuration space (0 past its end). */
    uint64_t (*config_read)(void *dev, uint64_t off, uint32_t size);
    /** The driver wrote size bytes at off in the configuration space (may be NULL). */
    void (*config_write)(void *dev, uint64_t off, uint64_t value, uint32_t size);
    /** The driver kicked queue q, which is ready and the device running. */
    void (*queue_notify)(void *dev, struct virtio_mmio *t, unsigned q);
    /** The driver reset the device: forget everything queue- and driver-related. */
    void (*reset)(void *dev);
};

/** What the transport counts, for the book's measurements and the labs. */
struct virtio_mmio_stats {
    uint64_t notifications;     /* QueueNotify writes that reached a running device */
    uint64_t ignored_notifies;  /* ... for no such queue, a queue not ready, a stopped device */
    uint64_t chains;            /* chains taken from available rings */
    uint64_t interrupts;        /* used-buffer interrupts sent */
    uint64_t suppressed;        /* used-buffer interrupts the driver did not want */
    uint64_t config_interrupts; /* configuration-change interrupts sent */
    uint64_t failures;          /* times the device went to DEVICE_NEEDS_RESET */
};

/** One virtio-mmio device: the registers the driver sees, and the device behind them. */
struct virtio_mmio {
    const char *name; /* "virtio-blk0": names the device in messages */
    const struct virtio_dev_ops *ops;
    void *dev;
    struct virtio_dma dma;
    struct irq_line irq;
    FILE *diag; /* where a failure's one line goes; NULL: nowhere */

    uint32_t status; /* VIRTIO_STATUS_* */
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features;
    uint32_t interrupt_status; /* VIRTIO_MMIO_INT_* not yet acknowledged */
    uint32_t config_generation;
    struct virtq queues[VIRTIO_MMIO_MAX_QUEUES];
    struct virtio_mmio_stats stats;
};

/**
 * Starts t as a freshly reset device of type ops, whose state is dev, reaching guest memory
 * through dma (copied) and interrupting on irq; name must outlive t. Failures are written to
 * diag, one line each.
 */
void virtio_mmio__init(struct virtio_mmio *t, const char *name, const struct virtio_dev_ops *ops,
                       void *dev, const struct virtio_dma *dma, struct irq_line irq, FILE *diag);

/** Claims the VIRTIO_MMIO_SIZE bytes at base on mmio. Returns 0 or -1 with the error set. */
int virtio_mmio__register(struct virtio_mmio *t, struct bus *mmio, uint64_t base);

/** The bus's read handler: the register (or config byte) at off; 0 for anything unknown. */
uint64_t virtio_mmio__read(void *t, struct vcpu *v, uint64_t off, uint32_t size);

/** The bus's write handler: writes to unknown or read-only registers are ignored. Returns 0. */
int virtio_mmio__write(void *t, struct vcpu *v, uint64_t off, uint64_t value, uint32_t size);

/**
 * Does what a write of q to QueueNotify does (the ioeventfd path comes here). A queue that
 * does not exist or is not ready, or a device not running, is ignored (and counted).
 */
void virtio_mmio__notify(struct virtio_mmio *t, unsigned q);

/** Whether the device may process queues: DRIVER_OK and FEATURES_OK, not NEEDS_RESET. */
int virtio_mmio__running(const struct virtio_mmio *t);

/**
 * Takes the next chain of queue q into c. Returns 1, or 0 when there is none or the
 * device is not running; when the driver broke the ring, fails the device and returns -1.
 */
int virtio_mmio__pop(struct virtio_mmio *t, unsigned q, struct virtq_chain *c);

/** Gives chain c of queue q back with len bytes written into it (see virtq__push). */
void virtio_mmio__push(struct virtio_mmio *t, unsigned q, const struct virtq_chain *c,
                       uint32_t len);

/**
 * Interrupts the driver for the chains pushed on queue q since the last call, if it wants
 * to be (virtq__should_interrupt): sets VIRTIO_MMIO_INT_VRING and pulses the line. The
 * transport calls this after each queue_notify; a device that pushes at other times (input
 * arriving) calls it itself.
 */
void virtio_mmio__signal(struct virtio_mmio *t, unsigned q);

/** The device's configuration changed: new ConfigGeneration and a configuration interrupt. */
void virtio_mmio__config_changed(struct virtio_mmio *t);

/**
 * The driver broke the protocol: sets DEVICE_NEEDS_RESET, writes "NAME: " and the formatted
 * reason as one line to diag, and sends a configuration interrupt. Only the first failure
 * before a reset is reported; the device does nothing until the driver resets it.
 */
void virtio_mmio__fail(struct virtio_mmio *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
