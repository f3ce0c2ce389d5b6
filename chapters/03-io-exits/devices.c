/*
 * devices.c - debug console, test exit, POST port (see devices.h; chapter 3).
 */
#include "devices.h"

/* [debugcon] */
/* QEMU's debugcon: a byte written is a byte printed; a read returns 0xe9, so a guest can
 * tell the port is there. */
static uint64_t debugcon_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    (void)dev, (void)v, (void)offset, (void)size;
    return 0xe9;
}

static int debugcon_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct devices *d = dev;

    (void)v, (void)offset, (void)size;
    fputc((int)(value & 0xff), d->console);
    if ((value & 0xff) == '\n')
        fflush(d->console); /* a whole line: seen at once, even through a pipe */
    return 0;
}
/* [debugcon] */

/* [test-exit] */
/* isa-debug-exit: a write of v ends the machine with exit status (v << 1) | 1, so a
 * test guest's verdict reaches the shell, and can never be 0 by accident. */
static int test_exit_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                           uint32_t size)
{
    struct devices *d = dev;

    (void)v, (void)offset, (void)size;
    d->exit_status = (int)(((value << 1) | 1) & 0xff);
    d->exit_requested = 1;
    return 0;
}
/* [test-exit] */

/* [post] */
/* The POST port: a code written stays readable, as on a POST card's display. */
static uint64_t post_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    (void)v, (void)size;
    return ((struct devices *)dev)->post >> (8 * offset);
}

static int post_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct devices *d = dev;

    (void)v, (void)size;
    d->post = (uint32_t)(value << (8 * offset));
    return 0;
}

int devices__register(struct devices *d, struct bus *pio, FILE *console)
{
    *d = (struct devices){.console = console};
    if (bus__register(pio, PORT_DEBUGCON, 1, "debugcon", debugcon_read, debugcon_write, d) < 0 ||
        bus__register(pio, PORT_TEST_EXIT, 4, "test-exit", NULL, test_exit_write, d) < 0 ||
        bus__register(pio, PORT_POST, 4, "post", post_read, post_write, d) < 0)
        return -1;
    return 0;
}
/* [post] */
