/*
 * main.c - chapter 5's program, ch5: chapter 4's PC with several vCPUs, one thread each.
 */
#include "smp.h"

int main(int argc, char **argv)
{
    static const struct cli_ext *const exts[] = {&pc_cli_ext, &smp_cli_ext, NULL};
    static const struct cli_program ch5 = {
        .name = "ch5",
        .about = "Runs GUEST (Multiboot, ELF, flat or a Linux bzImage) on KVM, on a PC with\n"
                 "several CPUs (--smp N), each a vCPU run by a thread of this process.\n",
        .default_guest = "ch5/smp.elf",
        .exts = exts,
    };

    return cli__main(argc, argv, &ch5);
}
