/*
 * main.c - chapter 4's program, ch4: chapter 3's machine made a PC, with interrupt
 * controllers, timers, a clock and UARTs, on KVM.
 */
#include "pc.h"

int main(int argc, char **argv)
{
    static const struct cli_ext *const exts[] = {&pc_cli_ext, NULL};
    static const struct cli_program ch4 = {
        .name = "ch4",
        .about = "Runs GUEST (Multiboot, ELF or flat) on KVM, on a PC: interrupt controllers,\n"
                 "the PIT, the CMOS clock and a 16550 UART on the terminal.\n",
        .default_guest = "ch4/echo.elf",
        .exts = exts,
    };

    return cli__main(argc, argv, &ch4);
}
