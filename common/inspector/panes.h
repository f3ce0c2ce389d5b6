/*
 * panes.h - the text of each inspector pane (chapter 3). Both faces of the inspector
 * use these: tui.c draws the lines in windows, batch.c prints them.
 */
#ifndef STEPVM_PANES_H
#define STEPVM_PANES_H

#include "inspector.h"

#define PANE_LINES_MAX 64

/** One line of a pane; mark[i] is nonzero where text[i] changed since the last stop. */
struct pane_line {
    char text[INSPECTOR_LINE_MAX];
    char mark[INSPECTOR_LINE_MAX];
};

/** A pane: its title and up to PANE_LINES_MAX lines, none wider than width. */
struct pane {
    char title[INSPECTOR_LINE_MAX];
    int width, n;
    struct pane_line lines[PANE_LINES_MAX];
};

/**
 * Writes the status line: the guest, the vCPU in focus (only when there are several), the
 * exit count, the last exit, the last message.
 */
void panes__status(const struct inspector *in, char *buf, size_t size);

/**
 * The general registers three a row, then segments, control registers and the CPU mode.
 * A value that changed since the last stop ends with '*' and is marked.
 */
void panes__registers(const struct inspector *in, struct pane *p, int width);

/** The next lines instructions from RIP, disassembled in the CPU's mode. */
void panes__code(const struct inspector *in, struct pane *p, int width, int lines);

/** A hexdump of lines rows at the memory pane's address (inspector__mem_addr). */
void panes__memory(const struct inspector *in, struct pane *p, int width, int lines);

/**
 * A machine with several vCPUs (chapter 5): one line per vCPU as the target's describe()
 * tells it, the one in focus marked with "=>". With more vCPUs than lines, the list starts
 * late enough to show the one in focus. The title says whether the others run or wait.
 * Empty for a machine with one vCPU.
 */
void panes__cpus(const struct inspector *in, struct pane *p, int width, int lines);

/** The last lines exits, oldest first. */
void panes__log(const struct inspector *in, struct pane *p, int width, int lines);

/** Exit counts per reason and port or address, in order of first appearance. */
void panes__stats(const struct inspector *in, struct pane *p, int width, int lines);

/** The last lines of the guest's console output (empty without a console). */
void panes__console(const struct inspector *in, struct pane *p, int width, int lines);

#endif
