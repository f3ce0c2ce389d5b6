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
     * The vCPU v stopped at HLT. Called with the machine's lock held (it may wait on it);
     * returns 0 when an interrupt woke the CPU, 1 when it has halted for good.
     */
    int (*halt)(void *ctx, struct vmm *x, struct vcpu *v);
    /** After every exit of vCPU v is handled, with the machine's lock held. */
    int (*after_exit)(void *ctx, struct vmm *x, struct vcpu *v, const struct vcpu_exit *e);
    /**
     * The machine has just ended (x->done), with the lock held: every vCPU has been
     * kicked; the platform wakes whatever waits in it (a CPU in HLT, chapter 4). Returns
     * nothing.
     */
    void (*ended)(void *ctx, struct vmm *x);
    /**
     * Runs every vCPU to the machine's end, for vmm__run (chapter 5: a thread each).
     * NULL: vmm__run steps vCPU 0 on its caller's thread. Returns 0 or -1.
     */
    int (*run)(void *ctx, struct vmm *x);
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
    unsigned ncpus; /* vCPUs, 1 to VMM_MAX_CPUS (chapter 5's --smp); 0 means 1 */
    /* A backend other than KVM (chapter 6's interpreter): makes the vCPU once the RAM
     * exists. NULL: KVM, through machine.kvm_dev. */
    struct vcpu *(*backend)(void *ctx, struct guest_mem *mem);
    void *backend_ctx;
};

#define VMM_MAX_CPUS 64

/* [vmm-cpu] */
/**
 * One vCPU of the machine and what the exit loop keeps for it. Chapters 3 and 4 have
 * one; chapter 5 has several, each run by its own thread, so what one vCPU's exits
 * change lives here and not in struct vmm.
 */
struct vmm_cpu {
    struct kvm_cpu kc;        /* KVM: vCPU i > 0 (vCPU 0 is chapter 2's machine.vm.cpu) */
    struct kvm_vcpu kv;       /* KVM: the interface in front of the KVM vCPU */
    struct vcpu *vcpu;        /* what everything below uses */
    uint64_t t_enter;         /* when it last entered the guest */
    struct trace_record last; /* its last exit (lock held) */
    unsigned long exits;      /* its exits (lock held) */
};
/* [vmm-cpu] */

/** The machine. */
struct vmm {
    struct machine machine; /* chapter 2: memory, loaders, the boot CPU's KVM vCPU */
    struct vmm_cpu cpu[VMM_MAX_CPUS];
    unsigned ncpus;
    struct vcpu *vcpu; /* the boot CPU: cpu[0].vcpu, where the loaders leave the start state */
    struct bus pio, mmio;
    struct devices dev;
    struct hypercall hc;
    struct fw_cfg fw_cfg;
    struct stats stats;
    struct vmm_config cfg;
    unsigned long exits; /* every vCPU's (lock held) */
    /* done is set once, lock held, by the exit that ends the machine; a vCPU's thread
     * reads it without the lock to stop early. status and crashed are set with it. */
    atomic_int done;
    int status, crashed;
    unsigned fault_cpu;       /* with crashed: the vCPU whose state the dump shows */
    uint64_t t_start;         /* when the machine started */
    struct trace_record last; /* the last exit of any vCPU, as the inspector sees it */
    int timed;                /* some consumer wants each exit's record and timings */
    atomic_int started;       /* the platform's start has run */
    /* The vCPUs stopped for good, one bit each (lock held): see vmm__set_stopped. */
    uint64_t stopped;
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
 * Starts the platform (its event loop, chapter 4) before the guest's first instruction,
 * once; vmm__step does it on the first step. Returns 0 or -1.
 */
int vmm__start(struct vmm *x);

/**
 * Runs vCPU i to its next exit and handles it, with the machine's lock held while it is
 * handled, so several threads may each step their own vCPU (chapter 5). Returns 0 to go
 * on, 1 when the machine has ended (x->status), -1 on a fatal exit or error
 * (x->crashed when a dump helps); an error or a fatal exit also ends the machine, so
 * every other vCPU's next step returns 1. exit, when not NULL, receives the exit as
 * handled (reads carry their data).
 */
int vmm__step_vcpu(struct vmm *x, unsigned i, struct vcpu_exit *exit);

/** vmm__step_vcpu for the boot CPU, vCPU 0: the whole machine until chapter 5. */
int vmm__step(struct vmm *x, struct vcpu_exit *exit);

/**
 * Ends the machine with status, lock held, unless it has ended already (the first end
 * wins): sets x->done, kicks every vCPU out of its run and tells the platform.
 */
void vmm__end(struct vmm *x, int status);

/**
 * vmm__end for a thread that is not handling an exit (a tool that drives the machine,
 * chapter 6's lockstep): takes the machine's lock around it.
 */
void vmm__end_locking(struct vmm *x, int status);

/** Runs the guest to its end (by the platform's run, if it has one). Returns 0 with
 *  x->status set, or -1. */
int vmm__run(struct vmm *x);

/**
 * Marks vCPU i stopped for good (stopped = 1: in HLT with interrupts off, or waiting for a
 * startup IPI, so no interrupt can wake it) or running again (0). Lock held. When every
 * vCPU is stopped, nothing is left to wake one, and the machine ends with status 0
 * (DESIGN.md: "0 when the guest halts for good"). With one vCPU, its HLT with interrupts
 * off ends the machine.
 */
void vmm__set_stopped(struct vmm *x, unsigned i, int stopped);

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
/**
 * The KVM vCPU behind vCPU i, for what only KVM has (chapter 6's lockstep gives it a CPUID
 * table); NULL when another backend runs the machine (chapter 6's interpreter) or i is
 * not a vCPU of it.
 */
struct kvm_cpu *vmm__kvm_cpu(struct vmm *x, unsigned i);

/** vCPU i's interface (registers, memory, single-step), NULL when i is not a vCPU of x. */
struct vcpu *vmm__vcpu(struct vmm *x, unsigned i);

/** The exits the machine has handled so far, every vCPU's. Read between steps. */
unsigned long vmm__exits(const struct vmm *x);

/** The status the machine ended with (the guest's, or 0 for a halt for good): valid once
 *  vmm__step has returned 1. */
int vmm__status(const struct vmm *x);

/** 1 when a fatal exit or a shutdown ended the machine, with a vCPU state that explains it
 *  (vmm__dump shows it), 0 when it ended otherwise or an error stopped it. */
int vmm__crashed(const struct vmm *x);

/** Prints the register dump and code bytes of the vCPU that failed (x->fault_cpu). */
void vmm__dump(struct vmm *x, FILE *out);

/** Releases everything; prints the statistics first when they were kept. */
void vmm__exit(struct vmm *x);

#endif
