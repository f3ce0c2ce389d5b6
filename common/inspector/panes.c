/*
 * panes.c - render the inspector's state as lines of text (see panes.h; chapter 3).
 */
#include "panes.h"

#include "disasm.h"

#include <stdarg.h>
#include <string.h>

/* ---- lines ---------------------------------------------------------------------- */

static void pane_start(struct pane *p, int width, const char *title)
{
    memset(p, 0, sizeof(*p));
    p->width = width < INSPECTOR_LINE_MAX ? width : INSPECTOR_LINE_MAX - 1;
    snprintf(p->title, sizeof(p->title), "%s", title);
}

/* Starts a new line; NULL when the pane is full. */
static struct pane_line *new_line(struct pane *p)
{
    return p->n < PANE_LINES_MAX ? &p->lines[p->n++] : NULL;
}

/* Appends formatted text to l, cut at the pane's width, and marks it when changed. */
static void put(const struct pane *p, struct pane_line *l, int changed, const char *fmt, ...)
{
    size_t len;
    va_list ap;

    if (!l || (int)(len = strlen(l->text)) >= p->width)
        return;
    va_start(ap, fmt);
    vsnprintf(l->text + len, p->width + 1 - len, fmt, ap);
    va_end(ap);
    if (changed)
        memset(l->mark + len, 1, strlen(l->text) - len);
}

/* ---- status and registers ------------------------------------------------------- */

void panes__status(const struct inspector *in, char *buf, size_t size)
{
    char cpu[32] = "";

    if (in->t->ncpus > 1)
        snprintf(cpu, sizeof(cpu), " | cpu %d of %d", in->focus, in->t->ncpus);
    snprintf(buf, size, "%s%s | exits %lu | last %s | %s",
             in->t->guest_name ? in->t->guest_name : "guest", cpu, in->exits,
             in->exits ? vcpu__exit_name(in->last_kind) : "-", in->status);
}

/* One register cell: "    rax 0000000000001000*" */
static void reg_cell(const struct pane *p, struct pane_line *l, const char *name, uint64_t v,
                     uint64_t old)
{
    put(p, l, v != old, " %6s %016llx%c", name, (unsigned long long)v, v != old ? '*' : ' ');
}

static void seg_cell(const struct pane *p, struct pane_line *l, const char *name,
                     const struct kvm_segment *s, const struct kvm_segment *old)
{
    int changed = s->selector != old->selector || s->base != old->base;

    put(p, l, changed, "   %s %04x base %08llx%c", name, s->selector, (unsigned long long)s->base,
        changed ? '*' : ' ');
}

void panes__registers(const struct inspector *in, struct pane *p, int width)
{
    const struct kvm_sregs *s = &in->sregs, *o = &in->prev_sregs;
    struct pane_line *l = NULL;

    pane_start(p, width, "registers");
    if (!in->have_regs) {
        put(p, new_line(p), 0, "(the registers cannot be read)");
        return;
    }
    for (int i = 0; i < INSPECTOR_NREGS; i++) {
        if (i % 3 == 0)
            l = new_line(p);
        reg_cell(p, l, inspector_regs[i].name, inspector__reg_value(&in->regs, i),
                 inspector__reg_value(&in->prev_regs, i));
    }
    l = new_line(p);
    seg_cell(p, l, "cs", &s->cs, &o->cs);
    seg_cell(p, l, "ss", &s->ss, &o->ss);
    seg_cell(p, l, "ds", &s->ds, &o->ds);
    l = new_line(p);
    seg_cell(p, l, "es", &s->es, &o->es);
    seg_cell(p, l, "fs", &s->fs, &o->fs);
    seg_cell(p, l, "gs", &s->gs, &o->gs);
    l = new_line(p);
    reg_cell(p, l, "cr0", s->cr0, o->cr0);
    reg_cell(p, l, "cr3", s->cr3, o->cr3);
    reg_cell(p, l, "cr4", s->cr4, o->cr4);
    l = new_line(p);
    reg_cell(p, l, "efer", s->efer, o->efer);
    reg_cell(p, l, "cr2", s->cr2, o->cr2);
    put(p, l, 0, "    mode %s, cpl %d", disasm__mode_name(disasm__mode_of(s)),
        s->cr0 & 1 ? s->ss.dpl : 0);
}

