/*
 * cli.h - chapter 3's program as a module, in four steps (parse, build, run, finish), so
 * that a later chapter's program is this one plus the additions of its chapters
 * (chapter 3; chapter 4 adds the PC's devices, chapter 6 the choice of backend).
 *
 * kvmtool's "run" command is the model: the command line becomes a configuration, the
 * configuration a machine, the machine runs, and what it leaves is cleaned up in one
 * place. A chapter extends the program with a struct cli_ext: its options, and its say
 * in each step. A program is a name, a default guest and the list of its extensions.
 */
#ifndef STEPVM_CLI_H
#define STEPVM_CLI_H

#include "options.h"
#include "vmm.h"

#include <getopt.h>

struct inspector_target;

/** One chapter's additions to the program. Every member may be NULL. */
struct cli_ext {
    const char *options_help;     /* --help lines of its options */
    const struct option *options; /* its getopt entries, ended by a zeroed entry */
    /** Takes one of its options: 0, or -1 with the error set. */
    int (*option)(void *ctx, int opt, const char *arg);
    /** Adjusts the machine's configuration before it is built: 0, or -1 (error set). */
    int (*configure)(void *ctx, struct vmm_config *cfg);
    /**
     * Runs the guest its own way instead of building one machine and running it
     * (chapter 6's --lockstep builds two). Called after every configure; returns the
     * process's exit status, having printed its own errors, or -1 to leave the run to
     * the program.
     */
    int (*run)(void *ctx, const struct vmm_config *cfg, const struct machine_image *img);
    /**
     * Adjusts the inspector's target before the inspector starts, on a built and loaded
     * machine (chapter 5: several vCPUs, see inspector.h): 0, or -1 with the error set.
     */
    int (*inspect)(void *ctx, struct vmm *x, struct inspector_target *t);
    /** Called last, with the machine (NULL if it was never built) and the run's result. */
    void (*finish)(void *ctx, struct vmm *x, int ret);
    void *ctx;
};

/** A program: its name, its words, and the extensions it is made of. */
struct cli_program {
    const char *name;  /* "ch3", "stepvm" */
    const char *about; /* the first lines of --help, each ending in a newline: what it runs */
    const char *default_guest;         /* under guests/, e.g. "ch3/devices.elf" */
    const struct cli_ext *const *exts; /* NULL-terminated, in chapter order; may be NULL */
};

/** Chapter 3's own options. */
struct cli_options {
    int trace, stats, strict, inspect, batch, help;
    const char *trace_file, *batch_script, *guest;
};

/** The inspector's view of the machine: the guest's console kept in memory. */
struct cli_inspect {
    struct vmm *vmm;
    FILE *console;
    char *text;
    size_t len;
};

/** How far a run has come; cli__finish releases and reports according to it. */
enum cli_stage {
    CLI_STARTED,    /* nothing built yet */
    CLI_HELP,       /* --help was printed: nothing to build or run */
    CLI_BUILT,      /* the machine vmm is built (and must be released) */
    CLI_RAN,        /* the machine ran to its end: the exit status is vmm.status */
    CLI_RAN_BY_EXT, /* an extension ran the guest its own way: the exit status is status */
};

/** One run of a program, from step to step. */
struct cli {
    const struct cli_program *p;
    struct machine_options mo;
    struct cli_options o;
    struct vmm_config cfg;
    struct vmm vmm;
    struct cli_inspect ic;
    FILE *json;
    enum cli_stage stage;
    int failed; /* a step failed, with the error set */
    int status; /* with CLI_RAN_BY_EXT: the exit status the extension's run returned */
};

/**
 * Step 1: reads argv (chapter 2's machine options, chapter 3's, every extension's), the
 * guest file, and makes the machine's configuration, which each extension may adjust.
 * Returns 0 to go on, 1 when there is nothing more to do (--help), -1 with the error set.
 */
int cli__parse(struct cli *c, int argc, char **argv, const struct cli_program *p);

/** Step 2: builds the machine and loads the guest. Returns 0 or -1 with the error set. */
int cli__build(struct cli *c);

/** Step 3: runs the guest to its end, or steps it in the inspector. Returns 0 or -1. */
int cli__run(struct cli *c);

/**
 * Step 4: reports an error (with the register dump after a crash), releases everything,
 * and returns the process's exit status: the guest's, or 1.
 */
int cli__finish(struct cli *c);

/** The four steps in order. Returns the process's exit status. */
int cli__main(int argc, char **argv, const struct cli_program *p);

#endif
