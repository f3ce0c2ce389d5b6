/*
 * tcg.c - the interpreter's run loop, its decoded-instruction cache, and the vCPU
 * interface on top of them (see tcg.h; chapter 6).
 *
 * The loop is the one every interpreter has: fetch the bytes at CS:RIP, decode them into
 * a struct x86_insn, dispatch on the opcode to the code that executes it, repeat. Decoding
 * is the expensive step, and a guest runs the same instructions over and over, so each
 * decoded instruction is kept in a cache keyed by its guest-physical address. A write to
 * a page that holds cached code throws the cache away (self-modifying code stays right).
 * That is --tcg=insn; with --tcg=block the loop runs translation blocks instead, straight
 * runs of decoded instructions chained to each other (block.c), through the same step()
 * for every instruction; --tcg=jit (the default on x86-64 hosts) compiles the hot blocks
 * to host code (jit.c).
 *
 * Several vCPUs (chapter 5's machine, a host thread each) each have their own cache, and
 * share the rest: see "Several vCPUs" below.
 */
#include "tcg.h"

#include "block.h"
#include "cpu.h"
#include "jit.h"
#include "fpu.h"
#include "error.h"
#include "irq.h"
#include "modes.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [cache] */
#define CACHE_SIZE 65536 /* entries, direct-mapped by guest-physical address */

/* One decoded instruction: its key, the generation it was decoded in, its code. An entry
 * of another generation than the code map's is empty: bumping that empties every cache. */
struct cache_entry {
    uint64_t key; /* guest-physical address << 2 | mode (16, 32, 64 as 0, 1, 2) */
    uint64_t gen; /* 64 bits: it never wraps around to an old entry's */
    tcg_exec_fn exec;
    struct x86_insn insn;
};

struct tcg_cache {
    struct cache_entry e[CACHE_SIZE];
};
/* [cache] */

/* The dispatch tables: the code of each opcode of the one-byte and the 0F map. */
static tcg_exec_fn exec_one[256], exec_two[256];

static struct tcg_cpu *to_tcg(struct vcpu *v)
{
    return (struct tcg_cpu *)v;
}

/* ---- Faults and exits: back to the run loop ---- */

/* [fault] */
_Noreturn void tcg__fault(struct tcg_cpu *c, int vector, uint32_t error)
{
    c->fault_vector = vector;
    c->fault_error = error;
    longjmp(c->fault_jmp, TCG_UNWIND_EXCEPTION);
}

_Noreturn void tcg__ud(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    tcg__fault(c, EXC_UD, EXC_NO_ERROR);
}

_Noreturn void tcg__gp(struct tcg_cpu *c, uint32_t error)
{
    tcg__fault(c, EXC_GP, error);
}

_Noreturn void tcg__exit(struct tcg_cpu *c)
{
    longjmp(c->fault_jmp, TCG_UNWIND_EXIT);
}

_Noreturn void tcg__restart(struct tcg_cpu *c)
{
    longjmp(c->fault_jmp, TCG_UNWIND_RETRY);
}
/* [fault] */

