/*
 * lab-blocks.c - the test guest of lab "block-stats" (chapter 6): a loop of two blocks
 * that follow each other, run trips=N times (the Multiboot command line; 100000 without).
 *
 * Each trip runs block A (INC, JMP) and block B (DEC, JNZ), both in one page: the
 * interpreter translates them once, then enters each through the link from the other, so
 * every extra trip adds two chained entries and no new block.
 */
#include <multiboot.h>
#include <stdio.h>

/* [lab-blocks] */
/* Runs the two-block loop trips times (at least once); returns the trips counted. */
static unsigned long loop(unsigned long trips)
{
    unsigned long counted = 0;

    __asm__ volatile(".p2align 6\n" /* both blocks in one cache line, so in one page */
                     "1:\n\t"
                     "inc %[counted]\n\t"
                     "jmp 2f\n"
                     "2:\n\t"
                     "dec %[trips]\n\t"
                     "jnz 1b"
                     : [counted] "+r"(counted), [trips] "+r"(trips));
    return counted;
}
/* [lab-blocks] */

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    long trips = multiboot_cmdline_number(mbi, "trips", 100000);

    (void)magic;
    if (trips < 1)
        trips = 1;
    printf("trips: %lu\n", loop((unsigned long)trips));
    return 0;
}
