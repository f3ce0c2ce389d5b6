/*
 * mmu.c - the interpreter's memory unit: segmentation, the page walk, the software TLB,
 * and accesses that leave RAM (MMIO) (see cpu.h; chapter 6).
 *
 * A guest address goes through the same three steps as on the CPU: a segment turns an
 * offset into a linear address, paging turns that into a guest-physical address, and
 * chapter 2's memory map turns that into a host address or says "no RAM here" (MMIO).
 * Hardware caches the middle step in a TLB; so do we, because walking four levels of page
 * tables for every access would cost more than the instruction itself.
 *
 * With several vCPUs (a host thread each) the guest's RAM is shared memory on the host, and
 * this file gives it x86's guarantees: see "The host's view of guest RAM" and "Locked
 * instructions" below.
 */
#include "cpu.h"

#include <pthread.h>
#include <string.h>

/* Paging-entry bits (Intel SDM vol. 3, "Paging"). */
#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_XD   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull /* the next table's or the page's address */

/* The guest-physical address an entry holds (4-byte entries read zero-extended). */
#define PTE2PA(e) ((e)&PTE_ADDR)

/* ---- The host's view of guest RAM ---- */

/*
 * On x86 an aligned load or store of up to 8 bytes is single-copy atomic: another CPU sees
 * all of it or none. A host memcpy promises no such thing (and two threads' memcpy on the
 * same bytes is a data race in C), so the interpreter's loads and stores of 1, 2, 4 and 8
 * bytes at an aligned address are host atomics. Their order is x86's too: a load is an
 * acquire and a store a release (the SDM's ordering: loads are not reordered with other
 * loads, stores not with other stores, nor with older loads), which costs nothing on an
 * x86 host (the same single MOV a memcpy would be) and is what a weaker host needs; and it
 * orders the guest's other accesses, a misaligned one (a memcpy, which may tear, as the
 * SDM allows) included, behind its flags and locks. Only a store followed by a load may be
 * reordered, as on x86 (locked instructions are full barriers: see below).
 */
static int host_aligned(const uint8_t *p, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && ((uintptr_t)p & (size - 1)) == 0;
}

static uint64_t host_load(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    if (!host_aligned(p, size)) {
        memcpy(&v, p, size);
        return v;
    }
    switch (size) {
    case 1:
        return __atomic_load_n(p, __ATOMIC_ACQUIRE);
    case 2:
        return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE);
    case 4:
        return __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_ACQUIRE);
    default:
        return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_ACQUIRE);
    }
}

/* With order __ATOMIC_SEQ_CST (several vCPUs), the store is also a full barrier before
 * the loads that follow it: the write path reads the page's code byte after it. */
static void host_store(uint8_t *p, unsigned size, uint64_t v, int order)
{
    if (!host_aligned(p, size)) {
        memcpy(p, &v, size);
        if (order == __ATOMIC_SEQ_CST) /* (rare) a barrier of its own */
            __atomic_fetch_add((uint64_t *)(void *)&v, 0, __ATOMIC_SEQ_CST);
        return;
    }
    switch (size) {
    case 1:
        __atomic_store_n(p, (uint8_t)v, order);
        break;
    case 2:
        __atomic_store_n((uint16_t *)(void *)p, (uint16_t)v, order);
        break;
    case 4:
        __atomic_store_n((uint32_t *)(void *)p, (uint32_t)v, order);
        break;
    default:
        __atomic_store_n((uint64_t *)(void *)p, v, order);
    }
}

