/*
 * mmu.c - the interpreter's memory unit: segmentation, the page walk, the software TLB,
 * and accesses that leave RAM (MMIO) (see cpu.h; chapter 6).
 *
 * A guest address goes through the same three steps as on the CPU: a segment turns an
 * offset into a linear address, paging turns that into a guest-physical address, and
 * chapter 2's memory map turns that into a host address or says "no RAM here" (MMIO).
 * Hardware caches the middle step in a TLB; so do we, because walking four levels of page
 * tables for every access would cost more than the instruction itself.
 */
#include "cpu.h"

#include <string.h>

/* Paging-entry bits (Intel SDM vol. 3, "Paging"). */
#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_XD   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

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
        tcg_fault(c, vector, 0);
    if (s->s && acc == ACC_WRITE && (s->type & 0xa) != 0x2) /* code, or read-only data */
        tcg_fault(c, vector, 0);
    if (s->s && acc == ACC_READ && (s->type & 0xa) == 0x8) /* execute-only code */
        tcg_fault(c, vector, 0);
    if (s->s && (s->type & 0xc) == 0x4) { /* expand-down data: valid above the limit */
        uint64_t top = s->db ? 0xffffffffull : 0xffffull;
        if (offset <= s->limit || last > top)
            tcg_fault(c, vector, 0);
    } else if (last > s->limit || last < offset) {
        tcg_fault(c, vector, 0);
    }
}

uint64_t tcg_linear(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, enum access acc)
{
    if (c->long64) {
        /* 64-bit mode: no limits, and only FS and GS still have a base. */
        uint64_t lin = offset;
        if (seg == X86_SEG_FS || seg == X86_SEG_GS)
            lin += c->seg[seg].base;
        if (!tcg_canonical(lin))
            tcg_fault(c, seg == X86_SEG_SS ? EXC_SS : EXC_GP, 0);
        return lin;
    }
    const seg_t *s = &c->seg[seg];
    if (!(c->cr0 & CR0_PE)) { /* real mode: base + offset, 64 KiB limit */
        if (offset + size - 1 > s->limit)
            tcg_fault(c, seg == X86_SEG_SS ? EXC_SS : EXC_GP, 0);
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
    uint64_t v = 0;

    if (p)
        memcpy(&v, p, size);
    return v;
}

/* Sets bits in a paging entry (A, D), as the CPU does while it walks. */
static void set_entry_bits(struct tcg_cpu *c, uint64_t phys, unsigned size, uint64_t bits)
{
    uint8_t *p = entry_ptr(c, phys, size);
    uint64_t v = 0;

    if (!p || guest_mem__is_rom(c->mem, phys))
        return;
    memcpy(&v, p, size);
    if ((v & bits) != bits) {
        v |= bits;
        memcpy(p, &v, size);
    }
}

/* [walk] */
/*
 * Walks the page tables for linear: 4-level (long mode), PAE (3 levels) or 32-bit (2
 * levels, 4 MiB pages with CR4.PSE). At each level the entry must be present; the rights
 * of the levels combine: a page is writable only if every level says so, user-accessible
 * only if every level says so, executable only if no level sets XD. Returns 0 with *phys,
 * or the page-fault error code (never 0: a failure always has PF_P or not, W, U, I bits...
 * so it is returned with bit 31 set to tell it from success).
 */
static uint64_t walk(struct tcg_cpu *c, uint64_t linear, enum access acc, int user, uint64_t *phys)
{
    int write = acc == ACC_WRITE;
    int levels, shift, esize = 8;
    uint64_t table, addrs[4];
    uint64_t rw = 1, us = 1, xd = 0;

    if (c->efer & EFER_LMA)
        levels = 4, shift = 39, table = c->cr3 & PTE_ADDR;
    else if (c->cr4 & CR4_PAE)
        levels = 3, shift = 30, table = c->cr3 & 0xffffffe0ull;
    else
        levels = 2, shift = 22, table = c->cr3 & 0xfffff000ull, esize = 4;

    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0);
    if (acc == ACC_FETCH && (c->efer & EFER_NXE))
        err |= PF_I;
    int n = 0;
    for (int level = levels; level >= 1; level--, n++) {
        unsigned index_bits = esize == 4 ? 10 : 9;
        uint64_t index = (linear >> shift) & ((1ull << index_bits) - 1);
        if (levels == 3 && level == 3)
            index = (linear >> 30) & 3; /* PAE's PDPT has four entries */
        uint64_t addr = table + index * esize;
        uint64_t e = read_entry(c, addr, esize);
        addrs[n] = addr;
        if (!(e & PTE_P))
            return (1ull << 31) | err;
        if (!(levels == 3 && level == 3)) { /* PAE PDPTEs carry no rights */
            rw &= (e >> 1) & 1;
            us &= (e >> 2) & 1;
            if (c->efer & EFER_NXE)
                xd |= e >> 63;
        }
        /* A page directory entry may map a large page: 2 MiB (PAE, 4-level), or 4 MiB in
         * 32-bit paging with CR4.PSE. (1 GiB pages in the PDPT: our CPUID offers none.) */
        int large = level == 2 && (e & PTE_PS) && (esize == 8 || (c->cr4 & CR4_PSE));
        if (level == 1 || large) {
            uint64_t page = 1ull << shift;
            uint64_t base = esize == 4 && large ? (e & 0xffc00000ull) : (e & PTE_ADDR);
            /* Rights: user pages only for CPL3, writes need RW at CPL3 or with CR0.WP. */
            err |= PF_P;
            if ((user && !us) || (write && !rw && (user || (c->cr0 & CR0_WP))) ||
                (acc == ACC_FETCH && xd))
                return (1ull << 31) | err;
            for (int k = levels == 3; k <= n; k++) /* not a PAE PDPTE: bit 5 is reserved */
                set_entry_bits(c, addrs[k], esize, PTE_A);
            if (write)
                set_entry_bits(c, addrs[n], esize, PTE_D);
            *phys = (base & ~(page - 1)) | (linear & (page - 1));
            return 0;
        }
        table = e & (esize == 4 ? 0xfffff000ull : PTE_ADDR);
        shift -= index_bits;
        if (levels == 3 && level == 3)
            shift = 21;
    }
    return (1ull << 31) | err; /* not reached */
}
/* [walk] */

