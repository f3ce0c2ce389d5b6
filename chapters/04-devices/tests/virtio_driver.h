/*
 * virtio_driver.h - the bench of chapter 4's virtio tests: a fake guest RAM that the
 * devices reach only through a bounds-checked map(), a virtio-mmio device on a fake bus
 * with a recorded interrupt line, and a small driver that writes rings as a guest would.
 */
#ifndef STEPVM_CH4_VIRTIO_DRIVER_H
#define STEPVM_CH4_VIRTIO_DRIVER_H

#include "fake.h"
#include "virtio_mmio.h"

#include <stdint.h>
#include <stdio.h>

#define VT_BASE     0xd0000000ull
#define VT_IRQ      5
#define VT_RAM_SIZE (256 * 1024) /* exactly this much is allocated: ASan sees any overrun */
#define VT_BUFS     0x10000      /* where the tests put their buffers */

/* Queue q's rings: the descriptor table at VT_DESC(q), then the available and used rings. */
#define VT_DESC(q)  (0x1000ull + 0x4000ull * (q))
#define VT_AVAIL(q) (VT_DESC(q) + 0x1000)
#define VT_USED(q)  (VT_DESC(q) + 0x2000)

/** One device under test and the driver's view of it. */
struct vt {
    uint8_t *ram;
    struct virtio_dma dma;
    unsigned refused;  /* map() calls refused */
    unsigned nwritten; /* written() calls */
    struct bus bus;
    struct fake_irq irq;
    struct virtio_mmio t;
    FILE *diag;
    char *diag_text;
    size_t diag_len;
    uint16_t num[VIRTIO_MMIO_MAX_QUEUES];
};

/** Allocates RAM and puts a device of type ops (state dev) at VT_BASE on IRQ VT_IRQ. */
void vt__init(struct vt *v, const char *name, const struct virtio_dev_ops *ops, void *dev);
/** Frees what vt__init allocated. */
void vt__fini(struct vt *v);

uint32_t vt__read(struct vt *v, uint64_t off);
void vt__write(struct vt *v, uint64_t off, uint32_t value);

/** Resets the device and goes through ACKNOWLEDGE, DRIVER, the features, FEATURES_OK.
 *  Returns Status read back. */
uint32_t vt__negotiate(struct vt *v, uint64_t features);
/** Sets up queue q with num entries at VT_DESC(q)... and makes it ready. */
void vt__queue(struct vt *v, unsigned q, uint16_t num);
/** negotiate(features), every queue of the device with num entries, DRIVER_OK. */
void vt__start(struct vt *v, uint64_t features, uint16_t num);

/** Returns the host address of gpa in the fake RAM. */
void *vt__ram(struct vt *v, uint64_t gpa);
/** Writes descriptor i of queue q. */
void vt__desc(struct vt *v, unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
              uint16_t next);
/** Makes head available on queue q (without a notify). */
void vt__avail(struct vt *v, unsigned q, uint16_t head);
/** Sets the available ring's idx of queue q directly. */
void vt__set_avail_idx(struct vt *v, unsigned q, uint16_t idx);
/** Notifies queue q through QueueNotify. */
void vt__kick(struct vt *v, unsigned q);
uint16_t vt__used_idx(struct vt *v, unsigned q);
struct virtq_used_elem vt__used(struct vt *v, unsigned q, unsigned i);

/** Lines written to the device's diagnostic stream so far. */
int vt__diag_lines(struct vt *v);

/**
 * Creates a temporary disk image of sectors sectors, byte i holding (i * 7 + 3) & 0xff,
 * into path (at least 64 bytes). The test unlinks it.
 */
void vt__make_disk(char *path, unsigned sectors);

/** The byte vt__make_disk puts at offset i. */
static inline uint8_t vt__disk_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + 3);
}

#endif
