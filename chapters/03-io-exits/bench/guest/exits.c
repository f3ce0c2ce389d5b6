/*
 * exits.c - the exit round-trip benchmark's guest (chapter 3): with the Multiboot command
 * line "pio N" it writes N times to port 0x80, with "mmio N" N times to 0xd0000000, at
 * CPL3, and exits. Every write is one exit to the VMM and back: nothing else happens.
 *
 * Port 0x80 has a trivial device in stepvm and in QEMU (its ioport80); no device claims
 * 0xd0000000 in either (QEMU: unassigned memory in the PCI hole). The loops run at CPL3
 * because some nested KVMs emulate CPL0 code slowly and run CPL3 code natively. QEMU's
 * -kernel passes "FILE pio N" (the file name first), so the kind is found by word.
 */
#include <multiboot.h>
#include <stdio.h>
#include <string.h>
#include <user.h>
#include <x86.h>

#define BENCH_PORT 0x80
#define BENCH_MMIO 0xd0000000ull

/* One exit each; the counter in a register, the loop a few instructions. */
static long pio_loop(void *arg)
{
    for (unsigned long n = (unsigned long)arg; n; n--)
        outb(BENCH_PORT, (uint8_t)n);
    return 0;
}

static long mmio_loop(void *arg)
{
    volatile uint32_t *reg = (volatile uint32_t *)BENCH_MMIO;

    for (unsigned long n = (unsigned long)arg; n; n--)
        *reg = (uint32_t)n;
    return 0;
}

/* Returns the word after the first word of cmdline equal to kind, or NULL. */
static const char *after_word(const char *cmdline, const char *kind)
{
    size_t len = strlen(kind);

    for (const char *p = cmdline; *p; p++)
        if ((p == cmdline || p[-1] == ' ') && memcmp(p, kind, len) == 0 && p[len] == ' ')
            return p + len + 1;
    return NULL;
}

/* Reads a decimal count; 0 when there is none. */
static unsigned long parse_count(const char *s)
{
    unsigned long n = 0;

    while (s && *s >= '0' && *s <= '9')
        n = n * 10 + (unsigned long)(*s++ - '0');
    return n;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    const char *cmdline = "";
    const char *arg;
    long (*loop)(void *) = NULL;

    if (magic == MULTIBOOT_BOOT_MAGIC && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
        cmdline = (const char *)(uintptr_t)mbi->cmdline;
    if ((arg = after_word(cmdline, "pio")))
        loop = pio_loop;
    else if ((arg = after_word(cmdline, "mmio")))
        loop = mmio_loop;
    unsigned long n = parse_count(arg);
    if (!loop || n == 0) {
        printf("bench-exits: command line '%s': want 'pio N' or 'mmio N'\n", cmdline);
        return 1;
    }
    user_call(loop, (void *)n);
    return 0;
}