/* Replaces the size bytes at aligned p with v if they still hold old. Returns 1 if it did. */
static int host_cas(uint8_t *p, unsigned size, uint64_t old, uint64_t v)
{
    switch (size) {
    case 1: {
        uint8_t o = (uint8_t)old;
        return __atomic_compare_exchange_n(p, &o, (uint8_t)v, 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_RELAXED);
    }
    case 2: {
        uint16_t o = (uint16_t)old;
        return __atomic_compare_exchange_n((uint16_t *)(void *)p, &o, (uint16_t)v, 0,
                                           __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    }
    case 4: {
        uint32_t o = (uint32_t)old;
        return __atomic_compare_exchange_n((uint32_t *)(void *)p, &o, (uint32_t)v, 0,
                                           __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    }
    default:
        return __atomic_compare_exchange_n((uint64_t *)(void *)p, &old, v, 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_RELAXED);
    }
}

/* Whether a TLB entry's page holds decoded code: the one byte the write path checks. */
static inline int code_page(const struct tlb_entry *e)
{
    return __atomic_load_n(e->code, __ATOMIC_SEQ_CST);
}

/* ---- Segmentation ---- */

/* [linear] */
/* A segment's checks in protected mode: usable, the right type, the offset inside the
 * limit. A stack access faults with #SS, any other with #GP. */
static void check_segment(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size,
                          enum access acc)
{
    const seg_t *s = &c->seg[seg];
    int vector = seg == X86_SEG_SS ? EXC_SS : EXC_GP;
    uint64_t last = offset + size - 1;

    if (s->unusable)
        tcg__fault(c, vector, 0);
    if (s->s && acc == ACC_WRITE && (s->type & 0xa) != 0x2) /* code, or read-only data */
        tcg__fault(c, vector, 0);
    if (s->s && acc == ACC_READ && (s->type & 0xa) == 0x8) /* execute-only code */
        tcg__fault(c, vector, 0);
    if (s->s && (s->type & 0xc) == 0x4) { /* expand-down data: valid above the limit */
        uint64_t top = s->db ? 0xffffffffull : 0xffffull;
        if (offset <= s->limit || last > top)
            tcg__fault(c, vector, 0);
    } else if (last > s->limit || last < offset) {
        tcg__fault(c, vector, 0);
    }
}

uint64_t mmu__linear(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, enum access acc)
{
    if (c->long64) {
        /* 64-bit mode: no limits, and only FS and GS still have a base. */
        uint64_t lin = offset;
        if (seg == X86_SEG_FS || seg == X86_SEG_GS)
            lin += c->seg[seg].base;
        if (!tcg__canonical(lin))
            tcg__fault(c, seg == X86_SEG_SS ? EXC_SS : EXC_GP, 0);
        return lin;
    }
    const seg_t *s = &c->seg[seg];
    if (!(c->cr0 & CR0_PE)) { /* real mode: base + offset, 64 KiB limit */
        if (offset + size - 1 > s->limit)
            tcg__fault(c, seg == X86_SEG_SS ? EXC_SS : EXC_GP, 0);
    } else if (!(s->limit == 0xffffffff && (s->type & 0xe) == 0x2 && !s->unusable)) {
        check_segment(c, seg, offset, size, acc); /* a flat writable segment needs none */
    }
    return (s->base + offset) & 0xffffffffull;
}
/* [linear] */

/* ---- The page walk ---- */

/* Returns the host address of the 8-byte (or 4-byte) paging entry at phys, or NULL:
 * a guest's tables outside RAM are its own affair, not the VMM's error. */
static uint8_t *entry_ptr(struct tcg_cpu *c, uint64_t phys, unsigned size)
{
    return guest_mem__find(c->mem, phys, size);
}

/* Reads a paging entry; one that is not in RAM reads as "not present". */
static uint64_t read_entry(struct tcg_cpu *c, uint64_t phys, unsigned size)
{
    uint8_t *p = entry_ptr(c, phys, size);

    return p ? host_load(p, size) : 0;
}

/* Sets bits in a paging entry (A, D), as the CPU does while it walks: atomically, as the
 * CPU does too, so that another vCPU's update of the entry (the guest's, or its own A/D
 * bits) is not lost. (Entries are aligned: their index times their size.) */
static void set_entry_bits(struct tcg_cpu *c, uint64_t phys, unsigned size, uint64_t bits)
{
    uint8_t *p = entry_ptr(c, phys, size);
    uint64_t v;

    if (!p || guest_mem__is_rom(c->mem, phys))
        return;
    do
        v = host_load(p, size);
    while ((v & bits) != bits && !host_cas(p, size, v, v | bits));
}

/* [paging-format] */
/*
 * The three paging formats (SDM vol. 3, "Paging Modes"). Each is a tree of tables,
 * walked from the top level (levels) down to level 1; level n's index starts at address
 * bit 12 + (n - 1) * index_bits. Long mode's 4-level paging is the walk as written; the
 * other two differ from it in their parameters, and in the two cases named below.
 */
struct paging_format {
    int levels;
    unsigned index_bits; /* bits of index into a table below the top */
    unsigned top_bits;   /* bits of index into the top table */
    unsigned entry_size; /* bytes in an entry */
    uint64_t cr3_addr;   /* the top table's address in CR3 */
    int pdpte_level;     /* the level of PAE's PDPTEs, 0 in the other formats */
    int large_needs_pse; /* a PDE's PS bit maps a large page only with CR4.PSE */
};

static const struct paging_format paging_4level = {
    .levels = 4, .index_bits = 9, .top_bits = 9, .entry_size = 8, .cr3_addr = PTE_ADDR};
static const struct paging_format paging_pae = {.levels = 3,
                                                .index_bits = 9,
                                                .top_bits = 2,
                                                .entry_size = 8,
                                                .cr3_addr = 0xffffffe0ull,
                                                .pdpte_level = 3};
static const struct paging_format paging_32bit = {.levels = 2,
                                                  .index_bits = 10,
                                                  .top_bits = 10,
                                                  .entry_size = 4,
                                                  .cr3_addr = 0xfffff000ull,
                                                  .large_needs_pse = 1};

/* 4-level paging in IA-32e mode, else PAE with CR4.PAE, else 32-bit paging. */
static const struct paging_format *paging_format(const struct tcg_cpu *c)
{
    if (c->efer & EFER_LMA)
        return &paging_4level;
    if (c->cr4 & CR4_PAE)
        return &paging_pae;
    return &paging_32bit;
}

/* PAE's case: its top table holds four PDPTEs, which are not full paging entries. They
 * carry no rights (R/W, U/S, XD) and no accessed bit. */
static int is_pdpte(const struct paging_format *f, int level)
{
    return level == f->pdpte_level;
}

/* Whether entry e of level maps a large page: a PDE (level 2) with PS, which maps 2 MiB,
 * or in 32-bit paging 4 MiB, and only with CR4.PSE there. (1 GiB pages in the PDPT: our
 * CPUID offers none.) */
static int large_page(const struct tcg_cpu *c, const struct paging_format *f, int level, uint64_t e)
{
    if (level != 2 || !(e & PTE_PS))
        return 0;
    return !f->large_needs_pse || (c->cr4 & CR4_PSE);
}
/* [paging-format] */

/* The lowest linear-address bit that level's index translates: the page offset's width
 * for a page that level maps. */
static unsigned level_shift(const struct paging_format *f, int level)
{
    return 12 + (unsigned)(level - 1) * f->index_bits;
}

/* The index into level's table that linear selects. */
static uint64_t table_index(const struct paging_format *f, int level, uint64_t linear)
{
    unsigned bits = level == f->levels ? f->top_bits : f->index_bits;

    return (linear >> level_shift(f, level)) & ((1ull << bits) - 1);
}

/* [walk-rights] */
/* What a walk gathers on its way down: the entries it used (guest-physical addresses,
 * top level first) and the rights of their levels combined. */
struct walk {
    uint64_t entries[4];
    int n;
    int rw, us, xd;
};

/* A page is writable only if every level's R/W says so, user-accessible only if every
 * level's U/S says so, executable only if no level sets XD (a bit only with EFER.NXE). */
static void combine_rights(const struct tcg_cpu *c, struct walk *w, uint64_t e)
{
    w->rw &= (e & PTE_RW) != 0;
    w->us &= (e & PTE_US) != 0;
    if (c->efer & EFER_NXE)
        w->xd |= (e & PTE_XD) != 0;
}

/* Whether the combined rights allow acc: user pages only at CPL3 (user), writes to a
 * read-only page only by the supervisor with CR0.WP clear, fetches only without XD. */
static int allowed(const struct tcg_cpu *c, const struct walk *w, enum access acc, int user)
{
    if (user && !w->us)
        return 0;
    if (acc == ACC_WRITE && !w->rw && (user || (c->cr0 & CR0_WP)))
        return 0;
    return !(acc == ACC_FETCH && w->xd);
}

/* As the CPU does: sets A in every entry the walk used (a PAE PDPTE has no A bit), and
 * D in the last one for a write. */
static void mark_used(struct tcg_cpu *c, const struct paging_format *f, const struct walk *w,
                      int write)
{
    for (int k = 0; k < w->n; k++)
        if (!is_pdpte(f, f->levels - k))
            set_entry_bits(c, w->entries[k], f->entry_size, PTE_A);
    if (write)
        set_entry_bits(c, w->entries[w->n - 1], f->entry_size, PTE_D);
}
/* [walk-rights] */

/* The page-fault error code of acc, before the walk knows whether the page is present. */
static uint32_t fault_error(const struct tcg_cpu *c, enum access acc, int user)
{
    uint32_t error = (acc == ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0);

    if (acc == ACC_FETCH && (c->efer & EFER_NXE))
        error |= PF_I;
    return error;
}

/* [walk] */
/*
 * Walks the page tables for linear, with the rights of CPL3 (user) or the supervisor.
 * In 4-level paging the levels are the PML4 (4), the PDPT (3), the page directory (2)
 * and the page table (1). Each entry gives the next table's address; the entry at level
 * 1, or a large page's PDE, maps the page. PAE and 32-bit paging take the same steps
 * with their own table sizes, and their two differences are is_pdpte and large_page.
 * Returns 0 with *phys, or -1 with the page-fault error code in *error.
 */
static int walk(struct tcg_cpu *c, uint64_t linear, enum access acc, int user, uint64_t *phys,
                uint32_t *error)
{
    const struct paging_format *f = paging_format(c);
    uint64_t table = c->cr3 & f->cr3_addr;
    struct walk w = {.rw = 1, .us = 1};
    int level = f->levels;
    uint64_t e;

    *error = fault_error(c, acc, user);
    for (;; level--) { /* down the tables to the entry that maps the page */
        uint64_t addr = table + table_index(f, level, linear) * f->entry_size;
        e = read_entry(c, addr, f->entry_size);
        w.entries[w.n++] = addr;
        if (!(e & PTE_P))
            return -1; /* not present */
        if (!is_pdpte(f, level))
            combine_rights(c, &w, e);
        if (level == 1 || large_page(c, f, level, e))
            break;
        table = PTE2PA(e);
    }
    *error |= PF_P; /* the page is present: only its rights can refuse it now */
    if (!allowed(c, &w, acc, user))
        return -1;
    mark_used(c, f, &w, acc == ACC_WRITE);
    uint64_t offset_mask = (1ull << level_shift(f, level)) - 1; /* 4 KiB, 2 MiB or 4 MiB */
    *phys = (PTE2PA(e) & ~offset_mask) | (linear & offset_mask);
    return 0;
}
/* [walk] */

/* Translates with the rights of user (CPL3) or supervisor code. */
static int translate_as(struct tcg_cpu *c, uint64_t linear, enum access acc, int user, int fault,
                        uint64_t *phys)
{
    uint32_t error;

    if (!(c->cr0 & CR0_PG)) {
        *phys = linear & 0xffffffffull;
        return 0;
    }
    if (walk(c, linear, acc, user, phys, &error) == 0)
        return 0;
    if (!fault)
        return -1;
    c->cr2 = linear;
    tcg__fault(c, EXC_PF, error);
}

int mmu__translate(struct tcg_cpu *c, uint64_t linear, enum access acc, int fault, uint64_t *phys)
{
    return translate_as(c, linear, acc, c->cpl == 3, fault, phys);
}

/* ---- The TLB ---- */

void mmu__tlb_flush(struct tcg_cpu *c)
{
    memset(c->tlb, 0, sizeof(c->tlb));
    c->tb_stop = 1; /* a running block ends: its page may map elsewhere now (block.c) */
}

void mmu__tlb_flush_page(struct tcg_cpu *c, uint64_t linear)
{
    /* A large page spans many TLB slots: flushing it all is simple and rare. */
    (void)linear;
    mmu__tlb_flush(c);
}

/* [tlb] */
/* Translates a page for acc and remembers it. The entry's host pointer stays NULL where
 * the fast path must not go: no RAM (MMIO), or a write to ROM. Whether the page holds
 * decoded code can change at any time (another vCPU may decode from it): a write checks
 * the page's byte in the code map every time, through e->code. */
static struct tlb_entry *tlb_fill(struct tcg_cpu *c, uint64_t linear, enum access acc)
{
    static const uint8_t never_code; /* pages above 4 GiB: their code is never cached */
    struct tlb_entry *e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];
    uint64_t phys;

    mmu__translate(c, linear, acc, 1, &phys);
    phys &= ~0xfffull;
    e->tag = (linear >> 12) << 1 | 1;
    e->phys = phys;
    e->host = entry_ptr(c, phys, 4096);
    e->code = phys < (1ull << 32) ? &c->code->page[phys >> 12] : &never_code;
    if (acc == ACC_WRITE && e->host && guest_mem__is_rom(c->mem, phys))
        e->host = NULL;
    return e;
}

/* Returns the TLB entry for linear's page, filling it on a miss (which may fault). */
static inline struct tlb_entry *tlb_lookup(struct tcg_cpu *c, uint64_t linear, enum access acc)
{
    struct tlb_entry *e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];

    if (e->tag == ((linear >> 12) << 1 | 1))
        return e;
    return tlb_fill(c, linear, acc);
}
/* [tlb] */

