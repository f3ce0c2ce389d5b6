/*
 * virtio.h - virtio 1.x as the OASIS specification (virtio v1.1/1.2) names it: the device
 * status, feature bits, the virtio-mmio transport's registers (version 2), the split
 * virtqueue's layout in guest memory, and the block and console devices (chapter 4).
 *
 * These are the protocol's facts, shared by the devices the VMM models
 * (chapters/04-devices/virtio*.c) and the drivers the guests run (common/guest/virtio.c),
 * so the two sides of the rings cannot disagree about a field. Every multi-byte field is
 * little-endian in guest memory, as virtio 1.x requires (x86 is little-endian, so the
 * structures below are read and written as they are).
 *
 * The VMM includes this file as "hw/virtio.h", guests as <virtio.h>. It includes only
 * <stdint.h>, which a freestanding compiler provides.
 */
#ifndef STEPVM_HW_VIRTIO_H
#define STEPVM_HW_VIRTIO_H

#include <stdint.h>

/* ---- Device status (spec 2.1): the driver sets the bits in this order ---- */

#define VIRTIO_STATUS_ACKNOWLEDGE        1    /* the guest has seen the device */
#define VIRTIO_STATUS_DRIVER             2    /* ... and has a driver for it */
#define VIRTIO_STATUS_DRIVER_OK          4    /* the driver is ready: the device may run */
#define VIRTIO_STATUS_FEATURES_OK        8    /* the driver accepted the features it wrote */
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40 /* the device broke (a bad ring): reset it */
#define VIRTIO_STATUS_FAILED             0x80 /* the driver gave up */

/* ---- Feature bits common to all devices (spec 6) ---- */

#define VIRTIO_F_INDIRECT_DESC   28 /* descriptors may point to a table of descriptors */
#define VIRTIO_F_EVENT_IDX       29 /* used_event / avail_event suppress notifications */
#define VIRTIO_F_VERSION_1       32 /* virtio 1.x, not the legacy interface */
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED     34 /* the packed ring (stepvm offers only the split ring) */

/* Device types (spec 5). */
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4

/* ---- The virtio-mmio transport, version 2 (spec 4.2.2): offsets from the base ---- */

#define VIRTIO_MMIO_MAGIC_VALUE         0x000 /* R: "virt" */
#define VIRTIO_MMIO_VERSION             0x004 /* R: 2 (1 was the legacy layout) */
#define VIRTIO_MMIO_DEVICE_ID           0x008 /* R: VIRTIO_ID_*; 0 means no device */
#define VIRTIO_MMIO_VENDOR_ID           0x00c /* R */
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010 /* R: 32 feature bits, chosen by ..._SEL */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014 /* W: 0 for bits 0-31, 1 for 32-63 */
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020 /* W: the bits the driver accepts */
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024 /* W */
#define VIRTIO_MMIO_QUEUE_SEL           0x030 /* W: the queue the QUEUE_* registers mean */
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034 /* R: largest size; 0: no such queue */
#define VIRTIO_MMIO_QUEUE_NUM           0x038 /* W: the size the driver chose */
#define VIRTIO_MMIO_QUEUE_READY         0x044 /* RW: 1 once the queue's addresses are set */
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050 /* W: "queue n has new buffers" */
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060 /* R: VIRTIO_MMIO_INT_* */
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064 /* W: the bits the driver handled */
#define VIRTIO_MMIO_STATUS              0x070 /* RW: VIRTIO_STATUS_*; writing 0 resets */
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080 /* W: the descriptor table's address */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW     0x090 /* W: the driver (available) ring's */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH    0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW      0x0a0 /* W: the device (used) ring's */
#define VIRTIO_MMIO_QUEUE_USED_HIGH     0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc /* R: changes when the config changes */
#define VIRTIO_MMIO_CONFIG              0x100 /* RW: the device's own configuration */

#define VIRTIO_MMIO_MAGIC      0x74726976 /* "virt", little-endian */
#define VIRTIO_MMIO_VERSION_2  2
#define VIRTIO_MMIO_INT_VRING  1 /* a used ring has new entries */
#define VIRTIO_MMIO_INT_CONFIG 2 /* the configuration changed */

/* ---- The split virtqueue (spec 2.7) ---- */

#define VIRTQ_DESC_F_NEXT     1 /* the chain continues at next */
#define VIRTQ_DESC_F_WRITE    2 /* the device writes this buffer (else reads it) */
#define VIRTQ_DESC_F_INDIRECT 4 /* the buffer is a table of descriptors */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* driver: no interrupt wanted (without EVENT_IDX) */
#define VIRTQ_USED_F_NO_NOTIFY     1 /* device: no notification wanted (without EVENT_IDX) */

