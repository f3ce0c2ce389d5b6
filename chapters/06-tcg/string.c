/*
 * string.c - the interpreter's string instructions (chapter 6): MOVS, CMPS, STOS, LODS
 * and SCAS, with REP, REPE and REPNE, restartable one share at a time as the CPU makes
 * them, and a fast path that copies or fills the rest of a page at once.
 *
 * As everywhere in the interpreter (cpu.h), memory accesses come first and registers are
 * committed after them.
 */
#include "cpu.h"

#include <string.h>

enum str_op { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS };

/* What a string instruction steps through: the element size, the address size, the step
 * (negative when DF is set) and the source segment (DS unless overridden; the destination
 * is always ES). */
struct str {
    enum str_op op;
    unsigned size, asize;
    uint64_t amask;
    int64_t step;
    int src;
};

/* Moves pointer register n (rSI or rDI) by one element, in the address size. */
static void str_advance(struct tcg_cpu *c, const struct x86_insn *i, const struct str *s, int n)
{
    reg_write(c, i, n, s->asize, c->r[n] + (uint64_t)s->step);
}

/*
 * Runs one iteration: the accesses first, then the registers. Returns 0 when a REPE or
 * REPNE prefix ends the repetition (CMPS and SCAS), else 1.
 */
static int str_once(struct tcg_cpu *c, const struct x86_insn *i, const struct str *s)
{
    uint64_t si = c->r[R_SI] & s->amask, di = c->r[R_DI] & s->amask;
    uint64_t a, b;

    switch (s->op) {
    case STR_MOVS:
        mmu__write(c, X86_SEG_ES, di, s->size, mmu__read(c, s->src, si, s->size));
        str_advance(c, i, s, R_SI);
        str_advance(c, i, s, R_DI);
        return 1;
    case STR_STOS:
        mmu__write(c, X86_SEG_ES, di, s->size, c->r[R_AX]);
        str_advance(c, i, s, R_DI);
        return 1;
    case STR_LODS:
        reg_write(c, i, R_AX, s->size, mmu__read(c, s->src, si, s->size));
        str_advance(c, i, s, R_SI);
        return 1;
    case STR_CMPS:
        a = mmu__read(c, s->src, si, s->size);
        b = mmu__read(c, X86_SEG_ES, di, s->size);
        str_advance(c, i, s, R_SI);
        break;
    default: /* STR_SCAS */
        a = c->r[R_AX] & size_mask(s->size);
        b = mmu__read(c, X86_SEG_ES, di, s->size);
        break;
    }
    str_advance(c, i, s, R_DI);
    tcg__set_cc(c, CC_SUB, s->size, a, b, (a - b) & size_mask(s->size));
    return i->rep == 0xF3 ? a == b : a != b;
}

/* Elements from offset to the end of its 4 KiB page, in the direction of the step. */
static uint64_t page_room(const struct str *s, uint64_t offset)
{
    uint64_t in_page = offset & 0xfff;
    uint64_t n = s->step > 0 ? (0x1000 - in_page) / s->size : in_page / s->size + 1;

    return n ? n : 1;
}

/*
 * How many iterations one call may run. Each iteration commits its registers, so a fault
 * in the middle leaves rSI, rDI and rCX where the CPU would, and the instruction restarts
 * from there. Stopping at the end of a page returns to the run loop (which delivers
 * interrupts between iterations) every few thousand bytes; a single-stepped one runs one
 * iteration a step, as the CPU traps after each.
 */
static uint64_t str_budget(struct tcg_cpu *c, const struct str *s, uint64_t count)
{
    uint64_t n = count, room;

    if (c->stepping || (c->rflags & RFLAGS_TF))
        return 1;
    if (s->op != STR_STOS && s->op != STR_SCAS) {
        room = page_room(s, c->r[R_SI] & s->amask);
        n = room < n ? room : n;
    }
    if (s->op != STR_LODS) {
        room = page_room(s, c->r[R_DI] & s->amask);
        n = room < n ? room : n;
    }
    return n;
}

/* Whether [offset, offset + len) lies within seg's limit (always in 64-bit mode). The
 * segment's other checks passed for the element before, so they hold for the span. An
 * expand-down segment answers no: element by element is simpler there. */
static int in_limit(const struct tcg_cpu *c, int seg, uint64_t offset, uint64_t len)
{
    const seg_t *s = &c->seg[seg];

    if (c->long64)
        return 1;
    if ((c->cr0 & CR0_PE) && s->s && (s->type & 0xc) == 0x4)
        return 0;
    return offset + len - 1 <= s->limit;
}

/* The host address of [offset, offset + len) in seg when it is RAM inside one page that the
 * TLB already holds for acc (so its checks were made and its A/D bits set), else NULL;
 * *entry (when entry is not NULL) is that TLB entry. */
static uint8_t *host_span(struct tcg_cpu *c, int seg, uint64_t offset, uint64_t len,
                          enum access acc, struct tlb_entry **entry)
{
    uint64_t linear = offset;
    struct tlb_entry *e;

    if (!c->long64 || seg == X86_SEG_FS || seg == X86_SEG_GS)
        linear += c->seg[seg].base;
    if (!c->long64)
        linear &= 0xffffffffull;
    e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];
    if ((linear & 0xfff) + len > 0x1000 || e->tag != ((linear >> 12) << 1 | 1) || !e->host)
        return NULL;
    if (entry)
        *entry = e;
    return e->host + (linear & 0xfff);
}