/* ---- Accesses that leave RAM ---- */

/* [mmio] */
/*
 * An access with no RAM behind it becomes an exit, as on KVM. A read, and port I/O: the
 * instruction stops before it changes anything; the VMM handles the exit; then the
 * instruction runs again from its start, and this time the access finds its result in
 * c->inflight.done (the accesses already completed, in order) instead of exiting. So RIP at the
 * exit is the instruction's own, as KVM shows it. An MMIO write needs no answer: it is
 * posted, the instruction finishes, and the exit comes after it, with RIP past it, again
 * as on KVM. (A second MMIO write in the same instruction turns the first into a
 * completed access and takes the stop-and-run-again road.) Returns a read's value.
 */
static uint64_t leave_ram(struct tcg_cpu *c, int io, uint64_t addr, unsigned size, int write,
                          uint64_t value, unsigned count)
{
    struct tcg_inflight *f = &c->inflight;

    if (f->next < f->count) {
        struct tcg_done *d = &f->done[f->next++];
        if (d->addr == addr && d->size == size && d->write == write && d->io == io)
            return d->value;
        tcg__internal(c, "an instruction's accesses changed when it ran again");
    }
    if (f->posted) /* the posted write becomes a completed access; run again */
        tcg__exit(c);
    if (f->count == TCG_MAX_DONE)
        tcg__internal(c, "an instruction made more than %d device accesses", TCG_MAX_DONE);
    memset(&c->exit, 0, sizeof(c->exit));
    memcpy(c->exit_data, &value, sizeof(value));
    if (io) {
        c->exit.kind = VCPU_EXIT_IO;
        c->exit.raw = KVM_EXIT_IO;
        c->exit.io.port = (uint16_t)addr;
        c->exit.io.size = (uint8_t)size;
        c->exit.io.write = (uint8_t)write;
        c->exit.io.count = count;
        c->exit.io.data = c->exit_data;
    } else {
        c->exit.kind = VCPU_EXIT_MMIO;
        c->exit.raw = KVM_EXIT_MMIO;
        c->exit.mmio.addr = addr;
        c->exit.mmio.size = size;
        c->exit.mmio.write = (uint8_t)write;
        c->exit.mmio.data = c->exit_data;
    }
    f->done[f->count] = (struct tcg_done){addr, value, (uint8_t)size, (uint8_t)write, (uint8_t)io};
    if (!io && write) {
        f->posted = 1;
        return 0;
    }
    tcg__exit(c);
}
/* [mmio] */

