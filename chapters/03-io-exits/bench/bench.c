/*
 * bench.c - the command line, clock and report of chapter 3's exit benchmarks (see
 * bench.h).
 */
#include "bench.h"

#include "error.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void usage(const char *prog, const char *what)
{
    printf("usage: %s [options] [GUEST]\n\n%s\n\noptions:\n" MACHINE_OPTIONS_HELP
           "  -h, --help          show this help\n\n"
           "GUEST defaults to guests/ch3/bench-exits.elf beside this program's directory;\n"
           "give it its work with --cmdline 'pio N' or --cmdline 'mmio N'.\n"
           "Prints 'exits E ns T': E I/O and MMIO exits in T ns of the exit loop.\n",
           prog, what);
}

int bench__options(struct machine_options *mo, int argc, char **argv, const char *what)
{
    struct option table[16] = {{"help", no_argument, NULL, 'h'}};
    int opt, n = 1;

    for (const struct option *m = machine_options_table; m->name; m++)
        table[n++] = *m;
    machine_options__init(mo);
    while ((opt = getopt_long(argc, argv, "h", table, NULL)) != -1) {
        int ours = machine_options__parse(mo, opt, optarg);
        if (ours < 0)
            return -1;
        if (ours)
            continue;
        if (opt != 'h')
            return error__set("try '%s --help'", argv[0]);
        usage(argv[0], what);
        exit(0);
    }
    if (argc - optind > 1)
        return error__set("one guest file at most, got %d", argc - optind);
    return machine_options__read_files(mo, optind < argc ? argv[optind] : NULL,
                                       "ch3/bench-exits.elf");
}

uint64_t bench__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench__report(unsigned long exits, uint64_t ns)
{
    printf("exits %lu ns %llu\n", exits, (unsigned long long)ns);
}
