/*
 * string.h - the memory and string functions of the guest's tiny libc (chapter 2).
 * GCC may also call memcpy, memset and memcmp on its own (for struct copies), even in a
 * freestanding build, so they must exist.
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

/** Copies @p n bytes from @p src to @p dst (which must not overlap). Returns @p dst. */
void *memcpy(void *dst, const void *src, size_t n);

/** Fills @p n bytes at @p dst with the byte @p c. Returns @p dst. */
void *memset(void *dst, int c, size_t n);

/** Compares @p n bytes: negative, zero or positive as @p a sorts before, with or after @p b. */
int memcmp(const void *a, const void *b, size_t n);

/** Returns the number of bytes in @p s before its NUL. */
size_t strlen(const char *s);

/** Compares two NUL-terminated strings, as memcmp does. */
int strcmp(const char *a, const char *b);

#endif
