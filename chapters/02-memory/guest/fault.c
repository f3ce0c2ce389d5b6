/*
 * fault.c - a guest that reads an unmapped address (chapter 2), to show the runtime's
 * exception report: a page fault, then exit code 0x7f (status 255).
 *
 * The runtime maps only the first 4 GiB, so 0x100000000000 (16 TiB) has no page.
 */
#include <multiboot.h>
#include <stdio.h>

#define UNMAPPED 0x100000000000ull

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    (void)mbi;
    printf("reading 0x%llx, which no page maps\n", UNMAPPED);
    uint64_t v = *(volatile uint64_t *)UNMAPPED;
    printf("read 0x%lx: this line should not appear\n", v);
    return 0;
}
