/*
 * trace.h - one record per VM exit, as text for a reader or JSON lines for tools
 * (chapter 3).
 */
#ifndef STEPVM_TRACE_H
#define STEPVM_TRACE_H

#include "vcpu.h"

#include <stdint.h>
#include <stdio.h>

/** What one exit was and what it cost. */
struct trace_record {
    unsigned long seq; /* 1, 2, ... */
    int vcpu;
    enum vcpu_exit_kind kind;
    uint64_t where; /* port or guest-physical address (exit_table__key), 0 for other kinds */
    uint32_t size, count;
    int write;
    uint64_t data; /* the first item's value, after the VMM handled it (reads too) */
    uint64_t rip;
    uint64_t t_ns;     /* since the machine started */
    uint64_t guest_ns; /* from entering the guest to this exit */
    uint64_t vmm_ns;   /* handling it in the VMM, until the guest was entered again */
};

/** Fills a record's exit fields from exit (after handling, so reads have their data). */
void trace__from_exit(struct trace_record *r, const struct vcpu_exit *exit);

/** Prints what r's exit was, without its timings or newline: the part that stays the same
 * from run to run (the inspector's exit log uses it). */
void trace__print_exit(FILE *out, const struct trace_record *r);

/** Prints r as one line a reader can follow. */
void trace__print_text(FILE *out, const struct trace_record *r);

/** Prints r as one JSON object on one line. */
void trace__print_json(FILE *out, const struct trace_record *r);

#endif
