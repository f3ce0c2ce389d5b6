/*
 * vmm.h - chapter 3's machine: chapter 2's memory, loaders and CPU modes, driven through
 * the vCPU interface, with an exit loop that sends every I/O and MMIO exit to a bus of
 * devices, and records what each exit cost (chapter 3).
 */
#ifndef STEPVM_VMM_H
#define STEPVM_VMM_H

#include "bus.h"
#include "devices.h"
#include "fw_cfg.h"
#include "hypercall.h"
#include "kvm_vcpu.h"
#include "machine.h"
#include "stats.h"
#include "trace.h"

#include <pthread.h>
#include <stdio.h>

struct vmm;

/* [platform] */
/**
 * What a later chapter adds to the machine, at the points of its construction and of its
 * exit loop where each belongs (chapter 4: the PC's interrupt controllers and devices,
 * and the images only a PC boots). The order of construction is fixed: the VM and its
 * memory, then the interrupt controllers (KVM wants its in-kernel ones before any vCPU),
 * then the vCPUs, then the devices; vmm__load comes after. Every member may be NULL; each
 * returns 0, or -1 with the error set, except where its comment says otherwise.
 */
struct vmm_platform {
    int (*irqchip)(void *ctx, struct vmm *x); /* after the VM, before the vCPUs */
    int (*devices)(void *ctx, struct vmm *x); /* after the vCPUs and chapter 3's devices */
    /**
     * Asked first by vmm__load: returns 1 when img is of a kind it loads (chapter 4: a
     * Linux bzImage) and it has loaded it and left the boot state in chapter 2's machine
     * (machine__set_state), 0 when img is not its kind (chapter 2's loaders then run),
     * -1 with the error set.
     */
    int (*load)(void *ctx, struct vmm *x, const struct machine_image *img);
    int (*start)(void *ctx, struct vmm *x); /* before the guest's first instruction */
    /**
     * The vCPU stopped at HLT. Called with the machine's lock held (it may wait on it);
     * returns 0 when an interrupt woke the CPU, 1 when it has halted for good.
     */
    int (*halt)(void *ctx, struct vmm *x);
    /** After every exit is handled, with the machine's lock held. */
    int (*after_exit)(void *ctx, struct vmm *x, const struct vcpu_exit *e);
    void (*stop)(void *ctx, struct vmm *x); /* before the machine is released */
    void *ctx;
};
/* [platform] */

/** What the machine records and how strict it is. */
struct vmm_config {
    struct machine_config machine;
    int strict;       /* an access no device claims stops the guest */
    FILE *trace_text; /* one line per exit, or NULL */
    FILE *trace_json; /* one JSON object per exit, or NULL */
    int stats;        /* keep exit statistics */
    FILE *stats_out;  /* where vmm__exit prints them (NULL: machine.diag) */
    int record;       /* fill x->last for every exit even with no trace or statistics */
    int inspect;      /* the inspector drives the machine and owns the terminal */
    const struct vmm_platform *platform; /* a later chapter's additions, or NULL */
    /* A backend other than KVM (chapter 6's interpreter): makes the vCPU once the RAM
     * exists. NULL: KVM, through machine.kvm_dev. */
    struct vcpu *(*backend)(void *ctx, struct guest_mem *mem);
    void *backend_ctx;
};

/** The machine. */
struct vmm {
    struct machine m;   /* chapter 2: memory, loaders, the KVM vCPU */
    struct kvm_vcpu kv; /* the interface in front of that vCPU */
    struct vcpu *vcpu;  /* what everything below uses */
    struct bus pio, mmio;
    struct devices dev;
    struct hypercall hc;
    struct fw_cfg fw_cfg;
    struct stats stats;
    struct vmm_config cfg;
    unsigned long exits;
    int done, status, crashed;
    uint64_t t_start, t_enter; /* when the machine started, when the guest was last entered */
    struct trace_record last;  /* the last exit, as the trace and the inspector see it */
    int timed;                 /* some consumer wants each exit's record and timings */
    int started;               /* the platform's start has run */
    /* Set with the lock held by whatever ends the machine from outside the guest (the user
     * quit, a platform that saw the CPU halt for good); the next vmm__step returns 1. */
    int quit, quit_status;
    /* The machine's lock: held while an exit is handled, and by any other thread that
     * touches a device (chapter 4's event loop). One lock for all, as QEMU's big lock. */
    pthread_mutex_t lock;
};

/**
 * Builds the machine: chapter 2's VM and memory, the platform's interrupt controllers,
 * the vCPU, then the buses and devices (chapter 3's, then the platform's). Returns 0 or -1.
 */
int vmm__init(struct vmm *x, const struct vmm_config *cfg);

/**
 * Loads a guest: by the platform's load when it takes the image, else by chapter 2's
 * loaders; then gives the boot state to the vCPU. Returns 0 or -1.
 */
int vmm__load(struct vmm *x, const struct machine_image *img);

/**
 * Runs the guest to its next exit and handles it. Returns 0 to go on, 1 when the guest
 * has ended (x->status), -1 on a fatal exit or error (x->crashed when a dump helps).
 * exit, when not NULL, receives the exit as handled (reads carry their data).
 */
int vmm__step(struct vmm *x, struct vcpu_exit *exit);

/** Runs the guest to its end. Returns 0 with x->status set, or -1. */
int vmm__run(struct vmm *x);

/**
 * A device writes guest memory (DMA, chapter 4): the bytes go through every vCPU's
 * interface, so a vCPU that keeps decoded code (chapter 6's interpreter) drops what the
 * write changed, as a CPU's caches snoop a device's write. Returns 0, or -1 when the
 * range is not all RAM (nothing written then).
 */
int vmm__dma_write(struct vmm *x, uint64_t gpa, const void *buf, size_t len);

/**
 * A device has written guest-physical [gpa, gpa + len) in place, through a host pointer
 * from guest_mem__find (chapter 4's virtio-blk reads a disk straight into the guest's
 * buffers): every vCPU is told, as vmm__dma_write tells it.
 */
void vmm__dma_written(struct vmm *x, uint64_t gpa, size_t len);
/** Prints the register dump and code bytes through the vCPU interface. */
void vmm__dump(struct vmm *x, FILE *out);

/** Releases everything; prints the statistics first when they were kept. */
void vmm__exit(struct vmm *x);

#endif
