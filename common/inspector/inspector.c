/*
 * inspector.c - the inspector's state and its gdb-like commands (see inspector.h;
 * chapter 3).
 */
#include "inspector.h"

#include "error.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REG(name)                                                                                  \
    {                                                                                              \
#name, offsetof(struct kvm_regs, name)                                                     \
    }
const struct inspector_reg inspector_regs[INSPECTOR_NREGS] = {
    REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi), REG(rsp), REG(rbp), REG(r8),
    REG(r9),  REG(r10), REG(r11), REG(r12), REG(r13), REG(r14), REG(r15), REG(rip), REG(rflags),
};
#undef REG

uint64_t inspector__reg_value(const struct kvm_regs *regs, int i)
{
    uint64_t v;

    memcpy(&v, (const char *)regs + inspector_regs[i].offset, sizeof(v));
    return v;
}

int inspector__reg_find(const char *name)
{
    for (int i = 0; i < INSPECTOR_NREGS; i++)
        if (strcasecmp(name, inspector_regs[i].name) == 0)
            return i;
    return -1;
}

/* Reads the registers at a stop; the previous ones stay for the changed-register marks. */
static void read_state(struct inspector *in)
{
    in->have_regs = vcpu__get_regs(in->t->vcpu, &in->regs) == 0 &&
                    vcpu__get_sregs(in->t->vcpu, &in->sregs) == 0;
}

void inspector__init(struct inspector *in, struct inspector_target *t)
{
    memset(in, 0, sizeof(*in));
    in->t = t;
    in->follow = inspector__reg_find("rsp");
    read_state(in);
    in->prev_regs = in->regs;
    in->prev_sregs = in->sregs;
    snprintf(in->status, sizeof(in->status), "at the first instruction of %s",
             t->guest_name ? t->guest_name : "the guest");
}

uint64_t inspector__mem_addr(const struct inspector *in)
{
    const char *name;
    uint64_t base;

    if (in->follow < 0)
        return in->mem_addr;
    /* A register holds an offset; its segment's base makes it linear (real mode!). */
    name = inspector_regs[in->follow].name;
    if (!strcmp(name, "rip"))
        base = in->sregs.cs.base;
    else if (!strcmp(name, "rsp") || !strcmp(name, "rbp"))
        base = in->sregs.ss.base;
    else if (!strcmp(name, "rdi"))
        base = in->sregs.es.base;
    else
        base = in->sregs.ds.base;
    return base + inspector__reg_value(&in->regs, in->follow);
}

/* Counts one exit in the statistics, by kind and for I/O and MMIO by port or address. */
static void count_exit(struct inspector *in, const struct vcpu_exit *e)
{
    int row = exit_table__row(in->count_keys, &in->ncounts, INSPECTOR_ROWS_MAX, exit_table__key(e));

    if (row < 0)
        in->uncounted++;
    else
        in->counts[row]++;
}

/* Runs to the next exit through the target, and records it. Returns the target's answer. */
static int step_exit(struct inspector *in, struct vcpu_exit *e)
{
    char line[INSPECTOR_LINE_MAX] = "";
    int ret;

    if (in->ended) {
        if (in->ended > 0)
            snprintf(in->status, sizeof(in->status), "the guest has ended: nothing to run");
        return in->ended > 0 ? 1 : -1;
    }
    memset(e, 0, sizeof(*e));
    ret = in->t->step(in->t->ctx, e, line, sizeof(line));
    if (line[0]) { /* an empty line: the run failed before any exit */
        snprintf(in->log[in->exits % INSPECTOR_LOG_MAX], INSPECTOR_LINE_MAX, "%s", line);
        in->exits++;
        in->last_kind = e->kind;
        count_exit(in, e);
    }
    if (ret != 0)
        in->ended = ret;
    if (ret < 0)
        snprintf(in->status, sizeof(in->status), "error: %s", error__get());
    else if (ret > 0)
        snprintf(in->status, sizeof(in->status), "the guest has ended (exit %lu)", in->exits);
    return ret;
}

/* [step-instruction] */
/* Runs exactly one instruction with the vCPU's single-step, or reports why it cannot. */
static int step_instruction(struct inspector *in, struct vcpu_exit *e)
{
    int ret;

    if (in->ended)
        return step_exit(in, e);
    if (vcpu__single_step(in->t->vcpu, 1) < 0) {
        snprintf(in->status, sizeof(in->status), "single-step unavailable: %s", error__get());
        return -2;
    }
    ret = step_exit(in, e);
    if (!in->ended && vcpu__single_step(in->t->vcpu, 0) < 0) {
        snprintf(in->status, sizeof(in->status), "single-step could not be turned off: %s",
                 error__get());
        return -1;
    }
    return ret;
}
/* [step-instruction] */

/* Says what a stop after one exit or instruction was, unless the step already said it. */
static void say_stop(struct inspector *in, const char *what, const struct vcpu_exit *e)
{
    if (in->ended)
        return;
    if (e->kind == VCPU_EXIT_STEP)
        snprintf(in->status, sizeof(in->status), "%s: one instruction done", what);
    else
        snprintf(in->status, sizeof(in->status), "%s: stopped at exit %lu (%s)", what, in->exits,
                 vcpu__exit_name(e->kind));
}

