/*
 * virtio.c - the guest's virtio-mmio driver (chapter 4): the transport's registers, the
 * status protocol, one split virtqueue, and one request at a time, waited for by polling
 * the used ring or by the device's interrupt. Section numbers are virtio 1.2's.
 */
#include <intc.h>
#include <string.h>
#include <virtio_drv.h>

#define POLL_SPINS (1ul << 30) /* used-ring reads before polling gives up */
#define IRQ_LINES  16

/* The device each ISA IRQ belongs to, for the interrupt handler. */
static struct virtio_dev *irq_owner[IRQ_LINES];

/* The compiler must not move ring accesses across this; x86 itself keeps stores in order
 * and loads in order, which is all the split ring needs (spec 2.7.13, 2.7.14). */
static inline void ring_barrier(void)
{
    __asm__ volatile("" : : : "memory");
}

/* A full fence: our ring stores before the load of a register or of the device's ring. */
static inline void full_barrier(void)
{
    __asm__ volatile("mfence" : : : "memory");
}

uint32_t virtio_read(const struct virtio_dev *d, unsigned reg)
{
    return *(volatile uint32_t *)(d->base + reg);
}

void virtio_write(struct virtio_dev *d, unsigned reg, uint32_t value)
{
    *(volatile uint32_t *)(d->base + reg) = value;
}

/* ---------------------------------------------------------------- finding a device */

/* Spec 4.2.3.1.1: MagicValue must be "virt" and Version 2; DeviceID 0 is an empty slot. */
int virtio_probe(uintptr_t base, uint32_t device_id)
{
    const volatile uint32_t *r = (const volatile uint32_t *)base;

    return r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MMIO_MAGIC &&
           r[VIRTIO_MMIO_VERSION / 4] == VIRTIO_MMIO_VERSION_2 &&
           r[VIRTIO_MMIO_DEVICE_ID / 4] == device_id;
}

/*
 * An operating system learns where virtio-mmio devices are and which interrupt each has
 * from the firmware's tables (ACPI's DSDT on stepvm and on microvm, a device tree
 * elsewhere). The book's guests take a shortcut: they probe the two machines' fixed slots.
 * A transport with no device behind it answers DeviceID 0, and an address where nothing
 * is mapped reads as all ones (or zeros); none of them passes virtio_probe().
 */
