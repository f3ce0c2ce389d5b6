/*
 * cli.h - chapter 3's program as a module, so that a later chapter's program is this one
 * plus its own options (chapter 3; chapter 6 adds --accel).
 */
#ifndef STEPVM_CLI_H
#define STEPVM_CLI_H

#include "vmm.h"

#include <getopt.h>

/** What makes one program of the other: its name, its words, its own options. */
struct cli_program {
    const char *name;          /* "ch3", "stepvm" */
    const char *about;         /* the first lines of --help: what the program runs, and on what */
    const char *options_help;  /* --help lines of the program's own options, or NULL */
    const char *default_guest; /* under guests/, e.g. "ch3/devices.elf" */
    const struct option *options; /* the program's own getopt entries, or NULL */
    /** Takes one of the program's own options: 0, or -1 with the error set. */
    int (*option)(void *ctx, int opt, const char *arg);
    /** Adjusts the machine's configuration before it is built: 0, or -1 (error set). */
    int (*configure)(void *ctx, struct vmm_config *cfg);
    /**
     * Runs the guest the program's own way instead of building one machine and running it
     * (chapter 6's --lockstep builds two). Called after configure; returns the process's
     * exit status, having printed its own errors, or -1 to leave the run to this module.
     * NULL: never.
     */
    int (*run)(void *ctx, const struct vmm_config *cfg, const struct machine_image *img);
    /** Called last, with the machine (NULL if it was never built) and the run's result. */
    void (*finish)(void *ctx, struct vmm *x, int ret);
    void *ctx;
};

/**
 * Runs the program: parses argv (chapter 2's machine options, chapter 3's, the program's),
 * builds the machine, runs or inspects the guest. Returns the process's exit status.
 */
int cli__main(int argc, char **argv, const struct cli_program *p);

#endif
