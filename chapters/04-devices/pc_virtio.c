/*
 * pc_virtio.c - the PC's virtio-mmio devices, ioeventfd and irqfd (see pc_virtio.h;
 * chapter 4).
 */
#include "pc_virtio.h"

#include "error.h"
#include "vmm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const unsigned slot_irq[VIRTIO_MMIO_SLOTS] = VIRTIO_MMIO_IRQ_LIST;

/* ---- The devices' way into guest memory ---- */

/* Every address a device follows comes from the guest: only RAM is mapped. */
static void *dma_map(void *ctx, uint64_t gpa, uint64_t len)
{
    struct vmm *x = ctx;

    if (guest_mem__is_rom(&x->machine.mem, gpa))
        return NULL; /* a device never writes a ROM, and has no reason to read one */
    return guest_mem__find(&x->machine.mem, gpa, len);
}

static void dma_written(void *ctx, uint64_t gpa, uint64_t len)
{
    vmm__dma_written(ctx, gpa, (size_t)len);
}

/* The console's output: the machine's console, flushed as COM1's is. */
static void console_tx(void *ctx, const uint8_t *buf, size_t len)
{
    fwrite(buf, 1, len, ctx);
    fflush(ctx);
}

/* ---- irqfd and ioeventfd ---- */

/* [irqfd] */
/* The device's line when KVM takes its interrupts from an eventfd: a rising edge is one
 * write; KVM injects it into its in-kernel I/O APIC and PIC without an ioctl. The
 * machine's tables declare these interrupts edge-triggered, so the falling edge has
 * nothing to say. */
