/*
 * virtio_fuzz.c - a libFuzzer target for chapter 4's virtio devices: each input is a script
 * of register accesses, guest RAM contents, descriptors and ring entries played against a
 * virtio-blk (on a small in-memory file) and a virtio-console, under ASan and UBSan.
 *
 * The devices reach a 64 KiB guest RAM only through a map() that refuses anything outside
 * it, so any access the sanitizers see outside that buffer is a device bug. Built and run by
 * `make fuzz` (chapters/04-devices/fuzz/Makefile).
 */
#include "virtio_blk.h"
#include "virtio_console.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE   0x10000
#define DISK_BYTES (64 * VIRTIO_BLK_SECTOR_SIZE)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct virtio_blk blk;
static struct virtio_console con;
static struct virtio_mmio dev[2]; /* 0: the disk, 1: the console */
static int irq_calls;

/* The harness's own bounds check: the one way the devices reach RAM. */
static void *ram_map(void *ctx, uint64_t gpa, uint64_t len)
{
    (void)ctx;
    if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
        return NULL;
    return ram + gpa;
}

/* A device must only report writes to memory map() gave it. */
static void ram_written(void *ctx, uint64_t gpa, uint64_t len)
{
    (void)ctx;
    if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
        abort();
}

static void irq_set(void *ctx, unsigned line, int level)
{
    (void)ctx, (void)line, (void)level;
    irq_calls++;
}

static volatile uint8_t tx_sum;

static void console_tx(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) /* touch every byte, so ASan checks them */
        tx_sum += buf[i];
}

static const struct virtio_dma dma = {ram_map, ram_written, NULL};
static const struct irq_sink sink = {irq_set, NULL};

/* One disk for the whole run, in a memfd, so that no file is left behind. */
static void open_disk(void)
{
    static char path[64];
    int fd;

    if (path[0])
        return;
    fd = memfd_create("virtio-fuzz-disk", 0);
    if (fd < 0 || ftruncate(fd, DISK_BYTES) < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (virtio_blk__open(&blk, path, 0, NULL) < 0)
        abort();
}

/* ---- The script ---- */

struct script {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct script *s, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes && s->left; i++, s->left--)
        v |= (uint64_t)*s->p++ << (8 * i);
    return v;
}

static void reg_write(struct virtio_mmio *t, uint64_t off, uint32_t value)
{
    virtio_mmio__write(t, NULL, off, value, 4);
}

/* The driver's start-up (spec 3.1.1) on one queue, with fuzzed features and addresses. */
static void setup(struct script *s)
{
    struct virtio_mmio *t = &dev[take(s, 1) & 1];
    uint32_t features = (uint32_t)take(s, 4);
    unsigned q = take(s, 1) & 1;
    uint32_t num = 1u << (take(s, 1) % 10);

    reg_write(t, VIRTIO_MMIO_STATUS, 0);
    reg_write(t, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    reg_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    reg_write(t, VIRTIO_MMIO_DRIVER_FEATURES, features);
    reg_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    reg_write(t, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
    reg_write(t, VIRTIO_MMIO_STATUS, 0xb);
    reg_write(t, VIRTIO_MMIO_QUEUE_SEL, q);
    reg_write(t, VIRTIO_MMIO_QUEUE_NUM, num);
    reg_write(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)take(s, 2) << 4);
    reg_write(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)take(s, 2) << 1);
    reg_write(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)take(s, 2) << 2);
    reg_write(t, VIRTIO_MMIO_QUEUE_READY, 1);
    reg_write(t, VIRTIO_MMIO_STATUS, 0xf);
}

/* Writes a descriptor into a queue's table, where the queue says it is. */
static void put_desc(struct script *s)
{
    struct virtio_mmio *t = &dev[take(s, 1) & 1];
    struct virtq *q = &t->queues[take(s, 1) & 1];
    struct virtq_desc d = {.addr = take(s, 2), .len = (uint32_t)take(s, 2)};
    uint64_t at;

    d.flags = (uint16_t)take(s, 1);
    d.next = (uint16_t)take(s, 1);
    at = q->desc_gpa + 16 * (take(s, 1) % (q->num ? q->num : 1));
    if (at <= RAM_SIZE - sizeof d)
        memcpy(ram + at, &d, sizeof d);
}

