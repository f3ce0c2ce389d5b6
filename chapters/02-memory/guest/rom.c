/*
 * rom.c - a guest that reads the ROM the VMM maps at 0xf0000 and tries to write it
 * (chapter 2). Reads come from a read-only KVM slot at full speed; the write leaves the
 * guest as an MMIO exit, and the VMM drops it. Exit code 0 when the ROM did not change.
 */
#include <stdio.h>

#define ROM ((volatile const char *)0xf0000)

int main(void)
{
    char text[128];
    int i;

    /* [rom-guest] */
    for (i = 0; i < (int)sizeof(text) - 1 && ROM[i]; i++)
        text[i] = ROM[i];
    text[i] = '\0';
    printf("ROM says: %s", text);
    char before = ROM[0];
    *(volatile char *)ROM = 'X'; /* a write to a read-only slot: an MMIO exit */
    printf("after writing 'X' to it, the ROM's first byte is '%c': %s\n", ROM[0],
           ROM[0] == before ? "unchanged" : "CHANGED");
    /* [rom-guest] */
    return ROM[0] == before ? 0 : 1;
}
