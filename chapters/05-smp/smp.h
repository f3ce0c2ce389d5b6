/*
 * smp.h - chapter 5's machine: chapter 4's PC with several CPUs, each vCPU run by a
 * thread of its own, as QEMU runs every vCPU of a KVM guest (chapter 5).
 *
 * What several CPUs add to the PC, and where it lives:
 *   - the vCPUs themselves: chapter 3's machine makes --smp of them (struct vmm_cpu);
 *   - one thread a vCPU, and a main thread that starts them, waits for the machine's end
 *     (or SIGINT, SIGTERM) and joins them: smp__run here;
 *   - how the CPUs find each other: the ACPI MADT (chapter 4, one entry a CPU) and the MP
 *     table (mptable.h) in the ROM at 0xf0000; fw_cfg's CPU count (chapter 3);
 *   - interrupts between CPUs. With KVM's in-kernel local APICs (--irqchip=kernel), KVM
 *     delivers IPIs and handles INIT and the startup IPI itself: an AP's KVM_RUN waits in
 *     the kernel until its startup IPI comes. With stepvm's models (--irqchip=user), the
 *     APIC bus (apicbus.h) carries the IPIs, and INIT and startup are this file's work: an
 *     AP's thread waits until a startup IPI names the page where it begins.
 */
#ifndef STEPVM_SMP_H
#define STEPVM_SMP_H

#include "apicbus.h"
#include "error.h"
#include "inspector/inspector.h"
#include "mptable.h"
#include "pc.h"

#include <pthread.h>

/** Where a CPU is, as the machine sees it (the inspector shows it). */
enum smp_cpu_state {
    SMP_CPU_RUNNING,   /* in the guest, or handling an exit */
    SMP_CPU_HALTED,    /* in HLT, waiting for an interrupt */
    SMP_CPU_WAIT_SIPI, /* after INIT (or from power-up, an AP): waiting for a startup IPI */
};

/** One CPU's thread and what INIT and startup need (--irqchip=user). */
struct smp_cpu {
    struct smp *smp;
    unsigned index;
    pthread_t thread;
    int thread_started;
    enum smp_cpu_state state; /* machine's lock */
    int startup_pending;      /* machine's lock: a startup IPI came; its thread starts the CPU */
    uint8_t startup_vector;
    int failed; /* its last step failed: error holds why */
    char error[ERROR_MAX];
    /* Under the inspector (smp_inspect.c), all with the machine's lock: */
    long permits;               /* exits it may make before it waits: -1 for no limit */
    int at_gate;                /* it waits for a permit */
    unsigned long steps;        /* steps done */
    int step_ret;               /* what its last step returned */
    struct vcpu_exit last_exit; /* and the exit it handled */
};

/** Chapter 5's machine: the PC (which it wraps), and what runs its CPUs. */
struct smp {
    struct pc *pc;                    /* chapter 4's PC */
    const struct vmm_platform *inner; /* the PC's platform, whose hooks smp's call */
    struct vmm_platform platform;
    struct vmm *vmm;
    unsigned ncpus;
    struct smp_cpu cpu[VMM_MAX_CPUS];
    struct apicbus bus;          /* --irqchip=user: the wires between the local APICs */
    struct irqchip_bus chip_bus; /* ... as chapter 4's irqchip sees them */
    /* Signalled (with the machine's lock) when a startup IPI arrives or the machine ends:
     * a CPU waiting for its startup IPI waits on it. */
    pthread_cond_t startup;
    /* The power-up state INIT puts back (--irqchip=user): an AP's, read before it ran. */
    struct kvm_regs reset_regs;
    struct kvm_sregs reset_sregs;
    int have_reset;
    int done_fd; /* an eventfd: a vCPU thread has finished */
    /* The inspector (smp_inspect.c): it lets each vCPU's thread make exits one at a time,
     * or freely; a thread waits for its permit on gate, with the machine's lock. */
    int inspecting;
    pthread_cond_t gate;
    int focus, others_run;
    struct inspector_target *target;
    const char *(*console)(void *ctx); /* the target's console, and its context, as chapter */
    void *console_ctx;                 /* 3 made them (the console pane) */
    uint8_t rom[MPTABLE_MAX];          /* the MP table, as the ROM at 0xf0000 */
};

/**
 * Makes cfg build chapter 5's machine with ncpus CPUs: chapter 4's PC pc, which
 * pc__configure has already made cfg's platform, wrapped in smp's, with the MP table in
 * the ROM. Returns 0, or -1 with the error set (ncpus out of range).
 */
int smp__configure(struct smp *smp, struct pc *pc, struct vmm_config *cfg, unsigned ncpus);

/** Chapter 5's addition to a program: --smp N, and the machine that runs the CPUs. */
extern const struct cli_ext smp_cli_ext;

/**
 * Starts a thread for every vCPU (the platform's start first). Returns 0 or -1 with the
 * error set.
 */
int smp__start_threads(struct smp *s, struct vmm *x);

/**
 * Joins every vCPU thread that smp__start_threads started, ending the machine first if
 * it is still running. Lock not held.
 */
void smp__join_threads(struct smp *s);

/**
 * Makes t, the inspector's target, drive the machine's vCPUs one at a time (inspector.h's
 * focus, describe, run_others) when there are several: a thread each, every one waiting
 * for the inspector's permit before each exit. With one vCPU t is left as it is, and
 * chapter 3's inspector steps it on its own thread. Returns 0 or -1.
 */
int smp__inspect(struct smp *s, struct vmm *x, struct inspector_target *t);

/** Under the inspector: vCPU c's thread waits here for its permit before each exit.
 *  Returns 1 when the machine has ended meanwhile. Lock not held. */
int smp__gate(struct smp_cpu *c);

/** Under the inspector: vCPU c's thread made an exit, which returned ret. Lock not held. */
void smp__gate_passed(struct smp_cpu *c, int ret);

/** Returns a short name for a CPU state ("running", "halted", "wait-for-SIPI"). */
const char *smp__state_name(enum smp_cpu_state state);

#endif
