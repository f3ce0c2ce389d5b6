/*
 * main.c - chapter 3's program, ch3: the machine of cli.c on KVM.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    static const struct cli_program ch3 = {
        .name = "ch3",
        .about = "Runs GUEST (Multiboot, ELF or flat, as ch2 loads it) on KVM.\n",
        .default_guest = "ch3/devices.elf",
    };

    return cli__main(argc, argv, &ch3);
}
