/*
 * virtio_blk_drv.h - the guest's virtio-blk driver (chapter 4), on virtio_drv.h: read,
 * write and flush sectors and ask for the disk's id, one request at a time.
 */
#ifndef GUEST_VIRTIO_BLK_DRV_H
#define GUEST_VIRTIO_BLK_DRV_H

#include <stddef.h>
#include <stdint.h>
#include <virtio_drv.h>

/* The longest data descriptor when the device offers no VIRTIO_BLK_F_SIZE_MAX. */
#define VIRTIO_BLK_SEGMENT 4096

/** A virtio-blk disk and the request header and status byte its requests use. */
struct virtio_blk {
    struct virtio_dev dev;
    enum virtio_wait wait; /* how requests are waited for */
    uint64_t capacity;     /* in VIRTIO_BLK_SECTOR_SIZE sectors */
    uint32_t segment;      /* the longest data descriptor: size_max or VIRTIO_BLK_SEGMENT */
    uint32_t segments;     /* the most data descriptors in one request */
    struct virtio_blk_req_hdr hdr;
    volatile uint8_t status;
};

/**
 * Finds the first virtio-blk device, negotiates its features, reads its configuration,
 * sets up its request queue and sets DRIVER_OK. With @p wait VIRTIO_IRQ it also attaches
 * the device's interrupt (the interrupt controller must be set up). Returns 0, or -1 with
 * a message printed.
 */
int virtio_blk_open(struct virtio_blk *b, enum virtio_wait wait);

/** Returns non-zero when the device offered VIRTIO_BLK_F_RO. */
int virtio_blk_readonly(const struct virtio_blk *b);

/**
 * Reads @p bytes (a multiple of the sector size) from @p sector on into @p buf in one
 * request. Returns the request's VIRTIO_BLK_S_* status, or -1 if the request could not
 * be made (too long) or the device needs a reset.
 */
int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes);

/** Writes @p bytes from @p buf at @p sector in one request; returns as virtio_blk_read(). */
int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes);

/** Makes earlier writes durable (VIRTIO_BLK_T_FLUSH); returns as virtio_blk_read(). */
int virtio_blk_flush(struct virtio_blk *b);

/**
 * Reads the device's id into @p id, NUL-terminated (the device sends at most
 * VIRTIO_BLK_ID_BYTES, with no NUL when it is that long). Returns as virtio_blk_read().
 */
int virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_BYTES + 1]);

/** Returns the most bytes one read or write request may carry: segments * segment. */
size_t virtio_blk_max_request(const struct virtio_blk *b);

#endif
