/*
 * multiboot.c - find the header, place the kernel and its modules, write the boot
 * information (see multiboot.h; chapter 2).
 */
#include "multiboot.h"

#include "elfload.h"
#include "error.h"
#include "load.h"
#include "modes.h"

#include <linux/kvm.h>
#include <string.h>

/* The header as it lies in the file: magic, flags, checksum, then the kludge's fields. */
struct mb_header {
    uint32_t magic, flags, checksum;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* [find] */
long multiboot__find(const char *name, const uint8_t *image, size_t len)
{
    size_t limit = len < MULTIBOOT_SEARCH ? len : MULTIBOOT_SEARCH;

    for (size_t off = 0; off + 12 <= limit; off += 4) {
        struct mb_header h;
        memcpy(&h, image + off, 12);
        if (h.magic != MULTIBOOT_HEADER_MAGIC)
            continue;
        if ((uint32_t)(h.magic + h.flags + h.checksum) != 0)
            return error__set("%s: Multiboot header at 0x%zx has a bad checksum", name, off);
        if (h.flags & MULTIBOOT_VIDEO_MODE)
            return error__set("%s: the kernel requires a video mode; stepvm has no display", name);
        if (h.flags & 0xfff8u)
            return error__set("%s: the kernel requires Multiboot features 0x%x that stepvm lacks",
                              name, h.flags & 0xfff8u);
        return (long)off;
    }
    return -2;
}
/* [find] */

/* Turns the a.out kludge's addresses into one segment, as QEMU reads them. */
static int kludge_segment(const char *name, const struct mb_header *h, long hdr, size_t len,
                          struct load_segment *seg)
{
    if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > (uint64_t)hdr)
        return error__set("%s: Multiboot load address 0x%x does not fit the header address 0x%x",
                          name, h->load_addr, h->header_addr);
    seg->offset = (uint64_t)hdr - (h->header_addr - h->load_addr);
    seg->paddr = h->load_addr;
    if (h->load_end_addr == 0)
        seg->filesz = len - seg->offset;
    else if (h->load_end_addr < h->load_addr)
        return error__set("%s: Multiboot load_end_addr 0x%x is below load_addr 0x%x", name,
                          h->load_end_addr, h->load_addr);
    else
        seg->filesz = h->load_end_addr - h->load_addr;
    seg->memsz = seg->filesz;
    if (h->bss_end_addr) {
        if (h->bss_end_addr < h->load_addr + seg->filesz)
            return error__set("%s: Multiboot bss_end_addr 0x%x is below the end of the load", name,
                              h->bss_end_addr);
        seg->memsz = h->bss_end_addr - h->load_addr;
    }
    if (h->entry_addr < seg->paddr || h->entry_addr - seg->paddr >= seg->memsz)
        return error__set("%s: Multiboot entry 0x%x is outside the loaded image", name,
                          h->entry_addr);
    return 0;
}

/* The boot information area, built in host memory and copied to the guest (at guest address
 * at) only when all of it fitted: a refused load leaves guest memory as it was. */
struct bootinfo {
    struct guest_mem *mem;
    uint64_t at;
    uint8_t area[MULTIBOOT_INFO_AREA];
    size_t used;
    int full; /* set when something did not fit */
};

/* Appends data and returns the guest address it will have (0 and b->full when full). */
static uint32_t bootinfo_alloc(struct bootinfo *b, const void *data, size_t len)
{
    size_t at = (b->used + 7) & ~(size_t)7;

    if (len > MULTIBOOT_INFO_AREA || at + len > MULTIBOOT_INFO_AREA) {
        b->full = 1;
        return 0;
    }
    memcpy(b->area + at, data, len);
    b->used = at + len;
    return (uint32_t)(b->at + at);
}

/* [mmap] */
/* Appends the memory map: RAM slots as available (1), ROM slots as reserved (2). */
static uint32_t write_mmap(struct bootinfo *b, uint32_t *length)
{
    struct mmap_entry {
        uint32_t size; /* of the rest of the entry: 20 */
        uint64_t addr, len;
        uint32_t type;
    } __attribute__((packed)) e;
    uint32_t first = 0;
    uint64_t last = 0;

    *length = 0;
    for (int n = 0; n < b->mem->nregions; n++) {
        /* Regions in address order: pick the lowest not yet written. */
        const struct mem_region *r = NULL;
        for (int i = 0; i < b->mem->nregions; i++) {
            const struct mem_region *c = &b->mem->regions[i];
            if ((n == 0 || c->gpa > last) && (!r || c->gpa < r->gpa))
                r = c;
        }
        if (!r)
            break;
        last = r->gpa;
        e = (struct mmap_entry){.size = 20,
                                .addr = r->gpa,
                                .len = r->size,
                                .type = r->flags & KVM_MEM_READONLY ? 2 : 1};
        uint32_t at = bootinfo_alloc(b, &e, sizeof(e));
        first = first ? first : at;
        *length += sizeof(e);
    }
    return first;
}
/* [mmap] */

