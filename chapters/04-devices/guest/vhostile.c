/*
 * vhostile.c - a hostile virtio-blk driver for chapter 4's machine: case after case, it
 * sets up the device, breaks one rule of the split ring or of the block protocol, and
 * notifies. The device must then show DEVICE_NEEDS_RESET in Status (and never touch memory
 * outside the guest's RAM); after a reset, one good read must work again. One line a case:
 *   vhostile: <case>: needs-reset ok     (or FAIL, with what went wrong)
 * The verdict goes to port 0xf4: 0 when every case passed. It polls and takes no
 * interrupts, so it runs with either controller. Under QEMU, as vblk.elf (no irq=apic
 * needed): qemu-system-x86_64 -M microvm,acpi=off,ioapic2=off ... -kernel vhostile.elf
 */
#include <multiboot.h>
#include <stdio.h>
#include <string.h>
#include <virtio_blk_drv.h>

#define STATUS_READS 10000                 /* reads of Status while waiting for NEEDS_RESET */
#define OUTSIDE_RAM  0x7fff00000000ull     /* far above any guest's RAM */
#define WRAPPING     0xfffffffffffffe00ull /* with len 0x400, addr + len passes 2^64 */

static struct virtio_blk blk;
static struct virtio_blk_req_hdr hdr;
static volatile uint8_t status;
static uint8_t data[VIRTIO_BLK_SECTOR_SIZE];
static int failures;

