/*
 * virtq.c - the split virtqueue, device side (see virtq.h; chapter 4). The layout is the
 * spec's section 2.7: a descriptor table, the driver's (available) ring, the device's
 * (used) ring, each at an address the driver chose.
 */
#include "virtq.h"

#include "error.h"

#include <inttypes.h>
#include <string.h>

/* Where the fields are, in bytes from the start of each part (spec 2.7.6 and 2.7.8). */
#define AVAIL_FLAGS   0
#define AVAIL_IDX     2
#define AVAIL_RING(i) (4 + 2 * (uint64_t)(i))
#define USED_FLAGS    0
#define USED_IDX      2
#define USED_RING(i)  (4 + 8 * (uint64_t)(i))

/* The indices are read and written whole, as single 16-bit accesses: the other side may be
 * running on another CPU. virtq__start checked their alignment. */
static uint16_t load16(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void store16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

static void report_written(const struct virtio_dma *dma, uint64_t gpa, uint64_t len)
{
    if (dma->written && len)
        dma->written(dma->ctx, gpa, len);
}

void virtq__reset(struct virtq *q, uint16_t num)
{
    *q = (struct virtq){.num = num};
}

/* Maps one part of the ring: it must be aligned and all in guest RAM. */
static uint8_t *map_part(const struct virtio_dma *dma, const char *what, uint64_t gpa, uint64_t len,
                         uint64_t align)
{
    uint8_t *host;

    if (gpa % align) {
        error__set("the %s ring at 0x%" PRIx64 " is not aligned to %" PRIu64 " bytes", what, gpa,
                   align);
        return NULL;
    }
    host = gpa + len < gpa ? NULL : dma->map(dma->ctx, gpa, len);
    if (!host)
        error__set("the %s ring at 0x%" PRIx64 " (%" PRIu64 " bytes) is outside guest RAM", what,
                   gpa, len);
    return host;
}

int virtq__start(struct virtq *q, const struct virtio_dma *dma, int event_idx)
{
    uint16_t n = q->num;

    q->ready = 0;
    if (!n || (n & (n - 1)) || n > VIRTQ_CHAIN_MAX)
        return error__set("queue size %u is not a power of 2 up to %u", n, VIRTQ_CHAIN_MAX);
    q->desc = map_part(dma, "descriptor", q->desc_gpa, VIRTQ_DESC_BYTES(n), VIRTQ_DESC_ALIGN);
    if (!q->desc)
        return -1;
    q->avail = map_part(dma, "available", q->avail_gpa, VIRTQ_AVAIL_BYTES(n), VIRTQ_AVAIL_ALIGN);
    if (!q->avail)
        return -1;
    q->used = map_part(dma, "used", q->used_gpa, VIRTQ_USED_BYTES(n), VIRTQ_USED_ALIGN);
    if (!q->used)
        return -1;
    q->event_idx = event_idx;
    q->last_avail = q->used_idx = q->signalled = 0;
    q->ready = 1;
    return 0;
}

/* Checks descriptor i (already copied out of guest memory) and appends it to c. */
static int add_buf(const struct virtio_dma *dma, struct virtq_chain *c, uint16_t i,
                   const struct virtq_desc *d)
{
    struct virtq_buf *b = &c->buf[c->n];

    if (d->flags & VIRTQ_DESC_F_INDIRECT)
        return error__set("descriptor %u is indirect, which the device did not offer", i);
    if (d->len && d->addr + d->len - 1 < d->addr)
        return error__set("descriptor %u wraps around the address space (0x%" PRIx64 ", %u bytes)",
                          i, d->addr, d->len);
    b->host = d->len ? dma->map(dma->ctx, d->addr, d->len) : NULL;
    if (d->len && !b->host)
        return error__set("descriptor %u points outside guest RAM (0x%" PRIx64 ", %u bytes)", i,
                          d->addr, d->len);
    b->gpa = d->addr;
    b->len = d->len;
    b->writable = !!(d->flags & VIRTQ_DESC_F_WRITE);
    if (!b->writable && c->n > c->nreadable)
        return error__set("descriptor %u is device-readable after a device-writable one", i);
    if (b->writable) {
        c->writable_bytes += d->len;
    } else {
        c->readable_bytes += d->len;
        c->nreadable++;
    }
    c->n++;
    return 0;
}

/* [walk] */
/* Follows the chain from head into c. Each descriptor is copied once, so the guest cannot
 * change it between the check and the use; at most num hops, so a loop ends. */
static int walk(struct virtq *q, const struct virtio_dma *dma, uint16_t head, struct virtq_chain *c)
{
    struct virtq_desc d;
    uint16_t i = head;

    c->head = head;
    c->n = c->nreadable = 0;
    c->readable_bytes = c->writable_bytes = 0;
    for (unsigned hops = 0;; hops++) {
        if (hops == q->num)
            return error__set("the chain from descriptor %u is longer than the queue (%u): a loop",
                              head, q->num);
        memcpy(&d, q->desc + 16 * (uint64_t)i, sizeof d);
        if (add_buf(dma, c, i, &d) < 0)
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 1;
        if (d.next >= q->num)
            return error__set("descriptor %u: next %u is outside the table of %u", i, d.next,
                              q->num);
        i = d.next;
    }
}
/* [walk] */

/* [pop] */
int virtq__pop(struct virtq *q, const struct virtio_dma *dma, struct virtq_chain *c)
{
    uint16_t avail_idx = load16(q->avail + AVAIL_IDX);
    uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
    uint16_t head;

    if (!pending)
        return 0;
    if (pending > q->num)
        return error__set("the available index moved by %u, more than the queue's size %u", pending,
                          q->num);
    memcpy(&head, q->avail + AVAIL_RING(q->last_avail % q->num), sizeof head);
    if (head >= q->num)
        return error__set("available entry %u names descriptor %u, outside the table of %u",
                          q->last_avail % q->num, head, q->num);
    q->last_avail++;
    if (q->event_idx) {
        /* avail_event: "notify me when you make entry last_avail available". */
        store16(q->used + USED_RING(q->num), q->last_avail);
        report_written(dma, q->used_gpa + USED_RING(q->num), 2);
        /* ... visible before the next read of avail idx, which the driver writes before
         * reading avail_event: else each could miss the other's update (spec 2.7.10). */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    return walk(q, dma, head, c);
}
/* [pop] */

/* [push] */
void virtq__push(struct virtq *q, const struct virtio_dma *dma, const struct virtq_chain *c,
                 uint32_t len)
{
    struct virtq_used_elem e = {.id = c->head, .len = len};
    uint64_t off = USED_RING(q->used_idx % q->num);

    memcpy(q->used + off, &e, sizeof e);
    report_written(dma, q->used_gpa + off, sizeof e);
    q->used_idx++;
    store16(q->used + USED_IDX, q->used_idx); /* release: the entry is visible first */
    report_written(dma, q->used_gpa + USED_IDX, 2);
    for (unsigned i = c->nreadable; len && i < c->n; i++)
        report_written(dma, c->buf[i].gpa, c->buf[i].len);
}
/* [push] */

int virtq__should_interrupt(struct virtq *q)
{
    uint16_t old = q->signalled;

    if (q->used_idx == old)
        return 0;
    q->signalled = q->used_idx;
    /* The used index must be visible before the driver's wishes are read (spec 2.7.10). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (q->event_idx)
        return virtq_need_event(load16(q->avail + AVAIL_RING(q->num)), q->used_idx, old);
    return !(load16(q->avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* ---- Copying in and out of a chain's buffers ---- */

/* Calls fn on each piece of [off, off + len) of c's writable or readable part; returns the
 * bytes covered. */
static size_t each_piece(const struct virtq_chain *c, int writable, uint64_t off, size_t len,
                         void (*fn)(void *ctx, uint8_t *host, size_t n), void *ctx)
{
    unsigned first = writable ? c->nreadable : 0, end = writable ? c->n : c->nreadable;
    size_t done = 0;

    for (unsigned i = first; i < end && done < len; i++) {
        uint64_t blen = c->buf[i].len;
        size_t n;

        if (off >= blen) {
            off -= blen;
            continue;
        }
        n = blen - off < len - done ? (size_t)(blen - off) : len - done;
        fn(ctx, c->buf[i].host + off, n);
        done += n;
        off = 0;
    }
    return done;
}

struct cursor {
    uint8_t *p;
};

static void copy_out(void *ctx, uint8_t *host, size_t n)
{
    struct cursor *cur = ctx;

    memcpy(cur->p, host, n);
    cur->p += n;
}

static void copy_in(void *ctx, uint8_t *host, size_t n)
{
    struct cursor *cur = ctx;

    memcpy(host, cur->p, n);
    cur->p += n;
}

size_t virtq_chain__read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len)
{
    struct cursor cur = {dst};

    return each_piece(c, 0, off, len, copy_out, &cur);
}

size_t virtq_chain__write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len)
{
    struct cursor cur = {(uint8_t *)src};

    return each_piece(c, 1, off, len, copy_in, &cur);
}

struct iov_builder {
    struct iovec *iov;
    int n, max;
};

static void add_iov(void *ctx, uint8_t *host, size_t n)
{
    struct iov_builder *b = ctx;

    if (b->n < b->max)
        b->iov[b->n] = (struct iovec){host, n};
    b->n++;
}

int virtq_chain__iov(const struct virtq_chain *c, int writable, uint64_t off, uint64_t len,
                     struct iovec *iov, int max)
{
    struct iov_builder b = {iov, 0, max};

    if (each_piece(c, writable, off, len, add_iov, &b) != len || b.n > max)
        return -1;
    return b.n;
}