/* [info] */
/* Returns the bytes of RAM from gpa up to the first byte that is not RAM. */
static uint64_t ram_from(const struct guest_mem *mem, uint64_t gpa)
{
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        if (!(r->flags & KVM_MEM_READONLY) && r->gpa == gpa)
            return r->size;
    }
    return 0;
}

/* Writes the boot information structure and everything it points to at guest address at. */
static int write_info(struct guest_mem *mem, uint32_t at, const char *cmdline,
                      const uint32_t *mod_at, const struct multiboot_module *mods, int nmods)
{
    struct bootinfo b = {.mem = mem, .at = at, .used = 128}; /* the structure itself first */
    uint32_t info[32] = {0}, mmap_len;
    uint32_t modlist[4 * 16];

    info[0] = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
              MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
    info[1] = (uint32_t)(ram_from(mem, 0) / 1024);            /* mem_lower: KiB from 0 */
    info[2] = (uint32_t)(ram_from(mem, MEM_HOLE_END) / 1024); /* mem_upper: KiB from 1 MiB */
    info[4] = bootinfo_alloc(&b, cmdline, strlen(cmdline) + 1);
    for (int i = 0; i < nmods; i++) {
        modlist[4 * i + 0] = mod_at[i];
        modlist[4 * i + 1] = mod_at[i] + (uint32_t)mods[i].len;
        modlist[4 * i + 2] = bootinfo_alloc(&b, mods[i].string, strlen(mods[i].string) + 1);
        modlist[4 * i + 3] = 0;
    }
    info[5] = (uint32_t)nmods;
    info[6] = nmods ? bootinfo_alloc(&b, modlist, 16 * (size_t)nmods) : 0;
    info[12] = write_mmap(&b, &mmap_len);
    info[11] = mmap_len;
    info[16] = bootinfo_alloc(&b, "stepvm", 7);
    if (b.full)
        return error__set("the command line and module strings do not fit in the 8 KiB of "
                          "boot information");
    memcpy(b.area, info, sizeof(info));
    memcpy(guest_mem__translate(mem, at, b.used), b.area, b.used);
    return 0;
}
/* [info] */

/* Places each module page-aligned at or above end and 1 MiB; checks each fits in RAM below
 * 4 GiB. */
static int place_modules(struct guest_mem *mem, uint64_t end, const struct multiboot_module *mods,
                         int nmods, uint32_t *mod_at)
{
    uint64_t at = end < MEM_HOLE_END ? MEM_HOLE_END : end;

    for (int i = 0; i < nmods; i++) {
        at = (at + MEM_PAGE_SIZE - 1) & ~(MEM_PAGE_SIZE - 1);
        if (at + mods[i].len > MEM_HIGH_START || !guest_mem__translate(mem, at, mods[i].len) ||
            guest_mem__is_rom(mem, at))
            return error__set("module '%s' (%zu bytes) does not fit in RAM at 0x%llx",
                              mods[i].string, mods[i].len, (unsigned long long)at);
        mod_at[i] = (uint32_t)at;
        at += mods[i].len;
    }
    return 0;
}

/* [load] */
int multiboot__load(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                    long hdr, const char *cmdline, const struct multiboot_module *mods, int nmods,
                    struct multiboot_boot *boot)
{
    struct mb_header h = {0};
    struct load_segment segs[LOAD_MAX_SEGMENTS];
    struct elf_image elf;
    uint32_t mod_at[16];
    uint64_t area, size = MULTIBOOT_INFO_AREA + MODES_PROTECTED_SIZE;
    int n = 1;

    memcpy(&h, image + hdr, len - (size_t)hdr < sizeof(h) ? len - (size_t)hdr : sizeof(h));
    if (h.flags & MULTIBOOT_AOUT_KLUDGE) {
        if (len - (size_t)hdr < sizeof(h))
            return error__set("%s: truncated Multiboot header at 0x%lx", name, hdr);
        if (kludge_segment(name, &h, hdr, len, &segs[0]) < 0 ||
            load__check(mem, name, segs, 1, len) < 0)
            return -1;
        elf.entry = h.entry_addr;
        elf.end = segs[0].paddr + segs[0].memsz;
    } else {
        if (!elfload__is(image, len) || image[4] != 1 /* ELFCLASS32 */)
            return error__set("%s: a Multiboot kernel without the a.out kludge must be ELF32 "
                              "(QEMU refuses others too)",
                              name);
        if ((n = elfload__prepare(mem, name, image, len, &elf, segs)) < 0)
            return -1;
    }
    if (nmods > 16)
        return error__set("%d modules: at most 16", nmods);
    if (load__boot_area(mem, name, elf.end, size, &area) < 0 ||
        place_modules(mem, area + size, mods, nmods, mod_at) < 0 ||
        write_info(mem, (uint32_t)area, cmdline, mod_at, mods, nmods) < 0)
        return -1;
    load__copy(mem, image, segs, n);
    for (int i = 0; i < nmods; i++)
        memcpy(guest_mem__translate(mem, mod_at[i], mods[i].len), mods[i].data, mods[i].len);
    boot->entry = (uint32_t)elf.entry;
    boot->info = (uint32_t)area;
    boot->tables = (uint32_t)(area + MULTIBOOT_INFO_AREA);
    return 0;
}
/* [load] */
