/*
 * load.c - check, then copy, the segments of an image (see load.h; chapter 2).
 */
#include "load.h"

#include "error.h"

#include <string.h>

/* [check] */
static int check_one(struct guest_mem *mem, const char *name, int i, const struct load_segment *s,
                     size_t file_len)
{
    if (s->filesz > s->memsz)
        return error__set("%s: segment %d: file size 0x%llx is larger than its memory size 0x%llx",
                          name, i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
    if (s->offset > file_len || s->filesz > file_len - s->offset)
        return error__set("%s: truncated: segment %d needs 0x%llx file bytes at offset 0x%llx, "
                          "the file has 0x%zx",
                          name, i, (unsigned long long)s->filesz, (unsigned long long)s->offset,
                          file_len);
    if (s->memsz == 0)
        return 0;
    if (!guest_mem__translate(mem, s->paddr, s->memsz) || guest_mem__is_rom(mem, s->paddr))
        return error__set("%s: segment %d (0x%llx bytes at 0x%llx) is outside guest RAM", name, i,
                          (unsigned long long)s->memsz, (unsigned long long)s->paddr);
    return 0;
}

int load__check(struct guest_mem *mem, const char *name, const struct load_segment *segs, int n,
                size_t file_len)
{
    for (int i = 0; i < n; i++) {
        if (check_one(mem, name, i, &segs[i], file_len) < 0)
            return -1;
        for (int j = 0; j < i; j++) {
            const struct load_segment *a = &segs[i], *b = &segs[j];
            if (a->memsz && b->memsz && a->paddr < b->paddr + b->memsz &&
                b->paddr < a->paddr + a->memsz)
                return error__set("%s: segments %d and %d overlap in memory", name, j, i);
        }
    }
    return 0;
}
/* [check] */

/* [boot-area] */
int load__boot_area(struct guest_mem *mem, const char *name, uint64_t end, uint64_t size,
                    uint64_t *at)
{
    uint64_t base = (end + MEM_PAGE_SIZE - 1) & ~(MEM_PAGE_SIZE - 1);

    if (base < MEM_HOLE_END && base + size > MEM_HOLE_START)
        base = MEM_HOLE_END; /* what is left of low RAM is too short: the next RAM is at 1 MiB */
    if (base < end || base + size > MEM_HIGH_START)
        return error__set("%s: the image ends at 0x%llx, but the VMM's boot structures after it "
                          "(0x%llx bytes) must lie below 4 GiB",
                          name, (unsigned long long)end, (unsigned long long)size);
    if (!guest_mem__translate(mem, base, size) || guest_mem__is_rom(mem, base))
        return error__set("%s: guest RAM is too small for the VMM's boot structures: they need "
                          "0x%llx bytes at 0x%llx, right after the image",
                          name, (unsigned long long)size, (unsigned long long)base);
    *at = base;
    return 0;
}
/* [boot-area] */

uint64_t load__copy(struct guest_mem *mem, const uint8_t *file, const struct load_segment *segs,
                    int n)
{
    uint64_t end = 0;

    for (int i = 0; i < n; i++) {
        if (segs[i].memsz == 0)
            continue;
        uint8_t *dst = guest_mem__translate(mem, segs[i].paddr, segs[i].memsz);
        memcpy(dst, file + segs[i].offset, segs[i].filesz);
        memset(dst + segs[i].filesz, 0, segs[i].memsz - segs[i].filesz);
        if (segs[i].paddr + segs[i].memsz > end)
            end = segs[i].paddr + segs[i].memsz;
    }
    return end;
}
