/*
 * modes.c - the register values of each CPU mode, as KVM_SET_SREGS sees them
 * (see modes.h; chapter 2).
 *
 * Each function edits a register state (struct kvm_regs and struct kvm_sregs) that the
 * machine then gives to its vCPU: to KVM through KVM_SET_SREGS, or to the interpreter of
 * chapter 6 through the same vCPU interface.
 *
 * A segment register has a visible part, the selector, and a hidden part the CPU loads
 * from a descriptor: base, limit and attributes. KVM shows both in struct kvm_segment,
 * and the VMM may set the hidden part directly. That is how a VMM can start a CPU in
 * protected or long mode without running a single instruction of boot code.
 */
#include "modes.h"

#include "error.h"

#include <string.h>

#define CR0_PE   (1ull << 0)  /* protection enable */
#define CR0_ET   (1ull << 4)  /* extension type: always 1 on modern CPUs */
#define CR0_PG   (1ull << 31) /* paging */
#define CR4_PAE  (1ull << 5)  /* physical address extension: required by long mode */
#define EFER_LME (1ull << 8)  /* long mode enable */
#define EFER_LMA (1ull << 10) /* long mode active: set by the CPU when paging turns on */

#define PTE_P  (1ull << 0) /* present */
#define PTE_RW (1ull << 1) /* writable */
#define PTE_US (1ull << 2) /* user accessible */
#define PTE_PS (1ull << 7) /* in a page directory: a 2 MiB page, not a page table */

const char *mode__name(enum cpu_mode mode)
{
    static const char *const names[] = {"real", "protected", "long"};
    return names[mode];
}

uint64_t mode__size(enum cpu_mode mode)
{
    return mode == MODE_LONG ? MODES_LONG_SIZE : mode == MODE_PROTECTED ? MODES_PROTECTED_SIZE : 0;
}

/* Sets RIP and RSP; every other general register 0, interrupts off. */
static void set_regs(struct kvm_regs *regs, uint64_t rip, uint64_t rsp)
{
    *regs = (struct kvm_regs){.rip = rip, .rsp = rsp, .rflags = 0x2};
}

/* [reset] */
/* A segment as the CPU leaves it at reset: base 0, limit 64 KiB, present, writable. */
static struct kvm_segment reset_segment(uint8_t type)
{
    return (struct kvm_segment){.limit = 0xffff, .type = type, .present = 1, .s = 1};
}

void mode__reset(struct kvm_regs *regs, struct kvm_sregs *sregs)
{
    memset(sregs, 0, sizeof(*sregs));
    sregs->cs = reset_segment(0xb); /* code: execute/read, accessed */
    sregs->cs.selector = 0xf000;
    sregs->cs.base = 0xffff0000;
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = reset_segment(0x3);
    sregs->ldt = (struct kvm_segment){.limit = 0xffff, .type = 0x2, .present = 1};
    sregs->tr = (struct kvm_segment){.limit = 0xffff, .type = 0xb, .present = 1};
    sregs->gdt.limit = sregs->idt.limit = 0xffff;
    sregs->cr0 = 0x60000010;       /* CD and NW (caches off), ET */
    sregs->apic_base = 0xfee00900; /* the local APIC at its default address, enabled, BSP */
    set_regs(regs, 0xfff0, 0);
}
/* [reset] */

/* [real] */
int mode__real(struct kvm_regs *regs, struct kvm_sregs *sregs, uint64_t entry, uint16_t stack)
{
    if (entry >= 0x100000)
        return error__set("real mode cannot start at 0x%llx: above 1 MiB",
                          (unsigned long long)entry);
    struct kvm_segment *segs[] = {&sregs->ds, &sregs->es, &sregs->fs, &sregs->gs, &sregs->ss};
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        segs[i]->selector = 0, segs[i]->base = 0;
    sregs->cs.selector = (uint16_t)(entry >> 4);
    sregs->cs.base = entry & ~0xfull; /* in real mode, base = selector * 16 */
    set_regs(regs, entry & 0xf, stack);
    return 0;
}
/* [real] */

