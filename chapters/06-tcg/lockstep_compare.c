/*
 * lockstep_compare.c - what stepvm --lockstep compares, and how it prints a difference
 * (see lockstep_compare.h; chapter 6).
 */
#include "lockstep_compare.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

/* ---- Register states ---- */

#define SEG_FIELDS(n) n ".sel", n ".base", n ".limit", n ".attr"
static const char *const field_names[] = {
    "rax",
    "rbx",
    "rcx",
    "rdx",
    "rsi",
    "rdi",
    "rsp",
    "rbp",
    "r8",
    "r9",
    "r10",
    "r11",
    "r12",
    "r13",
    "r14",
    "r15",
    "rip",
    "rflags",
    SEG_FIELDS("cs"),
    SEG_FIELDS("ds"),
    SEG_FIELDS("es"),
    SEG_FIELDS("fs"),
    SEG_FIELDS("gs"),
    SEG_FIELDS("ss"),
    SEG_FIELDS("tr"),
    SEG_FIELDS("ldt"),
    "gdt.base",
    "gdt.limit",
    "idt.base",
    "idt.limit",
    "cr0",
    "cr2",
    "cr3",
    "cr4",
    "cr8",
    "efer",
    "apic_base",
};
enum { NFIELDS = sizeof(field_names) / sizeof(field_names[0]) };

/* A segment's attributes in one number, laid out as VMX's access rights: type, S<<4,
 * DPL<<5, P<<7, AVL<<12, L<<13, D/B<<14, G<<15, unusable<<16. */
static uint64_t seg_attr(const struct kvm_segment *s)
{
    return (uint64_t)s->type | (uint64_t)s->s << 4 | (uint64_t)s->dpl << 5 |
           (uint64_t)s->present << 7 | (uint64_t)s->avl << 12 | (uint64_t)s->l << 13 |
           (uint64_t)s->db << 14 | (uint64_t)s->g << 15 | (uint64_t)s->unusable << 16;
}

/* [masks] */
/*
 * What the comparison ignores, each for a reason:
 *  - the accessed bit of a code or data segment's cached type: no instruction reads it
 *    back (the one in the descriptor table is RAM, compared at the end), and KVM on AMD
 *    reports it as it pleases (forced on for DS-GS, as the VMCB holds it for CS and SS);
 *  - TR's attributes while TR's selector is 0: the guest has not loaded TR, and KVM on AMD
 *    reports what the VMM gave it as a 16-bit TSS;
 *  - all but the selector of DS, ES, FS, GS or SS holding a null selector in protected
 *    mode: the segment is unusable, its limit and attributes are left over (KVM marks it
 *    unusable; the interpreter need not), and only FS and GS keep a base that 64-bit code
 *    uses.
 */
static void flatten_segment(const struct kvm_segment *sg, int i, int pe, uint64_t v[4])
{
    enum { CS, DS, ES, FS, GS, SS, TR, LDT };

    v[0] = sg->selector;
    v[1] = sg->base;
    v[2] = sg->limit;
    v[3] = seg_attr(sg) & ~(uint64_t)(sg->s ? 1 : 0);
    if (i == TR && sg->selector == 0)
        v[3] = 0;
    if (i >= DS && i <= SS && pe && (sg->selector & 0xfffc) == 0) {
        v[1] = i == FS || i == GS ? sg->base : 0;
        v[2] = v[3] = 0;
    }
}
/* [masks] */

/* The state as the list of fields above, masked. */
static void flatten(const struct lockstep_state *st, uint64_t v[NFIELDS])
{
    const struct kvm_regs *r = &st->regs;
    const struct kvm_sregs *s = &st->sregs;
    const uint64_t regs[] = {r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
                             r->rsp, r->rbp, r->r8,  r->r9,  r->r10, r->r11,
                             r->r12, r->r13, r->r14, r->r15, r->rip, r->rflags};
    const struct kvm_segment *seg[] = {&s->cs, &s->ds, &s->es, &s->fs,
                                       &s->gs, &s->ss, &s->tr, &s->ldt};
    const uint64_t rest[] = {s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit,
                             s->cr0,      s->cr2,       s->cr3,      s->cr4,
                             s->cr8,      s->efer,      s->apic_base};
    size_t n = 0;

    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        v[n++] = regs[i];
    for (int i = 0; i < (int)(sizeof(seg) / sizeof(seg[0])); i++, n += 4)
        flatten_segment(seg[i], i, s->cr0 & 1, v + n);
    for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
        v[n++] = rest[i];
}

