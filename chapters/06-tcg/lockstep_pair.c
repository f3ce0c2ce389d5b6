/*
 * lockstep_pair.c - the two machines of stepvm --lockstep (see lockstep_pair.h; chapter 6).
 *
 * Both are chapter 3's machine, reached the ways every other part of stepvm reaches it:
 * vmm__init, vmm__step, vmm__end, and the vCPU interface for registers and guest memory.
 * KVM alone needs one thing more, the interpreter's CPUID model (chapter 2's cpuid__set).
 */
#include "lockstep_pair.h"

#include "cpuid.h"
#include "tcg.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

/* ---- The two machines ---- */

/* KVM answers CPUID from the table the VMM gave it; chapter 2 gave it the host's. Here it
 * gets the interpreter's model instead, leaf by leaf, so a guest that asks sees the same
 * CPU on both. Allowed before the vCPU first runs. */
static int pin_cpuid(struct kvm_cpu *cpu)
{
    static const uint32_t leaves[] = {0,          1,          2,          0x15,       0x16,
                                      0x80000000, 0x80000001, 0x80000002, 0x80000003, 0x80000004,
                                      0x80000005, 0x80000006, 0x80000007, 0x80000008};
    enum { N = sizeof(leaves) / sizeof(leaves[0]) };
    struct kvm_cpuid2 *t = calloc(1, sizeof(*t) + N * sizeof(t->entries[0]));

    if (!t)
        return error__set("out of memory for a CPUID table");
    t->nent = N;
    for (int i = 0; i < N; i++) {
        struct kvm_cpuid_entry2 *e = &t->entries[i];
        e->function = leaves[i];
        system__cpuid(leaves[i], 0, &e->eax, &e->ebx, &e->ecx, &e->edx);
    }
    int ret = cpuid__set(cpu, t);
    free(t);
    return ret;
}

/* Builds one machine and loads the guest. Its console goes to memory. */
static int side_init(struct lockstep_side *s, const char *name, const struct vmm_config *base,
                     const struct machine_image *img)
{
    struct vmm_config cfg = *base;

    s->name = name;
    if (!(s->console = open_memstream(&s->text, &s->len)))
        return error__set("out of memory for a console");
    cfg.machine.console = cfg.machine.diag = s->console;
    cfg.trace_text = cfg.trace_json = NULL;
    cfg.stats = cfg.record = 0;
    /* Chapter 3's machine on both sides: the PC's timers and interrupts (chapter 4) come
     * from the host's clock, so no two runs take them at the same instruction. */
    cfg.platform = NULL;
    cfg.backend = NULL;
    if (!strcmp(name, "tcg")) {
        cfg.backend = tcg_vcpu__backend;
        cfg.backend_ctx = &s->tcg;
    }
    s->built = 1;
    if (vmm__init(&s->vmm, &cfg) < 0)
        return -1;
    struct kvm_cpu *kvm_cpu = vmm__kvm_cpu(&s->vmm, 0); /* NULL on the interpreter */
    if (kvm_cpu && pin_cpuid(kvm_cpu) < 0)
        return -1;
    if (vmm__load(&s->vmm, img) < 0)
        return -1;
    s->vcpu = vmm__vcpu(&s->vmm, 0);
    return lockstep_state__read(s->vcpu, &s->state);
}

static void side_exit(struct lockstep_side *s)
{
    if (s->built)
        vmm__exit(&s->vmm);
    tcg_vcpu__free(s->tcg);
    if (s->console)
        fclose(s->console);
    free(s->text);
    lockstep_log__free(&s->log);
    memset(s, 0, sizeof(*s));
}

int lockstep_pair__init(struct lockstep_pair *p, const struct vmm_config *cfg,
                        const struct machine_image *img)
{
    if (side_init(&p->k, "kvm", cfg, img) < 0 || side_init(&p->t, "tcg", cfg, img) < 0)
        return -1;
    p->pairs = p->clean = 0;
    return 0;
}

void lockstep_pair__exit(struct lockstep_pair *p)
{
    side_exit(&p->k);
    side_exit(&p->t);
}

int lockstep_pair__next_exit(struct lockstep_side *s)
{
    struct vcpu_exit e;

    if (s->ended)
        return lockstep_log__add(&s->log, (struct lockstep_item){.kind = LOCKSTEP_ITEM_END});
    int ret;
    do /* a signal's exit is nothing the guest did */
        ret = vmm__step(&s->vmm, &e);
    while (ret == 0 && e.kind == VCPU_EXIT_INTR);
    if (ret < 0 && !vmm__crashed(&s->vmm)) {
        /* The exit could not be run or handled: a death both machines may share. */
        snprintf(s->why, sizeof(s->why), "%s", error__get());
        e.kind = VCPU_EXIT_FATAL;
        ret = -1;
    } else if (ret < 0) {
        snprintf(s->why, sizeof(s->why), "%s", error__get());
    }
    if (ret != 0)
        s->ended = 1;
    return lockstep_log__add_exit(&s->log, &e);
}

void lockstep_pair__end(struct lockstep_side *s)
{
    vmm__end_locking(&s->vmm, 0);
    s->ended = 1;
}

/* ---- Pinning what the host decides ---- */

/* HC_NOW answers with the host's clock, which reads differently for each machine. After
 * both served one, the interpreter's guest gets KVM's answer, so the two go on alike. */
