/*
 * pty.h - a program run on a pseudo-terminal, as a person at a terminal runs it (chapter
 * 4): the test types, reads what the screen shows, and checks afterwards that the program
 * left the terminal as it found it.
 */
#ifndef STEPVM_PTY_H
#define STEPVM_PTY_H

#include <stddef.h>
#include <sys/types.h>

/** A program running on a pseudo-terminal. */
struct pty_run {
    pid_t pid;
    int master, slave;
    char out[65536]; /* everything the program wrote to the terminal so far */
    size_t len;
    int status;   /* its exit status, or 128 + signal number */
    int restored; /* after it ended: the terminal's settings were those before it ran */
};

/**
 * Starts the built program (relative to the build dir, e.g. "bin/stepvm") with args
 * (NULL-terminated; an argument starting with "guests/" is made absolute) on a new
 * pseudo-terminal: its stdin and stdout, and its controlling terminal. stderr goes to
 * the terminal too. Aborts the test on failure.
 */
void pty_start(struct pty_run *r, const char *program, const char *const args[]);

/** Types text, as a person would. */
void pty_type(struct pty_run *r, const char *text);

/** Reads the screen until it shows want (up to 30 s); fails the test otherwise. */
void pty_wait_for(struct pty_run *r, const char *want);

/** Sends sig to the program. */
void pty_signal(struct pty_run *r, int sig);

/**
 * Reads until the program ends (up to 30 s; fails the test otherwise), then fills in
 * status and restored and closes the terminal.
 */
void pty_finish(struct pty_run *r);

#endif
