/*
 * guestpath.h - where a chapter program finds its default guest (chapter 1).
 *
 * Programs live in build/bin and guests in build/guests, so a program finds its
 * default guest relative to its own executable, wherever the tree was checked out.
 */
#ifndef STEPVM_GUESTPATH_H
#define STEPVM_GUESTPATH_H

#include <stddef.h>

/**
 * Writes "<dir of this executable>/../guests/<name>" into buf. Returns 0, or -1 with the
 * error set when the executable's path cannot be read or the result does not fit.
 */
int guestpath__default(char *buf, size_t size, const char *name);

#endif
