/*
 * virtio_blk.c - virtio-blk on a raw image file (see virtio_blk.h; chapter 4). Data goes
 * between the file and guest RAM with one preadv or pwritev per request, no copy between.
 */
#include "virtio_blk.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define BIT(n) (1ull << (n))

#define HDR_BYTES ((uint64_t)sizeof(struct virtio_blk_req_hdr))

/* The serial: the file's name without its directory, at most 20 bytes of it. */
static void make_serial(struct virtio_blk *b, const char *path)
{
    const char *name = strrchr(path, '/');

    name = name ? name + 1 : path;
    memset(b->serial, 0, sizeof b->serial);
    memcpy(b->serial, name, strnlen(name, sizeof b->serial));
}

int virtio_blk__open(struct virtio_blk *b, const char *path, int read_only, FILE *diag)
{
    off_t size;

    *b = (struct virtio_blk){.fd = -1, .read_only = !!read_only, .diag = diag};
    b->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (b->fd < 0)
        return error__errno("open %s", path);
    size = lseek(b->fd, 0, SEEK_END);
    if (size < 0) {
        error__errno("%s: finding its size", path);
        goto err_close;
    }
    if (size % VIRTIO_BLK_SECTOR_SIZE) {
        error__set("%s: %lld bytes is not a whole number of %d-byte sectors", path, (long long)size,
                   VIRTIO_BLK_SECTOR_SIZE);
        goto err_close;
    }
    b->capacity = (uint64_t)size / VIRTIO_BLK_SECTOR_SIZE;
    b->config = (struct virtio_blk_config){.capacity = b->capacity,
                                           .size_max = VIRTIO_BLK_SIZE_MAX,
                                           .seg_max = VIRTIO_BLK_SEG_MAX,
                                           .blk_size = VIRTIO_BLK_SECTOR_SIZE};
    make_serial(b, path);
    return 0;

err_close:
    virtio_blk__close(b);
    return -1;
}