_Noreturn void tcg__internal(struct tcg_cpu *c, const char *fmt, ...)
{
    char msg[ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error__set("interpreter: %s (RIP 0x%llx)", msg, (unsigned long long)c->rip);
    longjmp(c->fault_jmp, TCG_UNWIND_FATAL);
}

/* ---- Undoing an instruction that faulted half-way ---- */

void tcg__save_undo(struct tcg_cpu *c)
{
    struct tcg_undo *u = &c->undo;

    memcpy(u->r, c->r, sizeof(u->r));
    memcpy(u->seg, c->seg, sizeof(u->seg));
    u->rip = c->rip;
    u->rflags = flags__get_rflags(c);
    u->cpl = c->cpl;
    u->mode = c->mode;
    u->long64 = c->long64;
    u->stack_size = c->stack_size;
    c->undo_valid = 1;
}

/* A fault after tcg__save_undo: back to the state before the instruction. */
static void restore_undo(struct tcg_cpu *c)
{
    const struct tcg_undo *u = &c->undo;

    memcpy(c->r, u->r, sizeof(c->r));
    memcpy(c->seg, u->seg, sizeof(c->seg));
    c->rip = u->rip;
    flags__set_rflags(c, u->rflags);
    c->cpl = u->cpl;
    c->mode = u->mode;
    c->long64 = u->long64;
    c->stack_size = u->stack_size;
    c->undo_valid = 0;
    mmu__tlb_flush(c); /* it may hold entries filled at the other privilege level */
}

/* ---- Decoding, through the cache ---- */

/* [smc] */
/*
 * Self-modifying code, and code that another vCPU modifies. Each vCPU has its own cache of
 * decoded instructions, but the vCPUs over one guest memory share one code map (struct
 * tcg_code_map): a byte a page, set while some vCPU has decoded code from the page, and
 * one generation that every cache entry is stamped with. A write checks the page's byte
 * (mmu.c: one byte load on the common path, a write to a page without code); after it
 * wrote a page with code, tcg__code_written clears the byte (the page is data again until
 * code from it is decoded anew) and bumps the generation, which empties every vCPU's
 * cache at once: each compares the generation at its next instruction. The other design,
 * per-vCPU flags set by the writer and a kick, costs the writer a walk over every vCPU
 * and the reader a check of its own as well; a shared generation costs one load from a
 * line that only changes when code is written.
 *
 * The order that makes it right when a write and a decode race: the writer stores the
 * data, then reads the page's byte (after a full barrier with several vCPUs, mmu.c); the
 * decoder reads the generation, then the page's byte, and only then the code, and caches
 * what it decoded only if the byte was already set (else it sets it, and decodes again
 * next time). Either the writer sees the byte and bumps the generation after its store
 * (the entry, stamped with the older one, is dropped), or the decoder reads the code after
 * the store.
 */
static void code_map_written(struct tcg_code_map *m, uint64_t phys)
{
    __atomic_store_n(&m->page[phys >> 12], 0, __ATOMIC_SEQ_CST);
    atomic_fetch_add_explicit(&m->gen, 1, memory_order_release);
}

/* The vCPU's own write: the block it is running may hold the code just written, so it
 * ends after this instruction (block.c). */
void tcg__code_written(struct tcg_cpu *c, uint64_t phys)
{
    code_map_written(c->code, phys);
    c->tb_stop = 1;
}

/* Whether a page holds cached code: the byte, read before the code (see above). */
int tcg__code_page_cached(struct tcg_cpu *c, uint64_t phys)
{
    return __atomic_load_n(&c->code->page[phys >> 12], __ATOMIC_SEQ_CST);
}

void tcg__code_page_mark(struct tcg_cpu *c, uint64_t phys)
{
    __atomic_store_n(&c->code->page[phys >> 12], 1, __ATOMIC_SEQ_CST);
}
/* [smc] */

/* [dispatch] */
/* The code for a decoded instruction; NULL (#UD) when no file registered one. */
tcg_exec_fn tcg__exec_for(const struct x86_insn *i)
{
    if (i->map == X86_MAP_ONE_BYTE)
        return exec_one[i->opcode];
    if (i->map == X86_MAP_0F)
        return exec_two[i->opcode];
    return NULL;
}
/* [dispatch] */

/* Decodes the instruction at CS:RIP into *out. Faults (#PF, #UD, #GP) do not return. */
static void decode_at(struct tcg_cpu *c, uint64_t linear, struct x86_insn *out, uint64_t *phys)
{
    uint8_t bytes[X86_MAX_LENGTH];
    size_t page_left = 4096 - (linear & 0xfff);
    size_t n =
        mmu__fetch(c, linear, bytes, page_left < X86_MAX_LENGTH ? page_left : X86_MAX_LENGTH, phys);

    if (x86__decode(bytes, n, (enum x86_mode)c->mode, out) < 0 && out->truncated &&
        n < X86_MAX_LENGTH) {
        uint64_t ignored; /* the instruction goes on in the next page: fetch it too */
        n += mmu__fetch(c, linear + n, bytes + n, X86_MAX_LENGTH - n, &ignored);
        x86__decode(bytes, n, (enum x86_mode)c->mode, out);
    }
    c->decodes++;
    /* An undefined opcode is #UD even when its bytes also run past 15 (as QEMU decides). */
    if (out->undefined || out->unsupported)
        tcg__fault(c, EXC_UD, EXC_NO_ERROR);
    if (out->too_long)
        tcg__gp(c, 0);
    if (out->truncated)
        tcg__fault(c, EXC_UD, EXC_NO_ERROR);
    if (out->length > page_left)
        *phys = ~0ull; /* it spans two pages: not cached */
}

/* [lookup] */
/* Returns the decoded instruction at CS:RIP: from the cache, or decoded now and cached. */
static const struct cache_entry *lookup(struct tcg_cpu *c, struct cache_entry *scratch)
{
    uint64_t linear = c->long64 ? c->rip : (c->seg[X86_SEG_CS].base + c->rip) & 0xffffffffull;
    struct tlb_entry *t = &c->tlb[ACC_FETCH][(linear >> 12) % TLB_SIZE];
    unsigned mode_bits = c->mode == X86_MODE_64 ? 2 : c->mode == X86_MODE_32;
    uint64_t gen = atomic_load_explicit(&c->code->gen, memory_order_acquire);
    int was_code = 0; /* the page's byte, read before the code (see tcg__code_written) */

    if (t->tag == ((linear >> 12) << 1 | 1) && t->host) {
        uint64_t key = (t->phys | (linear & 0xfff)) << 2 | mode_bits;
        struct cache_entry *e = &c->cache->e[(key >> 2) % CACHE_SIZE];
        if (e->key == key && e->gen == gen)
            return e;
        was_code = t->phys < (1ull << 32) && tcg__code_page_cached(c, t->phys);
    }
    uint64_t phys;
    decode_at(c, linear, &scratch->insn, &phys);
    scratch->exec = tcg__exec_for(&scratch->insn);
    if (phys >= (1ull << 32))
        return scratch; /* above 4 GiB, or across two pages: decoded every time */
    if (!was_code) {
        if (!tcg__code_page_cached(c, phys))
            tcg__code_page_mark(c, phys);
        return scratch; /* cached from the next time on, when the byte is read first */
    }
    struct cache_entry *e = &c->cache->e[phys % CACHE_SIZE];
    *e = *scratch;
    e->key = phys << 2 | mode_bits;
    e->gen = gen;
    return e;
}
/* [lookup] */

/* ---- The run loop ---- */

/* [complete] */
/* Takes the result of the exit the VMM has just handled into the instruction's list of
 * completed accesses: the instruction runs again and finds it there. */
static void complete_exit(struct tcg_cpu *c)
{
    struct tcg_done *d = &c->inflight.done[c->inflight.count++];

    if (!d->write)
        memcpy(&d->value, c->exit_data, sizeof(d->value));
    c->inflight.pending = 0;
}

/* The instruction ended (or faulted): its completed accesses are forgotten. */
static void retire(struct tcg_cpu *c)
{
    c->inflight.count = c->inflight.next = 0;
}
/* [complete] */

static void set_exit(struct vcpu_exit *e, enum vcpu_exit_kind kind, uint32_t raw)
{
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->raw = raw;
}

/* [deliver] */
/* The SDM's classes of exception, for what a second fault during a delivery means. */
static int contributory(int vector)
{
    return vector == EXC_DE || (vector >= EXC_TS && vector <= EXC_GP);
}

/* Delivers the exception the last instruction raised. A fault while delivering one is
 * delivered on its own when the first was benign (#UD, #BP...); after a contributory
 * fault (#DE, #TS, #NP, #SS, #GP) another contributory one, or after a #PF a #PF or a
 * contributory one, becomes a double fault. A fault while delivering a double fault is a
 * triple fault: the CPU shuts down, and KVM reports that as KVM_EXIT_SHUTDOWN. Returns 1
 * on a shutdown. */
static int deliver(struct tcg_cpu *c)
{
    int vector = c->fault_vector, first = c->delivering;
    uint32_t error = c->fault_error;

    c->fault_vector = -1;
    if (first == EXC_DF) {
        c->shutdown = 1;
        return 1;
    }
    if ((contributory(first) && contributory(vector)) ||
        (first == EXC_PF && (vector == EXC_PF || contributory(vector)))) {
        vector = EXC_DF;
        error = 0;
    }
    c->delivering = vector;
    c->shadow = ~0ull; /* delivering an event ends a shadow */
    tcg__save_undo(c); /* a fault while delivering starts again from here */
    protect__interrupt(c, vector, error, TCG_EXCEPTION, c->rip);
    c->delivering = -1;
    c->undo_valid = 0;
    return 0;
}
/* [deliver] */

/* [external] */
/*
 * An interrupt waits at the INTR pin. It is taken when RFLAGS.IF is 1 and no shadow
 * covers this boundary: the acknowledge cycle gives its vector (or -1: it has gone), and
 * it is delivered through the IVT or IDT as an external interrupt, returning to the
 * instruction that was next. A CPU in HLT leaves it, so the return is after the HLT.
 * Until the pin goes down, the loop comes back here at every boundary.
 */
static void take_interrupt(struct tcg_cpu *c)
{
    atomic_fetch_or_explicit(&c->events, TCG_EVENT_INTR, memory_order_relaxed);
    if (!(c->rflags & RFLAGS_IF) || c->shadow == c->instructions)
        return;
    int vector = c->vcpu.intr->ack(c->vcpu.intr->ctx, &c->vcpu);
    if (vector < 0)
        return;
    c->halted = 0;
    c->shadow = ~0ull;
    tcg__save_undo(c); /* a fault while delivering starts again from here */
    protect__interrupt(c, vector & 0xff, 0, TCG_EXTERNAL, c->rip);
    c->undo_valid = 0;
}
/* [external] */

/*
 * An NMI from another CPU (chapter 5's APIC bus raises nmi_pin): taken at the next
 * boundary whatever RFLAGS.IF says, through IDT vector 2, and it ends HLT. Only a MOV SS
 * shadow holds it back. (The CPU blocks further NMIs until the next IRET; the interpreter
 * does not model that blocking: an NMI that comes while the handler runs nests.)
 */
static void take_nmi(struct tcg_cpu *c)
{
    if (c->shadow == c->instructions) { /* look again at the next boundary */
        atomic_fetch_or_explicit(&c->events, TCG_EVENT_INTR, memory_order_relaxed);
        return;
    }
    atomic_store(&c->vcpu.nmi_pin, 0);
    c->halted = 0;
    c->shadow = ~0ull;
    tcg__save_undo(c);
    protect__interrupt(c, 2, 0, TCG_EXTERNAL, c->rip);
    c->undo_valid = 0;
}

/* [boundary] */
/*
 * Between two instructions, when c->events says so (and at the start of every run): a
 * kick ends the run with VCPU_EXIT_INTR, before anything else; an NMI is taken, then an
 * interrupt at the pin if it can be; a CPU still in HLT stays there and the run ends with
 * VCPU_EXIT_HLT again. Returns 1 when the run ends here, with *exit filled in.
 */
static int boundary(struct tcg_cpu *c, struct vcpu_exit *exit)
{
    unsigned events = atomic_fetch_and_explicit(&c->events, ~(TCG_EVENT_KICK | TCG_EVENT_INTR),
                                                memory_order_acquire);

    if (events & TCG_EVENT_KICK) {
        if (atomic_load(&c->vcpu.nmi_pin)) /* (a run may start inside an instruction) */
            atomic_fetch_or_explicit(&c->events, TCG_EVENT_INTR, memory_order_relaxed);
        set_exit(exit, VCPU_EXIT_INTR, KVM_EXIT_INTR);
        return 1; /* the next run starts here again, and looks at the pin */
    }
    if (atomic_load(&c->vcpu.nmi_pin))
        take_nmi(c);
    if (c->vcpu.intr && atomic_load(&c->vcpu.intr_pin))
        take_interrupt(c);
    if (c->halted) {
        set_exit(exit, VCPU_EXIT_HLT, KVM_EXIT_HLT);
        return 1;
    }
    return 0;
}
/* [boundary] */

/* [step] */
/* What step() says about the instruction it ran. */
enum step {
    STEP_NEXT,   /* done; RIP is the next instruction's, in the same straight line */
    STEP_BRANCH, /* done; RIP went elsewhere (a branch, a REP that goes on, IP wrapping) */
    STEP_EVENT,  /* done, and the boundary after it took an interrupt or an NMI */
    STEP_END,    /* the run ends here: *exit is filled in */
};

/* After an instruction, when c->events says so: single-stepping ends the run, else the
 * boundary is looked at. Returns STEP_END, STEP_EVENT (an interrupt moved RIP) or
 * STEP_NEXT (nothing to do: the instruction stream goes on). */
static enum step events_after(struct tcg_cpu *c, struct vcpu_exit *exit)
{
    if (c->stepping) {
        set_exit(exit, VCPU_EXIT_STEP, KVM_EXIT_DEBUG);
        return STEP_END;
    }
    uint64_t rip = c->rip, cs_base = c->seg[X86_SEG_CS].base;
    if (boundary(c, exit))
        return STEP_END;
    if (c->rip != rip || c->seg[X86_SEG_CS].base != cs_base)
        return STEP_EVENT;
    return STEP_NEXT;
}

/* RIP's width in a mode (enum x86_mode): where it wraps around. */
static uint64_t rip_mask(unsigned mode)
{
    return mode == X86_MODE_64 ? ~0ull : mode == X86_MODE_32 ? 0xffffffffull : 0xffffull;
}

/*
 * Executes one decoded instruction at RIP and commits it: RIP moves on, the count goes
 * up, a posted MMIO write or HLT ends the run, and when c->events says so the boundary
 * after it is looked at (a kick, an interrupt, single-stepping). Both ways of running
 * code (an instruction at a time, or in blocks) go through here, so they count, stop and
 * take interrupts at exactly the same instructions.
 */
static inline enum step step(struct tcg_cpu *c, tcg_exec_fn exec, const struct x86_insn *i,
                             uint64_t mask, struct vcpu_exit *exit)
{
    uint64_t end = c->rip + i->length, next = end & mask;

    c->next_rip = next;
    if (!exec)
        tcg__ud(c, i);
    c->lock.on = i->lock; /* (XCHG with memory sets it itself) */
    exec(c, i);
    if (c->lock.on)
        mmu__locked_end(c);
    c->undo_valid = 0;
    c->rip = c->next_rip;
    c->instructions++;
    if (c->inflight.count)
        retire(c);
    if (__builtin_expect(c->inflight.posted | c->halted, 0)) {
        if (c->inflight.posted) { /* an MMIO write: reported now, with RIP past the instruction */
            c->inflight.posted = 0;
            *exit = c->exit;
        } else {
            set_exit(exit, VCPU_EXIT_HLT, KVM_EXIT_HLT);
        }
        return STEP_END;
    }
    if (atomic_load_explicit(&c->events, memory_order_relaxed)) {
        enum step s = events_after(c, exit);
        if (s != STEP_NEXT)
            return s;
    }
    /* IP or EIP wrapping round to 0 is a branch too: the next instruction is not the one
     * after this in linear memory, where a block decoded it. */
    return c->rip == end ? STEP_NEXT : STEP_BRANCH;
}
/* [step] */

/* The JIT's host code runs an instruction it cannot compile through here: step(), and
 * what run_block does after it. */
int tcg__jit_step(struct tcg_cpu *c, const struct tcg_op *op, struct vcpu_exit *exit)
{
    enum step s = step(c, op->exec, &op->insn, rip_mask(op->insn.mode), exit);

    if (s == STEP_END || s == STEP_EVENT)
        return s;
    return c->tb_stop ? STEP_EVENT : s;
}

/* ... and after an instruction it ran itself, when c->events is not 0. */
int tcg__jit_events(struct tcg_cpu *c, struct vcpu_exit *exit)
{
    return events_after(c, exit);
}

/* The linear address of CS:RIP, where the next instruction is fetched from. */
static uint64_t fetch_linear(const struct tcg_cpu *c)
{
    return c->long64 ? c->rip : (c->seg[X86_SEG_CS].base + c->rip) & 0xffffffffull;
}

/* [run-insn] */
/* --tcg=insn: an instruction at a time, each found in the decoded-instruction cache. */
static void run_insns(struct tcg_cpu *c, struct vcpu_exit *exit)
{
    struct cache_entry scratch;

    for (;;) {
        const struct cache_entry *e = lookup(c, &scratch);
        if (step(c, e->exec, &e->insn, rip_mask(c->mode), exit) == STEP_END)
            return;
    }
}
/* [run-insn] */

/* [run-block] */
/* Runs block b from its first instruction. Returns STEP_END when the run ends, STEP_BRANCH
 * when the block ended cleanly (its successor may be chained to it), STEP_EVENT when it
 * ended early: an interrupt was taken, the TLB or the mode changed, or code was written
 * (c->tb_stop). An exception does not return here at all: it longjmps to tcg_run. */
static enum step run_block(struct tcg_cpu *c, const struct tcg_block *b, struct vcpu_exit *exit)
{
    const struct tcg_op *op = b->op, *end = op + b->n;
    uint64_t mask = rip_mask(c->mode); /* an instruction that changes the mode ends b */

    c->tb_stop = 0;
    for (; op < end; op++) {
        enum step s = step(c, op->exec, &op->insn, mask, exit);
        if (s == STEP_END || s == STEP_EVENT)
            return s;
        if (c->tb_stop)
            return STEP_EVENT;
        if (s == STEP_BRANCH)
            return STEP_BRANCH;
    }
    return STEP_BRANCH;
}

/* [run-jit] */
/* --tcg=jit: a block's host code once it is hot (jit.c), else the interpreter's loop. A
 * vCPU being single-stepped stays in the interpreter: it stops after every instruction. */
static enum step run_block_jit(struct tcg_cpu *c, struct tcg_block **b, uint64_t *page,
                               struct vcpu_exit *exit)
{
    jit_code code = c->stepping ? NULL : jit__code(c->jit, *b);

    if (!code)
        return run_block(c, *b, exit);
    c->tb_stop = 0;
    jit__entered(c->jit, *b, *page, NULL);
    int s = code(c, exit);
    if (s)
        return (enum step)s;
    *b = jit__entered(c->jit, NULL, 0, page); /* the code may have run on through others */
    return STEP_BRANCH;
}
/* [run-jit] */

/* --tcg=block: block after block, each chained to the last one where the rule of block.c's
 * [chain] allows, else found through the TLB. An instruction that no block can hold (the
 * first time its page runs, across two pages, above 4 GiB, or one that faults as it is
 * decoded) runs alone, decoded every time, exactly as --tcg=insn runs it. */
static void run_blocks(struct tcg_cpu *c, struct vcpu_exit *exit)
{
    struct tcg_block *b = NULL; /* the block that just ended cleanly, NULL when none */
    uint64_t page = 0;          /* the linear page it was entered in */
    struct cache_entry scratch;

    for (;;) {
        uint64_t linear = fetch_linear(c);
        b = b ? block__next(c, b, page, linear) : block__find(c, linear);
        if (!b) {
            uint64_t phys;
            decode_at(c, linear, &scratch.insn, &phys);
            if (step(c, tcg__exec_for(&scratch.insn), &scratch.insn, rip_mask(c->mode), exit) ==
                STEP_END)
                return;
            continue;
        }
        page = linear & ~0xfffull;
        enum step s = c->jit ? run_block_jit(c, &b, &page, exit) : run_block(c, b, exit);
        if (s == STEP_END)
            return;
        if (s == STEP_EVENT)
            b = NULL;
    }
}
/* [run-block] */

/* [run] */
/*
 * Single-stepping: each VCPU_EXIT_STEP reports one instruction done, or one that faulted
 * (its exception delivered). An external interrupt is taken at the start of a run, so a
 * step that takes one delivers it and then runs the handler's first instruction.
 */
static int tcg_run(struct vcpu *v, struct vcpu_exit *exit)
{
    struct tcg_cpu *c = to_tcg(v);

    if (c->shutdown) {
        set_exit(exit, VCPU_EXIT_SHUTDOWN, KVM_EXIT_SHUTDOWN);
        return 0;
    }
    c->last_exception = -1; /* per run, not per instruction: the loop stays lean */
    c->smp = c->code->users > 1;
    switch (setjmp(c->fault_jmp)) { /* 0 first, then an enum tcg_unwind */
    case 0:
        break;
    case TCG_UNWIND_RETRY: /* a locked write lost its race: the instruction starts again */
        mmu__locked_end(c);
        retire(c);
        break;
    case TCG_UNWIND_EXCEPTION:
        mmu__locked_end(c);
        retire(c);
        if (c->undo_valid)
            restore_undo(c);
        c->inflight.posted = 0; /* the instruction did not happen: nor did its MMIO write */
        c->last_exception = c->fault_vector;
        c->last_error = c->fault_error;
        if (c->trap_exceptions) {
            c->fault_vector = -1;
            error__set("the guest raised exception %d", c->last_exception);
            set_exit(exit, VCPU_EXIT_FATAL, 0);
            return 0;
        }
        if (deliver(c)) {
            error__set("triple fault: the CPU shut down");
            set_exit(exit, VCPU_EXIT_SHUTDOWN, KVM_EXIT_SHUTDOWN);
            return 0;
        }
        if (c->stepping) {
            set_exit(exit, VCPU_EXIT_STEP, KVM_EXIT_DEBUG);
            return 0;
        }
        break;
    case TCG_UNWIND_EXIT: /* a device access: the VMM's turn */
        mmu__locked_end(c);
        c->inflight.next = 0;
        c->inflight.posted = 0; /* a posted write is filed: the next run completes it */
        c->inflight.pending = 1;
        *exit = c->exit;
        return 0;
    default: /* TCG_UNWIND_FATAL: the interpreter cannot go on; the error says why */
        mmu__locked_end(c);
        retire(c);
        set_exit(exit, VCPU_EXIT_FATAL, KVM_EXIT_INTERNAL_ERROR);
        return 0;
    }
    if (c->inflight.pending) /* the run starts inside an instruction: it completes first */
        complete_exit(c);
    else if (boundary(c, exit))
        return 0;
    if (c->translation != TCG_INSN)
        run_blocks(c, exit);
    else
        run_insns(c, exit);
    return 0;
}
/* [run] */

/* ---- The rest of the vCPU interface ---- */

static int tcg_get_regs(struct vcpu *v, struct kvm_regs *r)
{
    struct tcg_cpu *c = to_tcg(v);
    uint64_t *g = c->r;

    *r = (struct kvm_regs){.rax = g[R_AX],
                           .rbx = g[R_BX],
                           .rcx = g[R_CX],
                           .rdx = g[R_DX],
                           .rsi = g[R_SI],
                           .rdi = g[R_DI],
                           .rsp = g[R_SP],
                           .rbp = g[R_BP],
                           .r8 = g[8],
                           .r9 = g[9],
                           .r10 = g[10],
                           .r11 = g[11],
                           .r12 = g[12],
                           .r13 = g[13],
                           .r14 = g[14],
                           .r15 = g[15],
                           .rip = c->rip,
                           .rflags = flags__get_rflags(c)};
    return 0;
}

static int tcg_set_regs(struct vcpu *v, const struct kvm_regs *r)
{
    struct tcg_cpu *c = to_tcg(v);
    const uint64_t in[16] = {[R_AX] = r->rax, [R_CX] = r->rcx, [R_DX] = r->rdx, [R_BX] = r->rbx,
                             [R_SP] = r->rsp, [R_BP] = r->rbp, [R_SI] = r->rsi, [R_DI] = r->rdi,
                             [8] = r->r8,     [9] = r->r9,     [10] = r->r10,   [11] = r->r11,
                             [12] = r->r12,   [13] = r->r13,   [14] = r->r14,   [15] = r->r15};

    memcpy(c->r, in, sizeof(in));
    c->rip = r->rip;
    flags__set_rflags(c, r->rflags);
    c->halted = 0;
    return 0;
}

static int tcg_get_sregs(struct vcpu *v, struct kvm_sregs *s)
{
    struct tcg_cpu *c = to_tcg(v);

    memset(s, 0, sizeof(*s));
    s->es = c->seg[X86_SEG_ES];
    s->cs = c->seg[X86_SEG_CS];
    s->ss = c->seg[X86_SEG_SS];
    s->ds = c->seg[X86_SEG_DS];
    s->fs = c->seg[X86_SEG_FS];
    s->gs = c->seg[X86_SEG_GS];
    s->ldt = c->ldt;
    s->tr = c->tr;
    s->gdt = c->gdt;
    s->idt = c->idt;
    s->cr0 = c->cr0;
    s->cr2 = c->cr2;
    s->cr3 = c->cr3;
    s->cr4 = c->cr4;
    s->cr8 = c->cr8;
    s->efer = c->efer;
    s->apic_base = c->apic_base;
    return 0;
}

static int tcg_set_sregs(struct vcpu *v, const struct kvm_sregs *s)
{
    struct tcg_cpu *c = to_tcg(v);

    c->seg[X86_SEG_ES] = s->es;
    c->seg[X86_SEG_CS] = s->cs;
    c->seg[X86_SEG_SS] = s->ss;
    c->seg[X86_SEG_DS] = s->ds;
    c->seg[X86_SEG_FS] = s->fs;
    c->seg[X86_SEG_GS] = s->gs;
    c->ldt = s->ldt;
    c->tr = s->tr;
    c->gdt = s->gdt;
    c->idt = s->idt;
    c->cr0 = s->cr0;
    c->cr2 = s->cr2;
    c->cr3 = s->cr3;
    c->cr4 = s->cr4;
    c->cr8 = s->cr8;
    c->efer = s->efer;
    c->apic_base = s->apic_base;
    protect__update_mode(c);
    mmu__tlb_flush(c);
    c->halted = 0;
    return 0;
}

static int tcg_single_step(struct vcpu *v, int on)
{
    struct tcg_cpu *c = to_tcg(v);

    c->stepping = on;
    if (on)
        atomic_fetch_or(&c->events, TCG_EVENT_STEP);
    else
        atomic_fetch_and(&c->events, ~TCG_EVENT_STEP);
    return 0;
}

static int tcg_read_mem(struct vcpu *v, uint64_t gpa, void *buf, size_t len)
{
    return guest_mem__read(to_tcg(v)->mem, gpa, buf, len);
}

/* Something other than the CPU wrote guest memory (a device's DMA): decoded code in
 * those pages is stale from now on, exactly as when the guest writes it. */
static void tcg_memory_written(struct vcpu *v, uint64_t gpa, size_t len)
{
    struct tcg_cpu *c = to_tcg(v);

    for (uint64_t a = gpa & ~0xfffull; a < gpa + len && a < (1ull << 32); a += 4096)
        if (tcg__code_page_cached(c, a))
            code_map_written(c->code, a);
}

/* The VMM writes guest memory (a hypercall's answer, a device's DMA). */
static int tcg_write_mem(struct vcpu *v, uint64_t gpa, const void *buf, size_t len)
{
    if (guest_mem__write(to_tcg(v)->mem, gpa, buf, len) < 0)
        return -1;
    tcg_memory_written(v, gpa, len);
    return 0;
}

static int tcg_translate_op(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
    struct tcg_cpu *c = to_tcg(v);

    if (mmu__translate(c, linear, ACC_READ, 0, gpa) < 0)
        return error__set("linear address 0x%llx is not mapped", (unsigned long long)linear);
    return 0;
}

/* [kick] */
/* A kick, from any thread: the run loop sees it at the next instruction boundary, or at
 * the start of the next run, and returns VCPU_EXIT_INTR. */
static void tcg_kick(struct vcpu *v)
{
    atomic_fetch_or_explicit(&to_tcg(v)->events, TCG_EVENT_KICK, memory_order_release);
}
/* [kick] */

/* HLT leaves the CPU halted until an interrupt is taken, or until the VMM sets its
 * registers (moving it on, as a debugger would). The interpreter never waits itself: a
 * halted CPU's run ends with VCPU_EXIT_HLT at once, and the machine puts its thread to
 * sleep until an interrupt, an NMI or an INIT comes (chapter 4's pc_halt); an AP that
 * waits for its startup IPI sleeps in chapter 5's smp.c. No host core spins for them. */
static int tcg_get_mp_state(struct vcpu *v, uint32_t *state)
{
    *state = to_tcg(v)->halted ? KVM_MP_STATE_HALTED : KVM_MP_STATE_RUNNABLE;
    return 0;
}

static int tcg_get_fpu(struct vcpu *v, struct kvm_fpu *f)
{
    fpu__get(to_tcg(v), f);
    return 0;
}

static int tcg_set_fpu(struct vcpu *v, const struct kvm_fpu *f)
{
    return fpu__set(to_tcg(v), f);
}

static const struct vcpu_ops tcg_vcpu_ops = {
    .name = "tcg",
    .run = tcg_run,
    .get_regs = tcg_get_regs,
    .set_regs = tcg_set_regs,
    .get_sregs = tcg_get_sregs,
    .set_sregs = tcg_set_sregs,
    .single_step = tcg_single_step,
    .read_mem = tcg_read_mem,
    .write_mem = tcg_write_mem,
    .memory_written = tcg_memory_written,
    .translate = tcg_translate_op,
    .kick = tcg_kick,
    .get_mp_state = tcg_get_mp_state,
    .get_fpu = tcg_get_fpu,
    .set_fpu = tcg_set_fpu,
};

/* ---- Several vCPUs: the code map they share ---- */

/* The code maps in use, one a guest memory; the lock guards the list and the counts. */
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tcg_code_map *maps;

/* Returns mem's code map, made when it is the first vCPU over mem; NULL when out of
 * memory. */
static struct tcg_code_map *code_map_get(struct guest_mem *mem)
{
    struct tcg_code_map *m;

    pthread_mutex_lock(&maps_lock);
    for (m = maps; m && m->mem != mem; m = m->next)
        ;
    if (!m && (m = aligned_alloc(_Alignof(struct tcg_code_map), sizeof(*m))) != NULL) {
        memset(m, 0, sizeof(*m));
        atomic_init(&m->gen, 1);
        m->mem = mem;
        m->next = maps;
        maps = m;
    }
    if (m)
        m->users++;
    pthread_mutex_unlock(&maps_lock);
    return m;
}

/* One vCPU less over m's memory: the last frees it. */
static void code_map_put(struct tcg_code_map *m)
{
    pthread_mutex_lock(&maps_lock);
    if (--m->users == 0) {
        struct tcg_code_map **p = &maps;
        while (*p != m)
            p = &(*p)->next;
        *p = m->next;
        free(m);
    }
    pthread_mutex_unlock(&maps_lock);
}

/* ---- Making one ---- */

/* How new vCPUs run code: set by --tcg, else by STEPVM_TCG, else the fastest the host
 * has: the JIT on x86-64, blocks elsewhere. */
static pthread_mutex_t translation_lock = PTHREAD_MUTEX_INITIALIZER;
static int translation_chosen = -1; /* enum tcg_translation, -1 until decided */

int tcg_translation__parse(const char *name, enum tcg_translation *t)
{
    if (!strcmp(name, "insn"))
        *t = TCG_INSN;
    else if (!strcmp(name, "block"))
        *t = TCG_BLOCK;
    else if (!strcmp(name, "jit") && jit__supported())
        *t = TCG_JIT;
    else if (!strcmp(name, "jit"))
        return error__set("--tcg jit: the JIT emits x86-64 code, and this host is not x86-64 "
                          "(use --tcg=block)");
    else
        return error__set("--tcg %s: must be insn, block or jit", name);
    return 0;
}

void tcg_translation__set_default(enum tcg_translation t)
{
    pthread_mutex_lock(&translation_lock);
    translation_chosen = (int)t;
    pthread_mutex_unlock(&translation_lock);
}

static enum tcg_translation translation_default(void)
{
    const enum tcg_translation fastest = jit__supported() ? TCG_JIT : TCG_BLOCK;
    enum tcg_translation t = fastest;

    pthread_mutex_lock(&translation_lock);
    if (translation_chosen < 0) {
        const char *env = getenv("STEPVM_TCG");
        if (env && tcg_translation__parse(env, &t) < 0)
            t = fastest;
        translation_chosen = (int)t;
    }
    t = (enum tcg_translation)translation_chosen;
    pthread_mutex_unlock(&translation_lock);
    return t;
}

struct vcpu *tcg_vcpu__new(struct guest_mem *mem)
{
    struct tcg_cpu *c = calloc(1, sizeof(*c));

    /* [tables] */
    if (!exec_one[0x90]) { /* the tables, once */
        flow__register(exec_one, exec_two);
        alu__register(exec_one, exec_two);
        system__register(exec_one, exec_two);
        protect__register(exec_one, exec_two);
        string__register(exec_one, exec_two);
        bits__register(exec_one, exec_two);
        fpu__register(exec_one, exec_two);
        simd__register(exec_one, exec_two);
        sse__register(exec_one, exec_two);
    }
    /* [tables] */
    if (!c) {
        error__set("out of memory for the interpreter");
        return NULL;
    }
    c->code = code_map_get(mem);
    if (!c->code || tcg_vcpu__set_translation(&c->vcpu, translation_default()) < 0) {
        if (!c->code)
            error__set("out of memory for the interpreter's caches");
        tcg_vcpu__free(&c->vcpu);
        return NULL;
    }
    c->vcpu.ops = &tcg_vcpu_ops;
    c->mem = mem;
    c->fault_vector = c->delivering = c->last_exception = -1;
    c->shadow = ~0ull; /* no shadow */
    c->pat = 0x0007040600070406ull;
    /* The state after reset: the same values chapter 2 gives a machine without KVM. */
    struct kvm_sregs s;
    struct kvm_regs r;
    mode__reset(&r, &s);
    tcg_set_sregs(&c->vcpu, &s);
    tcg_set_regs(&c->vcpu, &r);
    fpu__reset(c); /* FCW 0x037F, MXCSR 0x1F80, empty stack, zero XMM registers */
    return &c->vcpu;
}

/* The machine's devices keep the host's time (chapter 4's vclock_host): so does the TSC. */
struct vcpu *tcg_vcpu__backend(void *slot, struct guest_mem *mem)
{
    struct vcpu **kept = slot;

    *kept = tcg_vcpu__new(mem);
    if (*kept)
        tcg_vcpu__set_clock(*kept, &vclock_host);
    return *kept;
}

/* The epoch is taken once, from the first clock given; a vCPU given another clock (a
 * test's) counts from its own first reading. */
void tcg_vcpu__set_clock(struct vcpu *v, const struct vclock *clock)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static const struct vclock *first;
    static uint64_t epoch;
    struct tcg_cpu *c = to_tcg(v);

    c->clock = clock;
    if (!clock)
        return;
    pthread_mutex_lock(&lock);
    if (!first) {
        first = clock;
        epoch = vclock__now(clock);
    }
    c->clock_epoch = clock == first ? epoch : vclock__now(clock);
    pthread_mutex_unlock(&lock);
}

