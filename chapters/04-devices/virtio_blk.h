/*
 * virtio_blk.h - virtio-blk (spec 5.2; chapter 4): a disk backed by a raw image file, read
 * and written in 512-byte sectors straight between the file and the guest's buffers.
 *
 * A request is one chain: a 16-byte header the device reads (type, sector), the data, and
 * a status byte the device writes last. A request the spec lets fail (sectors past the end,
 * a write to a read-only disk, a host I/O error) gets VIRTIO_BLK_S_IOERR; one whose framing
 * is broken (no header, no status byte) fails the device (DEVICE_NEEDS_RESET).
 */
#ifndef STEPVM_VIRTIO_BLK_H
#define STEPVM_VIRTIO_BLK_H

#include "virtio_mmio.h"

#include <stdint.h>
#include <stdio.h>

/* What the disk offers. seg_max leaves two descriptors of the largest queue for the header
 * and the status byte; size_max is a round MiB, more than Linux puts in one segment. */
#define VIRTIO_BLK_QUEUE_MAX 256
#define VIRTIO_BLK_SEG_MAX   (VIRTIO_BLK_QUEUE_MAX - 2)
#define VIRTIO_BLK_SIZE_MAX  (1u << 20)

/** Requests by type and their bytes, and the errors answered. */
struct virtio_blk_stats {
    uint64_t reads, writes, flushes, get_ids, unsupported;
    uint64_t ioerrors;      /* requests answered VIRTIO_BLK_S_IOERR */
    uint64_t bytes_read;    /* from the file into the guest */
    uint64_t bytes_written; /* from the guest into the file */
};

/** One disk. Its fields are the device's own; use the functions below. */
struct virtio_blk {
    int fd;
    int read_only;
    uint64_t capacity; /* in VIRTIO_BLK_SECTOR_SIZE sectors */
    /* GET_ID's answer: the image's file name without its directory, cut to 20 bytes and
     * padded with zeros (a name of 20 bytes or more has no terminating zero, as the spec
     * allows). */
    char serial[VIRTIO_BLK_ID_BYTES];
    struct virtio_blk_config config; /* what the driver reads at VIRTIO_MMIO_CONFIG */
    FILE *diag;                      /* host I/O errors, one line each */
    struct virtio_blk_stats stats;
};

/**
 * Opens the raw image at path (read-only when read_only is set) as disk b. Its size must
 * be a whole number of 512-byte sectors. Returns 0, or -1 with the error set ("open FILE:
 * No such file or directory", "FILE: 1000 bytes is not a whole number of 512-byte
 * sectors") and b closed. Host I/O errors met later are reported on diag (may be NULL).
 */
int virtio_blk__open(struct virtio_blk *b, const char *path, int read_only, FILE *diag);

/** Closes b's file (a closed disk may be closed again). */
void virtio_blk__close(struct virtio_blk *b);

/** The disk as a virtio device type: one queue (requestq), VIRTIO_BLK_QUEUE_MAX entries. */
extern const struct virtio_dev_ops virtio_blk_ops;

#endif
