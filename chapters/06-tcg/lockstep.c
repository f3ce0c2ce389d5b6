/*
 * lockstep.c - one guest on KVM and on the interpreter, compared exit by exit, then
 * instruction by instruction where they first differ (see lockstep.h; chapter 6).
 *
 * What the two machines do is compared as a log of items (lockstep_compare.h): one item
 * an element of port I/O, one an MMIO access, one for any other exit. KVM hands a whole
 * REP INS to the VMM in one exit where the interpreter may take several; as items the two
 * are the same. Registers are compared wherever both machines have just stopped at a new
 * exit, except where they cannot be (state_comparable, same_exit_state).
 *
 * Single-stepping KVM has traps of its own, each handled where it springs: a REP string
 * instruction stops after every iteration, HLT is stepped over instead of exiting, the
 * trap flag can be lost (step_one); a step can carry more than one instruction: after
 * MOV SS, an MMIO write or an exception (catch_up). CPUID, RDTSC and the HC_NOW hypercall
 * answer alike on both sides (pin_tsc here; pin_cpuid and pin_clock in lockstep_pair.c,
 * which builds, runs and finally compares the two machines).
 */
#include "lockstep.h"

#include "lockstep_compare.h"
#include "lockstep_pair.h"
#include "tcg.h"

#include "error.h"
#include "inspector/disasm.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Instructions the interpreter may run, one at a time, to meet KVM again after a step
 * of KVM's that carried more than one instruction (catch_up). */
#define CATCH_UP_MAX 100000

/* ---- The instructions single steps must know ---- */

static int one_byte(const struct x86_insn *i, uint8_t opcode)
{
    return i->length && i->map == X86_MAP_ONE_BYTE && i->opcode == opcode;
}

/* INS, OUTS, MOVS, CMPS, STOS, LODS, SCAS with a REP prefix. */
static int rep_string(const struct x86_insn *i)
{
    uint8_t op = i->opcode;

    return i->length && i->rep && i->map == X86_MAP_ONE_BYTE &&
           ((op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) || op >= 0xaa) && op <= 0xaf;
}

static int reads_tsc(const struct x86_insn *i)
{
    return i->length && i->map == X86_MAP_0F && i->opcode == 0x31;
}

/* INS and OUTS, with or without REP. */
static int string_io(const struct x86_insn *i)
{
    return i->length && i->map == X86_MAP_ONE_BYTE && i->opcode >= 0x6c && i->opcode <= 0x6f;
}

/* ---- Exit by exit ---- */

static void report_exit_difference(struct lockstep_pair *p, int items_differ)
{
    FILE *out = p->out;

    fprintf(out, "lockstep: the machines differ at exit %lu (kvm %lu, tcg %lu exits)\n", p->pairs,
            vmm__exits(&p->k.vmm), vmm__exits(&p->t.vmm));
    if (items_differ) {
        fprintf(out, "  kvm: ");
        lockstep_item__print(out, &p->k.log.items[p->k.log.next]);
        fprintf(out, "\n  tcg: ");
        lockstep_item__print(out, &p->t.log.items[p->t.log.next]);
        fprintf(out, "\n");
    }
    for (struct lockstep_side *s = &p->k; s; s = s == &p->k ? &p->t : NULL)
        if (s->why[0])
            fprintf(out, "  %s died: %s\n", s->name, s->why);
    lockstep_state__print(out, &p->k.state, &p->t.state);
}

/* Where the registers cannot be compared: after a triple fault KVM on AMD has reset the
 * vCPU (the VMCB is undefined after a shutdown), while the interpreter keeps the state the
 * fault found. (At an MMIO write both have finished the instruction: KVM's emulator, and
 * the interpreter, which posts the write and exits after it; so those are compared.) */
static int state_comparable(const struct lockstep_item *exit)
{
    return exit->kind != VCPU_EXIT_SHUTDOWN;
}

/* Is the exit inside a string I/O instruction (INS or OUTS)? */
static int inside_string_io(struct lockstep_pair *p)
{
    uint8_t bytes[X86_MAX_LENGTH];
    struct x86_insn insn;

    return lockstep_state__code(p->t.vcpu, &p->t.state, bytes, &insn) && string_io(&insn);
}