/* Writes a good read request of sector 0 into descriptors 0 to 2: header, data, status. */
static void put_good_read(struct virtq *q)
{
    hdr = (struct virtio_blk_req_hdr){VIRTIO_BLK_T_IN, 0, 0};
    virtq_put_desc(q, 0, (uintptr_t)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1);
    virtq_put_desc(q, 1, (uintptr_t)data, sizeof data, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    virtq_put_desc(q, 2, (uintptr_t)&status, 1, VIRTQ_DESC_F_WRITE, 0);
}

/* Makes the chain at @p head available and notifies, as a driver would. */
static void offer(struct virtio_dev *d, uint16_t head)
{
    virtq_publish(&d->vq, head);
    virtq_notify(d, &d->vq);
}

/* ---------------------------------------------------------------- the offences */

/* avail idx moves on by more than the queue holds: the device cannot trust any entry. */
static void avail_idx_too_far(struct virtio_dev *d)
{
    struct virtq *q = &d->vq;

    put_good_read(q);
    for (unsigned i = 0; i < q->num; i++)
        q->avail->ring[i] = 0;
    q->avail->idx += q->num + 1;
    virtq_notify(d, q);
}

/* The available ring names a head past the end of the descriptor table. */
static void head_out_of_range(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    offer(d, d->vq.num);
}

/* The data descriptor's next points back to itself: a walk would never end. */
static void next_loops(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    d->vq.desc[1].next = 1;
    offer(d, 0);
}

/* A next index past the end of the table. */
static void next_out_of_range(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    d->vq.desc[1].next = d->vq.num;
    offer(d, 0);
}

/*
 * Every descriptor of the table in one chain whose last comes back to the first: longer
 * than the queue (spec 2.7.5.2 forbids it), which a device notices only by counting. A write
 * request, its buffers all device-readable, so that no other rule (their order) breaks first.
 */
static void chain_too_long(struct virtio_dev *d)
{
    struct virtq *q = &d->vq;

    hdr = (struct virtio_blk_req_hdr){VIRTIO_BLK_T_OUT, 0, 0};
    virtq_put_desc(q, 0, (uintptr_t)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1);
    for (unsigned i = 1; i < q->num; i++)
        virtq_put_desc(q, i, (uintptr_t)data, sizeof data, VIRTQ_DESC_F_NEXT,
                       (uint16_t)((i + 1) % q->num));
    offer(d, 0);
}

/* The data buffer lies far outside guest RAM. */
static void addr_outside_ram(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    d->vq.desc[1].addr = OUTSIDE_RAM;
    offer(d, 0);
}

/* The data buffer's end wraps past 2^64 (a naive addr + len <= ram_size passes). */
static void addr_len_wraps(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    d->vq.desc[1].addr = WRAPPING;
    d->vq.desc[1].len = 0x400;
    offer(d, 0);
}

/* Spec 2.7.4.2: no device-readable descriptor may follow a device-writable one. */
static void write_before_read(struct virtio_dev *d)
{
    struct virtq *q = &d->vq;

    put_good_read(q);
    virtq_put_desc(q, 1, (uintptr_t)data, sizeof data, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
    virtq_put_desc(q, 3, (uintptr_t)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 2);
    offer(d, 0);
}

/* A block request of one descriptor, the header: nowhere to put the status byte. */
static void no_status(struct virtio_dev *d)
{
    put_good_read(&d->vq);
    d->vq.desc[0].flags = 0;
    offer(d, 0);
}

/*
 * The descriptor table's address, set before QueueReady, lies outside RAM. Sets the
 * device up by hand (spec 4.2.3.2) with that address, then offers a good request.
 */
static void queue_outside_ram(struct virtio_dev *d)
{
    struct virtq *q = &d->vq;

    virtio_reset(d);
    if (virtio_negotiate(d, 0) < 0)
        return;
    memset(q->mem, 0, sizeof q->mem);
    virtio_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
    virtio_write(d, VIRTIO_MMIO_QUEUE_NUM, q->num);
    virtio_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)OUTSIDE_RAM);
    virtio_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(OUTSIDE_RAM >> 32));
    virtio_write(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(uintptr_t)q->avail);
    virtio_write(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
    virtio_write(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(uintptr_t)q->used);
    virtio_write(d, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
    virtio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
    virtio_driver_ok(d);
    offer(d, 0);
}

static const struct {
    const char *name;
    void (*offend)(struct virtio_dev *d);
} cases[] = {
    {"avail-idx-too-far", avail_idx_too_far},
    {"head-out-of-range", head_out_of_range},
    {"next-loops", next_loops},
    {"next-out-of-range", next_out_of_range},
    {"chain-too-long", chain_too_long},
    {"addr-outside-ram", addr_outside_ram},
    {"addr-len-wraps", addr_len_wraps},
    {"write-before-read", write_before_read},
    {"no-status", no_status},
    {"queue-outside-ram", queue_outside_ram},
};

/* ---------------------------------------------------------------- the cases */

/* One good read of sector 0 by polling: the device works. Returns non-zero if it did. */
static int good_read(void)
{
    memset(data, 0, sizeof data);
    return virtio_blk_read(&blk, 0, data, sizeof data) == VIRTIO_BLK_S_OK;
}

/* Runs one case: returns 0 if it passed; prints its line either way. */
static int run_case(const char *name, void (*offend)(struct virtio_dev *d))
{
    int needs_reset;

    if (virtio_blk_open(&blk, VIRTIO_POLL) < 0) {
        printf("vhostile: %s: FAIL (the device would not start)\n", name);
        return 1;
    }
    offend(&blk.dev);
    needs_reset = virtio_needs_reset(&blk.dev, STATUS_READS);
    /* Spec 2.4: a reset brings the device back; then it must work as before. */
    virtio_reset(&blk.dev);
    if (virtio_blk_open(&blk, VIRTIO_POLL) < 0 || !good_read()) {
        printf("vhostile: %s: FAIL (no good read after the reset%s)\n", name,
               needs_reset ? "" : "; and no needs-reset");
        return 1;
    }
    printf("vhostile: %s: %s\n", name, needs_reset ? "needs-reset ok" : "FAIL (no needs-reset)");
    return !needs_reset;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    /* First a well-behaved driver: no needs-reset, and the read works. */
    if (virtio_blk_open(&blk, VIRTIO_POLL) < 0)
        return 1;
    if (!good_read() || virtio_needs_reset(&blk.dev, 1)) {
        printf("vhostile: baseline: FAIL (a good read did not work)\n");
        return 1;
    }
    printf("vhostile: baseline: ok (virtio-blk at 0x%lx, queue size %u)\n",
           (unsigned long)blk.dev.base, blk.dev.vq.num);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failures += run_case(cases[i].name, cases[i].offend);
    printf("vhostile: %d of %zu cases failed\n", failures, sizeof cases / sizeof cases[0]);
    return failures;
}
