/*
 * main.c - stepvm, the complete system (chapter 6): chapter 5's machine (the PC of chapter 4
 * with one or more CPUs), its devices and the inspector, on KVM or on the interpreter (--accel).
 */
#include "cli.h"
#include "kvm.h"
#include "lockstep.h"
#include "smp.h"
#include "tcg.h"

#include "error.h"

#include <stdio.h>
#include <string.h>

/* What --accel chose, and the interpreter's vCPUs once they exist. */
struct accel {
    const char *want; /* "kvm", "tcg" or "auto" */
    int tcg, stats;
    int lockstep; /* --lockstep: KVM and the interpreter side by side (lockstep.h) */
    enum lockstep_mode lockstep_mode;
    struct tcg_vcpus vcpus; /* --smp N of them, a thread each (chapter 5's machine) */
};

/* [usable] */
/* Picks the backend before the machine is built: KVM, or the interpreter. */
static int configure(void *ctx, struct vmm_config *cfg)
{
    struct accel *a = ctx;

    a->stats = cfg->stats;
    if (a->lockstep)
        return 0; /* the lockstep run builds both machines itself */
    if (!strcmp(a->want, "auto")) {
        a->tcg = !kvm__usable(cfg->machine.kvm_dev);
        if (a->tcg)
            fprintf(stderr, "stepvm: KVM is not usable, running on the interpreter: %s\n",
                    error__get());
    } else {
        a->tcg = !strcmp(a->want, "tcg");
    }
    if (a->tcg) {
        cfg->backend = tcg_vcpus__backend;
        cfg->backend_ctx = &a->vcpus;
    }
    return 0;
}
/* [usable] */

static int option(void *ctx, int opt, const char *arg)
{
    struct accel *a = ctx;

    if (opt == 'G') { /* --tcg: how the interpreter runs code */
        enum tcg_translation t;
        if (tcg_translation__parse(arg, &t) < 0)
            return -1;
        tcg_translation__set_default(t);
        return 0;
    }
    if (opt == 'L') {
        a->lockstep = 1;
        if (arg && strcmp(arg, "exits") && strcmp(arg, "steps"))
            return error__set("--lockstep=%s: must be exits or steps", arg);
        a->lockstep_mode = arg && !strcmp(arg, "steps") ? LOCKSTEP_STEPS : LOCKSTEP_EXITS;
        return 0;
    }
    if (strcmp(arg, "kvm") && strcmp(arg, "tcg") && strcmp(arg, "auto"))
        return error__set("--accel %s: must be kvm, tcg or auto", arg);
    a->want = arg;
    return 0;
}

/* [lockstep] */
/* --lockstep: the guest on KVM and on the interpreter, compared (lockstep.h). The exit
 * status says whether they agreed: 0, or 1 when they differed or could not be run. */
static int run(void *ctx, const struct vmm_config *cfg, const struct machine_image *img)
{
    struct accel *a = ctx;
    struct lockstep_result res;

    if (!a->lockstep)
        return -1; /* an ordinary run */
    if (cfg->ncpus > 1) {
        fprintf(stderr, "stepvm: --lockstep compares one vCPU, not --smp %u\n", cfg->ncpus);
        return 1;
    }
    if (!kvm__usable(cfg->machine.kvm_dev)) {
        fprintf(stderr, "stepvm: --lockstep needs KVM: %s\n", error__get());
        return 1;
    }
    int ret = lockstep__run(cfg, img, a->lockstep_mode, stdout, &res);
    if (ret < 0)
        fprintf(stderr, "stepvm: lockstep: %s\n", error__get());
    return ret == 0 ? 0 : 1;
}
/* [lockstep] */

/* With --stats, the interpreter says how much it ran (all its vCPUs together); then its
 * vCPUs go. */
static void finish(void *ctx, struct vmm *x, int ret)
{
    struct accel *a = ctx;
    uint64_t instructions, decodes;

    (void)x;
    (void)ret;
    tcg_vcpus__stats(&a->vcpus, &instructions, &decodes);
    if (a->vcpus.n && a->stats) {
        size_t bytes = 0;
        for (unsigned i = 0; i < a->vcpus.n; i++)
            bytes += tcg_vcpu__cache_bytes(a->vcpus.cpu[i]);
        fprintf(stderr, "translation: %s, cache %zu KiB\n",
                (const char *[]){"insn", "block", "jit"}[tcg_vcpu__translation(a->vcpus.cpu[0])],
                bytes >> 10);
        fprintf(stderr, "instructions: %llu (decoded: %llu)\n", (unsigned long long)instructions,
                (unsigned long long)decodes);
    }
    if (a->vcpus.n && a->stats && tcg_vcpu__translation(a->vcpus.cpu[0]) == TCG_JIT) {
        uint64_t stepped = 0;
        for (unsigned i = 0; i < a->vcpus.n; i++)
            stepped += tcg_vcpu__jit_stepped(a->vcpus.cpu[i]);
        fprintf(stderr, "jit: %llu instructions through the interpreter\n",
                (unsigned long long)stepped);
    }
    tcg_vcpus__free(&a->vcpus);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {{"accel", required_argument, NULL, 'A'},
                                            {"lockstep", optional_argument, NULL, 'L'},
                                            {"tcg", required_argument, NULL, 'G'},
                                            {0}};
    static struct accel a = {.want = "auto"};
    static const struct cli_ext accel_ext = {
        .options_help = "  --accel ACCEL       kvm, tcg (the interpreter) or auto (default): KVM\n"
                        "                      when it is usable, else the interpreter\n"
                        "  --lockstep[=HOW]    run GUEST on KVM and on the interpreter side by\n"
                        "                      side and report the first instruction where they\n"
                        "                      differ; HOW: compare at every exit (exits, the\n"
                        "                      default) or at every instruction (steps)\n"
                        "  --tcg HOW           how the interpreter runs code: insn (decoded\n"
                        "                      instructions, one at a time), block (translation\n"
                        "                      blocks, chained) or jit (blocks, the hot ones\n"
                        "                      compiled to host code; the default on x86-64)\n",
        .options = options,
        .option = option,
        .configure = configure,
        .run = run,
        .finish = finish,
        .ctx = &a,
    };
    static const struct cli_ext *const exts[] = {&pc_cli_ext, &smp_cli_ext, &accel_ext, NULL};
    static const struct cli_program stepvm = {
        .name = "stepvm",
        .about = "Runs GUEST (Multiboot, ELF, flat or a Linux bzImage) on a PC with\n"
                 "interrupt controllers, timers, a clock, 16550 UARTs, virtio devices and one\n"
                 "or more CPUs (--smp), on KVM or on stepvm's own x86 interpreter when KVM is\n"
                 "not there (--accel).\n",
        .default_guest = "ch4/echo.elf",
        .exts = exts,
    };

    return cli__main(argc, argv, &stepvm);
}