/* At an exit inside a string I/O instruction, the instruction is half done, and how far
 * its registers have moved is the backend's own business: KVM's emulator has already
 * moved rSI or rDI and rCX past the element it hands over, and sets RFLAGS.RF for the
 * rest of the instruction; the interpreter moves them once the element is done. There
 * rCX, rSI, rDI and RFLAGS are not compared; the next exit after the instruction is. */
static int same_exit_state(const struct lockstep_state *kvm, const struct lockstep_state *tcg,
                           int inside)
{
    struct lockstep_state k = *kvm;

    if (inside) {
        k.regs.rcx = tcg->regs.rcx;
        k.regs.rsi = tcg->regs.rsi;
        k.regs.rdi = tcg->regs.rdi;
        k.regs.rflags = tcg->regs.rflags;
    }
    return lockstep_state__equal(&k, tcg);
}

/*
 * Runs both machines exit by exit and compares them, for at most limit pairs (no limit
 * when 0). Returns 0 when both ended alike (or the limit was reached), 1 at a difference
 * (reported when report is set), -1 on an error.
 */
static int by_exits(struct lockstep_pair *p, unsigned long limit, int report)
{
    struct lockstep_side *k = &p->k, *t = &p->t;

    for (;;) {
        if (limit && p->pairs == limit)
            return 0;
        int fresh_k = k->log.next == k->log.n, fresh_t = t->log.next == t->log.n;
        if (k->ended && t->ended && fresh_k && fresh_t)
            return 0;
        if (fresh_k) {
            lockstep_log__drop_compared(&k->log);
            if (lockstep_pair__next_exit(k) < 0)
                return -1;
        }
        if (fresh_t) {
            lockstep_log__drop_compared(&t->log);
            if (lockstep_pair__next_exit(t) < 0)
                return -1;
        }
        p->pairs++;
        int items_differ = lockstep_pair__compare_items(p);
        if (items_differ || !fresh_k || !fresh_t) {
            if (items_differ && report)
                report_exit_difference(p, 1);
            if (items_differ)
                return 1;
            continue; /* one machine is inside a string I/O the other took in one exit */
        }
        if (lockstep_state__read(k->vcpu, &k->state) < 0 ||
            lockstep_state__read(t->vcpu, &t->state) < 0)
            return -1;
        if (!state_comparable(&k->log.items[k->log.next - 1]))
            continue;
        int inside = inside_string_io(p);
        if (!same_exit_state(&k->state, &t->state, inside)) {
            if (report)
                report_exit_difference(p, 0);
            return 1;
        }
        if (!inside && k->log.next == k->log.n && t->log.next == t->log.n)
            p->clean = p->pairs; /* a place to start single steps from */
    }
}

/* ---- Instruction by instruction ---- */

/*
 * Runs one instruction on one machine (single-stepping is on), its exits handled and
 * their items logged, and reads the state after it. insn is the instruction at CS:RIP
 * before. A REP string instruction stops after each iteration: it is run until RIP
 * leaves it. KVM steps over HLT: that step is logged as the HLT exit it stands for.
 */
static int step_one(struct lockstep_side *s, const struct x86_insn *insn)
{
    uint64_t rip = s->state.regs.rip;

    for (;;) {
        /* Armed again before every run: KVM's emulator can drop the trap flag it set when
         * it completes an instruction for the VMM (seen after REP OUTS on AMD). */
        if (!s->tcg && vcpu__single_step(s->vcpu, 1) < 0)
            return -1;
        if (lockstep_pair__next_exit(s) < 0)
            return -1;
        struct lockstep_item *last = &s->log.items[s->log.n - 1];
        if (last->kind != VCPU_EXIT_STEP) {
            if (s->ended || (last->kind != VCPU_EXIT_IO && last->kind != VCPU_EXIT_MMIO))
                break;
            continue; /* a device access inside the instruction */
        }
        s->log.n--; /* the step itself is no item: its count differs between the two */
        if (lockstep_state__read(s->vcpu, &s->state) < 0)
            return -1;
        if (!s->tcg && one_byte(insn, 0xf4)) {
            *last = (struct lockstep_item){.kind = VCPU_EXIT_HLT};
            s->log.n++;
            lockstep_pair__end(s); /* as chapter 3's machine ends at HLT */
            break;
        }
        if (!rep_string(insn) || s->state.regs.rip != rip)
            break;
    }
    return lockstep_state__read(s->vcpu, &s->state);
}