#define VIRTQ_MAX_SIZE 32768 /* a queue size is a power of 2, at most this */

/* Alignment the spec requires of each part (2.7, table "Virtqueue Part Alignment"). */
#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

/** One buffer: guest-physical address, length, flags, and the next in its chain. */
struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

/**
 * The driver's ring: the heads of chains it offers. ring[] has the queue's size entries,
 * followed (with VIRTIO_F_EVENT_IDX) by used_event: "interrupt me when used idx passes this".
 */
struct virtq_avail {
    uint16_t flags;
    uint16_t idx; /* where the driver will put its next entry (mod 2^16) */
    uint16_t ring[];
};

/** One finished chain: its head, and how many bytes the device wrote into it. */
struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

/**
 * The device's ring: the chains it has finished. ring[] has the queue's size entries,
 * followed (with VIRTIO_F_EVENT_IDX) by avail_event: "notify me when avail idx passes this".
 */
struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];
};

/* Bytes each part takes for a queue of size n (the event words included). */
#define VIRTQ_DESC_BYTES(n)  (16ull * (n))
#define VIRTQ_AVAIL_BYTES(n) (6ull + 2ull * (n))
#define VIRTQ_USED_BYTES(n)  (6ull + 8ull * (n))

/**
 * With VIRTIO_F_EVENT_IDX: whether moving an index from old to new_idx passed event, so
 * that the other side asked to be told (the spec's vring_need_event, 2.7.7/2.7.10).
 */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* ---- virtio-blk (spec 5.2) ---- */

#define VIRTIO_BLK_F_SIZE_MAX 1 /* size_max: the largest segment */
#define VIRTIO_BLK_F_SEG_MAX  2 /* seg_max: the most segments in a request */
#define VIRTIO_BLK_F_RO       5 /* the disk is read-only */
#define VIRTIO_BLK_F_BLK_SIZE 6 /* blk_size is valid */
#define VIRTIO_BLK_F_FLUSH    9 /* VIRTIO_BLK_T_FLUSH works */

#define VIRTIO_BLK_SECTOR_SIZE 512 /* sector numbers count these, whatever blk_size says */

/* A request is a chain: a header the device reads, data, and one status byte it writes. */
#define VIRTIO_BLK_T_IN     0 /* read sectors */
#define VIRTIO_BLK_T_OUT    1 /* write sectors */
#define VIRTIO_BLK_T_FLUSH  4 /* make earlier writes durable */
#define VIRTIO_BLK_T_GET_ID 8 /* the device's serial: 20 bytes, not NUL-terminated if full */

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20

/** The request header. */
struct virtio_blk_req_hdr {
    uint32_t type; /* VIRTIO_BLK_T_* */
    uint32_t reserved;
    uint64_t sector;
};

/** The start of virtio-blk's configuration space (the fields stepvm offers). */
struct virtio_blk_config {
    uint64_t capacity; /* in 512-byte sectors */
    uint32_t size_max;
    uint32_t seg_max;
    uint8_t geometry[4]; /* cylinders (2 bytes), heads, sectors: unused */
    uint32_t blk_size;
} __attribute__((packed));

/* ---- virtio-console (spec 5.3): one port, queue 0 receives, queue 1 transmits ---- */

#define VIRTIO_CONSOLE_F_SIZE 0 /* cols and rows are valid */
#define VIRTIO_CONSOLE_RX     0 /* receiveq0: buffers the device fills with input */
#define VIRTIO_CONSOLE_TX     1 /* transmitq0: buffers the driver filled with output */

/* ---- Where stepvm's machine puts its virtio-mmio devices (DESIGN.md) ---- */

#define VIRTIO_MMIO_BASE   0xd0000000ull /* device i at VIRTIO_MMIO_BASE + i * STRIDE */
#define VIRTIO_MMIO_STRIDE 0x1000ull
#define VIRTIO_MMIO_SLOTS  6
/* Their interrupts, device i's at VIRTIO_MMIO_IRQS[i] (8 is the RTC's); the same GSI on
 * the I/O APIC. A macro so that guests and the VMM can each make their own array of it. */
#define VIRTIO_MMIO_IRQ_LIST                                                                       \
    {                                                                                              \
        5, 6, 7, 9, 10, 11                                                                         \
    }

#endif
