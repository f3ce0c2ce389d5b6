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

#include <stdio.h>

/** What the machine records and how strict it is. */
struct vmm_config {
    struct machine_config machine;
    int strict;       /* an access no device claims stops the guest */
    FILE *trace_text; /* one line per exit, or NULL */
    FILE *trace_json; /* one JSON object per exit, or NULL */
    int stats;        /* keep exit statistics */
    FILE *stats_out;  /* where vmm__exit prints them (NULL: machine.diag) */
    int record;       /* fill x->last for every exit even with no trace or statistics */
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
};

/** Builds the machine: chapter 2's, then the buses and devices. Returns 0 or -1. */
int vmm__init(struct vmm *x, const struct vmm_config *cfg);

/** Loads a guest (chapter 2's loaders). Returns 0 or -1. */
int vmm__load(struct vmm *x, const struct machine_image *img);

/**
 * Runs the guest to its next exit and handles it. Returns 0 to go on, 1 when the guest
 * has ended (x->status), -1 on a fatal exit or error (x->crashed when a dump helps).
 * exit, when not NULL, receives the exit as handled (reads carry their data).
 */
int vmm__step(struct vmm *x, struct vcpu_exit *exit);

/** Runs the guest to its end. Returns 0 with x->status set, or -1. */
int vmm__run(struct vmm *x);

/** Prints the register dump and code bytes through the vCPU interface. */
void vmm__dump(struct vmm *x, FILE *out);

/** Releases everything; prints the statistics first when they were kept. */
void vmm__exit(struct vmm *x);

#endif
