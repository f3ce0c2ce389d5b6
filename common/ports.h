/*
 * ports.h - the I/O ports of the guest's view of the machine, as DESIGN.md fixes them
 * (introduced in chapter 1; every chapter keeps them, so one guest runs on all).
 */
#ifndef STEPVM_PORTS_H
#define STEPVM_PORTS_H

#include "hw/uart16550.h"

#define PORT_DEBUGCON  0xe9 /* write a byte to the console (QEMU's debugcon) */
#define PORT_TEST_EXIT 0xf4 /* isa-debug-exit: write v, exit with (v << 1) | 1 */
#define PORT_POST      0x80 /* POST code: the firmware's progress marker */

/* COM1, a 16550A UART: uart16550.h names its registers by their offsets from here. */
#define PORT_COM1     0x3f8                  /* COM1's data register */
#define PORT_COM1_LSR (PORT_COM1 + UART_LSR) /* COM1's line status register, 0x3fd */

#endif
