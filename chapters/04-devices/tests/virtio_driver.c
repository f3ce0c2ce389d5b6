/*
 * virtio_driver.c - the fake guest RAM, bus and driver of chapter 4's virtio tests
 * (virtio_driver.h).
 */
#include "virtio_driver.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIT(n) (1ull << (n))

/* The only way in: all of [gpa, gpa + len) inside the RAM, or nothing. */
static void *ram_map(void *ctx, uint64_t gpa, uint64_t len)
{
    struct vt *v = ctx;

    if (gpa > VT_RAM_SIZE || len > VT_RAM_SIZE - gpa) {
        v->refused++;
        return NULL;
    }
    return v->ram + gpa;
}

static void ram_written(void *ctx, uint64_t gpa, uint64_t len)
{
    struct vt *v = ctx;

    ck_assert_uint_le(gpa, VT_RAM_SIZE);
    ck_assert_uint_le(len, VT_RAM_SIZE - gpa);
    v->nwritten++;
}

void vt__init(struct vt *v, const char *name, const struct virtio_dev_ops *ops, void *dev)
{
    memset(v, 0, sizeof *v);
    v->ram = calloc(1, VT_RAM_SIZE);
    ck_assert_ptr_nonnull(v->ram);
    v->dma = (struct virtio_dma){ram_map, ram_written, v};
    v->diag = open_memstream(&v->diag_text, &v->diag_len);
    ck_assert_ptr_nonnull(v->diag);
    fake_bus__init(&v->bus, "mmio", 1);
    fake_irq__init(&v->irq, VT_IRQ);
    virtio_mmio__init(&v->t, name, ops, dev, &v->dma, fake_irq__line(&v->irq, VT_IRQ), v->diag);
    ck_assert_int_eq(virtio_mmio__register(&v->t, &v->bus, VT_BASE), 0);
}

void vt__fini(struct vt *v)
{
    fclose(v->diag);
    free(v->diag_text);
    free(v->ram);
}

uint32_t vt__read(struct vt *v, uint64_t off)
{
    return (uint32_t)fake_bus__read(&v->bus, VT_BASE + off, 4);
}

void vt__write(struct vt *v, uint64_t off, uint32_t value)
{
    fake_bus__write(&v->bus, VT_BASE + off, 4, value);
}

uint32_t vt__negotiate(struct vt *v, uint64_t features)
{
    vt__write(v, VIRTIO_MMIO_STATUS, 0);
    vt__write(v, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    vt__write(v, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    for (unsigned sel = 0; sel < 2; sel++) {
        vt__write(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
        vt__write(v, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> (32 * sel)));
    }
    vt__write(v, VIRTIO_MMIO_STATUS,
              VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    return vt__read(v, VIRTIO_MMIO_STATUS);
}

void vt__queue(struct vt *v, unsigned q, uint16_t num)
{
    vt__write(v, VIRTIO_MMIO_QUEUE_SEL, q);
    vt__write(v, VIRTIO_MMIO_QUEUE_NUM, num);
    vt__write(v, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)VT_DESC(q));
    vt__write(v, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    vt__write(v, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)VT_AVAIL(q));
    vt__write(v, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
    vt__write(v, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)VT_USED(q));
    vt__write(v, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
    vt__write(v, VIRTIO_MMIO_QUEUE_READY, 1);
    v->num[q] = num;
}

void vt__start(struct vt *v, uint64_t features, uint16_t num)
{
    uint32_t s = vt__negotiate(v, features | BIT(VIRTIO_F_VERSION_1));

    ck_assert_uint_eq(s & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
    memset(v->ram, 0, 0x10000); /* fresh rings */
    for (unsigned q = 0; q < v->t.ops->nqueues; q++) {
        vt__queue(v, q, num);
        ck_assert_uint_eq(vt__read(v, VIRTIO_MMIO_QUEUE_READY), 1);
    }
    vt__write(v, VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_DRIVER_OK);
    ck_assert(virtio_mmio__running(&v->t));
}

void *vt__ram(struct vt *v, uint64_t gpa)
{
    ck_assert_uint_lt(gpa, VT_RAM_SIZE);
    return v->ram + gpa;
}

void vt__desc(struct vt *v, unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
              uint16_t next)
{
    struct virtq_desc d = {addr, len, flags, next};

    memcpy(vt__ram(v, VT_DESC(q) + 16 * i), &d, sizeof d);
}

static uint16_t avail_idx(struct vt *v, unsigned q)
{
    uint16_t idx;

    memcpy(&idx, vt__ram(v, VT_AVAIL(q) + 2), 2);
    return idx;
}

void vt__set_avail_idx(struct vt *v, unsigned q, uint16_t idx)
{
    memcpy(vt__ram(v, VT_AVAIL(q) + 2), &idx, 2);
}

void vt__avail(struct vt *v, unsigned q, uint16_t head)
{
    uint16_t idx = avail_idx(v, q);

    memcpy(vt__ram(v, VT_AVAIL(q) + 4 + 2 * (idx % v->num[q])), &head, 2);
    vt__set_avail_idx(v, q, idx + 1);
}

void vt__kick(struct vt *v, unsigned q)
{
    vt__write(v, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

uint16_t vt__used_idx(struct vt *v, unsigned q)
{
    uint16_t idx;

    memcpy(&idx, vt__ram(v, VT_USED(q) + 2), 2);
    return idx;
}

struct virtq_used_elem vt__used(struct vt *v, unsigned q, unsigned i)
{
    struct virtq_used_elem e;

    memcpy(&e, vt__ram(v, VT_USED(q) + 4 + 8 * (i % v->num[q])), sizeof e);
    return e;
}

int vt__diag_lines(struct vt *v)
{
    int n = 0;

    fflush(v->diag);
    for (size_t i = 0; i < v->diag_len; i++)
        n += v->diag_text[i] == '\n';
    return n;
}

void vt__make_disk(char *path, unsigned sectors)
{
    uint8_t sector[VIRTIO_BLK_SECTOR_SIZE];
    int fd;

    strcpy(path, "/tmp/stepvm-disk-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    for (unsigned s = 0; s < sectors; s++) {
        for (unsigned i = 0; i < sizeof sector; i++)
            sector[i] = vt__disk_byte((uint64_t)s * sizeof sector + i);
        ck_assert_int_eq(write(fd, sector, sizeof sector), (int)sizeof sector);
    }
    close(fd);
}
