/*
 * hcall.c - a guest that feeds the hypercall port good and bad argument blocks and checks
 * the host's answers (chapter 3). Exits 0 when every answer is right, else the number of
 * the first wrong one.
 */
#include "stepvm.h"

#include <stdio.h>

static struct hypercall_block block;

/* Runs one call and compares its result; returns 0 when it matched. */
static int expect(int n, uint32_t nr, uint64_t a0, uint64_t a1, int32_t want)
{
    block = (struct hypercall_block){.nr = nr, .result = 12345, .arg = {a0, a1}};
    int32_t got = hypercall(&block);
    printf("call %d: service %u -> %d (want %d)\n", n, nr, got, want);
    return got != want;
}

int main(void)
{
    static const char text[] = "printed by the host\n";
    static uint8_t raw[40] __attribute__((aligned(8)));

    /* [hcall-cases] */
    if (expect(1, HC_PRINT, (uintptr_t)text, sizeof(text) - 1, sizeof(text) - 1) ||
        expect(2, HC_PRINT, 0xd0000000ull, 8, -14) ||      /* the string is not in RAM */
        expect(3, HC_PRINT, (uintptr_t)text, 5000, -22) || /* longer than 4096 bytes */
        expect(4, 99, 0, 0, -38) ||                        /* no such service */
        expect(5, HC_MEMSIZE, 0, 0, 0))
        return 1;
    /* [hcall-cases] */
    printf("memsize says %llu MiB\n", (unsigned long long)(block.arg[0] >> 20));
    /* A block outside RAM, and one not 8-byte aligned: the host ignores both. */
    outl(HYPERCALL_PORT, 0xd0000000u);
    struct hypercall_block *odd = (struct hypercall_block *)(raw + 4);
    odd->nr = HC_MEMSIZE;
    odd->result = 777;
    outl(HYPERCALL_PORT, (uint32_t)(uintptr_t)odd);
    printf("unaligned block left alone: %s\n", odd->result == 777 ? "yes" : "no");
    /* A block in the ROM at 0xf0000: the host must not write its answer there. */
    const volatile uint32_t *rom = (const volatile uint32_t *)0xf0000;
    uint32_t before = rom[1];
    outl(HYPERCALL_PORT, 0xf0000u);
    printf("ROM left alone: %s\n", rom[1] == before ? "yes" : "no");
    return odd->result == 777 && rom[1] == before ? 0 : 2;
}
