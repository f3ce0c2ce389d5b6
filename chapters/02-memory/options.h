/*
 * options.h - the command line of chapter 2's machine, as a module later programs extend
 * (chapter 2).
 *
 * Chapter 3's program takes every option of chapter 2's and adds its own: it joins
 * machine_options_table to its own getopt table and hands the options it does not know
 * to machine_options__parse.
 */
#ifndef STEPVM_OPTIONS_H
#define STEPVM_OPTIONS_H

#include "machine.h"

#include <getopt.h>
#include <stdint.h>

#define MACHINE_MAX_MODULES 16

/** The --help lines of the options below. */
#define MACHINE_OPTIONS_HELP                                                                       \
    "  --mem SIZE          guest RAM, e.g. 64M or 2G (default 128M); above 3G the\n"               \
    "                      rest is mapped above 4 GiB, as on a PC\n"                               \
    "  --mode MODE         flat binaries: real, protected or long (default real)\n"                \
    "  --load-addr ADDR    flat binaries: where to load and start (default 0x10000)\n"             \
    "  --cmdline TEXT      the Multiboot command line (default empty)\n"                           \
    "  --module 'FILE [ARGS]'  a Multiboot module, named by the whole string\n"                    \
    "                      (repeatable, at most 16)\n"                                             \
    "  --rom FILE          ROM contents at 0xf0000, at most 64 KiB (default: a\n"                  \
    "                      short text); guest writes to it are reported\n"                         \
    "  --kvm-dev PATH      the KVM device to open (default " KVM_DEVICE ")\n"

/** getopt_long entries for the options above, ended by a zeroed entry. */
extern const struct option machine_options_table[];

/** Everything the machine's options say, and the files they name once read. */
struct machine_options {
    struct machine_config cfg;
    struct machine_image img;
    const char *rom_path;
    const char *module_specs[MACHINE_MAX_MODULES];
    struct multiboot_module mods[MACHINE_MAX_MODULES];
    char default_guest[4096];
};

/** Fills in the defaults: 128M of RAM, flat binaries in real mode at 0x10000. */
void machine_options__init(struct machine_options *o);

/**
 * Takes one option getopt_long returned (its val from machine_options_table).
 * Returns 1 when it was one of these, 0 when not, -1 (error set) for a bad value.
 */
int machine_options__parse(struct machine_options *o, int opt, const char *arg);

/** A program's handler for the options that are not the machine's: 0, or -1 (error set). */
typedef int (*machine_option_fn)(void *ctx, int opt, const char *arg);

/**
 * Parses argv: the machine's options and the program's own (extra, ended by a zeroed
 * entry), whose values go to fn. *guest is the one file argument, or NULL. name is the
 * program's name, for "try 'NAME --help'". Returns 0, or -1 with the error set.
 */
int machine_options__getopt(struct machine_options *o, int argc, char **argv,
                            const struct option *extra, machine_option_fn fn, void *ctx,
                            const char *name, const char **guest);

/**
 * Reads the guest file (guest, or default_name under the program's guests/ directory
 * when NULL), the modules and the ROM. Returns 0 or -1 with the error naming the file.
 */
int machine_options__read_files(struct machine_options *o, const char *guest,
                                const char *default_name);

/** Frees the files machine_options__read_files read. */
void machine_options__free(struct machine_options *o);

#endif