static void irqfd_set(void *ctx, unsigned line, int level)
{
    struct pc_virtio_slot *s = ctx;
    uint64_t one = 1;

    (void)line;
    if (level && write(s->irq_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        fprintf(stderr, "warning: irqfd for GSI %u: %s\n", s->gsi, strerror(errno));
}

static int irqfd_attach(struct pc_virtio_slot *s, int vm_fd)
{
    if ((s->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return error__errno("eventfd for the irqfd of GSI %u", s->gsi);
    struct kvm_irqfd req = {.fd = (uint32_t)s->irq_fd, .gsi = s->gsi};
    if (ioctl(vm_fd, KVM_IRQFD, &req) < 0)
        return error__errno("KVM_IRQFD for GSI %u", s->gsi);
    s->irqfd_sink = (struct irq_sink){irqfd_set, s};
    return 0;
}
/* [irqfd] */

/* [ioeventfd] */
/* One eventfd per queue: KVM signals it when the guest writes the queue's index to
 * QueueNotify, and completes the write without an exit to user space. */
static int ioeventfd_attach(struct pc_virtio_slot *s, int vm_fd, uint64_t base, unsigned nqueues)
{
    for (unsigned q = 0; q < nqueues && q < PC_VIRTIO_QUEUES; q++) {
        if ((s->notify_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
            return error__errno("eventfd for the ioeventfd of queue %u", q);
        struct kvm_ioeventfd req = {
            .datamatch = q,
            .addr = base + VIRTIO_MMIO_QUEUE_NOTIFY,
            .len = 4,
            .fd = s->notify_fd[q],
            .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
        };
        if (ioctl(vm_fd, KVM_IOEVENTFD, &req) < 0)
            return error__errno("KVM_IOEVENTFD at 0x%llx", (unsigned long long)req.addr);
    }
    return 0;
}
/* [ioeventfd] */

/* ---- Building them ---- */

static int add_slot(struct pc_virtio *pv, const struct irq_sink *sink, int kernel_irqchip,
                    const char *name, const struct virtio_dev_ops *ops, void *dev)
{
    struct pc_virtio_slot *s = &pv->slot[pv->n];
    uint64_t base = VIRTIO_MMIO_BASE + pv->n * VIRTIO_MMIO_STRIDE;
    int vm_fd = pv->vmm->machine.vm.kvm.vm_fd;

    s->gsi = slot_irq[pv->n];
    struct irq_line line = {sink, s->gsi};
    if (kernel_irqchip && !pv->cfg.no_irqfd) {
        if (irqfd_attach(s, vm_fd) < 0)
            return -1;
        line.sink = &s->irqfd_sink;
    }
    virtio_mmio__init(&s->t, name, ops, dev, &pv->dma, line, pv->vmm->cfg.machine.diag);
    if (virtio_mmio__register(&s->t, &pv->vmm->mmio, base) < 0)
        return -1;
    if (vm_fd >= 0 && !pv->cfg.no_ioeventfd && ioeventfd_attach(s, vm_fd, base, ops->nqueues) < 0)
        return -1;
    pv->n++;
    return 0;
}

int pc_virtio__create(struct pc_virtio *pv, struct vmm *x, const struct irq_sink *sink,
                      int kernel_irqchip, FILE *console_out)
{
    static char names[VIRTIO_MMIO_SLOTS][24]; /* "virtio-blk" and any unsigned */

    pv->vmm = x;
    pv->dma = (struct virtio_dma){dma_map, dma_written, x};
    for (unsigned i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        pv->slot[i].irq_fd = -1;
        pv->slot[i].blk.fd = -1; /* no disk yet: nothing to close */
        for (unsigned q = 0; q < PC_VIRTIO_QUEUES; q++)
            pv->slot[i].notify_fd[q] = -1;
    }
    if (pv->cfg.ndisks + !!pv->cfg.console > VIRTIO_MMIO_SLOTS)
        return error__set("at most %d virtio devices (disks and the console)", VIRTIO_MMIO_SLOTS);
    for (unsigned i = 0; i < pv->cfg.ndisks; i++) {
        struct pc_virtio_slot *s = &pv->slot[pv->n];
        if (virtio_blk__open(&s->blk, pv->cfg.disk_path[i], pv->cfg.disk_ro[i],
                             x->cfg.machine.diag) < 0)
            return -1;
        snprintf(names[pv->n], sizeof(names[0]), "virtio-blk%u", i);
        if (add_slot(pv, sink, kernel_irqchip, names[pv->n], &virtio_blk_ops, &s->blk) < 0)
            return -1;
    }
    if (pv->cfg.console) {
        struct pc_virtio_slot *s = &pv->slot[pv->n];
        virtio_console__init(&s->console, console_tx, console_out);
        s->is_console = 1;
        pv->console = s;
        if (add_slot(pv, sink, kernel_irqchip, "virtio-console", &virtio_console_ops, &s->console) <
            0)
            return -1;
    }
    return 0;
}

/* ---- Serving the ioeventfds ---- */

int pc_virtio__pollfds(const struct pc_virtio *pv, struct pollfd *fds, int max)
{
    int n = 0;

    for (unsigned i = 0; i < pv->n; i++)
        for (unsigned q = 0; q < PC_VIRTIO_QUEUES; q++)
            if (pv->slot[i].notify_fd[q] >= 0 && n < max)
                fds[n++] = (struct pollfd){pv->slot[i].notify_fd[q], POLLIN, 0};
    return n;
}

void pc_virtio__serve(struct pc_virtio *pv, const struct pollfd *fds, int n)
{
    for (int k = 0; k < n; k++) {
        uint64_t count;
        if (!(fds[k].revents & POLLIN) || read(fds[k].fd, &count, sizeof(count)) < 0)
            continue;
        for (unsigned i = 0; i < pv->n; i++)
            for (unsigned q = 0; q < PC_VIRTIO_QUEUES; q++)
                if (pv->slot[i].notify_fd[q] == fds[k].fd)
                    virtio_mmio__notify(&pv->slot[i].t, q);
    }
}

void pc_virtio__exit(struct pc_virtio *pv)
{
    if (!pv->vmm)
        return; /* pc_virtio__create never ran: there is nothing, not even fds set to -1 */
    for (unsigned i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        struct pc_virtio_slot *s = &pv->slot[i];
        for (unsigned q = 0; q < PC_VIRTIO_QUEUES; q++)
            if (s->notify_fd[q] >= 0)
                close(s->notify_fd[q]);
        if (s->irq_fd >= 0)
            close(s->irq_fd);
        virtio_blk__close(&s->blk);
    }
    pv->n = 0;
    pv->vmm = NULL;
}
