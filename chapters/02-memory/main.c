/*
 * main.c - chapter 2's program: load a real program (Multiboot, ELF or flat) into
 * PC-shaped guest memory and run it in the CPU mode it needs.
 */
#include "options.h"

#include "error.h"
#include "size.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ch2 [options] [GUEST]\n"
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
                 "options:\n" MACHINE_OPTIONS_HELP
                 "  --dirty-log         report the pages the guest writes: at each POST code it\n"
                 "                      writes to port 0x80, and when it ends\n"
                 "  --peek ADDR:LEN     when the guest ends, hex-dump LEN bytes of its memory\n"
                 "  --trace             print every VM exit on stderr\n"
                 "  -h, --help          show this help\n"
                 "\n"
                 "GUEST defaults to guests/ch2/memmap.elf beside this program's directory.\n"
                 "\n"
                 "The book: chapter 2, build/book/html/ch02-memory.html (make book).\n"
                 "Guests of chapter 2: build/guests/ch2/ ('make chapter-2' runs the default).\n");
}

/* Parses "ADDR:LEN" for --peek. */
static int parse_peek(const char *text, uint64_t *addr, uint64_t *len)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%s", text);
    char *colon = strchr(buf, ':');
    if (!colon)
        return error__set("--peek: '%s' is not ADDR:LEN", text);
    *colon = '\0';
    if (size__parse(buf, "--peek", addr) < 0 || size__parse(colon + 1, "--peek", len) < 0)
        return -1;
    if (*len > 1 << 20)
        return error__set("--peek: at most 1M bytes");
    return 0;
}

/* What chapter 2 adds to the machine's options. */
struct ch2_options {
    int trace;
    const char *peek;
    struct machine_options *machine;
};

static int ch2_option(void *ctx, int opt, const char *arg)
{
    struct ch2_options *o = ctx;

    switch (opt) {
    case 'd':
        o->machine->cfg.dirty_log = 1;
        return 0;
    case 'p':
        o->peek = arg;
        return 0;
    case 't':
        o->trace = 1;
        return 0;
    case 'h':
        usage(stdout);
        exit(0);
    }
    return error__set("try 'ch2 --help'");
}

int main(int argc, char **argv)
{
    static const struct option extra[] = {
        {"dirty-log", no_argument, NULL, 'd'},
        {"peek", required_argument, NULL, 'p'},
        {"trace", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    static struct machine_options o;
    struct ch2_options own = {0, NULL, &o};
    const char *guest = NULL;
    uint64_t peek_addr = 0, peek_len = 0;
    struct machine m;
    int ret = -1;

    machine_options__init(&o);
    m.vm.crashed = 0;
    if (machine_options__getopt(&o, argc, argv, extra, ch2_option, &own, "ch2", &guest) < 0 ||
        (own.peek && parse_peek(own.peek, &peek_addr, &peek_len) < 0) ||
        machine_options__read_files(&o, guest, "ch2/memmap.elf") < 0) {
        fprintf(stderr, "ch2: %s\n", error__get());
        machine_options__free(&o);
        return 1;
    }
    o.cfg.console = stdout;
    o.cfg.trace = own.trace ? stderr : NULL;
    o.cfg.diag = stderr;
    if (machine__init(&m, &o.cfg) == 0 && machine__init_vcpu(&m) == 0 &&
        machine__load(&m, &o.img) == 0) {
        if (own.trace)
            fprintf(stderr, "loaded %s as %s\n", o.img.name, m.format);
        ret = machine__run(&m);
    }
    fflush(stdout);
    if (ret == 0 && own.peek && machine__peek(&m, stdout, peek_addr, peek_len) < 0)
        ret = -1;
    if (ret < 0) {
        fprintf(stderr, "ch2: %s\n", error__get());
        kvm__explain_nested(stderr, "ch2", 2);
        if (m.vm.crashed)
            machine__dump(&m);
    }
    machine__exit(&m);
    machine_options__free(&o);
    return ret < 0 ? 1 : m.vm.status;
}
