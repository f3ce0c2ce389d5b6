/*
 * virtio_console.c - virtio-console with one port (see virtio_console.h; chapter 4).
 */
#include "virtio_console.h"

void virtio_console__init(struct virtio_console *c,
                          void (*tx)(void *ctx, const uint8_t *buf, size_t len), void *tx_ctx)
{
    *c = (struct virtio_console){.tx = tx, .tx_ctx = tx_ctx};
}

/* [receive] */
size_t virtio_console__receive(struct virtio_console *c, struct virtio_mmio *t, const uint8_t *buf,
                               size_t len)
{
    struct virtq_chain chain;
    size_t taken = 0;

    while (taken < len && virtio_mmio__pop(t, VIRTIO_CONSOLE_RX, &chain) == 1) {
        size_t n = virtq_chain__write(&chain, 0, buf + taken, len - taken);

        if (!n) {
            virtio_mmio__fail(t, "queue %u: receive buffer %u has no device-writable bytes",
                              VIRTIO_CONSOLE_RX, chain.head);
            break;
        }
        virtio_mmio__push(t, VIRTIO_CONSOLE_RX, &chain, (uint32_t)n);
        c->stats.rx_chains++;
        c->stats.rx_bytes += n;
        taken += n;
    }
    virtio_mmio__signal(t, VIRTIO_CONSOLE_RX);
    return taken;
}
/* [receive] */

/* Each chain on transmitq0: its readable buffers, in order, to the host. Writable buffers
 * there mean nothing and are given back untouched. */
static void transmit(struct virtio_console *c, const struct virtq_chain *chain)
{
    for (unsigned i = 0; i < chain->nreadable; i++) {
        if (c->tx && chain->buf[i].len)
            c->tx(c->tx_ctx, chain->buf[i].host, chain->buf[i].len);
        c->stats.tx_bytes += chain->buf[i].len;
    }
    c->stats.tx_chains++;
}

static void console_queue_notify(void *dev, struct virtio_mmio *t, unsigned q)
{
    struct virtq_chain chain;

    /* Input waits for virtio_console__receive: a notify on receiveq0 only says buffers are
     * posted. */
    if (q != VIRTIO_CONSOLE_TX)
        return;
    while (virtio_mmio__pop(t, q, &chain) == 1) {
        transmit(dev, &chain);
        virtio_mmio__push(t, q, &chain, 0);
    }
}

static uint64_t console_features(void *dev)
{
    (void)dev;
    return 0;
}

/* Without VIRTIO_CONSOLE_F_SIZE or _F_MULTIPORT no configuration field is valid: all 0. */
static uint64_t console_config_read(void *dev, uint64_t off, uint32_t size)
{
    (void)dev, (void)off, (void)size;
    return 0;
}

static void console_reset(void *dev)
{
    (void)dev;
}

const struct virtio_dev_ops virtio_console_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .queue_max = VIRTIO_CONSOLE_QUEUE_MAX,
    .features = console_features,
    .config_read = console_config_read,
    .config_write = NULL,
    .queue_notify = console_queue_notify,
    .reset = console_reset,
};