/* Makes a head available on a queue and kicks it. */
static void put_avail(struct script *s)
{
    struct virtio_mmio *t = &dev[take(s, 1) & 1];
    unsigned qi = take(s, 1) & 1;
    struct virtq *q = &t->queues[qi];
    uint16_t head = (uint16_t)take(s, 1), idx;
    uint64_t a = q->avail_gpa;

    if (!q->num || a > RAM_SIZE - VIRTQ_AVAIL_BYTES(q->num))
        return;
    memcpy(&idx, ram + a + 2, 2);
    memcpy(ram + a + 4 + 2 * (idx % q->num), &head, 2);
    idx++;
    memcpy(ram + a + 2, &idx, 2);
    virtio_mmio__notify(t, qi);
}

/* Writes desc into the table of queue q at index i, if the table is in RAM. */
static void write_desc(const struct virtq *q, unsigned i, const struct virtq_desc *d)
{
    uint64_t at = q->desc_gpa + 16 * (uint64_t)(i % q->num);

    if (at <= RAM_SIZE - sizeof *d)
        memcpy(ram + at, d, sizeof *d);
}

/* A whole virtio-blk request, well formed but for what the script chooses: a header, one
 * data buffer and a status byte, in three chained descriptors from a chosen index. */
static void blk_request(struct script *s)
{
    const struct virtq *q = &dev[0].queues[0];
    unsigned i = (unsigned)take(s, 1);
    struct virtio_blk_req_hdr h = {.type = (uint32_t)take(s, 1) % 10, .sector = take(s, 1)};
    struct virtq_desc d[3] = {
        {.addr = take(s, 2), .len = sizeof h, .flags = VIRTQ_DESC_F_NEXT},
        {.addr = take(s, 2), .len = (uint32_t)(take(s, 1) % 5) * 512, .flags = VIRTQ_DESC_F_NEXT},
        {.addr = take(s, 2), .len = 1, .flags = VIRTQ_DESC_F_WRITE},
    };
    uint16_t head, idx;

    if (!q->num || q->avail_gpa > RAM_SIZE - VIRTQ_AVAIL_BYTES(q->num))
        return;
    if (h.type != VIRTIO_BLK_T_OUT)
        d[1].flags |= VIRTQ_DESC_F_WRITE;
    if (d[0].addr <= RAM_SIZE - sizeof h)
        memcpy(ram + d[0].addr, &h, sizeof h);
    for (unsigned k = 0; k < 3; k++) {
        d[k].next = (uint16_t)((i + k + 1) % q->num);
        write_desc(q, i + k, &d[k]);
    }
    head = (uint16_t)(i % q->num);
    memcpy(&idx, ram + q->avail_gpa + 2, 2);
    memcpy(ram + q->avail_gpa + 4 + 2 * (idx % q->num), &head, 2);
    idx++;
    memcpy(ram + q->avail_gpa + 2, &idx, 2);
    virtio_mmio__notify(&dev[0], 0);
}

static void step(struct script *s)
{
    uint8_t op = (uint8_t)take(s, 1);
    struct virtio_mmio *t = &dev[op >> 7];
    uint8_t buf[256];
    uint64_t off, n;

    switch (op & 15) {
    case 0:
        off = take(s, 2) & 0xfff;
        n = 1u << (take(s, 1) & 3);
        virtio_mmio__write(t, NULL, off, (uint32_t)take(s, 4), (uint32_t)n);
        break;
    case 1:
        off = take(s, 2) & 0xfff;
        virtio_mmio__read(t, NULL, off, 1u << (take(s, 1) & 3));
        break;
    case 2:
        off = take(s, 2);
        n = take(s, 1);
        for (uint64_t i = 0; i < n && off + i < RAM_SIZE; i++)
            ram[off + i] = (uint8_t)take(s, 1);
        break;
    case 3:
        setup(s);
        break;
    case 4:
        n = take(s, 1);
        for (uint64_t i = 0; i < n; i++)
            buf[i] = (uint8_t)take(s, 1);
        virtio_console__receive(&con, &dev[1], buf, n);
        break;
    case 5:
        virtio_mmio__notify(t, (unsigned)take(s, 1) % 3);
        break;
    case 6:
        put_desc(s);
        break;
    case 7:
        put_avail(s);
        break;
    case 8:
        blk_request(s);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct script s = {data, size};

    open_disk();
    memset(ram, 0, sizeof ram);
    virtio_console__init(&con, console_tx, NULL);
    virtio_mmio__init(&dev[0], "virtio-blk0", &virtio_blk_ops, &blk, &dma,
                      (struct irq_line){&sink, 5}, NULL);
    virtio_mmio__init(&dev[1], "virtio-console0", &virtio_console_ops, &con, &dma,
                      (struct irq_line){&sink, 6}, NULL);
    for (unsigned steps = 0; s.left && steps < 256; steps++)
        step(&s);
    return 0;
}
