/*
 * main.c - chapter 4's program, ch4: chapter 3's machine with interrupt controllers,
 * timers, a clock and a UART, on KVM.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    static const struct cli_program ch4 = {
        .name = "ch4",
        .about = "Runs GUEST (Multiboot, ELF or flat) on KVM. ",
        .default_guest = "ch3/devices.elf",
    };

    return cli__main(argc, argv, &ch4);
}