int lockstep_state__read(struct vcpu *v, struct lockstep_state *s)
{
    if (vcpu__get_regs(v, &s->regs) < 0 || vcpu__get_sregs(v, &s->sregs) < 0)
        return -1;
    s->has_fpu = 0;
#ifdef VCPU_HAS_FPU
    if (v->ops->get_fpu) {
        if (v->ops->get_fpu(v, &s->fpu) < 0)
            return -1;
        s->has_fpu = 1;
    }
#endif
    return 0;
}

/* ---- The x87 and SSE state ---- */

/* Names the first FPU field of a and b that differs, or returns NULL. FOP, FIP and FDP
 * (last_opcode, last_ip, last_dp) are left out: what a CPU keeps there depends on its
 * model (AMD keeps them only while an exception is pending). Of the x87 registers only
 * those tagged valid count: a pop leaves its register's bits as the manual does not say. */
static const char *fpu_differs(const struct kvm_fpu *a, const struct kvm_fpu *b)
{
    static char buf[16];

    if (a->fcw != b->fcw)
        return "fcw";
    if (a->fsw != b->fsw)
        return "fsw";
    if (a->ftwx != b->ftwx)
        return "ftw";
    if (a->mxcsr != b->mxcsr)
        return "mxcsr";
    for (int k = 0; k < 8; k++) {
        unsigned phys = (unsigned)(k + ((a->fsw >> 11) & 7)) & 7; /* fpr[] is ST(k) */
        if ((a->ftwx >> phys & 1) && memcmp(a->fpr[k], b->fpr[k], 10) != 0)
            return snprintf(buf, sizeof(buf), "st%d", k), buf;
    }
    for (int k = 0; k < 16; k++)
        if (memcmp(a->xmm[k], b->xmm[k], 16) != 0)
            return snprintf(buf, sizeof(buf), "xmm%d", k), buf;
    return NULL;
}

int lockstep_state__equal(const struct lockstep_state *a, const struct lockstep_state *b)
{
    uint64_t va[NFIELDS], vb[NFIELDS];

    flatten(a, va);
    flatten(b, vb);
    if (memcmp(va, vb, sizeof(va)) != 0)
        return 0;
    return !(a->has_fpu && b->has_fpu && fpu_differs(&a->fpu, &b->fpu));
}

void lockstep_state__print(FILE *out, const struct lockstep_state *a,
                           const struct lockstep_state *b)
{
    uint64_t va[NFIELDS], vb[NFIELDS];

    flatten(a, va);
    flatten(b, vb);
    fprintf(out, "  fields that differ:");
    for (int i = 0; i < NFIELDS; i++)
        if (va[i] != vb[i])
            fprintf(out, " %s", field_names[i]);
    fprintf(out, "\n  %-10s %18s %18s\n", "", "kvm", "tcg");
    for (int i = 0; i < NFIELDS; i++)
        fprintf(out, "  %-10s %#18llx %#18llx%s\n", field_names[i], (unsigned long long)va[i],
                (unsigned long long)vb[i], va[i] != vb[i] ? "  <>" : "");
    fprintf(out, "  (attr: type, S<<4, DPL<<5, P<<7, AVL<<12, L<<13, D/B<<14, G<<15,"
                 " unusable<<16)\n");
    const char *f = a->has_fpu && b->has_fpu ? fpu_differs(&a->fpu, &b->fpu) : NULL;
    if (!f)
        return;
    fprintf(out, "  x87/SSE differ first in %s\n", f);
    fprintf(out, "  %-10s %18s %18s\n", "", "kvm", "tcg");
    fprintf(out,
            "  %-10s %#18x %#18x\n  %-10s %#18x %#18x\n  %-10s %#18x %#18x\n  %-10s %#18x %#18x\n",
            "fcw", a->fpu.fcw, b->fpu.fcw, "fsw", a->fpu.fsw, b->fpu.fsw, "ftw", a->fpu.ftwx,
            b->fpu.ftwx, "mxcsr", a->fpu.mxcsr, b->fpu.mxcsr);
    for (int k = 0; k < 16; k++) {
        uint64_t x[2], y[2];
        memcpy(x, a->fpu.xmm[k], 16);
        memcpy(y, b->fpu.xmm[k], 16);
        if (x[0] != y[0] || x[1] != y[1])
            fprintf(out, "  xmm%-7d %016llx%016llx\n  %-10s %016llx%016llx\n", k,
                    (unsigned long long)x[1], (unsigned long long)x[0], "",
                    (unsigned long long)y[1], (unsigned long long)y[0]);
    }
}