/* ---- code and memory ------------------------------------------------------------ */

/* Reads len bytes at a linear address, page by page through the guest's page tables.
 * Returns how many bytes could be read from the start. */
static size_t read_linear(struct vcpu *v, uint64_t linear, uint8_t *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        uint64_t gpa, at = linear + done;
        size_t chunk = 4096 - (at & 4095);
        if (chunk > len - done)
            chunk = len - done;
        if (vcpu__translate(v, at, &gpa) < 0 || vcpu__read_mem(v, gpa, buf + done, chunk) < 0)
            break;
        done += chunk;
    }
    return done;
}

void panes__code(const struct inspector *in, struct pane *p, int width, int lines)
{
    enum disasm_mode mode = disasm__mode_of(&in->sregs);
    uint64_t at = in->sregs.cs.base + in->regs.rip;
    uint8_t bytes[16 * PANE_LINES_MAX];
    size_t have, off = 0;
    char text[96];

    snprintf(text, sizeof(text), "code (%s)", disasm__mode_name(mode));
    pane_start(p, width, text);
    if (lines > PANE_LINES_MAX)
        lines = PANE_LINES_MAX;
    if (!in->have_regs)
        return;
    have = read_linear(in->t->vcpu, at, bytes, 16 * (size_t)lines);
    if (have == 0)
        put(p, new_line(p), 0, "0x%llx: not in guest memory", (unsigned long long)at);
    for (int i = 0; i < lines && off < have; i++) {
        size_t n = disasm__one(mode, at + off, bytes + off, have - off, text, sizeof(text));
        struct pane_line *l = new_line(p);
        put(p, l, 0, "%s %08llx  ", i ? "  " : "=>", (unsigned long long)(at + off));
        /* The bytes too where there is room for them. */
        for (size_t k = 0; width >= 60 && k < 7; k++)
            put(p, l, 0, k < n ? "%02x" : "  ", k < n ? bytes[off + k] : 0);
        put(p, l, 0, "%s%s", width >= 60 ? (n > 7 ? "+ " : "  ") : "", text);
        if (n == 0)
            break;
        off += n;
    }
}

void panes__memory(const struct inspector *in, struct pane *p, int width, int lines)
{
    uint64_t addr = inspector__mem_addr(in);
    int per_row = width >= 76 ? 16 : 8;
    uint8_t row[16];
    char title[64];

    if (in->follow >= 0)
        snprintf(title, sizeof(title), "memory at %s (0x%llx)", inspector_regs[in->follow].name,
                 (unsigned long long)addr);
    else
        snprintf(title, sizeof(title), "memory at 0x%llx", (unsigned long long)addr);
    pane_start(p, width, title);
    addr &= ~(uint64_t)(per_row - 1);
    for (int i = 0; i < lines && i < PANE_LINES_MAX; i++, addr += per_row) {
        struct pane_line *l = new_line(p);
        size_t have = read_linear(in->t->vcpu, addr, row, per_row);
        put(p, l, 0, "%08llx ", (unsigned long long)addr);
        for (int k = 0; k < per_row; k++)
            put(p, l, 0, k < (int)have ? " %02x" : " --", row[k]);
        put(p, l, 0, "  ");
        for (int k = 0; k < (int)have; k++)
            put(p, l, 0, "%c", row[k] >= 0x20 && row[k] < 0x7f ? row[k] : '.');
    }
}

/* ---- exits and console ---------------------------------------------------------- */

/* Returns text, or its copy in buf (size bytes) with runs of spaces squeezed when it is
 * longer than room. */
