/*
 * bench.h - what chapter 3's exit benchmarks share (chapter 3): the command line of
 * bench-bare and bench-path (chapter 2's machine options and a guest file), the clock,
 * and the one line each prints for run.sh.
 */
#ifndef STEPVM_BENCH_H
#define STEPVM_BENCH_H

#include "options.h"

#include <stdint.h>

/**
 * Parses "PROGRAM [machine options] [GUEST]" into mo and reads the guest (by default
 * guests/ch3/bench-exits.elf). what is the program's one-paragraph description for
 * --help. Returns 0, or -1 with the error set; --help prints and exits 0.
 */
int bench__options(struct machine_options *mo, int argc, char **argv, const char *what);

/** Returns CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench__now_ns(void);

/**
 * Prints "exits E ns T" on stdout: E exits (I/O and MMIO, not counting the one that
 * ended the guest) handled in T nanoseconds of the exit loop, first KVM_RUN to last.
 */
void bench__report(unsigned long exits, uint64_t ns);

#endif
