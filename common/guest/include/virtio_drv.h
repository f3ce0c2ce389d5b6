/*
 * virtio_drv.h - the guest's virtio-mmio driver (chapter 4): finding a device, the status
 * protocol, one split virtqueue, and requests submitted one at a time and waited for by
 * polling or by interrupt. The protocol's names are <virtio.h>'s, shared with the VMM.
 */
#ifndef GUEST_VIRTIO_DRV_H
#define GUEST_VIRTIO_DRV_H

#include <stdint.h>
#include <virtio.h>

/*
 * QEMU's microvm machine puts its transports elsewhere: 0x200 bytes apart from 0xfeb00000.
 * With -M microvm,acpi=off,ioapic2=off it has 8 of them, transport i on GSI 5 + i, which
 * the PIC and the first I/O APIC both reach (with ACPI on, they move to GSI 16 and up, or
 * to a second I/O APIC this runtime does not drive).
 */
#define QEMU_MICROVM_VIRTIO_MMIO_BASE     0xfeb00000ull
#define QEMU_MICROVM_VIRTIO_MMIO_STRIDE   0x200ull
#define QEMU_MICROVM_VIRTIO_MMIO_SLOTS    8
#define QEMU_MICROVM_VIRTIO_MMIO_IRQ_BASE 5

#define VIRTQ_DRV_MAX_SIZE 128  /* the largest queue this driver sets up */
#define VIRTQ_DRV_MEM      4096 /* one page holds all three parts of a queue that size */

/** One split virtqueue (spec 2.7) in memory the driver owns. */
struct virtq {
    uint16_t num;              /* entries: a power of 2, at most VIRTQ_DRV_MAX_SIZE */
    uint16_t index;            /* its number, for QUEUE_SEL and QUEUE_NOTIFY */
    uint16_t last_used;        /* the used ring's idx up to which the driver has looked */
    struct virtq_desc *desc;   /* the descriptor table, at the start of mem */
    struct virtq_avail *avail; /* the driver (available) ring, after it */
    struct virtq_used *used;   /* the device (used) ring, after that */
    uint8_t mem[VIRTQ_DRV_MEM] __attribute__((aligned(4096)));
};

/** One device on its transport, with its single queue. */
struct virtio_dev {
    uintptr_t base;     /* the registers (the runtime maps the low 4 GiB one to one) */
    int irq;            /* its ISA IRQ (the same GSI on the I/O APIC) */
    uint32_t device_id; /* VIRTIO_ID_* */
    uint64_t features;  /* what the driver accepted, VIRTIO_F_VERSION_1 among them */
    volatile unsigned long interrupts; /* how many the handler took */
    volatile uint32_t interrupt_bits;  /* VIRTIO_MMIO_INT_* they acknowledged, or'ed */
    struct virtq vq;
};

/** One buffer of a request: its address, length, and 0 or VIRTQ_DESC_F_WRITE. */
struct virtio_buf {
    const void *addr;
    uint32_t len;
    uint16_t flags;
};

/** How virtq_wait() learns that the device used a chain. */
enum virtio_wait { VIRTIO_POLL, VIRTIO_IRQ };

/** Reads the 32-bit register at offset @p reg (VIRTIO_MMIO_*). */
uint32_t virtio_read(const struct virtio_dev *d, unsigned reg);

/** Writes @p value to the 32-bit register at offset @p reg. */
void virtio_write(struct virtio_dev *d, unsigned reg, uint32_t value);

/** Returns non-zero when a version 2 virtio-mmio device of type @p device_id is at @p base. */
int virtio_probe(uintptr_t base, uint32_t device_id);

/**
 * Looks for the first device of type @p device_id, in stepvm's slots and then QEMU
 * microvm's, and fills in d->base, d->irq and d->device_id. Returns 0, or -1 if none.
 */
int virtio_find(struct virtio_dev *d, uint32_t device_id);

/** Writes 0 to Status and waits until it reads back 0 (spec 2.4, 4.2.2.1). */
void virtio_reset(struct virtio_dev *d);

/**
 * Brings the device up to FEATURES_OK (spec 3.1.1 steps 1-6): reset, ACKNOWLEDGE, DRIVER,
 * and the features the device offers of VIRTIO_F_VERSION_1 and @p wanted (bit numbers as
 * bits of a mask). Returns 0, or -1 (Status FAILED) if the device does not offer
 * VERSION_1 or does not keep FEATURES_OK.
 */
int virtio_negotiate(struct virtio_dev *d, uint64_t wanted);

/**
 * Sets up queue @p index with the largest power-of-2 size up to VIRTQ_DRV_MAX_SIZE and
 * the device's QueueNumMax (spec 4.2.3.2), and makes it ready. Returns 0, or -1 if the
 * device has no such queue or it is already in use.
 */
int virtq_setup(struct virtio_dev *d, unsigned index);

/** Sets DRIVER_OK (spec 3.1.1 step 8): from now on the device may use the queue. */
void virtio_driver_ok(struct virtio_dev *d);

/**
 * Makes the device's IRQ call the driver's handler, which acknowledges InterruptStatus
 * (spec 4.2.3.4) and counts the interrupt. The interrupt controller must be set up.
 */
void virtio_attach_irq(struct virtio_dev *d);

/**
 * Writes descriptor @p i of @p q as given, checking nothing: virtq_submit() builds every
 * chain with it, and a hostile test can write any descriptor it likes.
 */
void virtq_put_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                    uint16_t next);

/**
 * Puts @p n buffers in descriptors 0 to n-1 as one chain (spec 2.7.13), makes its head
 * available and notifies the device. Only one chain is in flight at a time. Returns 0,
 * or -1 if n is 0 or more than the queue holds.
 */
int virtq_submit(struct virtio_dev *d, const struct virtio_buf *bufs, int n);

/** Adds the chain starting at descriptor @p head to the available ring (no notify). */
void virtq_publish(struct virtq *q, uint16_t head);

/** Tells the device that queue @p q has new buffers (spec 4.2.3.3). */
void virtq_notify(struct virtio_dev *d, struct virtq *q);

/**
 * Waits until the device puts a chain in the used ring (spec 2.7.14), by @p how.
 * Returns its head and stores the bytes written in @p *len (when len is not NULL);
 * returns -1 if polling gives up, or if the device sets DEVICE_NEEDS_RESET first and
 * says so with a configuration-change interrupt (or, waiting by interrupt, after any
 * wake-up that brought nothing). Status is not read while all goes well.
 */
int virtq_wait(struct virtio_dev *d, enum virtio_wait how, uint32_t *len);

/**
 * Reads Status up to @p tries times; returns non-zero as soon as it has
 * VIRTIO_STATUS_DEVICE_NEEDS_RESET.
 */
int virtio_needs_reset(const struct virtio_dev *d, unsigned tries);

/** Reads the 32-bit field at offset @p off of the device's configuration space. */
uint32_t virtio_config_read32(const struct virtio_dev *d, unsigned off);

/** Reads the 64-bit field at @p off as two 32-bit halves, consistently (spec 2.5.1). */
uint64_t virtio_config_read64(const struct virtio_dev *d, unsigned off);

#endif
