/*
 * memmap.c - chapter 2's default guest: what the loader said about memory, and what the
 * page tables make of it.
 *
 * It prints the Multiboot info (flags, mem_lower/mem_upper, the command line, the modules
 * and the memory map), walks its own page tables for a few addresses, then leaves two
 * patterns in RAM for the host to read back after the run: "stepvm was here!" at physical
 * 0x200000 and the bytes 0..255 at 0x201000. Then it halts: a demo, not a test, so the
 * VMM ends with status 0.
 */
#include <multiboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86.h>

#define PTE_P      (1ull << 0)
#define PTE_PS     (1ull << 7)           /* a large page: this entry maps, not points */
#define PTE_ADDR   0x000ffffffffff000ull /* bits 51:12, the next table or the page */
#define PATTERN_AT 0x200000ul
#define BYTES_AT   0x201000ul

static int marker = 42; /* a global, to look up where .data is mapped */

static void print_modules(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MODS)) {
        printf("modules: none reported\n");
        return;
    }
    const struct multiboot_module *mod = (const void *)(uintptr_t)mbi->mods_addr;

    printf("modules: %u\n", mbi->mods_count);
    for (uint32_t i = 0; i < mbi->mods_count; i++)
        printf("  module %u: 0x%08x-0x%08x \"%s\"\n", i, mod[i].mod_start, mod[i].mod_end,
               mod[i].string ? (const char *)(uintptr_t)mod[i].string : "");
}

static void print_memory_map(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP)) {
        printf("memory map: none reported\n");
        return;
    }
    uintptr_t p = mbi->mmap_addr, end = p + mbi->mmap_length;

    printf("memory map (%u bytes at 0x%x):\n", mbi->mmap_length, mbi->mmap_addr);
    while (p < end) {
        const struct multiboot_mmap_entry *e = (const void *)p;

        printf("  base 0x%016llx length 0x%016llx type %u%s\n", (unsigned long long)e->addr,
               (unsigned long long)e->len, e->type,
               e->type == MULTIBOOT_MEMORY_AVAILABLE ? " (available)" : "");
        p += e->size + sizeof(e->size); /* size does not count itself */
    }
}

/*
 * Translates va the way the MMU does: PML4 -> PDPT -> PD (-> PT), nine bits of the
 * address choosing the entry at each level, stopping at a large page or a missing entry.
 * The tables are identity-mapped, so a table's physical address is also a pointer to it.
 */
static void walk(uint64_t va)
{
    static const char *const level_names[] = {"PML4E", "PDPTE", "PDE", "PTE"};
    uint64_t table = read_cr3() & PTE_ADDR;

    printf("va 0x%016llx:", (unsigned long long)va);
    for (int level = 0; level < 4; level++) {
        int shift = 39 - 9 * level;
        uint64_t entry = ((const uint64_t *)(uintptr_t)table)[(va >> shift) & 511];

        printf(" %s 0x%llx", level_names[level], (unsigned long long)entry);
        if (!(entry & PTE_P)) {
            printf(" -> not mapped\n");
            return;
        }
        /* The last level always maps; PDPTE and PDE do when their PS bit is set. */
        if (level == 3 || ((level == 1 || level == 2) && (entry & PTE_PS))) {
            uint64_t offset_mask = (1ull << shift) - 1;
            uint64_t pa = (entry & PTE_ADDR & ~offset_mask) | (va & offset_mask);
            printf(" -> pa 0x%llx\n", (unsigned long long)pa);
            return;
        }
        table = entry & PTE_ADDR;
    }
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    printf("memmap: magic 0x%08x (%s), info at %p\n", magic,
           magic == MULTIBOOT_BOOT_MAGIC ? "Multiboot" : "unknown loader", (const void *)mbi);
    if (magic != MULTIBOOT_BOOT_MAGIC)
        return 2;

    printf("flags 0x%08x\n", mbi->flags);
    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        printf("mem_lower %u KiB, mem_upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
        printf("cmdline \"%s\"\n", (const char *)(uintptr_t)mbi->cmdline);
    else
        printf("cmdline: none reported\n");
    print_modules(mbi);
    print_memory_map(mbi);

    printf("page tables at cr3 0x%llx\n", (unsigned long long)read_cr3());
    walk(0);
    walk(0x100000);
    walk((uintptr_t)&marker);
    walk(0x3fffffff);

    /* Last, since the loader may have put the info read above near these addresses. */
    memcpy((void *)PATTERN_AT, "stepvm was here!", 16);
    for (int i = 0; i < 256; i++)
        ((volatile uint8_t *)BYTES_AT)[i] = (uint8_t)i;
    printf("wrote pattern at 0x%lx\n", PATTERN_AT);
    halt();
}
