/*
 * hello.c - a guest whose output is the same, byte for byte, on every VMM (chapter 2).
 *
 * Nothing here depends on the memory map, the loader or time: it greets, computes a sum
 * and a CRC-32 at CPL0, the same CRC at CPL3 through user_call, formats a few numbers, and
 * exits with code 0x11 (status 35). Tests compare its output between stepvm and QEMU.
 */
#include <multiboot.h>
#include <stdio.h>
#include <string.h>
#include <user.h>
#include <x86.h>

static const char fox[] = "The quick brown fox jumps over the lazy dog";

/* CRC-32 (IEEE 802.3, reflected, as zlib computes it), a bit at a time: no table. */
static uint32_t crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t crc = 0xffffffff;

    while (len--) {
        crc ^= *p++;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

/* Runs at CPL3: says where it runs (IOPL 3 lets printf's OUTs through) and hashes. */
static long crc_at_user(void *arg)
{
    const char *s = arg;

    printf("in user mode: cpl %u\n", read_cpl());
    return crc32(s, strlen(s));
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)mbi;
    printf("hello from a C guest in long mode (magic %s)\n",
           magic == MULTIBOOT_BOOT_MAGIC ? "ok" : "wrong");
    printf("running at cpl %u\n", read_cpl());

    unsigned sum = 0;
    for (unsigned i = 1; i <= 100; i++)
        sum += i;
    printf("sum 1..100 = %u\n", sum);

    uint32_t crc0 = crc32(fox, strlen(fox));
    uint32_t crc3 = (uint32_t)user_call(crc_at_user, (void *)fox);
    printf("crc32 \"%s\"\n", fox);
    printf("  at cpl 0: 0x%08x\n", crc0);
    printf("  at cpl 3: 0x%08x (%s)\n", crc3, crc0 == crc3 ? "match" : "MISMATCH");

    printf("[%d] [%5d] [%-5d] [%05d] [%i]\n", -42, -42, -42, -42, 0);
    printf("[%u] [%x] [%X] [%08x] [%lx]\n", 4000000000u, 0xbeefu, 0xbeefu, 0xbeefu, 0xfeedfaceul);
    printf("[%ld] [%lu] [%lld] [%llx]\n", -1234567890123l, 18446744073709551615ul,
           -9223372036854775807ll - 1, 0x0123456789abcdefull);
    printf("[%s] [%8s] [%-8s] [%c] [%3c] [%%]\n", "str", "right", "left", 'x', 'y');

    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%s-%d", "truncated output", 12345);
    printf("snprintf: \"%s\", wanted %d bytes\n", buf, n);

    printf("goodbye: exit code 0x11, status 35\n");
    return 0x11;
}
