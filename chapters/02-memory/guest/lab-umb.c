/*
 * lab-umb.c - the test guest of lab "umb-slot" (chapter 2).
 *
 * Looks for RAM at 0xd0000-0xdffff (in the PC's hole, where DOS kept its upper memory
 * blocks) in the Multiboot memory map, then writes and reads it back. Exits 0 when both
 * hold, 1 when not. Before the lab is done there is no such entry, and the write goes
 * nowhere (an MMIO exit the VMM drops).
 */
#include <multiboot.h>
#include <stdio.h>

#define UMB_BASE 0xd0000ull
#define UMB_SIZE 0x10000ull

/* Returns 1 when the memory map lists [UMB_BASE, UMB_BASE + UMB_SIZE) as available. */
static int umb_in_map(const struct multiboot_info *mbi)
{
    uint64_t at = mbi->mmap_addr, end = at + mbi->mmap_length;

    while (at < end) {
        const struct multiboot_mmap_entry *e = (const void *)at;
        if (e->type == MULTIBOOT_MEMORY_AVAILABLE && e->addr <= UMB_BASE &&
            e->addr + e->len >= UMB_BASE + UMB_SIZE)
            return 1;
        at += e->size + 4;
    }
    return 0;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    volatile uint8_t *umb = (volatile uint8_t *)UMB_BASE;
    int listed =
        magic == MULTIBOOT_BOOT_MAGIC && (mbi->flags & MULTIBOOT_INFO_MEM_MAP) && umb_in_map(mbi);
    int ok = 1;

    printf("memory map lists 0xd0000-0xdffff: %s\n", listed ? "yes" : "no");
    for (uint64_t i = 0; i < UMB_SIZE; i += 0x1000)
        umb[i] = (uint8_t)(i >> 12) ^ 0x5a;
    for (uint64_t i = 0; i < UMB_SIZE; i += 0x1000)
        ok &= umb[i] == ((uint8_t)(i >> 12) ^ 0x5a);
    printf("write and read back: %s\n", ok ? "ok" : "lost");
    return listed && ok ? 0 : 1;
}