/* Returns the breakpoint that exit e (with RIP rip after it) hits, or NULL. */
static const struct inspector_break *hit(const struct inspector *in, const struct vcpu_exit *e,
                                         uint64_t rip)
{
    for (int i = 0; i < in->nbreaks; i++) {
        const struct inspector_break *b = &in->breaks[i];
        if ((b->kind == BREAK_REASON && b->value == (uint64_t)e->kind) ||
            (b->kind == BREAK_PORT && e->kind == VCPU_EXIT_IO && e->io.port == b->value) ||
            (b->kind == BREAK_ADDR && rip == b->value))
            return b;
    }
    return NULL;
}

/* [continue] */
/* Continues until a breakpoint, the end, or the user's interrupt. Address breakpoints
 * need every instruction seen, so with any of them set the guest is single-stepped. */
static void cmd_continue(struct inspector *in)
{
    int by_insn = 0, ret = 0;
    struct vcpu_exit e = {0};
    struct kvm_regs regs;
    const struct inspector_break *b = NULL;

    for (int i = 0; i < in->nbreaks; i++)
        by_insn |= in->breaks[i].kind == BREAK_ADDR;
    for (unsigned long n = 1; !b; n++) {
        ret = by_insn ? step_instruction(in, &e) : step_exit(in, &e);
        if (ret != 0)
            break;
        if (vcpu__get_regs(in->t->vcpu, &regs) < 0)
            regs.rip = ~0ull;
        b = hit(in, &e, regs.rip);
        if (!b && n % 256 == 0 && in->interrupted && in->interrupted(in->interrupted_ctx)) {
            snprintf(in->status, sizeof(in->status), "continue: interrupted");
            return;
        }
    }
    if (ret == -2)
        snprintf(in->status + strlen(in->status), sizeof(in->status) - strlen(in->status),
                 " (address breakpoints need it)");
    if (b)
        snprintf(in->status, sizeof(in->status), "continue: breakpoint %d hit at exit %lu (%s)",
                 (int)(b - in->breaks) + 1, in->exits, vcpu__exit_name(e.kind));
}
/* [continue] */

