/*
 * virtio_blk.c - the guest's virtio-blk driver (chapter 4): every request is one chain of
 * a header the device reads, data, and a status byte the device writes (spec 5.2.6).
 */
#include <stdio.h>
#include <string.h>
#include <virtio_blk_drv.h>

/* The device features this driver uses (spec 5.2.3); it ignores blk_size, a hint. */
#define BLK_FEATURES                                                                               \
    ((1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |                            \
     (1ull << VIRTIO_BLK_F_RO) | (1ull << VIRTIO_BLK_F_FLUSH))

#define MAX_BUFS (VIRTQ_DRV_MAX_SIZE) /* header + data + status, at most a queue's worth */

static int has(const struct virtio_blk *b, int feature)
{
    return (b->dev.features >> feature) & 1;
}

/*
 * Reads capacity, and the limits on data descriptors that size_max and seg_max set. The
 * runtime maps memory one to one, so a buffer is contiguous in guest-physical memory and
 * one descriptor can carry as much of it as the device takes: size_max bytes (in whole
 * sectors), or VIRTIO_BLK_SEGMENT when the device does not say.
 */
static void read_config(struct virtio_blk *b)
{
    uint32_t v;

    b->capacity = virtio_config_read64(&b->dev, offsetof(struct virtio_blk_config, capacity));
    b->segment = VIRTIO_BLK_SEGMENT;
    if (has(b, VIRTIO_BLK_F_SIZE_MAX)) {
        v = virtio_config_read32(&b->dev, offsetof(struct virtio_blk_config, size_max));
        if (v >= VIRTIO_BLK_SECTOR_SIZE)
            b->segment = v & ~(uint32_t)(VIRTIO_BLK_SECTOR_SIZE - 1);
    }
    /* Two descriptors of each chain are the header and the status byte. */
    b->segments = b->dev.vq.num - 2;
    if (has(b, VIRTIO_BLK_F_SEG_MAX)) {
        v = virtio_config_read32(&b->dev, offsetof(struct virtio_blk_config, seg_max));
        if (v >= 1 && v < b->segments)
            b->segments = v;
    }
}

int virtio_blk_open(struct virtio_blk *b, enum virtio_wait wait)
{
    b->wait = wait;
    if (virtio_find(&b->dev, VIRTIO_ID_BLOCK) < 0) {
        printf("virtio-blk: no device (none in stepvm's slots at 0x%llx or microvm's at 0x%llx)\n",
               VIRTIO_MMIO_BASE, QEMU_MICROVM_VIRTIO_MMIO_BASE);
        return -1;
    }
    if (virtio_negotiate(&b->dev, BLK_FEATURES) < 0) {
        printf("virtio-blk: the device at 0x%lx refused the features\n", b->dev.base);
        return -1;
    }
    /* Spec 3.1.1 step 7: the device's own set-up, here its one request queue. */
    if (virtq_setup(&b->dev, 0) < 0) {
        printf("virtio-blk: the device at 0x%lx has no usable queue 0\n", b->dev.base);
        return -1;
    }
    if (b->dev.vq.num < 3) {
        printf("virtio-blk: a queue of %u cannot hold a request\n", b->dev.vq.num);
        return -1;
    }
    read_config(b);
    if (wait == VIRTIO_IRQ)
        virtio_attach_irq(&b->dev);
    virtio_driver_ok(&b->dev);
    return 0;
}

int virtio_blk_readonly(const struct virtio_blk *b)
{
    return has(b, VIRTIO_BLK_F_RO);
}

size_t virtio_blk_max_request(const struct virtio_blk *b)
{
    return (size_t)b->segment * b->segments;
}

/*
 * Makes one request of @p type at @p sector with @p bytes of data at @p data (which the
 * device writes when @p data_flags is VIRTQ_DESC_F_WRITE), and waits for it. The data is
 * cut into descriptors of at most b->segment bytes.
 */
static int blk_request(struct virtio_blk *b, uint32_t type, uint64_t sector, const void *data,
                       size_t bytes, uint16_t data_flags)
{
    struct virtio_buf bufs[MAX_BUFS];
    int n = 0;
    uint32_t len;

    if (bytes > virtio_blk_max_request(b))
        return -1;
    b->hdr.type = type;
    b->hdr.reserved = 0;
    b->hdr.sector = sector;
    b->status = 0xff; /* no VIRTIO_BLK_S_*: shows a device that never wrote it */
    bufs[n++] = (struct virtio_buf){&b->hdr, sizeof b->hdr, 0};
    for (size_t off = 0; off < bytes; off += b->segment) {
        uint32_t chunk = bytes - off < b->segment ? (uint32_t)(bytes - off) : b->segment;
        bufs[n++] = (struct virtio_buf){(const uint8_t *)data + off, chunk, data_flags};
    }
    bufs[n++] = (struct virtio_buf){(const void *)&b->status, 1, VIRTQ_DESC_F_WRITE};
    /* Spec 2.7.7: a poller wants no interrupt; without EVENT_IDX this is only a hint. */
    b->dev.vq.avail->flags = b->wait == VIRTIO_POLL ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
    if (virtq_submit(&b->dev, bufs, n) < 0)
        return -1;
    /* Only one chain is ever in flight, and it starts at descriptor 0. */
    if (virtq_wait(&b->dev, b->wait, &len) != 0)
        return -1;
    return b->status;
}

int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, size_t bytes)
{
    return blk_request(b, VIRTIO_BLK_T_IN, sector, buf, bytes, VIRTQ_DESC_F_WRITE);
}

int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, size_t bytes)
{
    return blk_request(b, VIRTIO_BLK_T_OUT, sector, buf, bytes, 0);
}

int virtio_blk_flush(struct virtio_blk *b)
{
    /* Spec 5.2.6.2: without VIRTIO_BLK_F_FLUSH the driver must not ask. */
    if (!has(b, VIRTIO_BLK_F_FLUSH))
        return VIRTIO_BLK_S_UNSUPP;
    return blk_request(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0);
}

int virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_BYTES + 1])
{
    static char raw[VIRTIO_BLK_ID_BYTES];
    int status;

    memset(raw, 0, sizeof raw);
    status = blk_request(b, VIRTIO_BLK_T_GET_ID, 0, raw, sizeof raw, VIRTQ_DESC_F_WRITE);
    memcpy(id, raw, VIRTIO_BLK_ID_BYTES);
    id[VIRTIO_BLK_ID_BYTES] = 0;
    return status;
}