void tcg_vcpu__free(struct vcpu *v)
{
    struct tcg_cpu *c = to_tcg(v);

    if (!c)
        return;
    free(c->cache);
    block__cache_free(c->blocks);
    jit__free(c->jit);
    if (c->code)
        code_map_put(c->code);
    free(c);
}

void tcg_vcpu__trap_exceptions(struct vcpu *v, int on)
{
    to_tcg(v)->trap_exceptions = on;
}

int tcg_vcpu__exception(struct vcpu *v, uint32_t *error)
{
    struct tcg_cpu *c = to_tcg(v);

    if (error)
        *error = c->last_error;
    return c->last_exception;
}

uint64_t tcg_vcpu__instructions(struct vcpu *v)
{
    return to_tcg(v)->instructions;
}

uint64_t tcg_vcpu__decodes(struct vcpu *v)
{
    return to_tcg(v)->decodes;
}

int tcg_vcpu__set_translation(struct vcpu *v, enum tcg_translation t)
{
    struct tcg_cpu *c = to_tcg(v);

    free(c->cache);
    block__cache_free(c->blocks);
    jit__free(c->jit);
    c->cache = NULL;
    c->blocks = NULL;
    c->jit = NULL;
    c->translation = (uint8_t)t;
    if (t == TCG_JIT && !(c->jit = jit__new()))
        return -1; /* (the error says why) */
    if (t != TCG_INSN)
        c->blocks = block__cache_new();
    else
        c->cache = calloc(1, sizeof(*c->cache));
    if (!c->cache && !c->blocks)
        return error__set("out of memory for the interpreter's caches");
    return 0;
}

