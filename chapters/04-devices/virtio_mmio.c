/*
 * virtio_mmio.c - the virtio-mmio transport, version 2 (see virtio_mmio.h; chapter 4).
 * Register by register as the spec's section 4.2.2 lists them, then the status protocol
 * (3.1) and the queues' notifications and interrupts.
 */
#include "virtio_mmio.h"

#include "error.h"

#include <stdarg.h>

#define BIT(n) (1ull << (n))

/* The features every device offers: the transport itself does virtio 1.x and EVENT_IDX. */
#define TRANSPORT_FEATURES (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX))

static uint16_t queue_max(const struct virtio_mmio *t)
{
    return t->ops->queue_max < VIRTQ_CHAIN_MAX ? t->ops->queue_max : VIRTQ_CHAIN_MAX;
}

static uint64_t offered_features(const struct virtio_mmio *t)
{
    return t->ops->features(t->dev) | TRANSPORT_FEATURES;
}

/* How many queues the device has (no more than the transport keeps). */
static unsigned nqueues(const struct virtio_mmio *t)
{
    return t->ops->nqueues < VIRTIO_MMIO_MAX_QUEUES ? t->ops->nqueues : VIRTIO_MMIO_MAX_QUEUES;
}

/* The queue QueueSel names, or NULL when the device has no such queue. */
static struct virtq *selected_queue(struct virtio_mmio *t)
{
    return t->queue_sel < nqueues(t) ? &t->queues[t->queue_sel] : NULL;
}

/* Status 0: the device forgets the driver. The configuration generation goes on counting. */
static void reset(struct virtio_mmio *t)
{
    if (t->ops->reset)
        t->ops->reset(t->dev);
    t->status = 0;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    t->driver_features = 0;
    t->interrupt_status = 0;
    for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
        virtq__reset(&t->queues[i], queue_max(t));
}

void virtio_mmio__init(struct virtio_mmio *t, const char *name, const struct virtio_dev_ops *ops,
                       void *dev, const struct virtio_dma *dma, struct irq_line irq, FILE *diag)
{
    *t = (struct virtio_mmio){
        .name = name, .ops = ops, .dev = dev, .dma = *dma, .irq = irq, .diag = diag};
    reset(t);
}

int virtio_mmio__register(struct virtio_mmio *t, struct bus *mmio, uint64_t base)
{
    return bus__register(mmio, base, VIRTIO_MMIO_SIZE, t->name, virtio_mmio__read,
                         virtio_mmio__write, t);
}

