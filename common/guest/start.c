/*
 * start.c - the runtime's first and last C code (chapter 2): boot.S calls runtime_start()
 * in 64-bit mode, which sets up traps, runs the guest's main(), and ends the machine.
 */
#include <multiboot.h>
#include <stdlib.h>
#include <trap.h>
#include <x86.h>

/* Every C guest defines it; the loader's EAX and EBX arrive as its arguments. */
int main(uint32_t magic, const struct multiboot_info *mbi);

void runtime_start(uint32_t magic, const struct multiboot_info *mbi);

/** Called once by boot.S, on the boot stack at CPL0, with interrupts off. */
void runtime_start(uint32_t magic, const struct multiboot_info *mbi)
{
    trap_init();
    exit(main(magic, mbi));
}

void exit(int code)
{
    outl(PORT_TEST_EXIT, (uint32_t)code);
    /* No exit device: stop here. */
    halt();
}

void halt(void)
{
    /* HLT with interrupts off is for good. */
    for (;;)
        __asm__ volatile("cli; hlt");
}