uint64_t mmu__port_io(struct tcg_cpu *c, uint16_t port, unsigned size, int write, uint64_t value)
{
    return leave_ram(c, 1, port, size, write, value, 1) & size_mask(size);
}

const uint8_t *mmu__port_in_string(struct tcg_cpu *c, uint16_t port, unsigned size, unsigned count)
{
    /* The items stay in exit_data: no other exit comes before the instruction uses them. */
    leave_ram(c, 1, port, size, 0, 0, count);
    return c->exit_data;
}

/* ---- Reads and writes ---- */

/* An access that crosses a page, or misses the fast path: byte by byte. */
static uint64_t read_slow(struct tcg_cpu *c, uint64_t linear, unsigned size, enum access acc)
{
    uint64_t off = linear & 0xfff;

    if (off + size > 4096) { /* two pages: both translated (and checked) first */
        unsigned first = (unsigned)(4096 - off);
        uint64_t lo = mmu__read_linear(c, linear, first, acc);
        uint64_t hi = mmu__read_linear(c, linear + first, size - first, acc);
        return lo | hi << (first * 8);
    }
    struct tlb_entry *e = tlb_lookup(c, linear, acc);
    if (e->host)
        return host_load(e->host + off, size);
    return leave_ram(c, 0, e->phys | off, size, 0, 0, 1);
}

