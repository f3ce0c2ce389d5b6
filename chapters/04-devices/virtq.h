/*
 * virtq.h - the split virtqueue seen from the device (chapter 4): taking chains of buffers
 * from the driver's ring and giving them back on the used ring, with every index, address
 * and length in guest memory checked before the host trusts it.
 *
 * The rings live in guest RAM and the guest may change them at any moment, so each
 * descriptor is copied once and checked; a queue that breaks a rule of the spec reports it
 * (error.h) and its transport puts the device in DEVICE_NEEDS_RESET.
 */
#ifndef STEPVM_VIRTQ_H
#define STEPVM_VIRTQ_H

#include "hw/virtio.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/**
 * How a device reaches guest memory. Every address comes from the guest: map returns the
 * host address of guest-physical [gpa, gpa + len) when all of it is RAM (contiguous in the
 * host), else NULL. After writing into mapped memory the device calls written(gpa, len), so
 * that the interpreter drops code it decoded there; written may be NULL.
 */
struct virtio_dma {
    void *(*map)(void *ctx, uint64_t gpa, uint64_t len);
    void (*written)(void *ctx, uint64_t gpa, uint64_t len);
    void *ctx;
};

/* The longest chain a device takes: a chain has at most the queue's size of descriptors,
 * and stepvm's devices offer queues of at most this size. */
#define VIRTQ_CHAIN_MAX 256

/** One buffer of a chain, checked: len bytes of guest RAM at gpa, mapped at host. */
struct virtq_buf {
    uint8_t *host; /* NULL when len is 0 */
    uint64_t gpa;
    uint32_t len;
    int writable; /* VIRTQ_DESC_F_WRITE: the device writes it */
};

/**
 * A chain taken from the available ring: its head (to give back), its buffers in order
 * (every readable one before every writable one, as the spec requires), and the byte
 * counts of each part.
 */
struct virtq_chain {
    uint16_t head;
    unsigned n, nreadable; /* buffers, and how many of the first are readable */
    uint64_t readable_bytes, writable_bytes;
    struct virtq_buf buf[VIRTQ_CHAIN_MAX];
};

/** One split virtqueue: what the driver wrote in the transport's registers, and its rings. */
struct virtq {
    uint16_t num; /* size: a power of 2 */
    int ready;
    int event_idx; /* VIRTIO_F_EVENT_IDX was negotiated */
    uint64_t desc_gpa, avail_gpa, used_gpa;

    /* Set by virtq__start, valid while ready. */
    uint8_t *desc, *avail, *used;
    uint16_t last_avail; /* the next available entry to take */
    uint16_t used_idx;   /* the device's copy of used->idx */
    uint16_t signalled;  /* used_idx when the last interrupt was decided */
};

/** Clears q to "not ready", its size num (the transport's QueueNumMax). */
void virtq__reset(struct virtq *q, uint16_t num);

/**
 * Checks q's size and the alignment of its three parts, and maps them (all must be guest
 * RAM). Then q is ready, both indices at 0. Returns 0, or -1 with the error set and q not
 * ready.
 */
int virtq__start(struct virtq *q, const struct virtio_dma *dma, int event_idx);

/**
 * Takes the next available chain into c and checks it: head and next indices below the
 * size, at most size descriptors (so a loop ends), each buffer inside guest RAM and not
 * wrapping, readable buffers before writable ones. Returns 1 with c filled, 0 when the ring
 * is empty, or -1 with the error set when the driver broke the ring (the queue should then
 * not be used again until reset).
 */
int virtq__pop(struct virtq *q, const struct virtio_dma *dma, struct virtq_chain *c);

/**
 * Gives chain c back on the used ring with len bytes written into it, then publishes the
 * new used index (after a release fence). Reports the writes to dma->written: the used
 * entry and index, and c's writable buffers when len is not 0.
 */
void virtq__push(struct virtq *q, const struct virtio_dma *dma, const struct virtq_chain *c,
                 uint32_t len);

/**
 * Whether the driver wants an interrupt for the chains pushed since the last call:
 * VIRTQ_AVAIL_F_NO_INTERRUPT clear, or with EVENT_IDX, used idx passing used_event.
 * Returns 0 when nothing was pushed since.
 */
int virtq__should_interrupt(struct virtq *q);

/** Copies up to len bytes from c's readable part, from byte off on. Returns bytes copied. */
size_t virtq_chain__read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len);

/** Copies up to len bytes into c's writable part, from byte off on. Returns bytes copied. */
size_t virtq_chain__write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len);

/**
 * Fills iov (at most max entries) with the bytes [off, off + len) of c's writable part
 * (writable != 0) or readable part, for preadv/pwritev. Returns the number of entries, or -1
 * when that range is not all inside the part or needs more than max entries.
 */
int virtq_chain__iov(const struct virtq_chain *c, int writable, uint64_t off, uint64_t len,
                     struct iovec *iov, int max);

#endif
