/*
 * options.c - parse the machine's options and read the files they name (see options.h;
 * chapter 2).
 */
#include "options.h"

#include "error.h"
#include "file.h"
#include "guestpath.h"
#include "size.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GUEST_FILE (1ull << 30)

const struct option machine_options_table[] = {
    {"mem", required_argument, NULL, 'm'},       {"mode", required_argument, NULL, 'M'},
    {"load-addr", required_argument, NULL, 'a'}, {"cmdline", required_argument, NULL, 'c'},
    {"module", required_argument, NULL, 'o'},    {"rom", required_argument, NULL, 'r'},
    {"kvm-dev", required_argument, NULL, 'k'},   {0},
};

void machine_options__init(struct machine_options *o)
{
    memset(o, 0, sizeof(*o));
    o->cfg.kvm_dev = KVM_DEVICE;
    o->cfg.ram_size = 128ull << 20;
    o->img.cmdline = "";
    o->img.flat_mode = MODE_REAL;
    o->img.flat_addr = MACHINE_FLAT_ADDR;
}

static int parse_mode(const char *text, enum cpu_mode *mode)
{
    for (int m = MODE_REAL; m <= MODE_LONG; m++)
        if (strcmp(text, mode__name(m)) == 0) {
            *mode = m;
            return 0;
        }
    return error__set("--mode: '%s' is not real, protected or long", text);
}

int machine_options__parse(struct machine_options *o, int opt, const char *arg)
{
    switch (opt) {
    case 'm':
        return size__parse(arg, "--mem", &o->cfg.ram_size) < 0 ? -1 : 1;
    case 'M':
        return parse_mode(arg, &o->img.flat_mode) < 0 ? -1 : 1;
    case 'a':
        return size__parse(arg, "--load-addr", &o->img.flat_addr) < 0 ? -1 : 1;
    case 'c':
        o->img.cmdline = arg;
        return 1;
    case 'o':
        if (o->img.nmods == MACHINE_MAX_MODULES)
            return error__set("--module: at most %d modules", MACHINE_MAX_MODULES);
        o->module_specs[o->img.nmods++] = arg;
        return 1;
    case 'r':
        o->rom_path = arg;
        return 1;
    case 'k':
        o->cfg.kvm_dev = arg;
        return 1;
    }
    return 0;
}

/* [getopt] */
int machine_options__getopt(struct machine_options *o, int argc, char **argv,
                            const struct option *extra, machine_option_fn fn, void *ctx,
                            const char *name, const char **guest)
{
    struct option table[64];
    int opt, n = 0;

    for (const struct option *e = extra; e->name && n < 48; e++)
        table[n++] = *e;
    for (const struct option *m = machine_options_table; m->name; m++)
        table[n++] = *m;
    table[n] = (struct option){0};
    while ((opt = getopt_long(argc, argv, "h", table, NULL)) != -1) {
        int ours = opt == '?' ? 0 : machine_options__parse(o, opt, optarg);
        if (ours < 0)
            return -1;
        if (!ours && (opt == '?' || fn(ctx, opt, optarg) < 0))
            return opt == '?' ? error__set("try '%s --help'", name) : -1;
    }
    if (argc - optind > 1)
        return error__set("one guest file at most, got %d; try '%s --help'", argc - optind, name);
    *guest = optind < argc ? argv[optind] : NULL;
    return 0;
}
/* [getopt] */

int machine_options__read_files(struct machine_options *o, const char *guest,
                                const char *default_name)
{
    unsigned char *data;
    size_t len;

    if (!guest) {
        if (guestpath__default(o->default_guest, sizeof(o->default_guest), default_name) < 0)
            return -1;
        guest = o->default_guest;
    }
    if (file__read_all(guest, MAX_GUEST_FILE, &data, &len) < 0)
        return -1;
    o->img.name = guest;
    o->img.data = data;
    o->img.len = len;
    for (int i = 0; i < o->img.nmods; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s", o->module_specs[i]);
        path[strcspn(path, " ")] = '\0'; /* the file is the first word */
        if (file__read_all(path, MAX_GUEST_FILE, &data, &len) < 0)
            return -1;
        o->mods[i] =
            (struct multiboot_module){.data = data, .len = len, .string = o->module_specs[i]};
    }
    o->img.mods = o->mods;
    if (o->rom_path) {
        if (file__read_all(o->rom_path, MACHINE_ROM_MAX, &data, &len) < 0)
            return -1;
        o->cfg.rom = data;
        o->cfg.rom_len = len;
    }
    return 0;
}

void machine_options__free(struct machine_options *o)
{
    free((void *)o->img.data);
    for (int i = 0; i < o->img.nmods; i++)
        free((void *)o->mods[i].data);
    free((void *)o->cfg.rom);
    o->img.data = NULL;
    o->cfg.rom = NULL;
    o->img.nmods = 0;
}