/* [gdt] */
/* Writes a GDT of flat descriptors: null, 64-bit code, 32-bit code, data. */
static int write_gdt(struct guest_mem *mem, uint64_t tables)
{
    static const uint64_t gdt[] = {
        0, 0x00af9b000000ffffull, /* code: base 0, limit 4G, present, DPL 0, L = 1 */
        0x00cf9b000000ffffull,    /* code: base 0, limit 4G, present, DPL 0, D = 1 */
        0x00cf93000000ffffull,    /* data: base 0, limit 4G, present, DPL 0, writable */
    };
    void *host = guest_mem__translate(mem, tables + MODES_GDT_OFFSET, sizeof(gdt));

    if (!host)
        return -1;
    memcpy(host, gdt, sizeof(gdt));
    return 0;
}

struct kvm_segment mode__flat_segment(uint16_t sel, int code, int long_mode)
{
    return (struct kvm_segment){
        .base = 0,
        .limit = 0xffffffff,
        .selector = sel,
        .type = code ? 0xb : 0x3, /* code: execute/read, accessed; data: read/write, accessed */
        .present = 1,
        .dpl = 0,
        .s = 1,
        .g = 1,
        .db = !long_mode || !code, /* 32-bit operands, except in a 64-bit code segment */
        .l = long_mode && code,
    };
}
/* [gdt] */

/* Loads flat segments and the GDT register, as protected-mode boot code would. */
static void load_flat_segments(struct kvm_sregs *sregs, uint64_t tables, int long_mode)
{
    struct kvm_segment data = mode__flat_segment(GDT_SEL_DATA, 0, long_mode);

    sregs->cs = mode__flat_segment(long_mode ? GDT_SEL_CODE64 : GDT_SEL_CODE32, 1, long_mode);
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
    sregs->gdt.base = tables + MODES_GDT_OFFSET;
    sregs->gdt.limit = 4 * 8 - 1;
}

/* [protected] */
int mode__protected(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
                    uint64_t tables, uint64_t entry, uint64_t stack)
{
    if (write_gdt(mem, tables) < 0)
        return -1;
    load_flat_segments(sregs, tables, 0);
    sregs->cr0 = CR0_PE | CR0_ET; /* protection on, paging off */
    set_regs(regs, entry, stack);
    return 0;
}
/* [protected] */

/* [page-tables] */
/* Identity-maps the first 4 GiB with 2 MiB pages: one PML4 entry, four PDPT entries,
 * 4 x 512 page-directory entries. Every entry lets CPL3 in (U/S), so a guest can drop
 * to user mode without building tables of its own. */
static int write_page_tables(struct guest_mem *mem, uint64_t tables)
{
    uint64_t *pml4 = guest_mem__translate(mem, tables + MODES_PML4_OFFSET, 4096);
    uint64_t *pdpt = guest_mem__translate(mem, tables + MODES_PDPT_OFFSET, 4096);
    uint64_t *pd = guest_mem__translate(mem, tables + MODES_PD_OFFSET, 4 * 4096);

    if (!pml4 || !pdpt || !pd)
        return -1;
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    pml4[0] = (tables + MODES_PDPT_OFFSET) | PTE_P | PTE_RW | PTE_US;
    for (uint64_t i = 0; i < 4; i++)
        pdpt[i] = (tables + MODES_PD_OFFSET + i * 4096) | PTE_P | PTE_RW | PTE_US;
    for (uint64_t i = 0; i < 4 * 512; i++)
        pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_US | PTE_PS;
    return 0;
}
/* [page-tables] */

/* [long] */
int mode__long(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
               uint64_t tables, uint64_t entry, uint64_t stack)
{
    if (write_gdt(mem, tables) < 0 || write_page_tables(mem, tables) < 0)
        return -1;
    load_flat_segments(sregs, tables, 1);
    sregs->cr3 = tables + MODES_PML4_OFFSET;
    sregs->cr4 = CR4_PAE;
    sregs->efer = EFER_LME | EFER_LMA; /* a CPU sets LMA itself; KVM wants the final state */
    sregs->cr0 = CR0_PE | CR0_ET | CR0_PG;
    set_regs(regs, entry, stack);
    return 0;
}
/* [long] */