void virtio_blk__close(struct virtio_blk *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

/* ---- Requests ---- */

/* Whether nsec sectors from sector lie on the disk (without overflowing). */
static int in_range(const struct virtio_blk *b, uint64_t sector, uint64_t nsec)
{
    return sector <= b->capacity && nsec <= b->capacity - sector;
}

/* [transfer] */
/* Reads or writes the data part of request c: len bytes, the writable part from byte 0
 * (T_IN) or the readable part after the header (T_OUT). Sets *done to the bytes moved. */
static uint8_t transfer(struct virtio_blk *b, struct virtio_mmio *t, const struct virtq_chain *c,
                        int in, uint64_t sector, uint64_t len, uint64_t *done)
{
    struct iovec iov[VIRTQ_CHAIN_MAX];
    off_t pos = (off_t)(sector * VIRTIO_BLK_SECTOR_SIZE);
    int n = virtq_chain__iov(c, in, in ? 0 : HDR_BYTES, len, iov, VIRTQ_CHAIN_MAX);
    ssize_t r;

    *done = 0;
    if (len % VIRTIO_BLK_SECTOR_SIZE || !in_range(b, sector, len / VIRTIO_BLK_SECTOR_SIZE) ||
        n < 0 || (!in && b->read_only))
        return VIRTIO_BLK_S_IOERR;
    r = in ? preadv(b->fd, iov, n, pos) : pwritev(b->fd, iov, n, pos);
    if (r < 0 || (uint64_t)r != len) {
        if (b->diag)
            fprintf(b->diag, "%s: %s of %" PRIu64 " bytes at sector %" PRIu64 ": %s\n", t->name,
                    in ? "read" : "write", len, sector, r < 0 ? strerror(errno) : "end of file");
        return VIRTIO_BLK_S_IOERR;
    }
    *done = len;
    return VIRTIO_BLK_S_OK;
}
/* [transfer] */

static uint8_t flush(struct virtio_blk *b, struct virtio_mmio *t)
{
    if (b->read_only || fdatasync(b->fd) == 0)
        return VIRTIO_BLK_S_OK;
    if (b->diag)
        fprintf(b->diag, "%s: flush: %s\n", t->name, strerror(errno));
    return VIRTIO_BLK_S_IOERR;
}

/* Carries out request c whose header is h: returns its status, with *written the data
 * bytes the device put into the chain. */
static uint8_t execute(struct virtio_blk *b, struct virtio_mmio *t, const struct virtq_chain *c,
                       const struct virtio_blk_req_hdr *h, uint64_t *written)
{
    uint64_t moved;
    uint8_t s;

    *written = 0;
    switch (h->type) {
    case VIRTIO_BLK_T_IN:
        b->stats.reads++;
        s = transfer(b, t, c, 1, h->sector, c->writable_bytes - 1, &moved);
        b->stats.bytes_read += moved;
        *written = moved;
        return s;
    case VIRTIO_BLK_T_OUT:
        b->stats.writes++;
        s = transfer(b, t, c, 0, h->sector, c->readable_bytes - HDR_BYTES, &moved);
        b->stats.bytes_written += moved;
        return s;
    case VIRTIO_BLK_T_FLUSH:
        b->stats.flushes++;
        return flush(b, t);
    case VIRTIO_BLK_T_GET_ID:
        b->stats.get_ids++;
        *written = virtq_chain__write(c, 0, b->serial,
                                      c->writable_bytes - 1 < sizeof b->serial
                                          ? (size_t)c->writable_bytes - 1
                                          : sizeof b->serial);
        return VIRTIO_BLK_S_OK;
    }
    b->stats.unsupported++;
    return VIRTIO_BLK_S_UNSUPP;
}

/* [request] */
/* One request: checks its framing (a broken one fails the device: returns -1), carries it
 * out, writes the status byte last and gives the chain back. */
static int request(struct virtio_blk *b, struct virtio_mmio *t, unsigned q,
                   const struct virtq_chain *c)
{
    struct virtio_blk_req_hdr h;
    uint64_t written;
    uint8_t status;

    if (c->readable_bytes < HDR_BYTES) {
        virtio_mmio__fail(t, "queue %u: request %u has a header of %" PRIu64 " bytes, not %" PRIu64,
                          q, c->head, c->readable_bytes, HDR_BYTES);
        return -1;
    }
    if (c->writable_bytes < 1) {
        virtio_mmio__fail(t, "queue %u: request %u has no device-writable status byte", q, c->head);
        return -1;
    }
    virtq_chain__read(c, 0, &h, sizeof h);
    status = execute(b, t, c, &h, &written);
    b->stats.ioerrors += status == VIRTIO_BLK_S_IOERR;
    virtq_chain__write(c, c->writable_bytes - 1, &status, 1);
    virtio_mmio__push(t, q, c, (uint32_t)(written + 1));
    return 0;
}
/* [request] */

static void blk_queue_notify(void *dev, struct virtio_mmio *t, unsigned q)
{
    struct virtq_chain c;

    while (virtio_mmio__pop(t, q, &c) == 1)
        if (request(dev, t, q, &c) < 0)
            return;
}

/* ---- The device type ---- */

static uint64_t blk_features(void *dev)
{
    const struct virtio_blk *b = dev;

    return BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
           BIT(VIRTIO_BLK_F_FLUSH) | (b->read_only ? BIT(VIRTIO_BLK_F_RO) : 0);
}

/* The configuration space is struct virtio_blk_config, little-endian like x86; past its end
 * reads 0. */
static uint64_t blk_config_read(void *dev, uint64_t off, uint32_t size)
{
    const struct virtio_blk *b = dev;
    const uint8_t *bytes = (const uint8_t *)&b->config;
    uint64_t v = 0;

    for (uint32_t i = 0; i < size; i++)
        if (off < sizeof b->config && i < sizeof b->config - off)
            v |= (uint64_t)bytes[off + i] << (8 * i);
    return v;
}

/* Nothing in the configuration is writable without VIRTIO_BLK_F_CONFIG_WCE, never offered. */
static void blk_config_write(void *dev, uint64_t off, uint64_t value, uint32_t size)
{
    (void)dev, (void)off, (void)value, (void)size;
}

/* A reset loses nothing the disk keeps: requests are finished before their chain is
 * given back. */
static void blk_reset(void *dev)
{
    (void)dev;
}

const struct virtio_dev_ops virtio_blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .queue_max = VIRTIO_BLK_QUEUE_MAX,
    .features = blk_features,
    .config_read = blk_config_read,
    .config_write = blk_config_write,
    .queue_notify = blk_queue_notify,
    .reset = blk_reset,
};