/* Both machines did the same in their last steps: the same items, the same state. */
static int steps_agree(struct lockstep_pair *p)
{
    const struct lockstep_log *k = &p->k.log;

    p->k.log.next = p->t.log.next = 0;
    if (!lockstep_pair__logs_agree(p))
        return 0;
    int shutdown = k->n && k->items[k->n - 1].kind == VCPU_EXIT_SHUTDOWN;
    return shutdown || lockstep_state__equal(&p->k.state, &p->t.state);
}

/* RDTSC reads the host's clock on KVM and counts instructions on the interpreter: after
 * one, the interpreter's EDX:EAX are KVM's. (Between exits this cannot be done: a guest
 * that keeps what it read shows a difference exit by exit that single steps do not.) */
static int pin_tsc(struct lockstep_pair *p)
{
    p->t.state.regs.rax = p->k.state.regs.rax;
    p->t.state.regs.rdx = p->k.state.regs.rdx;
    p->res->pinned++;
    return vcpu__set_regs(p->t.vcpu, &p->t.state.regs);
}

/*
 * After a step that ended apart, KVM's step may have carried more than one instruction:
 * the one after MOV SS or POP SS (STI on some CPUs) runs in its shadow, where the debug
 * trap waits; the one after an MMIO write that KVM finished for the VMM; a whole
 * exception handler, run within the step that raised the exception (the CPU clears TF on
 * the way in). The interpreter then goes on alone, one instruction at a time, until it
 * meets KVM: the same items and the same state (at most CATCH_UP_MAX instructions).
 * Returns 1 when it met KVM, 0 when not, -1 on an error.
 */
static int catch_up(struct lockstep_pair *p)
{
    uint8_t bytes[X86_MAX_LENGTH];
    struct x86_insn next;

    for (unsigned long i = 0; i < CATCH_UP_MAX && !p->t.ended; i++) {
        lockstep_state__code(p->t.vcpu, &p->t.state, bytes, &next);
        if (step_one(&p->t, &next) < 0)
            return -1;
        if (steps_agree(p)) {
            p->res->carried++;
            return 1;
        }
    }
    return 0;
}

static void print_log(FILE *out, const struct lockstep_side *s)
{
    fprintf(out, "  %s's exits in it:", s->name);
    lockstep_log__print(out, &s->log);
}

/* The instruction both machines ran from the same state, and what each made of it. */
static void report_step_difference(struct lockstep_pair *p, const struct lockstep_state *before,
                                   const uint8_t *bytes, size_t n)
{
    FILE *out = p->out;
    char text[128] = "(no code)";
    enum disasm_mode mode = disasm__mode_of(&before->sregs);

    if (n)
        disasm__one(mode, before->regs.rip, bytes, n, text, sizeof(text));
    fprintf(out,
            "lockstep: the first instruction that differs, after %lu single steps:\n"
            "  at %04x:%#llx (%s):",
            p->res->steps, before->sregs.cs.selector, (unsigned long long)before->regs.rip,
            disasm__mode_name(mode));
    for (size_t i = 0; i < n; i++)
        fprintf(out, " %02x", bytes[i]);
    fprintf(out, "\n  %s\n", text);
    print_log(out, &p->k);
    print_log(out, &p->t);
    for (const struct lockstep_side *s = &p->k; s; s = s == &p->k ? &p->t : NULL)
        if (s->why[0])
            fprintf(out, "  %s died: %s\n", s->name, s->why);
    fprintf(out, "  the state after it:\n");
    lockstep_state__print(out, &p->k.state, &p->t.state);
}

/* Runs both machines one instruction at a time, from the same state, until they differ
 * (reported: returns 1) or both end (0). -1 on an error. */
static int by_steps(struct lockstep_pair *p)
{
    struct lockstep_side *k = &p->k, *t = &p->t;
    uint8_t bytes[X86_MAX_LENGTH];
    struct x86_insn insn;

    while (!k->ended || !t->ended) {
        struct lockstep_state before = t->state;
        size_t n = lockstep_state__code(t->vcpu, &t->state, bytes, &insn);
        k->log.n = k->log.next = t->log.n = t->log.next = 0;
        if (step_one(k, &insn) < 0 || step_one(t, &insn) < 0)
            return -1;
        p->res->steps++;
        if (reads_tsc(&insn) && pin_tsc(p) < 0)
            return -1;
        if (steps_agree(p))
            continue;
        struct lockstep_state after = t->state;
        size_t nitems = t->log.n;
        int met = catch_up(p);
        if (met < 0)
            return -1;
        if (met)
            continue;
        t->state = after; /* the report shows the instruction's own step */
        t->log.n = nitems;
        report_step_difference(p, &before, bytes, n);
        return 1;
    }
    return 0;
}

