/*
 * main.c - chapter 2's program: load a real program (Multiboot, ELF or flat) into
 * PC-shaped guest memory and run it in the CPU mode it needs.
 */
#include "machine.h"

#include "error.h"
#include "file.h"
#include "guestpath.h"
#include "size.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GUEST_FILE (1ull << 30)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ch2 [options] [GUEST]\n"
            "\n"
            "Loads GUEST into a VM with PC-shaped memory and runs it on KVM:\n"
            "  a Multiboot kernel (header in its first 8 KiB) as QEMU's -kernel does, in\n"
            "    32-bit protected mode with EAX=0x2BADB002 and EBX=the boot information;\n"
            "  an ELF executable by its PT_LOAD segments: ELF64 in long mode, ELF32 in\n"
            "    protected mode;\n"
            "  anything else as a flat binary at --load-addr in --mode.\n"
            "The guest writes to the console through port 0xe9 or COM1 (0x3f8), ends with\n"
            "HLT (status 0) or by writing v to port 0xf4 (status (v << 1) | 1).\n"
            "\n"
            "options:\n"
            "  --mem SIZE          guest RAM, e.g. 64M or 2G (default 128M); above 3G the\n"
            "                      rest is mapped above 4 GiB, as on a PC\n"
            "  --mode MODE         flat binaries: real, protected or long (default real)\n"
            "  --load-addr ADDR    flat binaries: where to load and start (default 0x10000)\n"
            "  --cmdline TEXT      the Multiboot command line (default empty)\n"
            "  --module 'FILE [ARGS]'  a Multiboot module, named by the whole string\n"
            "                      (repeatable, at most 16)\n"
            "  --rom FILE          ROM contents at 0xf0000, at most 64 KiB (default: a\n"
            "                      short text); guest writes to it are reported\n"
            "  --dirty-log         report the pages the guest writes: at each POST code it\n"
            "                      writes to port 0x80, and when it ends\n"
            "  --peek ADDR:LEN     when the guest ends, hex-dump LEN bytes of its memory\n"
            "  --trace             print every VM exit on stderr\n"
            "  --kvm-dev PATH      the KVM device to open (default %s)\n"
            "  -h, --help          show this help\n"
            "\n"
            "GUEST defaults to guests/ch2/memmap.elf beside this program's directory.\n",
            KVM_DEVICE);
}

/* Everything the command line says. */
struct options {
    struct machine_config cfg;
    struct machine_image img;
    const char *guest, *rom_path, *peek;
    const char *module_specs[16];
    int trace;
};

static int parse_mode(const char *text, enum cpu_mode *mode)
{
    for (int m = MODE_REAL; m <= MODE_LONG; m++)
        if (strcmp(text, mode_name(m)) == 0) {
            *mode = m;
            return 0;
        }
    return error_set("--mode: '%s' is not real, protected or long", text);
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option options[] = {
        {"mem", required_argument, NULL, 'm'},     {"mode", required_argument, NULL, 'M'},
        {"load-addr", required_argument, NULL, 'a'}, {"cmdline", required_argument, NULL, 'c'},
        {"module", required_argument, NULL, 'o'},  {"rom", required_argument, NULL, 'r'},
        {"dirty-log", no_argument, NULL, 'd'},     {"peek", required_argument, NULL, 'p'},
        {"trace", no_argument, NULL, 't'},         {"kvm-dev", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},          {0},
    };
    int opt;

    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'm': if (size_parse(optarg, "--mem", &o->cfg.ram_size) < 0) return -1; break;
        case 'M': if (parse_mode(optarg, &o->img.flat_mode) < 0) return -1; break;
        case 'a': if (size_parse(optarg, "--load-addr", &o->img.flat_addr) < 0) return -1; break;
        case 'c': o->img.cmdline = optarg; break;
        case 'o':
            if (o->img.nmods == 16)
                return error_set("--module: at most 16 modules");
            o->module_specs[o->img.nmods++] = optarg;
            break;
        case 'r': o->rom_path = optarg; break;
        case 'd': o->cfg.dirty_log = 1; break;
        case 'p': o->peek = optarg; break;
        case 't': o->trace = 1; break;
        case 'k': o->cfg.kvm_dev = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: return error_set("try 'ch2 --help'");
        }
    }
    if (argc - optind > 1)
        return error_set("one guest file at most, got %d; try 'ch2 --help'", argc - optind);
    o->guest = optind < argc ? argv[optind] : NULL;
    return 0;
}

