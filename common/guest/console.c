/*
 * console.c - putchar() and puts() for the guest (chapter 2): each byte is one OUT to the
 * debug console, and one more to COM1 when a guest turns that on.
 */
#include <stdio.h>
#include <uart.h>
#include <x86.h>

static int com1_enabled;

void console_use_com1(int on)
{
    com1_enabled = on;
}

/*
 * Polled, with the UART left as the firmware (or VMM) set it up: QEMU's 16550 and stepvm's
 * send at any speed. A missing UART reads as all ones, so the loop ends there too.
 */
static void com1_putc(uint8_t c)
{
    while (!(inb(PORT_COM1_LSR) & UART_LSR_THRE))
        ;
    outb(PORT_COM1, c);
}

int putchar(int c)
{
    outb(PORT_DEBUGCON, (uint8_t)c);
    if (com1_enabled)
        com1_putc((uint8_t)c);
    return (uint8_t)c;
}

int puts(const char *s)
{
    while (*s)
        putchar(*s++);
    putchar('\n');
    return 0;
}
