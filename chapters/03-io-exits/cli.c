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

/* Every extension of the program, in order; calls fn(ext) for each. */
#define FOR_EACH_EXT(p, e)                                                                         \
    for (const struct cli_ext *const *e##_at = (p)->exts, *e = e##_at ? *e##_at : NULL; e;         \
         e = *++e##_at)

/* The book's page of each chapter, by number: --help points to it. */
static const char *const book_pages[] = {
    "index",        "ch01-bare-ioctl", "ch02-memory", "ch03-io-exits",
    "ch04-devices", "ch05-smp",        "ch06-tcg",
};

/* The chapter a program belongs to: chN is chapter N's; stepvm is chapter 6's. */
static int program_chapter(const struct cli_program *p)
{
    int n;

    if (sscanf(p->name, "ch%d", &n) == 1 && n >= 1 && n <= 6)
        return n;
    return 6;
}

static void usage(FILE *out, const struct cli_program *p)
{
    fprintf(out, "usage: %s [options] [GUEST]\n\n%s", p->name, p->about);
    fprintf(out, "Every port and MMIO access that leaves the guest goes to a bus of devices:\n"
                 "the debug console (port 0xe9), the test exit device (0xf4), the POST port\n"
                 "(0x80) and a hypercall port (0x500). An access no device claims reads as\n"
                 "all ones and is dropped on write, and is reported once per address.\n"
                 "\n"
                 "options:\n" MACHINE_OPTIONS_HELP
                 "  --trace             print every VM exit on stderr\n"
                 "  --trace-file FILE   write every VM exit to FILE as JSON lines\n"
                 "  --stats             when the guest ends, print exit counts and timings\n"
                 "  --strict            stop the guest at an access no device claims\n"
                 "  --inspect           step through the exits in the inspector (a terminal UI)\n"
                 "  --batch             the inspector as plain text: commands (n, s, c, b, g, q;\n"
                 "                      cpu N, tab, r, p with several vCPUs) from stdin, every\n"
                 "                      pane printed after each\n"
                 "  --batch-script FILE --batch, with the commands from FILE\n");
    FOR_EACH_EXT(p, e)
    fputs(e->options_help ? e->options_help : "", out);
    fprintf(out,
            "  -h, --help          show this help\n"
            "\n"
            "GUEST defaults to guests/%s beside this program's directory.\n"
            "Exit status: the guest's (through port 0xf4), 0 when it halts, 1 when the\n"
            "guest file is refused or the VM fails.\n"
            "\n"
            "The book: chapter %d, build/book/html/%s.html (make book).\n"
            "Guests of chapter %d: build/guests/ch%d/ ('make chapter-%d' runs the default).\n",
            p->default_guest, program_chapter(p), book_pages[program_chapter(p)],
            program_chapter(p), program_chapter(p), program_chapter(p));
}

/* Whether table holds an entry whose getopt value is opt. */
static int owns(const struct option *table, int opt)
{
    for (const struct option *t = table; t && t->name; t++)
        if (t->val == opt)
            return 1;
    return 0;
}

/* Takes an option that is not the machine's: chapter 3's own, or an extension's. */
static int ch3_option(void *ctx, int opt, const char *arg)
{
    struct cli *c = ctx;
    struct cli_options *o = &c->o;

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
        o->help = 1;
        return 0;
    }
    FOR_EACH_EXT(c->p, e)
    if (e->option && owns(e->options, opt))
        return e->option(e->ctx, opt, arg);
    return error__set("try '%s --help'", c->p->name);
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

/* One handled exit; its line is the trace's, without the timings that would make every
 * transcript differ. */
static int inspect_step(void *ctx, struct vcpu_exit *exit, char *line, size_t len)
{
    struct vmm *x = ((struct cli_inspect *)ctx)->vmm;
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
    struct cli_inspect *ic = ctx;

    fflush(ic->console);
    return ic->text ? ic->text : "";
}

/* Runs the inspector (TUI or batch) on a loaded machine. Returns 0, or -1. */
static int inspect(struct cli *c)
{
    const struct cli_options *o = &c->o;
    const char *guest = o->guest ? o->guest : c->p->default_guest;
    const char *slash = strrchr(guest, '/');
    struct inspector_target t = {
        .vcpu = c->ic.vmm->vcpu,
        .step = inspect_step,
        .console = inspect_console,
        .ctx = &c->ic,
        .guest_name = slash ? slash + 1 : guest,
    };
    FILE *script = stdin;
    int ret;

    FOR_EACH_EXT(c->p, e) /* chapter 5: a target with several vCPUs */
    if (e->inspect && e->inspect(e->ctx, &c->vmm, &t) < 0)
        return -1;

    if (!o->batch) {
        ret = inspector__tui(&t);
        fputs(inspect_console(&c->ic), stdout); /* what the guest said stays on the screen */
    } else if (o->batch_script && !(script = fopen(o->batch_script, "r"))) {
        return error__errno("open %s", o->batch_script);
    } else {
        ret = inspector__batch(&t, script, stdout);
        if (script != stdin)
            fclose(script);
    }
    if (ret == 0 && c->vmm.crashed)
        ret = -1; /* the error is still the one the step set */
    return ret;
}
/* [inspect] */

/* ch3_table, then every extension's options: one table for getopt. */
static struct option *all_options(const struct cli_program *p)
{
    static struct option all[64];
    size_t n = 0;

    for (const struct option *t = ch3_table; t->name; t++)
        all[n++] = *t;
    FOR_EACH_EXT(p, e)
    for (const struct option *t = e->options; t && t->name && n < 63; t++)
        all[n++] = *t;
    all[n] = (struct option){0};
    return all;
}

/* [steps] */
/* The machine's configuration from chapter 3's options; the console goes to memory
 * when the inspector shows it. */
static int configure(struct cli *c)
{
    const struct cli_options *o = &c->o;
    struct vmm_config *cfg = &c->cfg;

    if (o->trace_file && !(c->json = fopen(o->trace_file, "w")))
        return error__errno("open %s", o->trace_file);
    cfg->machine = c->mo.cfg;
    cfg->machine.console = stdout;
    cfg->machine.diag = stderr;
    cfg->strict = o->strict;
    cfg->trace_text = o->trace ? stderr : NULL;
    cfg->trace_json = c->json;
    cfg->stats = o->stats;
    cfg->stats_out = stderr; /* not the inspector's console: the table is for the reader */
    cfg->inspect = o->inspect || o->batch;
    cfg->record = cfg->inspect; /* the inspector shows each exit's record */
    if (cfg->inspect) {
        if (!(c->ic.console = open_memstream(&c->ic.text, &c->ic.len)))
            return error__set("out of memory for the guest console");
        cfg->machine.console = cfg->machine.diag = c->ic.console;
    }
    FOR_EACH_EXT(c->p, e)
    if (e->configure && e->configure(e->ctx, cfg) < 0)
        return -1;
    return 0;
}

/* Records that the step that returns ret failed, when it did, and returns ret. */
static int step_result(struct cli *c, int ret)
{
    if (ret < 0)
        c->failed = 1;
    return ret;
}

int cli__parse(struct cli *c, int argc, char **argv, const struct cli_program *p)
{
    memset(c, 0, sizeof(*c));
    c->p = p;
    c->stage = CLI_STARTED;
    c->ic.vmm = &c->vmm;
    machine_options__init(&c->mo);
    if (machine_options__getopt(&c->mo, argc, argv, all_options(p), ch3_option, c, p->name,
                                &c->o.guest) < 0)
        return step_result(c, -1);
    if (c->o.help) {
        usage(stdout, p);
        c->stage = CLI_HELP;
        return 1;
    }
    if (machine_options__read_files(&c->mo, c->o.guest, p->default_guest) < 0)
        return step_result(c, -1);
    return step_result(c, configure(c));
}

int cli__build(struct cli *c)
{
    FOR_EACH_EXT(c->p, e)
    if (e->run && (c->status = e->run(e->ctx, &c->cfg, &c->mo.img)) >= 0) {
        c->stage = CLI_RAN_BY_EXT; /* the extension ran the guest its own way */
        return 0;
    }
    c->stage = CLI_BUILT;
    if (vmm__init(&c->vmm, &c->cfg) < 0)
        return step_result(c, -1);
    return step_result(c, vmm__load(&c->vmm, &c->mo.img));
}

int cli__run(struct cli *c)
{
    int ret;

    if (c->stage == CLI_RAN_BY_EXT)
        return 0;
    ret = c->ic.console ? inspect(c) : vmm__run(&c->vmm);
    fflush(stdout);
    if (ret == 0)
        c->stage = CLI_RAN;
    return step_result(c, ret);
}

/* The process's exit status once everything is released. */
static int exit_status(const struct cli *c)
{
    if (c->failed)
        return 1;
    switch (c->stage) {
    case CLI_RAN:
        return c->vmm.status;
    case CLI_RAN_BY_EXT:
        return c->status;
    default: /* --help */
        return 0;
    }
}

int cli__finish(struct cli *c)
{
    int built = c->stage == CLI_BUILT || c->stage == CLI_RAN;

    if (c->failed) {
        fprintf(stderr, "%s: %s\n", c->p->name, error__get());
        /* Chapter 6's program has its interpreter; the others can go to the nested machine. */
        if (program_chapter(c->p) < 6)
            kvm__explain_nested(stderr, c->p->name, program_chapter(c->p));
        if (built && c->vmm.crashed)
            vmm__dump(&c->vmm, stderr);
    }
    if (built)
        vmm__exit(&c->vmm);
    machine_options__free(&c->mo);
    if (c->ic.console) {
        fclose(c->ic.console);
        free(c->ic.text);
    }
    if (c->json && fclose(c->json) != 0) {
        fprintf(stderr, "%s: write %s: %s\n", c->p->name, c->o.trace_file, strerror(errno));
        c->failed = 1;
    }
    FOR_EACH_EXT(c->p, e) /* after the dump: a backend's vCPU lives until here */
    if (e->finish)
        e->finish(e->ctx, built ? &c->vmm : NULL, c->failed ? -1 : 0);
    return exit_status(c);
}

int cli__main(int argc, char **argv, const struct cli_program *p)
{
    struct cli *c = malloc(sizeof(*c)); /* a whole machine: too big for the stack */

    if (!c) {
        fprintf(stderr, "%s: out of memory\n", p->name);
        return 1;
    }
    if (cli__parse(c, argc, argv, p) == 0 && cli__build(c) == 0)
        cli__run(c);
    int status = cli__finish(c);
    free(c);
    return status;
}
/* [steps] */