/* ---- The instruction at CS:RIP ---- */

/* The CPU's decoding mode from CR0.PE, EFER.LMA, CS.L and CS.D. */
static enum x86_mode decode_mode(const struct kvm_sregs *s)
{
    if (!(s->cr0 & 1))
        return X86_MODE_16;
    if ((s->efer & (1u << 10)) && s->cs.l)
        return X86_MODE_64;
    return s->cs.db ? X86_MODE_32 : X86_MODE_16;
}

/* The bytes are read page by page: an instruction may cross into a page mapped elsewhere. */
size_t lockstep_state__code(struct vcpu *v, const struct lockstep_state *s,
                            uint8_t bytes[X86_MAX_LENGTH], struct x86_insn *insn)
{
    enum x86_mode mode = decode_mode(&s->sregs);
    uint64_t linear = s->sregs.cs.base + s->regs.rip;
    size_t n = 0;

    if (mode != X86_MODE_64)
        linear &= 0xffffffffull;
    while (n < X86_MAX_LENGTH) {
        uint64_t gpa, room = 4096 - ((linear + n) & 0xfff);
        size_t len = X86_MAX_LENGTH - n < room ? X86_MAX_LENGTH - n : (size_t)room;
        if (vcpu__translate(v, linear + n, &gpa) < 0 || vcpu__read_mem(v, gpa, bytes + n, len) < 0)
            break;
        n += len;
    }
    memset(insn, 0, sizeof(*insn));
    if (n)
        x86__decode(bytes, n, mode, insn);
    return n;
}

/* ---- Items ---- */

int lockstep_log__add(struct lockstep_log *l, struct lockstep_item it)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct lockstep_item *items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return error__set("out of memory for exit items");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = it;
    return 0;
}

/* An item an element for port I/O, one for anything else. */
int lockstep_log__add_exit(struct lockstep_log *l, const struct vcpu_exit *e)
{
    struct lockstep_item it = {.kind = (uint8_t)e->kind};

    if (e->kind == VCPU_EXIT_MMIO) {
        it.write = e->mmio.write;
        it.size = (uint8_t)e->mmio.size;
        it.addr = e->mmio.addr;
        memcpy(&it.data, e->mmio.data, e->mmio.size <= 8 ? e->mmio.size : 8);
        return lockstep_log__add(l, it);
    }
    if (e->kind != VCPU_EXIT_IO)
        return lockstep_log__add(l, it);
    it.write = e->io.write;
    it.size = e->io.size;
    it.addr = e->io.port;
    for (uint32_t i = 0; i < e->io.count; i++) {
        it.data = 0;
        memcpy(&it.data, e->io.data + (size_t)i * e->io.size, e->io.size);
        if (lockstep_log__add(l, it) < 0)
            return -1;
    }
    return 0;
}

int lockstep_item__equal(const struct lockstep_item *a, const struct lockstep_item *b)
{
    return a->kind == b->kind && a->write == b->write && a->size == b->size && a->addr == b->addr &&
           a->data == b->data;
}

void lockstep_item__print(FILE *out, const struct lockstep_item *it)
{
    if (it->kind == LOCKSTEP_ITEM_END)
        fprintf(out, "(had ended)");
    else if (it->kind == VCPU_EXIT_IO || it->kind == VCPU_EXIT_MMIO)
        fprintf(out, "%s %s %s 0x%llx size %u data 0x%llx", vcpu__exit_name(it->kind),
                it->write ? "write" : "read", it->kind == VCPU_EXIT_IO ? "port" : "at",
                (unsigned long long)it->addr, it->size, (unsigned long long)it->data);
    else
        fprintf(out, "%s", vcpu__exit_name(it->kind));
}

void lockstep_log__drop_compared(struct lockstep_log *l)
{
    if (l->next == 0)
        return; /* nothing to drop (and no array yet, before the first item) */
    memmove(l->items, l->items + l->next, (l->n - l->next) * sizeof(*l->items));
    l->n -= l->next;
    l->next = 0;
}

void lockstep_log__print(FILE *out, const struct lockstep_log *l)
{
    for (size_t i = 0; i < l->n && i < 8; i++) {
        fprintf(out, "%s", i ? ",\n    " : "\n    ");
        lockstep_item__print(out, &l->items[i]);
    }
    fprintf(out, "%s\n", l->n > 8 ? ", ..." : l->n ? "" : " none");
}

void lockstep_log__free(struct lockstep_log *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}
