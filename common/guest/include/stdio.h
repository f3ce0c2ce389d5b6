/*
 * stdio.h - the guest's console output and formatting (chapter 2).
 *
 * Every byte goes to the debug console (port 0xe9), and to COM1 when a guest asks for it
 * with console_use_com1(): QEMU comparisons run with -serial none, so COM1 is off by default.
 */
#ifndef GUEST_STDIO_H
#define GUEST_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define PORT_DEBUGCON 0xe9 /* write a byte: it appears on the VMM's console */

/** Sends each byte also to COM1 (polled) when @p on is non-zero; off at boot. */
void console_use_com1(int on);

/** Writes the byte @p c to the console. Returns @p c as an unsigned char. */
int putchar(int c);

/** Writes the string @p s and a newline to the console. Returns 0. */
int puts(const char *s);

/**
 * Formats like C's printf, with the conversions %d %i %u %x %X %p %s %c %%, the flags
 * '-' and '0', a decimal width, and the length modifiers l, ll and z.
 * Returns the number of bytes written.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Formats into @p buf, writing at most @p size bytes including the NUL. Returns the
 *  length the whole result would have had, as C's snprintf does. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** snprintf with a va_list. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/** printf with a va_list. */
int vprintf(const char *fmt, va_list ap);

#endif
