/*
 * lockstep_pair.h - the two machines of stepvm --lockstep, one on KVM and one on the
 * interpreter (chapter 6): built alike from one image, run to their next exit with what
 * each did logged as items (lockstep_compare.h), kept alike where the host answers
 * differently, and compared at the end. lockstep.c drives them.
 */
#ifndef STEPVM_LOCKSTEP_PAIR_H
#define STEPVM_LOCKSTEP_PAIR_H

#include "lockstep.h"
#include "lockstep_compare.h"

#include <stdio.h>

/* One machine of the pair. */
struct lockstep_side {
    const char *name;  /* "kvm" or "tcg" */
    struct vmm vmm;    /* reached only through vmm__* calls */
    struct vcpu *vcpu; /* its vCPU (the boot CPU): registers and memory are read through it */
    struct vcpu *tcg;  /* the interpreter's vCPU; NULL on KVM */
    FILE *console;     /* the guest's console and the machine's warnings, in memory */
    char *text;
    size_t len;
    int built, ended;
    char why[256];               /* why the machine died, when it did */
    struct lockstep_log log;     /* what it did that the other has not matched yet */
    struct lockstep_state state; /* its registers after the last exit or step */
};

/* The two machines, and where the comparison (lockstep.c) has got to with them. */
struct lockstep_pair {
    struct lockstep_side k, t; /* KVM, the interpreter */
    enum lockstep_mode mode;
    const struct vmm_config *cfg; /* to build them again for the search */
    const struct machine_image *img;
    FILE *out;
    struct lockstep_result *res;
    unsigned long pairs; /* rounds of the exit-by-exit comparison: a new exit on either side */
    unsigned long clean; /* the last round where the states agreed between instructions */
};

/** Builds both machines from cfg and loads img in each. Returns 0, or -1 with the error
 *  set (release them with lockstep_pair__exit either way). */
int lockstep_pair__init(struct lockstep_pair *p, const struct vmm_config *cfg,
                        const struct machine_image *img);

/** Releases both machines; lockstep_pair__init may build them again. */
void lockstep_pair__exit(struct lockstep_pair *p);

/**
 * Runs one machine to its next exit, handles it, and appends its items. A machine that
 * has ended adds LOCKSTEP_ITEM_END. Returns 0, or -1 when the run itself failed.
 */
int lockstep_pair__next_exit(struct lockstep_side *s);

/**
 * Ends machine s with status 0 as its guest would have (KVM single-stepping over a HLT
 * with interrupts off, which chapter 3's machine would have ended on).
 */
void lockstep_pair__end(struct lockstep_side *s);

/**
 * Compares the items both machines have not compared yet, pairwise, as far as both have
 * them, pinning the clock hypercall's answer on the way. Returns 1 at the first pair that
 * differs (left as the next of each), else 0.
 */
int lockstep_pair__compare_items(struct lockstep_pair *p);

/** Returns 1 when all of both logs compared alike, else 0. */
int lockstep_pair__logs_agree(struct lockstep_pair *p);

/**
 * After the run: the two consoles, and (exit by exit) the guests' RAM page by page, must
 * be the same. Returns 0 when they are, 1 when not (reported to p->out).
 */
int lockstep_pair__compare_ends(struct lockstep_pair *p);

#endif