/* ---- The whole comparison ---- */

static int single_step_both(struct lockstep_pair *p)
{
    if (vcpu__single_step(p->k.vcpu, 1) < 0 || vcpu__single_step(p->t.vcpu, 1) < 0)
        return -1;
    return 0;
}

/* After a difference: both again from the start to the last exit where they agreed
 * between instructions, then one instruction at a time. Returns 1 when the instruction
 * was found (reported), 0 when single steps found none, -1 on an error. */
static int search(struct lockstep_pair *p, const struct vmm_config *cfg,
                  const struct machine_image *img)
{
    unsigned long clean = p->clean;
    int ret;

    lockstep_pair__exit(p);
    if (lockstep_pair__init(p, cfg, img) < 0)
        return -1;
    fprintf(p->out, "lockstep: running again to exit %lu, then one instruction at a time\n", clean);
    if ((ret = by_exits(p, clean, 0)) != 0)
        return ret < 0 ? -1
                       : error__set("the second run differed earlier than the first, at exit %lu:"
                                    " the guest is not deterministic",
                                    p->pairs);
    if (single_step_both(p) < 0)
        return -1;
    ret = by_steps(p);
    if (ret == 0)
        fprintf(p->out, "lockstep: one instruction at a time, the machines agree to the end:"
                        " the difference depends on where the exits fall\n");
    return ret;
}

/* The comparison proper, on a built pair: 0 agreed, 1 differed (reported), -1 error. */
static int compare(struct lockstep_pair *p)
{
    struct lockstep_result *res = p->res;
    int ret;

    if (!lockstep_state__equal(&p->k.state, &p->t.state)) {
        fprintf(p->out, "lockstep: the machines differ before the first instruction\n");
        lockstep_state__print(p->out, &p->k.state, &p->t.state);
        return 1;
    }
    if (p->mode == LOCKSTEP_STEPS)
        ret = single_step_both(p) < 0 ? -1 : by_steps(p);
    else
        ret = by_exits(p, 0, 1);
    res->exits_kvm = vmm__exits(&p->k.vmm);
    res->exits_tcg = vmm__exits(&p->t.vmm);
    res->instructions = tcg_vcpu__instructions(p->t.tcg);
    res->status = vmm__status(&p->k.vmm);
    if (ret == 0)
        return lockstep_pair__compare_ends(p);
    if (ret == 1 && p->mode == LOCKSTEP_EXITS && search(p, p->cfg, p->img) < 0)
        fprintf(p->out, "lockstep: the search stopped: %s\n", error__get());
    return ret;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_summary(FILE *out, const struct lockstep_result *res)
{
    fprintf(out,
            "lockstep: %lu exits on KVM, %lu on the interpreter, %llu instructions, %lu single"
            " steps (%lu where KVM's carried more), %lu results pinned, %.2f s\n",
            res->exits_kvm, res->exits_tcg, (unsigned long long)res->instructions, res->steps,
            res->carried, res->pinned, res->seconds);
    fprintf(out, "lockstep: %lu difference%s\n", res->differences,
            res->differences == 1 ? "" : "s");
}

int lockstep__run(const struct vmm_config *cfg, const struct machine_image *img,
                  enum lockstep_mode mode, FILE *out, struct lockstep_result *res)
{
    struct lockstep_pair *p = calloc(1, sizeof(*p));
    struct timespec t0;
    int ret = -1;

    memset(res, 0, sizeof(*res));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!p)
        return error__set("out of memory for two machines");
    *p = (struct lockstep_pair){.mode = mode, .cfg = cfg, .img = img, .out = out, .res = res};
    if (lockstep_pair__init(p, cfg, img) == 0 && (ret = compare(p)) >= 0) {
        res->differences = (unsigned long)ret;
        res->seconds = seconds_since(&t0);
        print_summary(out, res);
    }
    lockstep_pair__exit(p);
    free(p);
    return ret;
}
