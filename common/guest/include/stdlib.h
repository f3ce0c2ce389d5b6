/*
 * stdlib.h - how a guest ends (chapter 2): exit() through QEMU's isa-debug-exit port.
 */
#ifndef GUEST_STDLIB_H
#define GUEST_STDLIB_H

#define PORT_TEST_EXIT 0xf4 /* a 32-bit write of v ends the VM with status (v << 1) | 1 */

/** The code the exception handler exits with: status (0x7f << 1) | 1 = 255. */
#define EXIT_EXCEPTION 0x7f

/**
 * Ends the machine: writes @p code to port 0xf4, so that the VMM (or QEMU) exits with
 * status (code << 1) | 1. Should the port do nothing, halts with interrupts off forever.
 */
_Noreturn void exit(int code);

/**
 * Stops the CPU for good (CLI, HLT) without a verdict: the VMM ends with status 0, as a
 * machine that simply halted. QEMU has no such convention and just stops. A demo guest
 * halts; a test guest exits with its verdict.
 */
_Noreturn void halt(void);

#endif