/* Translates with the rights of user (CPL3) or supervisor code. */
static int translate_as(struct tcg_cpu *c, uint64_t linear, enum access acc, int user, int fault,
                        uint64_t *phys)
{
    if (!(c->cr0 & CR0_PG)) {
        *phys = linear & 0xffffffffull;
        return 0;
    }
    uint64_t r = walk(c, linear, acc, user, phys);
    if (!r)
        return 0;
    if (!fault)
        return -1;
    c->cr2 = linear;
    tcg_fault(c, EXC_PF, (uint32_t)r & 0x1f);
}

int tcg_translate(struct tcg_cpu *c, uint64_t linear, enum access acc, int fault, uint64_t *phys)
{
    return translate_as(c, linear, acc, c->cpl == 3, fault, phys);
}

/* ---- The TLB ---- */

void tcg_tlb_flush(struct tcg_cpu *c)
{
    memset(c->tlb, 0, sizeof(c->tlb));
}

void tcg_tlb_flush_page(struct tcg_cpu *c, uint64_t linear)
{
    /* A large page spans many TLB slots: flushing it all is simple and rare. */
    (void)linear;
    tcg_tlb_flush(c);
}

/* [tlb] */
/* Translates a page for acc and remembers it. The entry's host pointer stays NULL where
 * the fast path must not go: no RAM (MMIO), a write to ROM, or a write to a page whose
 * code is in the decoded-instruction cache (the write must invalidate it first). */