static inline uint64_t read_plain(struct tcg_cpu *c, uint64_t linear, unsigned size,
                                  enum access acc)
{
    struct tlb_entry *e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];

    if (e->tag == ((linear >> 12) << 1 | 1) && e->host && (linear & 0xfff) + size <= 4096)
        return host_load(e->host + (linear & 0xfff), size);
    return read_slow(c, linear, size, acc);
}

/* [write] */
/* After a store to RAM through a TLB entry: if the page holds decoded code, every vCPU's
 * copy of it goes (tcg.c's tcg__code_written). The page's byte is read after the store;
 * with several vCPUs a full barrier comes between, so that a vCPU decoding from the page
 * meanwhile either sees the new bytes or has its decode dropped. With one vCPU the common
 * write is a store and a byte load. */
void mmu__ram_written(struct tcg_cpu *c, const struct tlb_entry *e, uint64_t off)
{
    if (c->smp)
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (code_page(e))
        tcg__code_written(c, e->phys | off);
}

/* A write to RAM through a TLB entry. */
static inline void write_ram(struct tcg_cpu *c, struct tlb_entry *e, uint64_t off, unsigned size,
                             uint64_t value)
{
    host_store(e->host + off, size, value, __ATOMIC_RELEASE);
    mmu__ram_written(c, e, off);
}

