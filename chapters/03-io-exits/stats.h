/*
 * stats.h - exit statistics: per exit reason and per port or address, the count, the
 * time spent in the VMM, and the round trip's mean and 99th percentile (chapter 3).
 */
#ifndef STEPVM_STATS_H
#define STEPVM_STATS_H

#include "exit_table.h"
#include "trace.h"

#include <stdint.h>
#include <stdio.h>

#define STATS_MAX_KEYS  128
#define STATS_MAX_VCPUS 64 /* chapter 5's most */

/** What one row has counted (its key, the exit reason and port or address, is beside it). */
struct stats_row {
    unsigned long count;
    uint64_t vmm_ns;  /* total */
    uint32_t *rtt_ns; /* every round trip (guest + VMM), for the percentile */
    size_t cap;
};

/** The table. Exits beyond STATS_MAX_KEYS distinct rows are counted in `dropped`. */
struct stats {
    struct exit_key keys[STATS_MAX_KEYS]; /* row i's reason, port or address (exit_table.h) */
    struct stats_row rows[STATS_MAX_KEYS];
    int nrows;
    unsigned long dropped;
    unsigned long by_vcpu[STATS_MAX_VCPUS]; /* every exit, by the vCPU that made it */
    int nvcpus;                             /* the highest vCPU seen, plus one */
};

/** Adds one exit. Returns 0, or -1 when out of memory (the error set). */
int stats__add(struct stats *s, const struct trace_record *r);

/** Prints the table: one row per reason and port/address, in order of first appearance;
 *  then, when exits came from several vCPUs (chapter 5), how many each made. */
void stats__print(FILE *out, struct stats *s);

/** Frees the samples. */
void stats__free(struct stats *s);

#endif