static struct tlb_entry *tlb_fill(struct tcg_cpu *c, uint64_t linear, enum access acc)
{
    struct tlb_entry *e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];
    uint64_t phys;

    tcg_translate(c, linear, acc, 1, &phys);
    phys &= ~0xfffull;
    e->tag = (linear >> 12) << 1 | 1;
    e->phys = phys;
    e->host = entry_ptr(c, phys, 4096);
    if (acc == ACC_WRITE && e->host &&
        (guest_mem__is_rom(c->mem, phys) || (phys < (1ull << 32) && c->code_pages[phys >> 12])))
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
 * c->done (the accesses already completed, in order) instead of exiting. So RIP at the
 * exit is the instruction's own, as KVM shows it. An MMIO write needs no answer: it is
 * posted, the instruction finishes, and the exit comes after it, with RIP past it, again
 * as on KVM. (A second MMIO write in the same instruction turns the first into a
 * completed access and takes the stop-and-run-again road.) Returns a read's value.
 */
static uint64_t leave_ram(struct tcg_cpu *c, int io, uint64_t addr, unsigned size, int write,
                          uint64_t value, unsigned count)
{
    if (c->done_next < c->done_count) {
        struct tcg_done *d = &c->done[c->done_next++];
        if (d->addr == addr && d->size == size && d->write == write && d->io == io)
            return d->value;
        tcg_internal(c, "an instruction's accesses changed when it ran again");
    }
    if (c->posted) /* the posted write becomes a completed access; run again */
        tcg_exit(c);
    if (c->done_count == TCG_MAX_DONE)
        tcg_internal(c, "an instruction made more than %d device accesses", TCG_MAX_DONE);
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
    c->done[c->done_count] =
        (struct tcg_done){addr, value, (uint8_t)size, (uint8_t)write, (uint8_t)io};
    if (!io && write) {
        c->posted = 1;
        return 0;
    }
    tcg_exit(c);
}
/* [mmio] */

uint64_t tcg_port_io(struct tcg_cpu *c, uint16_t port, unsigned size, int write, uint64_t value)
{
    return leave_ram(c, 1, port, size, write, value, 1) & size_mask(size);
}

const uint8_t *tcg_port_in_string(struct tcg_cpu *c, uint16_t port, unsigned size, unsigned count)
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
        uint64_t lo = tcg_read_linear(c, linear, first, acc);
        uint64_t hi = tcg_read_linear(c, linear + first, size - first, acc);
        return lo | hi << (first * 8);
    }
    struct tlb_entry *e = tlb_lookup(c, linear, acc);
    uint64_t v = 0;
    if (e->host) {
        memcpy(&v, e->host + off, size);
        return v;
    }
    return leave_ram(c, 0, e->phys | off, size, 0, 0, 1);
}

uint64_t tcg_read_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, enum access acc)
{
    struct tlb_entry *e = &c->tlb[acc][(linear >> 12) % TLB_SIZE];
    uint64_t v = 0;

    if (e->tag == ((linear >> 12) << 1 | 1) && e->host && (linear & 0xfff) + size <= 4096) {
        memcpy(&v, e->host + (linear & 0xfff), size);
        return v;
    }
    return read_slow(c, linear, size, acc);
}

/* [write] */
void tcg_write_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    struct tlb_entry *e = &c->tlb[ACC_WRITE][(linear >> 12) % TLB_SIZE];
    uint64_t off = linear & 0xfff;

    if (e->tag == ((linear >> 12) << 1 | 1) && e->host && off + size <= 4096) {
        memcpy(e->host + off, &value, size);
        return;
    }
    if (off + size > 4096) { /* both pages must be writable before either is written */
        unsigned first = (unsigned)(4096 - off);
        tlb_lookup(c, linear, ACC_WRITE);
        tlb_lookup(c, linear + first, ACC_WRITE);
        tcg_write_linear(c, linear, first, value);
        tcg_write_linear(c, linear + first, size - first, value >> (first * 8));
        return;
    }
    e = tlb_fill(c, linear, ACC_WRITE); /* afresh: a page may have stopped holding code */
    if (e->host) {
        memcpy(e->host + off, &value, size);
        return;
    }
    uint64_t phys = e->phys | off;
    if (phys < (1ull << 32) && c->code_pages[phys >> 12]) {
        tcg_code_written(c, phys); /* the page is data again: its writes go fast */
        e = tlb_fill(c, linear, ACC_WRITE);
        if (e->host) { /* (not for a ROM that held code: that write is the device's) */
            memcpy(e->host + off, &value, size);
            return;
        }
    }
    leave_ram(c, 0, phys, size, 1, value, 1); /* MMIO, or a ROM (KVM exits for both) */
}
/* [write] */

