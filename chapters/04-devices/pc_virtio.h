/*
 * pc_virtio.h - the PC's virtio-mmio slots: the disks and the console the command line
 * asks for, at the addresses and interrupts of DESIGN.md's map, and the two shortcuts
 * KVM offers paravirtual devices, ioeventfd and irqfd (chapter 4).
 *
 * Without the shortcuts, the driver's QueueNotify write is an MMIO exit the vCPU's thread
 * handles, and the device's interrupt goes through the irq_line like any other. With
 * them, KVM signals an eventfd on the notify write without leaving the kernel for user
 * space's exit path (the event loop serves the queue), and the device raises its
 * interrupt by writing an eventfd KVM reads (irqfd): no KVM_IRQ_LINE ioctl.
 */
#ifndef STEPVM_PC_VIRTIO_H
#define STEPVM_PC_VIRTIO_H

#include "hw/virtio.h"
#include "irq.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_mmio.h"

#include <poll.h>

struct vmm;

#define PC_VIRTIO_QUEUES 2 /* the most queues one of the PC's devices has (the console's) */

/** What the command line asks for. */
struct pc_virtio_config {
    char disk_path[VIRTIO_MMIO_SLOTS][4096]; /* --disk FILE[,ro], in order */
    int disk_ro[VIRTIO_MMIO_SLOTS];
    unsigned ndisks;
    int console;      /* --virtio-console */
    int no_ioeventfd; /* --no-ioeventfd: every notification is an MMIO exit */
    int no_irqfd;     /* --no-irqfd: interrupts through KVM_IRQ_LINE */
};

/** One slot: a transport and the device behind it. */
struct pc_virtio_slot {
    struct virtio_mmio t;
    struct virtio_blk blk;         /* when a disk */
    struct virtio_console console; /* when the console */
    int is_console;
    int notify_fd[PC_VIRTIO_QUEUES]; /* ioeventfd per queue, or -1 */
    int irq_fd;                      /* irqfd, or -1 */
    struct irq_sink irqfd_sink;      /* the line's far end when irq_fd is used */
    unsigned gsi;
};

/** The PC's virtio devices. */
struct pc_virtio {
    struct pc_virtio_config cfg;
    struct vmm *vmm;
    struct virtio_dma dma;
    struct pc_virtio_slot slot[VIRTIO_MMIO_SLOTS];
    unsigned n;
    struct pc_virtio_slot *console; /* the console's slot, or NULL */
};

/**
 * Makes the devices cfg asks for on machine x, slot after slot: disks first, then the
 * console; their lines end at sink (the machine's interrupt controllers) unless
 * kernel_irqchip and irqfd let KVM take them. Returns 0, or -1 with the error set.
 */
int pc_virtio__create(struct pc_virtio *pv, struct vmm *x, const struct irq_sink *sink,
                      int kernel_irqchip, FILE *console_out);
/** Adds the ioeventfds to fds (at most max); returns how many. */
int pc_virtio__pollfds(const struct pc_virtio *pv, struct pollfd *fds, int max);
/** Serves the queues whose ioeventfd fired (fds as pc_virtio__pollfds filled them, then
 *  polled). The machine's lock is held. */
void pc_virtio__serve(struct pc_virtio *pv, const struct pollfd *fds, int n);
/** Releases the devices, their files and eventfds. */
void pc_virtio__exit(struct pc_virtio *pv);

#endif
