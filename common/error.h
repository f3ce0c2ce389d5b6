/*
 * error.h - how stepvm's library code reports failure (introduced in chapter 1).
 *
 * Library functions never print and never exit. They return -1 (or NULL) and leave
 * one human-readable sentence here; main() prints it and decides what to do.
 * The message is per thread, so vCPU threads (chapter 5) cannot overwrite each other's.
 */
#ifndef STEPVM_ERROR_H
#define STEPVM_ERROR_H

#include <stddef.h>

/** Longest message kept; longer ones are cut. */
#define ERROR_MAX 512

/* [error-api] */
/** Records a formatted message as the current error. Always returns -1. */
int error__set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Records "<formatted text>: <strerror(errno)>" as the current error, using the errno
 * in effect at the call. Always returns -1.
 */
int error__errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Appends " (hint)" to the current error, for the fix a reader should try. */
void error__hint(const char *hint);

/** Returns the current error message ("" when none was set). */
const char *error__get(void);
/* [error-api] */

#endif