uint64_t tcg_read(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size)
{
    return tcg_read_linear(c, tcg_linear(c, seg, offset, size, ACC_READ), size, ACC_READ);
}

void tcg_write(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, uint64_t value)
{
    tcg_write_linear(c, tcg_linear(c, seg, offset, size, ACC_WRITE), size, value);
}

/* The CPU's own accesses (descriptor tables, the TSS, the stack of an interrupt to ring 0)
 * are supervisor accesses whatever the CPL: they bypass the TLB, which holds CPL rights. */
uint64_t tcg_read_sys(struct tcg_cpu *c, uint64_t linear, unsigned size)
{
    uint64_t phys, v = 0;

    if ((linear & 0xfff) + size > 4096) { /* each page translated on its own */
        unsigned first = (unsigned)(4096 - (linear & 0xfff));
        uint64_t lo = tcg_read_sys(c, linear, first);
        return lo | tcg_read_sys(c, linear + first, size - first) << (first * 8);
    }
    translate_as(c, linear, ACC_READ, 0, 1, &phys);
    uint8_t *p = entry_ptr(c, phys, size);
    if (p)
        memcpy(&v, p, size);
    else
        v = ~0ull;
    return v & size_mask(size);
}

void tcg_write_sys(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value)
{
    uint64_t phys;

    if ((linear & 0xfff) + size > 4096) {
        unsigned first = (unsigned)(4096 - (linear & 0xfff));
        tcg_write_sys(c, linear, first, value);
        tcg_write_sys(c, linear + first, size - first, value >> (first * 8));
        return;
    }
    translate_as(c, linear, ACC_WRITE, 0, 1, &phys);
    uint8_t *p = entry_ptr(c, phys, size);
    if (p && !guest_mem__is_rom(c->mem, phys)) {
        if (phys < (1ull << 32) && c->code_pages[phys >> 12])
            tcg_code_written(c, phys);
        memcpy(p, &value, size);
    }
}

size_t tcg_fetch(struct tcg_cpu *c, uint64_t linear, uint8_t *buf, size_t len, uint64_t *phys)
{
    size_t got = 0;

    while (got < len) {
        struct tlb_entry *e = tlb_lookup(c, linear + got, ACC_FETCH);
        uint64_t off = (linear + got) & 0xfff;
        size_t n = 4096 - off < len - got ? 4096 - off : len - got;
        if (!e->host)
            tcg_internal(c, "code at guest-physical 0x%llx is not in RAM",
                         (unsigned long long)(e->phys | off));
        if (got == 0)
            *phys = e->phys | off;
        memcpy(buf + got, e->host + off, n);
        got += n;
    }
    return got;
}

/* ---- The stack ---- */

void tcg_push(struct tcg_cpu *c, unsigned size, uint64_t value)
{
    uint64_t mask = size_mask(c->stack_size);
    uint64_t sp = (c->r[R_SP] - size) & mask;

    tcg_write(c, X86_SEG_SS, sp, size, value);
    c->r[R_SP] = (c->r[R_SP] & ~mask) | sp;
}

uint64_t tcg_pop(struct tcg_cpu *c, unsigned size)
{
    uint64_t mask = size_mask(c->stack_size);
    uint64_t v = tcg_read(c, X86_SEG_SS, c->r[R_SP] & mask, size);

    c->r[R_SP] = (c->r[R_SP] & ~mask) | ((c->r[R_SP] + size) & mask);
    return v;
}
