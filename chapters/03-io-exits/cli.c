/*
 * cli.c - chapter 3's program as a module: chapter 2's machine with a device bus, an exit
 * tracer, exit statistics, and the inspector to step through it exit by exit (see cli.h).
 * Chapter 6's program is the same program with one more option.
 */
#include "cli.h"

#include "options.h"
#include "vmm.h"

#include "error.h"
#include "inspector/inspector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out, const struct cli_program *p)
{
    fprintf(out, "usage: %s [options] [GUEST]\n\n%s", p->name, p->about);
    fprintf(out,
            "Every port and\n"
            "MMIO access that leaves the guest goes to a bus of devices: the debug\n"
            "console (port 0xe9), the test exit device (0xf4), the POST port (0x80) and\n"
            "a hypercall port (0x500). An access no device claims reads as all ones and\n"
            "is dropped on write, and is reported once per address.\n"
            "\n"
            "options:\n" MACHINE_OPTIONS_HELP
            "  --trace             print every VM exit on stderr\n"
            "  --trace-file FILE   write every VM exit to FILE as JSON lines\n"
            "  --stats             when the guest ends, print exit counts and timings\n"
            "  --strict            stop the guest at an access no device claims\n"
            "  --inspect           step through the exits in the inspector (a terminal UI)\n"
            "  --batch             the inspector as plain text: commands (n, s, c, b, g, q)\n"
            "                      from stdin, every pane printed after each\n"
            "  --batch-script FILE --batch, with the commands from FILE\n"
            "%s"
            "  -h, --help          show this help\n"
            "\n"
            "GUEST defaults to guests/%s beside this program's directory.\n"
            "Exit status: the guest's (through port 0xf4), 0 when it halts, 1 when the\n"
            "guest file is refused or the VM fails.\n",
            p->options_help ? p->options_help : "", p->default_guest);
}

/* Everything the command line says beyond chapter 2's machine options. */
struct ch3_options {
    int trace, stats, strict, inspect, batch;
    const char *trace_file, *batch_script, *guest;
    const struct cli_program *program;
};

static int ch3_option(void *ctx, int opt, const char *arg)
{
    struct ch3_options *o = ctx;

    switch (opt) {
    case 't':
        o->trace = 1;
        return 0;
    case 'T':
        o->trace_file = arg;
        return 0;
    case 's':
        o->stats = 1;
        return 0;
    case 'S':
        o->strict = 1;
        return 0;
    case 'i':
        o->inspect = 1;
        return 0;
    case 'b':
        o->batch = 1;
        return 0;
    case 'B':
        o->batch = 1;
        o->batch_script = arg;
        return 0;
    case 'h':
        usage(stdout, o->program);
        exit(0);
    }
    if (o->program->option) /* a later chapter's own option */
        return o->program->option(o->program->ctx, opt, arg);
    return error_set("try '%s --help'", o->program->name);
}

static const struct option ch3_table[] = {
    {"trace", no_argument, NULL, 't'},
    {"trace-file", required_argument, NULL, 'T'},
    {"stats", no_argument, NULL, 's'},
    {"strict", no_argument, NULL, 'S'},
    {"help", no_argument, NULL, 'h'},
    {"inspect", no_argument, NULL, 'i'},
    {"batch", no_argument, NULL, 'b'},
    {"batch-script", required_argument, NULL, 'B'},
    {0},
};

/* [inspect] */
/* The inspector drives the machine through vmm__step; the guest's console and warnings
 * go to memory, where the console pane shows them, instead of over the screen. */
struct inspect_ctx {
    struct vmm *x;
    FILE *console;
    char *text;
    size_t len;
};

/* One handled exit; its line is the trace's, without the timings that would make every
 * transcript differ. */
static int inspect_step(void *ctx, struct vcpu_exit *exit, char *line, size_t len)
{
    struct vmm *x = ((struct inspect_ctx *)ctx)->x;
    unsigned long before = x->exits;
    int ret = vmm__step(x, exit);
    FILE *f;

    line[0] = '\0';
    if (x->exits == before || !(f = fmemopen(line, len, "w")))
        return ret;
    trace__print_exit(f, &x->last);
    fclose(f);
    if (ret == 1)
        snprintf(line + strlen(line), len - strlen(line), " (status %d)", x->status);
    return ret;
}

