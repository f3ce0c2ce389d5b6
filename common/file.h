/*
 * file.h - reading a guest image whole, with the checks every loader needs first
 * (introduced in chapter 1).
 */
#ifndef STEPVM_FILE_H
#define STEPVM_FILE_H

#include <stddef.h>

/**
 * Reads the regular file at path into a new malloc'd buffer.
 *
 * Refuses (returns -1, sets the error naming the file) a file that is missing or
 * unreadable, not a regular file, empty, or larger than max bytes: a loader then never
 * sees an image it could not place. On success stores the buffer in *data (the caller
 * frees it) and its length in *len, and returns 0.
 */
int file__read_all(const char *path, size_t max, unsigned char **data, size_t *len);

#endif
