/*
 * load.c - check, then copy, the segments of an image (see load.h; chapter 2).
 */
#include "load.h"

#include "error.h"
#include "modes.h"

#include <string.h>

/* [check] */
static int check_one(struct guest_mem *mem, const char *name, int i, const struct load_segment *s,
                     size_t file_len, int flags)
{
    if (s->filesz > s->memsz)
        return error_set("%s: segment %d: file size 0x%llx is larger than its memory size 0x%llx",
                         name, i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
    if (s->offset > file_len || s->filesz > file_len - s->offset)
        return error_set("%s: truncated: segment %d needs 0x%llx file bytes at offset 0x%llx, "
                         "the file has 0x%zx",
                         name, i, (unsigned long long)s->filesz, (unsigned long long)s->offset,
                         file_len);
    if (s->memsz == 0)
        return 0;
    if (!guest_mem__translate(mem, s->paddr, s->memsz) || guest_mem__is_rom(mem, s->paddr))
        return error_set("%s: segment %d (0x%llx bytes at 0x%llx) is outside guest RAM", name, i,
                         (unsigned long long)s->memsz, (unsigned long long)s->paddr);
    if ((flags & LOAD_AVOID_BOOT_STRUCTURES) && s->paddr < MODES_RESERVED_END &&
        s->paddr + s->memsz > MODES_RESERVED_START)
        return error_set("%s: segment %d at 0x%llx-0x%llx overlaps the VMM's boot structures at "
                         "0x%llx-0x%llx",
                         name, i, (unsigned long long)s->paddr,
                         (unsigned long long)(s->paddr + s->memsz - 1), MODES_RESERVED_START,
                         MODES_RESERVED_END - 1);
    return 0;
}

int load_check(struct guest_mem *mem, const char *name, const struct load_segment *segs, int n,
               size_t file_len, int flags)
{
    for (int i = 0; i < n; i++) {
        if (check_one(mem, name, i, &segs[i], file_len, flags) < 0)
            return -1;
        for (int j = 0; j < i; j++) {
            const struct load_segment *a = &segs[i], *b = &segs[j];
            if (a->memsz && b->memsz && a->paddr < b->paddr + b->memsz &&
                b->paddr < a->paddr + a->memsz)
                return error_set("%s: segments %d and %d overlap in memory", name, j, i);
        }
    }
    return 0;
}
/* [check] */

uint64_t load_copy(struct guest_mem *mem, const uint8_t *file, const struct load_segment *segs,
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
