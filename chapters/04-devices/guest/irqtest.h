/*
 * irqtest.h - what the two files of irqtest.elf share (chapter 4): one PASS or FAIL line
 * a check on the debug console, and waits bounded by the PIT's channel 2, so that a
 * device that never answers fails a check instead of hanging the guest.
 */
#ifndef IRQTEST_H
#define IRQTEST_H

#include <stdint.h>

/** Prints "PASS name: detail" or "FAIL name: detail" (detail formatted like printf). */
void check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Busy-waits up to @p ms milliseconds for (inb(port) & mask) == want; returns non-zero on success.
 */
int wait_port(uint16_t port, uint8_t mask, uint8_t want, unsigned ms);

/** The UART's register rules as a guest sees them (irqtest_uart.c). */
void check_uart(void);

#endif