static const char *squeeze(const char *text, int room, char *buf, size_t size)
{
    size_t n = 0;

    if ((int)strlen(text) <= room)
        return text;
    for (const char *c = text; *c && n + 1 < size; c++)
        if (*c != ' ' || (n && buf[n - 1] != ' '))
            buf[n++] = *c;
    buf[n] = '\0';
    return buf;
}

/* Adds text as one line, squeezing runs of spaces when it would not fit the pane. */
static void put_fitted(struct pane *p, const char *text)
{
    char squeezed[INSPECTOR_LINE_MAX];

    put(p, new_line(p), 0, "%s", squeeze(text, p->width, squeezed, sizeof(squeezed)));
}

void panes__cpus(const struct inspector *in, struct pane *p, int width, int lines)
{
    char about[INSPECTOR_LINE_MAX], squeezed[INSPECTOR_LINE_MAX];
    int first;

    pane_start(p, width, in->others_run ? "vCPUs (the others run)" : "vCPUs (the others wait)");
    if (lines > PANE_LINES_MAX)
        lines = PANE_LINES_MAX;
    first = in->focus >= lines ? in->focus - lines + 1 : 0; /* the one in focus is shown */
    for (int i = first; i < in->t->ncpus && i < first + lines; i++) {
        struct pane_line *l = new_line(p);
        about[0] = '\0';
        if (in->t->describe)
            in->t->describe(in->t->ctx, i, about, sizeof(about));
        put(p, l, 0, "%s cpu%-2d ", i == in->focus ? "=>" : "  ", i);
        /* The prefix keeps its columns; only the description is squeezed. */
        put(p, l, 0, "%s",
            squeeze(about, p->width - (int)strlen(l->text), squeezed, sizeof(squeezed)));
    }
}

void panes__log(const struct inspector *in, struct pane *p, int width, int lines)
{
    unsigned long first = in->exits > (unsigned long)lines ? in->exits - lines : 0;

    pane_start(p, width, "exits");
    if (in->exits - first > INSPECTOR_LOG_MAX)
        first = in->exits - INSPECTOR_LOG_MAX;
    for (unsigned long i = first; i < in->exits; i++)
        put_fitted(p, in->log[i % INSPECTOR_LOG_MAX]);
}

void panes__stats(const struct inspector *in, struct pane *p, int width, int lines)
{
    pane_start(p, width, "exit counts");
    for (int i = 0; i < in->ncounts && i < lines; i++) {
        const struct exit_key *k = &in->count_keys[i];
        char where[24] = "-";
        if (k->kind == VCPU_EXIT_IO)
            snprintf(where, sizeof(where), "port 0x%04llx", (unsigned long long)k->where);
        else if (k->kind == VCPU_EXIT_MMIO)
            snprintf(where, sizeof(where), "0x%llx", (unsigned long long)k->where);
        put(p, new_line(p), 0, "%-5s %-11s %6lu", vcpu__exit_name(k->kind), where, in->counts[i]);
    }
    if (in->uncounted && p->n < lines)
        put(p, new_line(p), 0, "(%lu more)", in->uncounted);
}

void panes__console(const struct inspector *in, struct pane *p, int width, int lines)
{
    const char *text = in->t->console ? in->t->console(in->t->ctx) : NULL;
    const char *start, *end;
    int n = 0;

    pane_start(p, width, "console");
    if (!text || !*text)
        return;
    /* Find the start of the last lines lines (a final partial line counts as one). */
    end = text + strlen(text);
    start = end;
    if (start > text && start[-1] == '\n')
        start--;
    while (start > text && n < lines) {
        if (start[-1] == '\n' && ++n == lines)
            break;
        start--;
    }
    while (start < end) {
        struct pane_line *l = new_line(p);
        for (; start < end && *start != '\n'; start++)
            put(p, l, 0, "%c", *start >= 0x20 && *start < 0x7f ? *start : '.');
        start++;
    }
}