/* Parses a number the way C writes it (0x1f, 31); returns -1 when it is not one. */
static int parse_u64(const char *s, uint64_t *v)
{
    char *end;

    if (!s || !*s || *s == '-')
        return -1;
    *v = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

/* b: lists the breakpoints, clears them, or adds one. */
static void cmd_break(struct inspector *in, const char *what, const char *arg)
{
    static const enum vcpu_exit_kind reasons[] = {VCPU_EXIT_IO, VCPU_EXIT_MMIO, VCPU_EXIT_HLT,
                                                  VCPU_EXIT_SHUTDOWN};
    struct inspector_break b = {BREAK_REASON, 0};
    int ok = 0;

    if (!what) {
        int n = snprintf(in->status, sizeof(in->status), "%d breakpoint(s)", in->nbreaks);
        for (int i = 0; i < in->nbreaks && n < (int)sizeof(in->status); i++)
            n += snprintf(in->status + n, sizeof(in->status) - n, "%s%d: %s 0x%llx",
                          i ? ", " : ": ", i + 1,
                          in->breaks[i].kind == BREAK_PORT   ? "port"
                          : in->breaks[i].kind == BREAK_ADDR ? "addr"
                                                             : "reason",
                          (unsigned long long)in->breaks[i].value);
        return;
    }
    if (!strcmp(what, "clear")) {
        in->nbreaks = 0;
        snprintf(in->status, sizeof(in->status), "breakpoints cleared");
        return;
    }
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (!strcasecmp(what, vcpu__exit_name(reasons[i]))) {
            b.value = reasons[i];
            ok = !arg;
        }
    if (!strcmp(what, "port") || !strcmp(what, "addr")) {
        b.kind = what[0] == 'p' ? BREAK_PORT : BREAK_ADDR;
        ok = parse_u64(arg, &b.value) == 0 && (b.kind == BREAK_ADDR || b.value <= 0xffff);
    }
    if (!ok)
        snprintf(in->status, sizeof(in->status),
                 "usage: b io|mmio|hlt|shutdown, b port N, b addr N, b clear, b");
    else if (in->nbreaks == INSPECTOR_BREAK_MAX)
        snprintf(in->status, sizeof(in->status), "at most %d breakpoints", INSPECTOR_BREAK_MAX);
    else {
        in->breaks[in->nbreaks++] = b;
        snprintf(in->status, sizeof(in->status), "breakpoint %d: %s%s%s", in->nbreaks, what,
                 arg ? " " : "", arg ? arg : "");
    }
}

/* g: points the memory pane at a register (followed from now on) or an address. */
static void cmd_goto(struct inspector *in, const char *arg)
{
    int reg = arg ? inspector__reg_find(arg) : -1;
    uint64_t addr;

    if (reg >= 0) {
        in->follow = reg;
        snprintf(in->status, sizeof(in->status), "memory follows %s", inspector_regs[reg].name);
    } else if (parse_u64(arg, &addr) == 0) {
        in->follow = -1;
        in->mem_addr = addr;
        snprintf(in->status, sizeof(in->status), "memory at 0x%llx", (unsigned long long)addr);
    } else {
        snprintf(in->status, sizeof(in->status), "usage: g ADDRESS or g REGISTER (g rsp)");
    }
}

/* ---- several vCPUs (chapter 5) ------------------------------------------------------- */

/* Returns 1 when the target has several vCPUs; else says so in the status and returns 0. */
static int several_cpus(struct inspector *in, const char *what)
{
    if (in->t->ncpus > 1 && in->t->focus && in->t->run_others)
        return 1;
    snprintf(in->status, sizeof(in->status), "%s: the machine has one vCPU", what);
    return 0;
}

/* Puts vCPU i in focus and reads its registers. The previous ones belonged to another
 * vCPU, so they are forgotten: nothing is marked as changed until its next stop. */
static void focus_cpu(struct inspector *in, int i)
{
    if (in->t->focus(in->t->ctx, i) < 0) {
        snprintf(in->status, sizeof(in->status), "cpu %d: %s", i, error__get());
        return;
    }
    in->focus = i;
    read_state(in);
    in->prev_regs = in->regs;
    in->prev_sregs = in->sregs;
    snprintf(in->status, sizeof(in->status), "cpu %d in focus", i);
}

/* cpu N: focuses vCPU N. On a machine with one vCPU, cpu 0 is all there is. */
static void cmd_cpu(struct inspector *in, const char *arg)
{
    int ncpus = in->t->ncpus > 1 ? in->t->ncpus : 1;
    char what[32];
    uint64_t i;

    if (parse_u64(arg, &i) < 0) {
        snprintf(in->status, sizeof(in->status), "usage: cpu N (0 to %d)", ncpus - 1);
        return;
    }
    snprintf(what, sizeof(what), "cpu %llu", (unsigned long long)i);
    if (ncpus == 1 && i == 0)
        snprintf(in->status, sizeof(in->status), "cpu 0 in focus: the machine has one vCPU");
    else if (!several_cpus(in, what))
        return;
    else if (i >= (uint64_t)ncpus)
        snprintf(in->status, sizeof(in->status),
                 "%s: no such vCPU (0 to %d); cpu %d stays in focus", what, ncpus - 1, in->focus);
    else
        focus_cpu(in, (int)i);
}

/* r and p: lets the vCPUs not in focus run freely, or stops them at their next exit. */
static void cmd_others(struct inspector *in, int run, const char *what)
{
    if (!several_cpus(in, what))
        return;
    if (in->t->run_others(in->t->ctx, run) < 0) {
        snprintf(in->status, sizeof(in->status), "%s: %s", what, error__get());
        return;
    }
    in->others_run = run;
    snprintf(in->status, sizeof(in->status), "%s",
             run ? "the other vCPUs run freely" : "the other vCPUs stop at their next exit");
}

/* [commands] */
int inspector__command(struct inspector *in, const char *line)
{
    char buf[INSPECTOR_LINE_MAX], *words[4] = {0};
    struct vcpu_exit e;
    int n = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *w = strtok(buf, " \t\r\n"); w && n < 4; w = strtok(NULL, " \t\r\n"))
        words[n++] = w;
    if (n == 0 || words[0][0] == '#')
        return 0;
    in->prev_regs = in->regs;
    in->prev_sregs = in->sregs;
    if (!strcmp(words[0], "q"))
        return 1;
    if (!strcmp(words[0], "n")) {
        if (step_exit(in, &e) == 0)
            say_stop(in, "next", &e);
    } else if (!strcmp(words[0], "s")) {
        if (step_instruction(in, &e) == 0)
            say_stop(in, "step", &e);
    } else if (!strcmp(words[0], "c")) {
        cmd_continue(in);
    } else if (!strcmp(words[0], "b")) {
        cmd_break(in, words[1], words[2]);
    } else if (!strcmp(words[0], "g")) {
        cmd_goto(in, words[1]);
    } else if (!strcmp(words[0], "cpu")) {
        cmd_cpu(in, words[1]);
    } else if (!strcmp(words[0], "tab")) {
        if (several_cpus(in, "tab"))
            focus_cpu(in, (in->focus + 1) % in->t->ncpus);
    } else if (!strcmp(words[0], "r") || !strcmp(words[0], "p")) {
        cmd_others(in, words[0][0] == 'r', words[0]);
    } else {
        snprintf(in->status, sizeof(in->status), "unknown command '%s' (n, s, c, b, g, %sq)",
                 words[0], in->t->ncpus > 1 ? "cpu N, tab, r, p, " : "");
    }
    read_state(in); /* after a crash too: the registers are what the reader wants then */
    return 0;
}
/* [commands] */