/*
 * The fast path of REP MOVS and REP STOS going up (DF = 0): n elements at once with
 * memmove or a fill, when source and destination are RAM that the previous element
 * already reached in the same pages, within their segments' limits. Returns the elements done
 * (rSI and rDI moved), or 0 when the caller must go element by element: the first element
 * of a page, MMIO, or a copy whose destination overlaps the source from above (which an
 * element-by-element copy repeats, unlike memmove). A destination page with decoded code
 * in it is written all the same, and then its decoded copies go, as after mmu.c's writes.
 */
static uint64_t str_bulk(struct tcg_cpu *c, const struct x86_insn *i, const struct str *s,
                         uint64_t n)
{
    uint64_t bytes = n * s->size;
    uint64_t si = c->r[R_SI] & s->amask, di = c->r[R_DI] & s->amask;
    uint8_t *dst, *src = NULL;
    struct tlb_entry *d;

    if (s->step < 0 || (s->op != STR_MOVS && s->op != STR_STOS) || di + bytes - 1 > s->amask ||
        !in_limit(c, X86_SEG_ES, di, bytes))
        return 0;
    if (!(dst = host_span(c, X86_SEG_ES, di, bytes, ACC_WRITE, &d)))
        return 0;
    if (s->op == STR_STOS) {
        /* One element (the low bytes of rAX), then the filled part doubled until done. */
        memcpy(dst, &c->r[R_AX], s->size);
        for (uint64_t done = s->size; done < bytes; done *= 2)
            memcpy(dst + done, dst, done < bytes - done ? done : bytes - done);
    } else {
        if (si + bytes - 1 > s->amask || !in_limit(c, s->src, si, bytes) ||
            !(src = host_span(c, s->src, si, bytes, ACC_READ, NULL)) ||
            (dst > src && dst < src + bytes))
            return 0;
        memmove(dst, src, bytes);
        reg_write(c, i, R_SI, s->asize, c->r[R_SI] + bytes);
    }
    mmu__ram_written(c, d, (uint64_t)(dst - d->host)); /* the bytes may be code */
    reg_write(c, i, R_DI, s->asize, c->r[R_DI] + bytes);
    return n;
}

/* [string] */
/*
 * Runs a string instruction. Without REP it is one iteration. With REP, rCX (in the
 * address size) counts iterations; when some remain after this call's share, next_rip is
 * set back to the instruction itself, so the run loop executes it again: that is how the
 * CPU makes REP interruptible and restartable.
 *
 * An iteration that touched a device (MMIO) ends the call. Such an access exits, and the
 * instruction then runs again from its start and replays the accesses it completed (see
 * mmu.c): so one call must not hold an iteration that committed its registers before
 * another one's device access.
 */
static void string(struct tcg_cpu *c, const struct x86_insn *i, enum str_op op)
{
    struct str s = {op,
                    i->opsize,
                    i->addrsize,
                    size_mask(i->addrsize),
                    (int64_t)i->opsize,
                    i->seg == X86_SEG_NONE ? X86_SEG_DS : i->seg};
    uint64_t count, n;

    if (c->rflags & RFLAGS_DF)
        s.step = -s.step;
    if (!i->rep) {
        str_once(c, i, &s);
        return;
    }
    if ((count = c->r[R_CX] & s.amask) == 0)
        return;
    for (n = str_budget(c, &s, count); n > 0;) {
        uint64_t done = n > 1 ? str_bulk(c, i, &s, n) : 0;
        int go = 1;
        if (done == 0) {
            go = str_once(c, i, &s);
            done = 1;
        }
        count -= done;
        n -= done;
        reg_write(c, i, R_CX, s.asize, count);
        if (count == 0 || !go)
            return;
        if (c->inflight.count || c->inflight.posted) /* a device access: it ends the call */
            break;
    }
    c->next_rip = c->rip;
}
/* [string] */

/* A4, A5: MOVS. */
static void exec_movs(struct tcg_cpu *c, const struct x86_insn *i)
{
    string(c, i, STR_MOVS);
}

/* A6, A7: CMPS: compares [src:rSI] with [ES:rDI]. */
static void exec_cmps(struct tcg_cpu *c, const struct x86_insn *i)
{
    string(c, i, STR_CMPS);
}

/* AA, AB: STOS. */
static void exec_stos(struct tcg_cpu *c, const struct x86_insn *i)
{
    string(c, i, STR_STOS);
}

/* AC, AD: LODS. */
static void exec_lods(struct tcg_cpu *c, const struct x86_insn *i)
{
    string(c, i, STR_LODS);
}

/* AE, AF: SCAS: compares the accumulator with [ES:rDI]. */
static void exec_scas(struct tcg_cpu *c, const struct x86_insn *i)
{
    string(c, i, STR_SCAS);
}

void string__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    (void)two;
    one[0xA4] = one[0xA5] = exec_movs;
    one[0xA6] = one[0xA7] = exec_cmps;
    one[0xAA] = one[0xAB] = exec_stos;
    one[0xAC] = one[0xAD] = exec_lods;
    one[0xAE] = one[0xAF] = exec_scas;
}