static void write_plain(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    struct tlb_entry *e = &c->tlb[ACC_WRITE][(linear >> 12) % TLB_SIZE];
    uint64_t off = linear & 0xfff;

    if (e->tag == ((linear >> 12) << 1 | 1) && e->host && off + size <= 4096) {
        write_ram(c, e, off, size, value);
        return;
    }
    if (off + size > 4096) { /* both pages must be writable before either is written */
        unsigned first = (unsigned)(4096 - off);
        tlb_lookup(c, linear, ACC_WRITE);
        tlb_lookup(c, linear + first, ACC_WRITE);
        mmu__write_linear(c, linear, first, value);
        mmu__write_linear(c, linear + first, size - first, value >> (first * 8));
        return;
    }
    e = tlb_fill(c, linear, ACC_WRITE);
    if (e->host) {
        write_ram(c, e, off, size, value);
        return;
    }
    uint64_t phys = e->phys | off;
    if (code_page(e)) /* a ROM that held code: the device's write may change it */
        tcg__code_written(c, phys);
    leave_ram(c, 0, phys, size, 1, value, 1); /* MMIO, or a ROM (KVM exits for both) */
}
/* [write] */

/* ---- Locked instructions ---- */

/* [locked] */
/*
 * A locked read-modify-write (LOCK ADD/OR/ADC/SBB/AND/SUB/XOR/NOT/NEG/INC/DEC/BTS/BTR/BTC/
 * XADD/CMPXCHG/CMPXCHG8B, and XCHG with memory, which is locked without the prefix) must be
 * atomic with respect to every other vCPU's accesses, plain stores included. The
 * instruction's code is the same as without LOCK: it reads its operand, computes, writes
 * it, and only then commits registers (cpu.h). So the read remembers where the operand is
 * on the host and what it held, and the write is a host compare-and-swap against that
 * value: if another vCPU wrote the operand in between, the swap fails, nothing has been
 * committed, and the instruction simply runs again from its start (tcg__restart). That is
 * lock-free and as atomic as the hardware's: any store by anyone between the read and
 * the write makes it run again.
 *
 * What a host compare-and-swap cannot do: an operand that is not naturally aligned (a
 * split lock when it crosses a cache line or a page), one that is not in RAM (MMIO, whose
 * device is called under the machine's lock anyway), and CMPXCHG16B's 16 bytes. Those
 * take one global mutex for the whole instruction instead: atomic with respect to each
 * other and to the locked instructions of the other vCPUs that take it, not to their
 * plain stores or compare-and-swaps. Real CPUs lock the bus for a split lock; guests
 * avoid them (Linux can even make them fault).
 */