static const char *inspect_console(void *ctx)
{
    struct inspect_ctx *c = ctx;

    fflush(c->console);
    return c->text ? c->text : "";
}

/* Runs the inspector (TUI or batch) on a loaded machine. Returns 0, or -1. */
static int inspect(struct inspect_ctx *c, const struct ch3_options *o)
{
    const char *name = o->guest ? strrchr(o->guest, '/') : NULL;
    struct inspector_target t = {c->x->vcpu, inspect_step, inspect_console, c,
                                 name       ? name + 1
                                 : o->guest ? o->guest
                                            : strrchr(o->program->default_guest, '/') + 1};
    FILE *script = stdin;
    int ret;

    if (!o->batch) {
        ret = inspector_tui(&t);
        fputs(inspect_console(c), stdout); /* what the guest said stays on the screen */
    } else if (o->batch_script && !(script = fopen(o->batch_script, "r"))) {
        return error_errno("open %s", o->batch_script);
    } else {
        ret = inspector_batch(&t, script, stdout);
        if (script != stdin)
            fclose(script);
    }
    if (ret == 0 && c->x->crashed)
        ret = -1; /* the error is still the one the step set */
    return ret;
}
/* [inspect] */

/* ch3_table, then the program's own options: one table for getopt. */
static struct option *all_options(const struct cli_program *p)
{
    static struct option all[64];
    size_t n = 0;

    for (const struct option *t = ch3_table; t->name; t++)
        all[n++] = *t;
    for (const struct option *t = p->options; t && t->name && n < 63; t++)
        all[n++] = *t;
    all[n] = (struct option){0};
    return all;
}

int cli__main(int argc, char **argv, const struct cli_program *p)
{
    static struct machine_options mo;
    static struct vmm x;
    struct ch3_options o = {.program = p};
    struct vmm_config cfg = {0};
    FILE *json = NULL;
    struct inspect_ctx ic = {&x, NULL, NULL, 0};
    int ret = -1, built = 0, own = -1;

    machine_options__init(&mo);
    if (machine_options__getopt(&mo, argc, argv, all_options(p), ch3_option, &o, p->name,
                                &o.guest) < 0 ||
        machine_options__read_files(&mo, o.guest, p->default_guest) < 0)
        goto out;
    if (o.trace_file && !(json = fopen(o.trace_file, "w"))) {
        error_errno("open %s", o.trace_file);
        goto out;
    }
    cfg.machine = mo.cfg;
    cfg.machine.console = stdout;
    cfg.machine.diag = stderr;
    cfg.strict = o.strict;
    cfg.trace_text = o.trace ? stderr : NULL;
    cfg.trace_json = json;
    cfg.stats = o.stats;
    cfg.stats_out = stderr; /* not the inspector's console: the table is for the reader */
    cfg.record = o.inspect || o.batch; /* the inspector shows each exit's record */
    if ((o.inspect || o.batch) && !(ic.console = open_memstream(&ic.text, &ic.len))) {
        error_set("out of memory for the guest console");
        goto out;
    }
    if (ic.console)
        cfg.machine.console = cfg.machine.diag = ic.console;
    if (p->configure && p->configure(p->ctx, &cfg) < 0)
        goto out;
    if (p->run && (own = p->run(p->ctx, &cfg, &mo.img)) >= 0) {
        ret = 0;
        goto out;
    }
    built = 1;
    if (vmm__init(&x, &cfg) == 0 && vmm__load(&x, &mo.img) == 0)
        ret = ic.console ? inspect(&ic, &o) : vmm__run(&x);
    fflush(stdout);
out:
    if (ret < 0) {
        fprintf(stderr, "%s: %s\n", p->name, error_get());
        if (x.crashed)
            vmm__dump(&x, stderr);
    }
    if (built)
        vmm__exit(&x);
    machine_options__free(&mo);
    if (ic.console) {
        fclose(ic.console);
        free(ic.text);
    }
    if (json && fclose(json) != 0) {
        fprintf(stderr, "%s: write %s: %s\n", p->name, o.trace_file, strerror(errno));
        ret = -1;
    }
    if (p->finish) /* after the dump: a backend's vCPU lives until here */
        p->finish(p->ctx, built ? &x : NULL, ret);
    return own >= 0 ? own : ret < 0 ? 1 : x.status;
}
