/*
 * exit_table.h - the rows that exit statistics count by: an exit's kind, and for I/O and
 * MMIO exits its port or address (chapter 3). Chapter 3's --stats table and the
 * inspector's counts pane both keep their rows this way.
 */
#ifndef STEPVM_EXIT_TABLE_H
#define STEPVM_EXIT_TABLE_H

#include "vcpu.h"

#include <stdint.h>

/** One row's key: the exit kind, and the port (I/O) or address (MMIO); 0 for other kinds. */
struct exit_key {
    enum vcpu_exit_kind kind;
    uint64_t where;
};

/** The key of the row that exit e counts in. */
struct exit_key exit_table__key(const struct vcpu_exit *e);

/**
 * Finds key among the *n keys of a table with room for max rows, kept in order of first
 * appearance; a key not there yet is added at the end (and *n grows). Returns the row's
 * index, or -1 when the key is new and the table is full.
 */
int exit_table__row(struct exit_key *keys, int *n, int max, struct exit_key key);

#endif
