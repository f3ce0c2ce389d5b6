/*
 * size.h - sizes and addresses as a reader types them: 64M, 2G, 0x100000 (chapter 2).
 */
#ifndef STEPVM_SIZE_H
#define STEPVM_SIZE_H

#include <stdint.h>

/**
 * Parses a decimal or 0x-hexadecimal number with an optional suffix K, M or G (powers of
 * 1024, either case) into *out: "64M", "2g", "4096", "0x100000", "010M" (ten MiB). Refuses (returns
 * -1, sets the error naming what) an empty string, junk, a negative number, or one that overflows
 * 64 bits.
 */
int size__parse(const char *text, const char *what, uint64_t *out);

#endif
