/*
 * devices.c - chapter 3's default guest: it talks to each device on the bus, to places
 * where no device is, and to the host through the hypercall port.
 */
#include "stepvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    static struct hypercall_block b;
    static const char msg[] = "hello through a hypercall\n";
    uint8_t bytes[8], *p = bytes;
    unsigned long n = sizeof(bytes);

    printf("debug console reads back 0x%x\n", inb(0xe9));
    outb(0x80, 0x42);
    printf("POST port reads back 0x%x\n", inb(0x80));
    /* [rep-insb] */
    /* String I/O: one REP INSB, one exit, eight bytes from the same port. */
    __asm__ volatile("rep insb" : "+D"(p), "+c"(n) : "d"((uint16_t)0xe9) : "memory");
    printf("rep insb from 0xe9: %02x %02x ... %02x\n", bytes[0], bytes[1], bytes[7]);
    /* [rep-insb] */
    printf("no device at port 0x300: reads 0x%x\n", inb(0x300));
    printf("no device at 0xd0000000: reads 0x%x\n", *(volatile uint32_t *)0xd0000000ull);
    b = (struct hypercall_block){.nr = HC_PRINT, .arg = {(uintptr_t)msg, strlen(msg)}};
    printf("hypercall print returned %d\n", hypercall(&b));
    b = (struct hypercall_block){.nr = HC_MEMSIZE};
    hypercall(&b);
    printf("hypercall memsize: %llu MiB\n", (unsigned long long)(b.arg[0] >> 20));
    halt(); /* a demo, not a test: the VMM ends with status 0 */
}