int virtio_mmio__running(const struct virtio_mmio *t)
{
    uint32_t need = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;

    return (t->status & need) == need && !(t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* ---- Failures and interrupts ---- */

static void interrupt(struct virtio_mmio *t, uint32_t why)
{
    t->interrupt_status |= why;
    irq__pulse(&t->irq); /* the machine's ACPI tables declare the line edge-triggered */
}

/* [fail] */
void virtio_mmio__fail(struct virtio_mmio *t, const char *fmt, ...)
{
    if (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        return;
    t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    t->stats.failures++;
    if (t->diag) {
        va_list ap;

        fprintf(t->diag, "%s: ", t->name);
        va_start(ap, fmt);
        vfprintf(t->diag, fmt, ap);
        va_end(ap);
        fputc('\n', t->diag);
        fflush(t->diag);
    }
    t->stats.config_interrupts++;
    interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}
/* [fail] */

void virtio_mmio__config_changed(struct virtio_mmio *t)
{
    t->config_generation++;
    t->stats.config_interrupts++;
    interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio__signal(struct virtio_mmio *t, unsigned q)
{
    struct virtq *vq;
    int pushed;

    if (q >= nqueues(t) || !t->queues[q].ready)
        return;
    vq = &t->queues[q];
    pushed = vq->used_idx != vq->signalled;
    if (virtq__should_interrupt(vq)) {
        t->stats.interrupts++;
        interrupt(t, VIRTIO_MMIO_INT_VRING);
    } else if (pushed) {
        t->stats.suppressed++;
    }
}

/* ---- Queues ---- */

int virtio_mmio__pop(struct virtio_mmio *t, unsigned q, struct virtq_chain *c)
{
    int r;

    if (q >= nqueues(t) || !t->queues[q].ready || !virtio_mmio__running(t))
        return 0;
    r = virtq__pop(&t->queues[q], &t->dma, c);
    if (r < 0)
        virtio_mmio__fail(t, "queue %u: %s", q, error__get());
    t->stats.chains += r > 0;
    return r;
}

void virtio_mmio__push(struct virtio_mmio *t, unsigned q, const struct virtq_chain *c, uint32_t len)
{
    if (q < nqueues(t) && t->queues[q].ready && virtio_mmio__running(t))
        virtq__push(&t->queues[q], &t->dma, c, len);
}

/* [notify] */
void virtio_mmio__notify(struct virtio_mmio *t, unsigned q)
{
    if (q >= nqueues(t) || !t->queues[q].ready || !virtio_mmio__running(t)) {
        t->stats.ignored_notifies++;
        return;
    }
    t->stats.notifications++;
    t->ops->queue_notify(t->dev, t, q);
    if (virtio_mmio__running(t))
        virtio_mmio__signal(t, q);
}
/* [notify] */

/* QueueReady: 1 maps the rings (a bad address fails the device), 0 stops the queue. */
static void set_queue_ready(struct virtio_mmio *t, struct virtq *vq, uint32_t value)
{
    if (!value) {
        vq->ready = 0;
        return;
    }
    if (vq->ready)
        return;
    if (virtq__start(vq, &t->dma, !!(t->driver_features & BIT(VIRTIO_F_EVENT_IDX))) < 0)
        virtio_mmio__fail(t, "queue %u: %s", t->queue_sel, error__get());
}

/* The queue registers: refused while the queue is ready, as the driver must not write them
 * then (spec 4.2.2.3). */
static void write_queue(struct virtio_mmio *t, uint64_t off, uint32_t value)
{
    struct virtq *vq = selected_queue(t);

    if (!vq)
        return;
    if (off == VIRTIO_MMIO_QUEUE_READY) {
        set_queue_ready(t, vq, value);
        return;
    }
    if (vq->ready)
        return;
    switch (off) {
    case VIRTIO_MMIO_QUEUE_NUM:
        if (value && !(value & (value - 1)) && value <= queue_max(t))
            vq->num = (uint16_t)value;
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        vq->desc_gpa = (vq->desc_gpa & ~0xffffffffull) | value;
        break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        vq->desc_gpa = (vq->desc_gpa & 0xffffffffull) | (uint64_t)value << 32;
        break;
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
        vq->avail_gpa = (vq->avail_gpa & ~0xffffffffull) | value;
        break;
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
        vq->avail_gpa = (vq->avail_gpa & 0xffffffffull) | (uint64_t)value << 32;
        break;
    case VIRTIO_MMIO_QUEUE_USED_LOW:
        vq->used_gpa = (vq->used_gpa & ~0xffffffffull) | value;
        break;
    case VIRTIO_MMIO_QUEUE_USED_HIGH:
        vq->used_gpa = (vq->used_gpa & 0xffffffffull) | (uint64_t)value << 32;
        break;
    }
}

/* [status] */
/* FEATURES_OK sticks only if the driver took VERSION_1 and nothing that was not offered. */
static int features_acceptable(const struct virtio_mmio *t)
{
    return (t->driver_features & BIT(VIRTIO_F_VERSION_1)) &&
           !(t->driver_features & ~offered_features(t));
}

static void write_status(struct virtio_mmio *t, uint32_t value)
{
    uint32_t sticky = t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;

    if (!value) {
        reset(t);
        return;
    }
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK) &&
        !features_acceptable(t))
        value &= ~VIRTIO_STATUS_FEATURES_OK;
    t->status = (value & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) | sticky;
}
/* [status] */

static void write_driver_features(struct virtio_mmio *t, uint32_t value)
{
    if (t->status & VIRTIO_STATUS_FEATURES_OK)
        return; /* settled */
    if (t->driver_features_sel == 0)
        t->driver_features = (t->driver_features & ~0xffffffffull) | value;
    else if (t->driver_features_sel == 1)
        t->driver_features = (t->driver_features & 0xffffffffull) | (uint64_t)value << 32;
}

/* ---- The bus handlers ---- */

static uint32_t read_register(struct virtio_mmio *t, uint64_t off)
{
    struct virtq *vq = selected_queue(t);
    uint64_t features = offered_features(t);

    switch (off) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_VERSION_2;
    case VIRTIO_MMIO_DEVICE_ID:
        return t->ops->device_id;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR_STEPVM;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return t->device_features_sel == 0   ? (uint32_t)features
               : t->device_features_sel == 1 ? (uint32_t)(features >> 32)
                                             : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return vq ? queue_max(t) : 0;
    case VIRTIO_MMIO_QUEUE_NUM:
        return vq ? vq->num : 0;
    case VIRTIO_MMIO_QUEUE_READY:
        return vq ? (uint32_t)vq->ready : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return t->interrupt_status;
    case VIRTIO_MMIO_STATUS:
        return t->status;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return t->config_generation;
    }
    return 0;
}

uint64_t virtio_mmio__read(void *dev, struct vcpu *v, uint64_t off, uint32_t size)
{
    struct virtio_mmio *t = dev;

    (void)v;
    if (off >= VIRTIO_MMIO_CONFIG) {
        if (!t->ops->config_read || (size != 1 && size != 2 && size != 4 && size != 8))
            return 0;
        return t->ops->config_read(t->dev, off - VIRTIO_MMIO_CONFIG, size);
    }
    /* The registers are 32 bits wide and read whole (spec 4.2.2.2). */
    if (size != 4 || off % 4)
        return 0;
    return read_register(t, off);
}

static void write_register(struct virtio_mmio *t, uint64_t off, uint32_t value)
{
    switch (off) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        t->device_features_sel = value;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        write_driver_features(t, value);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        t->driver_features_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        t->queue_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        virtio_mmio__notify(t, value);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        t->interrupt_status &= ~value;
        break;
    case VIRTIO_MMIO_STATUS:
        write_status(t, value);
        break;
    default:
        write_queue(t, off, value);
    }
}

int virtio_mmio__write(void *dev, struct vcpu *v, uint64_t off, uint64_t value, uint32_t size)
{
    struct virtio_mmio *t = dev;

    (void)v;
    if (off >= VIRTIO_MMIO_CONFIG) {
        if (t->ops->config_write && (size == 1 || size == 2 || size == 4 || size == 8))
            t->ops->config_write(t->dev, off - VIRTIO_MMIO_CONFIG, value, size);
        return 0;
    }
    if (size == 4 && off % 4 == 0)
        write_register(t, off, (uint32_t)value);
    return 0;
}