/* Reads the guest, the modules and the ROM; returns 0 or -1 with the error set. */
static int read_files(struct options *o, char *guest_buf, size_t size,
                      struct multiboot_module *mods)
{
    unsigned char *data;
    size_t len;

    if (!o->guest) {
        if (guest_default_path(guest_buf, size, "ch2/memmap.elf") < 0)
            return -1;
        o->guest = guest_buf;
    }
    if (file_read_all(o->guest, MAX_GUEST_FILE, &data, &len) < 0)
        return -1;
    o->img.name = o->guest;
    o->img.data = data;
    o->img.len = len;
    for (int i = 0; i < o->img.nmods; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s", o->module_specs[i]);
        path[strcspn(path, " ")] = '\0'; /* the file is the first word */
        if (file_read_all(path, MAX_GUEST_FILE, &data, &len) < 0)
            return -1;
        mods[i] = (struct multiboot_module){data, len, o->module_specs[i]};
    }
    o->img.mods = mods;
    if (o->rom_path) {
        if (file_read_all(o->rom_path, MACHINE_ROM_MAX, &data, &len) < 0)
            return -1;
        o->cfg.rom = data;
        o->cfg.rom_len = len;
    }
    return 0;
}

/* Parses "ADDR:LEN" for --peek. */
static int parse_peek(const char *text, uint64_t *addr, uint64_t *len)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%s", text);
    char *colon = strchr(buf, ':');
    if (!colon)
        return error_set("--peek: '%s' is not ADDR:LEN", text);
    *colon = '\0';
    if (size_parse(buf, "--peek", addr) < 0 || size_parse(colon + 1, "--peek", len) < 0)
        return -1;
    if (*len > 1 << 20)
        return error_set("--peek: at most 1M bytes");
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {
        .cfg = {.kvm_dev = KVM_DEVICE, .ram_size = 128ull << 20},
        .img = {.cmdline = "", .flat_mode = MODE_REAL, .flat_addr = MACHINE_FLAT_ADDR},
    };
    struct multiboot_module mods[16];
    char guest[4096];
    uint64_t peek_addr = 0, peek_len = 0;
    struct machine m;
    int ret = -1;

    m.vm.crashed = 0;
    if (parse_args(argc, argv, &o) < 0 || (o.peek && parse_peek(o.peek, &peek_addr, &peek_len) < 0) ||
        read_files(&o, guest, sizeof(guest), mods) < 0) {
        fprintf(stderr, "ch2: %s\n", error_get());
        return 1;
    }
    o.cfg.console = stdout;
    o.cfg.trace = o.trace ? stderr : NULL;
    o.cfg.diag = stderr;
    if (machine__init(&m, &o.cfg) == 0 && machine__load(&m, &o.img) == 0) {
        if (o.trace)
            fprintf(stderr, "loaded %s as %s\n", o.img.name, m.format);
        ret = machine__run(&m);
    }
    fflush(stdout);
    if (ret == 0 && o.peek && machine__peek(&m, stdout, peek_addr, peek_len) < 0)
        ret = -1;
    if (ret < 0) {
        fprintf(stderr, "ch2: %s\n", error_get());
        if (m.vm.crashed)
            machine__dump(&m);
    }
    machine__exit(&m);
    return ret < 0 ? 1 : m.vm.status;
}
