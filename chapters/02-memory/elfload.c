/*
 * elfload.c - an ELF loader that trusts nothing in the file (see elfload.h; chapter 2).
 *
 * The file's headers are read into local structs (memcpy, never pointer casts into the
 * buffer, which may be misaligned or short) and checked field by field.
 */
#include "elfload.h"

#include "error.h"
#include "load.h"

#include <elf.h>
#include <string.h>

int elfload__is(const uint8_t *image, size_t len)
{
    return len >= SELFMAG && memcmp(image, ELFMAG, SELFMAG) == 0;
}

/* The header fields both classes share, widened to 64 bits. */
struct elf_header {
    int is64;
    uint16_t type, machine, phentsize, phnum;
    uint64_t entry, phoff;
};

/* The shared fields of e, an Elf64_Ehdr (is64 = 1) or an Elf32_Ehdr (0). */
#define HEADER_OF(e, is_64)                                                                        \
    ((struct elf_header){.is64 = (is_64),                                                          \
                         .type = (e).e_type,                                                       \
                         .machine = (e).e_machine,                                                 \
                         .phentsize = (e).e_phentsize,                                             \
                         .phnum = (e).e_phnum,                                                     \
                         .entry = (e).e_entry,                                                     \
                         .phoff = (e).e_phoff})

/* [header] */
static int read_header(const char *name, const uint8_t *img, size_t len, struct elf_header *h)
{
    if (!elfload__is(img, len))
        return error__set("%s: not an ELF file (bad magic)", name);
    if (len < EI_NIDENT)
        return error__set("%s: truncated: %zu bytes is less than an ELF identification", name, len);
    if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
        return error__set("%s: unknown ELF class %u", name, img[EI_CLASS]);
    if (img[EI_DATA] != ELFDATA2LSB)
        return error__set("%s: not a little-endian ELF file: x86 is little-endian", name);
    if (img[EI_VERSION] != EV_CURRENT)
        return error__set("%s: unknown ELF version %u", name, img[EI_VERSION]);
    h->is64 = img[EI_CLASS] == ELFCLASS64;
    if (h->is64) {
        Elf64_Ehdr e;
        if (len < sizeof(e))
            return error__set("%s: truncated: the ELF header needs %zu bytes, the file has %zu",
                              name, sizeof(e), len);
        memcpy(&e, img, sizeof(e));
        *h = HEADER_OF(e, 1);
    } else {
        Elf32_Ehdr e;
        if (len < sizeof(e))
            return error__set("%s: truncated: the ELF header needs %zu bytes, the file has %zu",
                              name, sizeof(e), len);
        memcpy(&e, img, sizeof(e));
        *h = HEADER_OF(e, 0);
    }
    if (h->machine != (h->is64 ? EM_X86_64 : EM_386))
        return error__set("%s: wrong machine %u for %s (want %s)", name, h->machine,
                          h->is64 ? "ELF64" : "ELF32", h->is64 ? "x86-64, 62" : "i386, 3");
    if (h->type != ET_EXEC)
        return error__set("%s: not an executable (ELF type %u); stepvm loads ET_EXEC images", name,
                          h->type);
    return 0;
}
/* [header] */

/* Reads the PT_LOAD program headers into segs; returns their number or -1. */
static int read_segments(const char *name, const uint8_t *img, size_t len,
                         const struct elf_header *h, struct load_segment *segs)
{
    size_t entsize = h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    int n = 0;

    if (h->phentsize != entsize)
        return error__set("%s: program header size %u, expected %zu", name, h->phentsize, entsize);
    if (h->phnum == 0 || h->phnum > LOAD_MAX_SEGMENTS)
        return error__set("%s: %u program headers (want 1 to %d)", name, h->phnum,
                          LOAD_MAX_SEGMENTS);
    if (h->phoff > len || (uint64_t)h->phnum * entsize > len - h->phoff)
        return error__set("%s: truncated: %u program headers need 0x%llx bytes at offset 0x%llx, "
                          "the file has 0x%zx",
                          name, h->phnum, (unsigned long long)((uint64_t)h->phnum * entsize),
                          (unsigned long long)h->phoff, len);
    for (unsigned i = 0; i < h->phnum; i++) {
        const uint8_t *p = img + h->phoff + i * entsize;
        Elf64_Phdr ph;
        if (h->is64) {
            memcpy(&ph, p, sizeof(ph));
        } else {
            Elf32_Phdr ph32;
            memcpy(&ph32, p, sizeof(ph32));
            ph = (Elf64_Phdr){.p_type = ph32.p_type,
                              .p_offset = ph32.p_offset,
                              .p_vaddr = ph32.p_vaddr,
                              .p_paddr = ph32.p_paddr,
                              .p_filesz = ph32.p_filesz,
                              .p_memsz = ph32.p_memsz};
        }
        if (ph.p_type == PT_LOAD)
            segs[n++] = (struct load_segment){.offset = ph.p_offset,
                                              .filesz = ph.p_filesz,
                                              .memsz = ph.p_memsz,
                                              .paddr = ph.p_paddr};
    }
    if (n == 0)
        return error__set("%s: no loadable (PT_LOAD) segment", name);
    return n;
}

/* [load] */
int elfload__prepare(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                     struct elf_image *out, struct load_segment *segs)
{
    struct elf_header h = {0};
    int n, entry_ok = 0;

    if (read_header(name, image, len, &h) < 0)
        return -1;
    if ((n = read_segments(name, image, len, &h, segs)) < 0)
        return -1;
    if (load__check(mem, name, segs, n, len) < 0)
        return -1;
    /* The entry is a virtual address; stepvm's guests start with identity mapping. */
    out->end = 0;
    for (int i = 0; i < n; i++) {
        entry_ok |= h.entry >= segs[i].paddr && h.entry - segs[i].paddr < segs[i].memsz;
        if (segs[i].memsz && segs[i].paddr + segs[i].memsz > out->end)
            out->end = segs[i].paddr + segs[i].memsz;
    }
    if (!entry_ok)
        return error__set("%s: entry point 0x%llx is outside every loaded segment", name,
                          (unsigned long long)h.entry);
    out->is64 = h.is64;
    out->entry = h.entry;
    return n;
}

int elfload__load(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                  struct elf_image *out)
{
    struct load_segment segs[LOAD_MAX_SEGMENTS];
    int n = elfload__prepare(mem, name, image, len, out, segs);

    if (n < 0)
        return -1;
    load__copy(mem, image, segs, n);
    return 0;
}
/* [load] */
