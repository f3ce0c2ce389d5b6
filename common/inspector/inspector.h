/*
 * inspector.h - the reader's window into the machine: step it exit by exit or instruction
 * by instruction, watch registers, code, memory and exits (introduced in chapter 3).
 *
 * The inspector knows the machine only through the vCPU interface and struct
 * inspector_target, so every chapter from 3 on (and either backend) can be inspected.
 * This file holds the state and the commands; panes.h turns the state into text, which
 * tui.c draws with ncurses and batch.c prints.
 */
#ifndef STEPVM_INSPECTOR_H
#define STEPVM_INSPECTOR_H

#include "exit_table.h"
#include "vcpu.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** How the inspector drives a machine. */
struct inspector_target {
    struct vcpu *vcpu; /* the vCPU in focus: the one step runs and the panes show */
    /**
     * Runs the vCPU in focus to its next exit and handles it, like the machine's own loop
     * would (the other vCPUs of a machine with several wait, unless run_others let them go).
     * Fills line with a one-line description of the exit (without timings, so transcripts
     * stay deterministic), and leaves it empty when no exit happened (the run itself
     * failed). Returns 0 to go on, 1 when the guest has ended, -1 on an error
     * (the error set).
     */
    int (*step)(void *ctx, struct vcpu_exit *exit, char *line, size_t len);
    /** Optional: everything the guest has written to its console so far, or NULL. */
    const char *(*console)(void *ctx);
    void *ctx;
    const char *guest_name;

    /* [inspector-smp] */
    /* Chapter 5: a machine with several vCPUs. With ncpus 0 or 1 the rest is unused. */
    int ncpus;
    /** Puts vCPU i in focus: vcpu and step are about it from now on. Returns 0 or -1. */
    int (*focus)(void *ctx, int i);
    /**
     * One line about vCPU i for the vCPU list: its state ("running", "halted",
     * "wait-for-SIPI") and its last exit, as the exit log writes it.
     */
    void (*describe)(void *ctx, int i, char *line, size_t len);
    /**
     * run = 1: the vCPUs not in focus run freely, while the one in focus is stepped;
     * run = 0: they stop at their next exit and wait (the default). Returns 0 or -1.
     */
    int (*run_others)(void *ctx, int run);
    /* [inspector-smp] */
};

#define INSPECTOR_LOG_MAX   64  /* exit lines kept for the exit log */
#define INSPECTOR_LINE_MAX  160 /* the longest line of any pane */
#define INSPECTOR_ROWS_MAX  32  /* rows of the statistics table */
#define INSPECTOR_BREAK_MAX 16

/** What a breakpoint stops on. */
enum inspector_break_kind {
    BREAK_REASON, /* an exit kind (value: enum vcpu_exit_kind) */
    BREAK_PORT,   /* an I/O exit on this port */
    BREAK_ADDR,   /* RIP reaches this address (found by single-stepping) */
};

struct inspector_break {
    enum inspector_break_kind kind;
    uint64_t value;
};

/** The inspector's state: the machine as of the last stop, and the one before. */
struct inspector {
    struct inspector_target *t;
    struct kvm_regs regs, prev_regs;
    struct kvm_sregs sregs, prev_sregs;
    int have_regs;       /* the registers could be read at the last stop */
    int ended;           /* 1: the guest has ended; -1: it failed; 0: it can run */
    unsigned long exits; /* exits seen since the start */
    enum vcpu_exit_kind last_kind;
    char log[INSPECTOR_LOG_MAX][INSPECTOR_LINE_MAX]; /* a ring: the newest is exits - 1 */
    struct exit_key count_keys[INSPECTOR_ROWS_MAX];  /* the exit statistics' rows (exit_table.h) */
    unsigned long counts[INSPECTOR_ROWS_MAX];        /* and each row's count */
    int ncounts;
    unsigned long uncounted; /* exits beyond the table's rows */
    struct inspector_break breaks[INSPECTOR_BREAK_MAX];
    int nbreaks;
    int follow;                      /* the memory pane follows this register (index), or -1 */
    uint64_t mem_addr;               /* else it shows this linear address */
    char status[INSPECTOR_LINE_MAX]; /* what the last command did, for the status line */
    int focus;                       /* the vCPU in focus (t->vcpu), on a target with several */
    int others_run; /* 1: the vCPUs not in focus run freely (t->run_others(1)); 0: they wait */
    /** Optional: returns nonzero when the user wants a long 'c' to stop (TUI: a key). */
    int (*interrupted)(void *ctx);
    void *interrupted_ctx;
};

/** A general register the reader can name: its name and its place in struct kvm_regs. */
struct inspector_reg {
    const char *name;
    size_t offset;
};

/** The 18 registers of struct kvm_regs in the order the registers pane shows them. */
extern const struct inspector_reg inspector_regs[];
#define INSPECTOR_NREGS 18

/** Returns the value of inspector_regs[i] in regs. */
uint64_t inspector__reg_value(const struct kvm_regs *regs, int i);

/** Returns the index in inspector_regs of the register called name, or -1. */
int inspector__reg_find(const char *name);

/** Starts inspecting t: reads the registers as they are before the first exit. */
void inspector__init(struct inspector *in, struct inspector_target *t);

/**
 * Runs one command line: n, s, c, b [io|mmio|hlt|port N|addr N|clear], g ADDR|REG, q,
 * and for a machine with several vCPUs: cpu N (focus vCPU N), tab (focus the next one),
 * r (the others run freely), p (the others stop and wait). n, s, c, b and g are about
 * the vCPU in focus. Leaves what happened in in->status. Returns 1 for q, else 0.
 */
int inspector__command(struct inspector *in, const char *line);

/** The memory pane's address: the followed register's (through its segment) or the fixed one. */
uint64_t inspector__mem_addr(const struct inspector *in);

/**
 * Runs the inspector in a terminal with ncurses until q. Returns 0, or -1 when the
 * terminal cannot be used (the error set).
 */
int inspector__tui(struct inspector_target *t);

/**
 * Runs the commands of script (one a line, # comments) and prints every pane as text to
 * out after each one, and once before the first. Returns 0, or -1 when the script
 * cannot be read (the error set).
 */
int inspector__batch(struct inspector_target *t, FILE *script, FILE *out);

#endif
