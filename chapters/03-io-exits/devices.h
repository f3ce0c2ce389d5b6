/*
 * devices.h - the small devices every guest relies on (chapter 3): the debug console
 * (port 0xe9), QEMU's isa-debug-exit test device (0xf4) and the POST code port (0x80).
 */
#ifndef STEPVM_DEVICES_H
#define STEPVM_DEVICES_H

#include "bus.h"
#include "ports.h"

#include <stdint.h>
#include <stdio.h>

/* The ports are DESIGN.md's (common/ports.h). The test exit device is 4 bytes wide, as
 * QEMU's iosize=4; the POST port too: firmware writes 8-, 16- and 32-bit codes. */

/** The devices' state. */
struct devices {
    FILE *console;
    uint32_t post;      /* the last POST code */
    int exit_requested; /* the guest wrote to the test exit device */
    int exit_status;    /* (value << 1) | 1, as QEMU's isa-debug-exit */
};

/** Puts the three devices on the port bus; console takes what the guest prints. */
int devices__register(struct devices *d, struct bus *pio, FILE *console);

#endif
