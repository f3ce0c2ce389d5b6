/*
 * virtio_console.h - virtio-console (spec 5.3; chapter 4) with one port and no multiport:
 * queue 0 (receiveq0) holds buffers the driver posted for input, queue 1 (transmitq0) the
 * bytes it sends. The host side is a pair of byte streams, as for the UART: output goes to a
 * callback at once, and input is offered and taken only as far as posted buffers reach, so
 * none is lost.
 */
#ifndef STEPVM_VIRTIO_CONSOLE_H
#define STEPVM_VIRTIO_CONSOLE_H

#include "virtio_mmio.h"

#include <stddef.h>
#include <stdint.h>

#define VIRTIO_CONSOLE_QUEUE_MAX 64

/** Bytes and buffers each way. */
struct virtio_console_stats {
    uint64_t tx_chains, tx_bytes; /* from the guest to the host */
    uint64_t rx_chains, rx_bytes; /* from the host into the guest's buffers */
};

/** One console port. Its fields are the device's own; use the functions below. */
struct virtio_console {
    void (*tx)(void *ctx, const uint8_t *buf, size_t len);
    void *tx_ctx;
    struct virtio_console_stats stats;
};

/**
 * Starts console c, which passes what the guest transmits to tx(tx_ctx, buf, len) (tx may
 * be NULL: output is dropped).
 */
void virtio_console__init(struct virtio_console *c,
                          void (*tx)(void *ctx, const uint8_t *buf, size_t len), void *tx_ctx);

/**
 * The host offers len bytes of input to console c behind transport t: they fill the
 * receive buffers the driver posted, in order, each given back as soon as it is full or the
 * input ends, and the driver is interrupted as it asked. Returns how many bytes were taken
 * from the front: 0 when the device is not running or no buffer is posted. The caller keeps
 * the rest and offers them again after the driver posts more (a notify on receiveq0).
 */
size_t virtio_console__receive(struct virtio_console *c, struct virtio_mmio *t, const uint8_t *buf,
                               size_t len);

/** The console as a virtio device type: receiveq0 and transmitq0, no features of its own. */
extern const struct virtio_dev_ops virtio_console_ops;

#endif
