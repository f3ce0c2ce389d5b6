/*
 * lockstep.h - one guest run on KVM and on the interpreter side by side, and compared
 * (chapter 6; what is compared: lockstep_compare.h).
 *
 * Both machines are chapter 3's, built from the same image in one process. They run to
 * their next exit in turn, and at every exit the two must agree: the same exit (kind,
 * port or address, size, direction, data) and the same registers. A guest that runs
 * without interrupts is deterministic, so any difference is the interpreter's (or, now and
 * then, KVM's). Where they first differ, both run again from the start to the last exit
 * where they agreed, and from there one instruction at a time, until the instruction that
 * makes the difference is found: its address, its bytes, and both states after it.
 */
#ifndef STEPVM_LOCKSTEP_H
#define STEPVM_LOCKSTEP_H

#include "vmm.h"

#include <stdint.h>
#include <stdio.h>

/** How closely the two machines are compared. */
enum lockstep_mode {
    LOCKSTEP_EXITS, /* at every exit; from the last exit before a difference, at every step */
    LOCKSTEP_STEPS, /* at every instruction from the start: slow, each step is an exit */
};

/** What a lockstep run found and what it cost. */
struct lockstep_result {
    unsigned long exits_kvm, exits_tcg; /* exits each machine took in the exit-by-exit run */
    uint64_t instructions;              /* instructions the interpreter ran in that run */
    unsigned long differences;          /* 0, or 1: the comparison stops at the first */
    unsigned long steps;                /* single steps taken to find the instruction */
    unsigned long carried;              /* of them, KVM's that ran more than one instruction */
    unsigned long pinned;               /* results copied from KVM (the clock, the TSC) */
    int status;                         /* the guest's exit status on KVM */
    double seconds;                     /* the whole comparison, search included */
};

/**
 * Runs img on KVM (cfg->machine.kvm_dev) and on the interpreter and compares them as mode
 * says: exit by exit and, from the last exit before the first difference, instruction by
 * instruction; or instruction by instruction from the start. The guests' consoles go to
 * memory and are compared at the end, and so is their RAM (not after single steps). What
 * was found goes to out, ending with the numbers and "lockstep: N difference(s)". cfg's
 * backend, traces and statistics are not used. Returns 0 when the two agreed to the end,
 * 1 when they differed, -1 when a machine could not be built or run (error set).
 */
int lockstep__run(const struct vmm_config *cfg, const struct machine_image *img,
                  enum lockstep_mode mode, FILE *out, struct lockstep_result *res);

#endif
