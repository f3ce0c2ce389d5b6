/*
 * term.h - the host's terminal as the machine's console (chapter 4): raw mode while the
 * guest runs, put back on every way out, and QEMU's -nographic escape keys.
 *
 * Ctrl-A x quits, Ctrl-A h lists the keys, Ctrl-A Ctrl-A sends one Ctrl-A to the guest, and
 * any other key after Ctrl-A is dropped. Everything else the user types goes to the guest,
 * ^C included: the terminal sends no signals while the guest has it.
 */
#ifndef STEPVM_TERM_H
#define STEPVM_TERM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define TERM_ESCAPE 0x01 /* Ctrl-A */

/** The console: where input comes from, where output goes, what to put back. */
struct term {
    int in_fd, out_fd;
    struct termios saved;         /* in_fd's settings before raw mode */
    volatile sig_atomic_t is_raw; /* saved holds settings to put back */
    int escape;                   /* the last byte filtered was a lone Ctrl-A */
};

/**
 * Opens the console on in_fd and out_fd. When in_fd is a terminal, puts it in raw mode (no
 * echo, no line editing, no signals from keys, 8-bit input), but keeps output processing, so
 * a "\n" from the guest still starts a line; its old settings are kept for term__restore.
 * When in_fd is not a terminal, nothing changes. Returns 0, or -1 with the error set.
 */
int term__open(struct term *t, int in_fd, int out_fd);

/**
 * Puts back the settings term__open found. Does nothing the second time, or when nothing was
 * changed. Async-signal-safe: a signal handler may call it.
 */
void term__restore(struct term *t);

/**
 * Makes sure t is restored however the process ends: at exit(), and on SIGINT, SIGTERM,
 * SIGHUP and the crash signals (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL), whose handler
 * restores and then lets the signal do what it did before (by default, end the process with
 * that signal). A signal the process ignores stays ignored. One terminal a process: a second
 * call replaces the first. Returns 0, or -1 with the error set.
 */
int term__install_restore(struct term *t);

/**
 * Turns n bytes typed on the host into bytes for the guest, written to out (room for n), and
 * returns how many. Ctrl-A starts an escape, which may end in the next call's bytes. Sets
 * *quit to 1 on Ctrl-A x (the bytes after it are not looked at), to 0 otherwise. Ctrl-A h
 * writes the list of keys to out_fd.
 */
size_t term__filter(struct term *t, const uint8_t *in, size_t n, uint8_t *out, int *quit);

/**
 * Writes all n bytes of buf to out_fd: retries after a signal, and when out_fd is
 * non-blocking and full, waits until it can take more, so no output is lost. Returns 0, or
 * -1 with the error set.
 */
int term__write(struct term *t, const uint8_t *buf, size_t n);

#endif