int virtio_find(struct virtio_dev *d, uint32_t device_id)
{
    static const int stepvm_irqs[VIRTIO_MMIO_SLOTS] = VIRTIO_MMIO_IRQ_LIST;

    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        uintptr_t base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
        if (virtio_probe(base, device_id)) {
            d->base = base;
            d->irq = stepvm_irqs[i];
            d->device_id = device_id;
            return 0;
        }
    }
    for (int i = 0; i < QEMU_MICROVM_VIRTIO_MMIO_SLOTS; i++) {
        uintptr_t base = QEMU_MICROVM_VIRTIO_MMIO_BASE + i * QEMU_MICROVM_VIRTIO_MMIO_STRIDE;
        if (virtio_probe(base, device_id)) {
            d->base = base;
            d->irq = QEMU_MICROVM_VIRTIO_MMIO_IRQ_BASE + i;
            d->device_id = device_id;
            return 0;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------- the status protocol */

void virtio_reset(struct virtio_dev *d)
{
    /* Spec 4.2.2.1: writing 0 resets; the driver waits for Status to read 0 again. */
    virtio_write(d, VIRTIO_MMIO_STATUS, 0);
    while (virtio_read(d, VIRTIO_MMIO_STATUS) != 0)
        ;
}

static void status_set(struct virtio_dev *d, uint32_t bits)
{
    virtio_write(d, VIRTIO_MMIO_STATUS, virtio_read(d, VIRTIO_MMIO_STATUS) | bits);
}

/* [negotiate] */
int virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
    uint64_t offered;

    /* Spec 3.1.1 steps 1-3: reset; we have seen the device; we can drive it. */
    virtio_reset(d);
    status_set(d, VIRTIO_STATUS_ACKNOWLEDGE);
    status_set(d, VIRTIO_STATUS_DRIVER);

    /* Step 4: read the 64 feature bits, 32 at a time (4.2.2), and write our subset.
     * Without VERSION_1 the device is a legacy one, which this driver does not speak. */
    virtio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered = (uint64_t)virtio_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    virtio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    offered |= virtio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
    if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
        goto err_failed;
    d->features = offered & (wanted | (1ull << VIRTIO_F_VERSION_1));
    virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
    virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));

    /* Steps 5-6: FEATURES_OK, and read it back: a device that clears it refuses them. */
    status_set(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(virtio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        goto err_failed;
    return 0;

err_failed:
    status_set(d, VIRTIO_STATUS_FAILED);
    return -1;
}
/* [negotiate] */

void virtio_driver_ok(struct virtio_dev *d)
{
    status_set(d, VIRTIO_STATUS_DRIVER_OK);
}

int virtio_needs_reset(const struct virtio_dev *d, unsigned tries)
{
    for (unsigned i = 0; i < tries; i++)
        if (virtio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- configuration space */

uint32_t virtio_config_read32(const struct virtio_dev *d, unsigned off)
{
    /* Spec 4.2.2.2: 32-bit fields by aligned 32-bit reads. */
    return virtio_read(d, VIRTIO_MMIO_CONFIG + off);
}

uint64_t virtio_config_read64(const struct virtio_dev *d, unsigned off)
{
    uint32_t gen, lo, hi;

    /* Spec 2.5.1: the two halves belong together only if ConfigGeneration did not
     * change while they were read. */
    do {
        gen = virtio_read(d, VIRTIO_MMIO_CONFIG_GENERATION);
        lo = virtio_config_read32(d, off);
        hi = virtio_config_read32(d, off + 4);
    } while (gen != virtio_read(d, VIRTIO_MMIO_CONFIG_GENERATION));
    return ((uint64_t)hi << 32) | lo;
}

/* ---------------------------------------------------------------- the virtqueue */

/* Where the three parts of a queue of @p num entries lie in its page (spec 2.7). */
static void virtq_layout(struct virtq *q, uint16_t num)
{
    uintptr_t mem = (uintptr_t)q->mem;
    uintptr_t avail = mem + VIRTQ_DESC_BYTES(num);
    uintptr_t used = (avail + VIRTQ_AVAIL_BYTES(num) + VIRTQ_USED_ALIGN - 1) &
                     ~(uintptr_t)(VIRTQ_USED_ALIGN - 1);

    q->num = num;
    q->desc = (struct virtq_desc *)mem;
    q->avail = (struct virtq_avail *)avail;
    q->used = (struct virtq_used *)used;
    q->last_used = 0;
}

static void write_addr(struct virtio_dev *d, unsigned low_reg, const void *p)
{
    virtio_write(d, low_reg, (uint32_t)(uintptr_t)p);
    virtio_write(d, low_reg + 4, (uint32_t)((uint64_t)(uintptr_t)p >> 32));
}

int virtq_setup(struct virtio_dev *d, unsigned index)
{
    struct virtq *q = &d->vq;
    uint32_t max;
    uint16_t num = VIRTQ_DRV_MAX_SIZE;

    /* Spec 4.2.3.2 steps 1-3: select the queue; it must not be in use yet, and
     * QueueNumMax 0 means there is no such queue. */
    virtio_write(d, VIRTIO_MMIO_QUEUE_SEL, index);
    if (virtio_read(d, VIRTIO_MMIO_QUEUE_READY) != 0)
        return -1;
    max = virtio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0)
        return -1;

    /* Steps 4-5: our page, zeroed (so both rings' idx start at 0), and the size. */
    while (num > max)
        num /= 2;
    memset(q->mem, 0, sizeof q->mem);
    virtq_layout(q, num);
    q->index = index;
    virtio_write(d, VIRTIO_MMIO_QUEUE_NUM, num);

    /* Steps 6-7: the three addresses, then QueueReady. */
    write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc);
    write_addr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, q->avail);
    write_addr(d, VIRTIO_MMIO_QUEUE_USED_LOW, q->used);
    virtio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

/* [publish] */
void virtq_publish(struct virtq *q, uint16_t head)
{
    /* Spec 2.7.13.2-3: the head goes in the next ring slot; the descriptors and the slot
     * must be visible before idx moves past it. idx wraps at 2^16, not at num. */
    q->avail->ring[q->avail->idx % q->num] = head;
    ring_barrier();
    q->avail->idx++;
}

void virtq_notify(struct virtio_dev *d, struct virtq *q)
{
    /* Spec 2.7.13.4 and 4.2.3.3: idx must be visible to the device before the notify. */
    full_barrier();
    virtio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}
/* [publish] */

void virtq_put_desc(struct virtq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                    uint16_t next)
{
    q->desc[i] = (struct virtq_desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

int virtq_submit(struct virtio_dev *d, const struct virtio_buf *bufs, int n)
{
    struct virtq *q = &d->vq;

    if (n <= 0 || n > q->num)
        return -1;
    /* Spec 2.7.5: one descriptor a buffer, linked by next; the last has no NEXT flag. */
    for (int i = 0; i < n; i++) {
        int more = i + 1 < n;
        virtq_put_desc(q, (uint16_t)i, (uint64_t)(uintptr_t)bufs[i].addr, bufs[i].len,
                       bufs[i].flags | (more ? VIRTQ_DESC_F_NEXT : 0),
                       more ? (uint16_t)(i + 1) : 0);
    }
    virtq_publish(q, 0);
    virtq_notify(d, q);
    return 0;
}

/* Takes the next used element if there is one (spec 2.7.14). Returns its id, or -1. */
static int virtq_take_used(struct virtq *q, uint32_t *len)
{
    struct virtq_used_elem *e;

    if (*(volatile uint16_t *)&q->used->idx == q->last_used)
        return -1;
    ring_barrier(); /* read idx before the element it covers */
    e = &q->used->ring[q->last_used % q->num];
    q->last_used++;
    if (len)
        *len = e->len;
    return (int)e->id;
}

/*
 * A device that breaks sets DEVICE_NEEDS_RESET in Status and sends a configuration-change
 * interrupt (spec 2.1.2), which the handler records in interrupt_bits. Reading Status is
 * an exit to the hypervisor, so the waits below read it only with a reason: that interrupt
 * was recorded (the bit stays: after one, every look reads Status), or a wake-up brought
 * no used buffer. Never before each HLT: with ioeventfd the request is still running
 * then, and the read would cost an exit a request.
 */
static int may_need_reset(const struct virtio_dev *d)
{
    return (d->interrupt_bits & VIRTIO_MMIO_INT_CONFIG) && virtio_needs_reset(d, 1);
}

/* Polls the used ring. A poller takes no interrupts, so it learns of a broken device only
 * when it gives up, unless the device's interrupt is attached and records one. */
static int virtq_poll(struct virtio_dev *d, uint32_t *len)
{
    int id;

    for (unsigned long spin = 0; spin < POLL_SPINS; spin++) {
        if ((id = virtq_take_used(&d->vq, len)) >= 0)
            return id;
        if (may_need_reset(d))
            return -1;
    }
    return -1;
}

/* Sleeps until the interrupt: looks with interrupts off, then STI; HLT, so that an
 * interrupt that comes between the look and the halt still wakes us (irq.h). */
static int virtq_sleep(struct virtio_dev *d, uint32_t *len)
{
    int id, woke = 0;

    for (;;) {
        irq_disable();
        if ((id = virtq_take_used(&d->vq, len)) >= 0)
            break;
        if (may_need_reset(d) || (woke && virtio_needs_reset(d, 1)))
            break;
        wait_for_interrupt();
        woke = 1;
    }
    irq_enable();
    return id;
}

int virtq_wait(struct virtio_dev *d, enum virtio_wait how, uint32_t *len)
{
    return how == VIRTIO_POLL ? virtq_poll(d, len) : virtq_sleep(d, len);
}

/* ---------------------------------------------------------------- interrupts */

/* Spec 4.2.3.4: read InterruptStatus, handle it, write the same bits to InterruptACK. The
 * line is edge-triggered, so a used buffer that comes after the ACK raises a new edge. */
static void virtio_irq(int vector)
{
    struct virtio_dev *d = irq_owner[vector - INTC_ISA_VECTOR(0)];
    uint32_t bits;

    if (!d)
        return;
    bits = virtio_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);
    virtio_write(d, VIRTIO_MMIO_INTERRUPT_ACK, bits);
    d->interrupt_bits |= bits;
    d->interrupts++;
}

void virtio_attach_irq(struct virtio_dev *d)
{
    if (d->irq < 0 || d->irq >= IRQ_LINES)
        return;
    irq_owner[d->irq] = d;
    intc_attach(d->irq, virtio_irq);
}