enum { LOCKED_NONE, LOCKED_CAS, LOCKED_MUTEX, LOCKED_DONE };

static pthread_mutex_t split_lock = PTHREAD_MUTEX_INITIALIZER;

void mmu__locked_end(struct tcg_cpu *c)
{
    if (c->lock.state == LOCKED_MUTEX)
        pthread_mutex_unlock(&split_lock);
    c->lock.state = LOCKED_NONE;
    c->lock.on = 0;
}

/* The locked instruction's first read: the operand, remembered for the swap, or the
 * mutex. Its later reads are plain (CMPXCHG16B's second half, under the mutex). */
static uint64_t locked_read(struct tcg_cpu *c, uint64_t linear, unsigned size, enum access acc)
{
    if (c->lock.state == LOCKED_NONE) {
        struct tlb_entry *e = tlb_lookup(c, linear, acc);
        uint8_t *p = e->host ? e->host + (linear & 0xfff) : NULL;
        if (p && size <= 8 && host_aligned(p, size)) {
            c->lock.state = LOCKED_CAS;
            c->lock.host = p;
            c->lock.size = (uint8_t)size;
            c->lock.old = host_load(p, size);
            return c->lock.old;
        }
        pthread_mutex_lock(&split_lock);
        c->lock.state = LOCKED_MUTEX;
    }
    return read_plain(c, linear, size, acc);
}

/* The locked instruction's write: the swap when its read was remembered. */
static void locked_write(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    if (c->lock.state == LOCKED_CAS) {
        struct tlb_entry *e = tlb_lookup(c, linear, ACC_WRITE); /* may fault: not written */
        uint64_t off = linear & 0xfff;
        c->lock.state = LOCKED_DONE;
        if (e->host && e->host + off == c->lock.host && size == c->lock.size) {
            if (!host_cas(c->lock.host, size, c->lock.old, value))
                tcg__restart(c);
            if (code_page(e))
                tcg__code_written(c, e->phys | off);
            return;
        }
    }
    if (c->lock.state == LOCKED_NONE) { /* a write with no read before it: under the mutex */
        pthread_mutex_lock(&split_lock);
        c->lock.state = LOCKED_MUTEX;
    }
    write_plain(c, linear, size, value);
}

/* CMPXCHG16B (flow.c) reads and writes 16 bytes in two halves: under the mutex. */
void mmu__locked_wide(struct tcg_cpu *c)
{
    if (c->lock.on && c->lock.state == LOCKED_NONE) {
        pthread_mutex_lock(&split_lock);
        c->lock.state = LOCKED_MUTEX;
    }
}
/* [locked] */