static void pin_clock(struct lockstep_pair *p, uint64_t gpa)
{
    struct hypercall_block a, b;

    if (vcpu__read_mem(p->k.vcpu, gpa, &a, sizeof(a)) < 0 ||
        vcpu__read_mem(p->t.vcpu, gpa, &b, sizeof(b)) < 0)
        return;
    if (a.nr != HC_NOW || a.result != 0 || b.nr != HC_NOW || b.result != 0)
        return;
    if (b.arg[0] == a.arg[0])
        return; /* pinned already (a step compared again after catching up) */
    b.arg[0] = a.arg[0];
    if (vcpu__write_mem(p->t.vcpu, gpa, &b, sizeof(b)) == 0)
        p->res->pinned++;
}

/* ---- Items ---- */

int lockstep_pair__compare_items(struct lockstep_pair *p)
{
    struct lockstep_log *k = &p->k.log, *t = &p->t.log;

    while (k->next < k->n && t->next < t->n) {
        const struct lockstep_item *a = &k->items[k->next], *b = &t->items[t->next];
        if (!lockstep_item__equal(a, b))
            return 1;
        if (a->kind == VCPU_EXIT_IO && a->write && a->addr == HYPERCALL_PORT && a->size == 4)
            pin_clock(p, a->data);
        k->next++, t->next++;
    }
    return 0;
}

int lockstep_pair__logs_agree(struct lockstep_pair *p)
{
    return !lockstep_pair__compare_items(p) && p->k.log.next == p->k.log.n &&
           p->t.log.next == p->t.log.n;
}

/* ---- The end of the run ---- */

/* Clears bits in the byte at guest-physical gpa of both machines, where that byte has
 * every bit of want set. */
static void clear_bits(struct lockstep_pair *p, uint64_t gpa, uint8_t bits, uint8_t want)
{
    struct vcpu *both[] = {p->k.vcpu, p->t.vcpu};

    for (int m = 0; m < 2; m++) {
        uint8_t b;
        if (vcpu__read_mem(both[m], gpa, &b, 1) < 0 || (b & want) != want || !(b & bits))
            continue;
        b &= (uint8_t)~bits;
        vcpu__write_mem(both[m], gpa, &b, 1);
    }
}

/* The accessed bits of the code and data descriptors in the GDT, cleared in both RAMs
 * before they are compared (the run is over), and those of PAE PDPTEs (below). The SDM has
 * the CPU set the bit whenever it loads a segment register from a descriptor, and the
 * interpreter does; the KVM of the nested test machine (whose CPL0 code QEMU emulates)
 * sets it only for MOV to a segment register, not for the CS and SS that far jumps, IRET
 * and interrupts load. */
static void clear_accessed_bits(struct lockstep_pair *p)
{
    struct kvm_sregs s;
    uint64_t gpa;

    if (vcpu__get_sregs(p->t.vcpu, &s) < 0)
        return;
    /* The same for bit 5 of the four PAE PDPTEs, which the SDM reserves and a CPU never
     * writes (it loads them into registers at MOV CR3); QEMU sets it as an accessed bit.
     * (CR4.PAE is bit 5, EFER.LMA bit 10.) */
    if ((s.cr4 & (1u << 5)) && !(s.efer & (1u << 10)))
        for (int k = 0; k < 4; k++)
            clear_bits(p, (s.cr3 & 0xffffffe0u) + 8 * k, 0x20, 0);
    if (s.gdt.limit == 0)
        return;
    for (uint64_t off = 8; off + 8 <= (uint64_t)s.gdt.limit + 1; off += 8) {
        /* Byte 5 of a descriptor: the type, whose bit 0 is "accessed", then S (0x10). */
        if (vcpu__translate(p->t.vcpu, s.gdt.base + off + 5, &gpa) == 0)
            clear_bits(p, gpa, 0x01, 0x10); /* S: only code and data descriptors */
    }
}

/* Whether the guest-physical page at gpa differs between the two machines (a page one
 * of them cannot read differs; one neither can read does not). */
static int page_differs(struct lockstep_pair *p, uint64_t gpa)
{
    uint8_t a[4096], b[4096];
    int ra = vcpu__read_mem(p->k.vcpu, gpa, a, sizeof(a));
    int rb = vcpu__read_mem(p->t.vcpu, gpa, b, sizeof(b));

    if (ra < 0 || rb < 0)
        return ra != rb;
    return memcmp(a, b, sizeof(a)) != 0;
}

int lockstep_pair__compare_ends(struct lockstep_pair *p)
{
    uint64_t ram = p->cfg->machine.ram_size;
    uint64_t low = ram < MEM_GAP_START ? ram : MEM_GAP_START; /* the RAM below the gap */
    unsigned long pages = 0;
    uint64_t first = 0;

    fflush(p->k.console);
    fflush(p->t.console);
    if (p->k.len != p->t.len || memcmp(p->k.text, p->t.text, p->k.len)) {
        fprintf(p->out, "lockstep: the consoles differ\n--- kvm\n%s\n--- tcg\n%s\n---\n", p->k.text,
                p->t.text);
        return 1;
    }
    /* Not the RAM after single steps: KVM steps by setting RFLAGS.TF in the guest, and the
     * flags an exception or interrupt pushes on the guest's stack carry it. */
    if (p->mode == LOCKSTEP_STEPS)
        return 0;
    clear_accessed_bits(p);
    for (uint64_t off = 0; off < ram; off += 4096) {
        uint64_t gpa = off < low ? off : MEM_HIGH_START + (off - low); /* chapter 2's layout */
        if (page_differs(p, gpa) && !pages++)
            first = gpa;
    }
    if (pages)
        fprintf(p->out, "lockstep: RAM differs in %lu page(s), the first at 0x%llx\n", pages,
                (unsigned long long)first);
    return pages ? 1 : 0;
}