enum tcg_translation tcg_vcpu__translation(struct vcpu *v)
{
    return (enum tcg_translation)to_tcg(v)->translation;
}

size_t tcg_vcpu__cache_bytes(struct vcpu *v)
{
    struct tcg_cpu *c = to_tcg(v);

    return (c->cache ? sizeof(*c->cache) : 0) + block__cache_bytes(c->blocks) + jit__bytes(c->jit);
}

uint64_t tcg_vcpu__jit_stepped(struct vcpu *v)
{
    return jit__stepped(to_tcg(v)->jit);
}

#define IA32_APIC_BASE_BSP (1ull << 8) /* IA32_APIC_BASE: this processor is the BSP */

struct vcpu *tcg_vcpus__backend(void *set, struct guest_mem *mem)
{
    struct tcg_vcpus *s = set;
    struct vcpu *v;

    if (s->n == TCG_MAX_VCPUS) {
        error__set("the interpreter runs at most %d vCPUs", TCG_MAX_VCPUS);
        return NULL;
    }
    if (!(v = tcg_vcpu__new(mem)))
        return NULL;
    if (s->n > 0) /* an AP: IA32_APIC_BASE's BSP flag is the first CPU's alone */
        to_tcg(v)->apic_base &= ~IA32_APIC_BASE_BSP;
    tcg_vcpu__set_clock(v, &vclock_host); /* one TSC for all, following the devices' time */
    s->cpu[s->n++] = v;
    return v;
}

void tcg_vcpus__stats(const struct tcg_vcpus *s, uint64_t *instructions, uint64_t *decodes)
{
    *instructions = *decodes = 0;
    for (unsigned i = 0; i < s->n; i++) {
        *instructions += tcg_vcpu__instructions(s->cpu[i]);
        *decodes += tcg_vcpu__decodes(s->cpu[i]);
    }
}

void tcg_vcpus__free(struct tcg_vcpus *s)
{
    for (unsigned i = 0; i < s->n; i++)
        tcg_vcpu__free(s->cpu[i]);
    s->n = 0;
}
