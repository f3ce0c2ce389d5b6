/*
 * chaos.c - a hostile guest (chapter 3): it throws a long, fixed pseudo-random stream of
 * port and MMIO accesses of every size at the machine, string I/O with large counts, and
 * hypercalls whose blocks and pointers point anywhere. The VMM must survive all of it,
 * touch nothing outside guest memory, and let the guest end with its own status.
 */
#include "stepvm.h"

#include <stdio.h>

static uint64_t state = 0x2545f4914f6cdd1dull;

/* xorshift64: the same stream on every run. */
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* A port anywhere, except the test exit device, which would end the run early. */
static uint16_t any_port(void)
{
    uint16_t p;

    do
        p = (uint16_t)next();
    while (p >= 0xf4 && p < 0xf8);
    return p;
}

int main(void)
{
    static uint8_t buf[4096];
    static struct hypercall_block b;
    unsigned long n;

    /* [chaos] */
    for (n = 0; n < 3000; n++) {
        uint64_t r = next();
        uint16_t port = any_port();
        switch (r % 8) {
        case 0:
            outb(port, (uint8_t)r);
            break;
        case 1:
            outw(port, (uint16_t)r);
            break;
        case 2:
            outl(port, (uint32_t)r);
            break;
        case 3:
            (void)inl(port);
            break;
        case 4: { /* MMIO in the PCI gap, where nothing is: each size, read or written */
            uint64_t a = 0xc0000000ull + (r >> 40 & 0x3ffffff8);
            switch (r >> 8 & 7) {
            case 0:
                *(volatile uint8_t *)a = (uint8_t)r;
                break;
            case 1:
                *(volatile uint16_t *)a = (uint16_t)r;
                break;
            case 2:
                *(volatile uint32_t *)a = (uint32_t)r;
                break;
            case 3:
                *(volatile uint64_t *)a = r;
                break;
            default:
                (void)*(volatile uint64_t *)(a ^ (r >> 11 & 7));
                break; /* unaligned */
            }
            break;
        }
        case 5: { /* string input with a large count, into the guest's own buffer */
            uint8_t *p = buf;
            unsigned long count = r >> 52; /* up to 4095 */
            __asm__ volatile("rep insb" : "+D"(p), "+c"(count) : "d"(port) : "memory");
            break;
        }
        case 6: /* a hypercall block at a random address, aligned or not */
            outl(HYPERCALL_PORT, (uint32_t)(r >> 16));
            break;
        case 7: /* a well-placed block with wild arguments */
            b = (struct hypercall_block){.nr = (uint32_t)(r % 5), .arg = {next(), next() % 8192}};
            hypercall(&b);
            break;
        }
    }
    /* [chaos] */
    printf("survived %lu hostile accesses\n", n);
    return 0x2a;
}
