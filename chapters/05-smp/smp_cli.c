/*
 * smp_cli.c - chapter 5's option, --smp N, and its machine as an extension of chapter
 * 4's program (see smp.h; chapter 5).
 */
#include "smp.h"

#include <errno.h>
#include <stdlib.h>

/* What the command line said, before the machine is configured. */
struct smp_options {
    unsigned ncpus;
};

static struct smp_options the_options = {.ncpus = 1};

static int smp_option(void *ctx, int opt, const char *arg)
{
    struct smp_options *o = ctx;
    char *end;
    unsigned long n;

    (void)opt;
    errno = 0;
    n = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || n < 1 || n > VMM_MAX_CPUS)
        return error__set("--smp %s: a number of CPUs from 1 to %d", arg, VMM_MAX_CPUS);
    o->ncpus = (unsigned)n;
    return 0;
}

/* The PC is chapter 4's (its extension configured it before this one); smp wraps it. */
static struct smp the_smp;

static int smp_configure(void *ctx, struct vmm_config *cfg)
{
    struct smp_options *o = ctx;

    /* pc__configure made the PC the machine's platform, with the PC as its context. */
    return smp__configure(&the_smp, cfg->platform->ctx, cfg, o->ncpus);
}

/* The inspector on several vCPUs (smp_inspect.c). */
static int smp_inspect(void *ctx, struct vmm *x, struct inspector_target *t)
{
    (void)ctx;
    return smp__inspect(&the_smp, x, t);
}

static const struct option smp_options_table[] = {
    {"smp", required_argument, NULL, 'P'},
    {0},
};

const struct cli_ext smp_cli_ext = {
    .options_help = "  --smp N             N CPUs (1 to 64), each a thread of this process; the\n"
                    "                      guest starts the others with INIT and startup IPIs\n",
    .options = smp_options_table,
    .option = smp_option,
    .configure = smp_configure,
    .inspect = smp_inspect,
    .ctx = &the_options,
};