uint64_t mmu__read_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, enum access acc)
{
    if (__builtin_expect(c->lock.on, 0))
        return locked_read(c, linear, size, acc);
    return read_plain(c, linear, size, acc);
}

void mmu__write_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    if (__builtin_expect(c->lock.on, 0))
        locked_write(c, linear, size, value);
    else
        write_plain(c, linear, size, value);
}

uint64_t mmu__read(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size)
{
    return mmu__read_linear(c, mmu__linear(c, seg, offset, size, ACC_READ), size, ACC_READ);
}

void mmu__write(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, uint64_t value)
{
    mmu__write_linear(c, mmu__linear(c, seg, offset, size, ACC_WRITE), size, value);
}

/* The CPU's own accesses (descriptor tables, the TSS, the stack of an interrupt to ring 0)
 * are supervisor accesses whatever the CPL: they bypass the TLB, which holds CPL rights. */
uint64_t mmu__read_sys(struct tcg_cpu *c, uint64_t linear, unsigned size)
{
    uint64_t phys, v;

    if ((linear & 0xfff) + size > 4096) { /* each page translated on its own */
        unsigned first = (unsigned)(4096 - (linear & 0xfff));
        uint64_t lo = mmu__read_sys(c, linear, first);
        return lo | mmu__read_sys(c, linear + first, size - first) << (first * 8);
    }
    translate_as(c, linear, ACC_READ, 0, 1, &phys);
    uint8_t *p = entry_ptr(c, phys, size);
    v = p ? host_load(p, size) : ~0ull;
    return v & size_mask(size);
}

void mmu__write_sys(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    uint64_t phys;

    if ((linear & 0xfff) + size > 4096) {
        unsigned first = (unsigned)(4096 - (linear & 0xfff));
        mmu__write_sys(c, linear, first, value);
        mmu__write_sys(c, linear + first, size - first, value >> (first * 8));
        return;
    }
    translate_as(c, linear, ACC_WRITE, 0, 1, &phys);
    uint8_t *p = entry_ptr(c, phys, size);
    if (p && !guest_mem__is_rom(c->mem, phys)) {
        host_store(p, size, value, __ATOMIC_SEQ_CST);
        if (phys < (1ull << 32) && __atomic_load_n(&c->code->page[phys >> 12], __ATOMIC_SEQ_CST))
            tcg__code_written(c, phys);
    }
}

/* Code bytes are read a byte at a time, as atomics: another vCPU may be writing them (a
 * decode is a cache miss: rare enough). */
size_t mmu__fetch(struct tcg_cpu *c, uint64_t linear, uint8_t *buf, size_t len, uint64_t *phys)
{
    size_t got = 0;

    while (got < len) {
        struct tlb_entry *e = tlb_lookup(c, linear + got, ACC_FETCH);
        uint64_t off = (linear + got) & 0xfff;
        size_t n = 4096 - off < len - got ? 4096 - off : len - got;
        if (!e->host)
            tcg__internal(c, "code at guest-physical 0x%llx is not in RAM",
                          (unsigned long long)(e->phys | off));
        if (got == 0)
            *phys = e->phys | off;
        for (size_t k = 0; k < n; k++)
            buf[got + k] = __atomic_load_n(e->host + off + k, __ATOMIC_RELAXED);
        got += n;
    }
    return got;
}

/* ---- The stack ---- */

void mmu__push(struct tcg_cpu *c, unsigned size, uint64_t value)
{
    uint64_t mask = size_mask(c->stack_size);
    uint64_t sp = (c->r[R_SP] - size) & mask;

    mmu__write(c, X86_SEG_SS, sp, size, value);
    c->r[R_SP] = (c->r[R_SP] & ~mask) | sp;
}

uint64_t mmu__pop(struct tcg_cpu *c, unsigned size)
{
    uint64_t mask = size_mask(c->stack_size);
    uint64_t v = mmu__read(c, X86_SEG_SS, c->r[R_SP] & mask, size);

    c->r[R_SP] = (c->r[R_SP] & ~mask) | ((c->r[R_SP] + size) & mask);
    return v;
}
