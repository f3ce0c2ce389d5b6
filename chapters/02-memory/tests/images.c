/*
 * images.c - ELF32, ELF64 and Multiboot images built in memory for the loader tests:
 * each exactly as long as it claims, so AddressSanitizer catches any read past its end.
 */
#include "ch2_tests.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

uint8_t image_byte(size_t off)
{
    return (uint8_t)(off * 7 + 3);
}

void image_pattern(struct image *img, size_t len)
{
    img->data = malloc(len);
    img->len = len;
    ck_assert_ptr_nonnull(img->data);
    for (size_t i = 0; i < len; i++)
        img->data[i] = image_byte(i);
}

void image_cut(struct image *img, size_t len)
{
    ck_assert_uint_le(len, img->len);
    img->data = realloc(img->data, len);
    img->len = len;
    ck_assert_ptr_nonnull(img->data);
}

void image_free(struct image *img)
{
    free(img->data);
    img->data = NULL;
}

/* Fills in the file offsets of the segments that leave them to the builder; returns the
 * length of the file. */
static size_t place_segments(const struct elf_spec *spec, struct elf_seg *segs)
{
    size_t end = ELF_SEG_DATA;

    for (int i = 0; i < spec->nsegs; i++) {
        segs[i] = spec->segs[i];
        if (segs[i].offset == 0) {
            segs[i].offset = end;
            end += segs[i].filesz;
        }
        segs[i].type = segs[i].type ? segs[i].type : PT_LOAD;
    }
    return end;
}

/* Writes the e_ident that a good little-endian x86 image of the class has. */
static void put_ident(uint8_t *ident, int is64)
{
    memcpy(ident, ELFMAG, SELFMAG);
    ident[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
    ident[EI_DATA] = ELFDATA2LSB;
    ident[EI_VERSION] = EV_CURRENT;
}

static void put_elf64(const struct elf_spec *spec, const struct elf_seg *segs, uint8_t *out)
{
    Elf64_Ehdr e = {.e_type = spec->type ? spec->type : ET_EXEC,
                    .e_machine = spec->machine ? spec->machine : EM_X86_64,
                    .e_version = EV_CURRENT,
                    .e_entry = spec->entry,
                    .e_phoff = sizeof(e),
                    .e_ehsize = sizeof(e),
                    .e_phentsize = spec->phentsize ? spec->phentsize : sizeof(Elf64_Phdr),
                    .e_phnum = spec->phnum ? spec->phnum : (uint16_t)spec->nsegs};

    put_ident(e.e_ident, 1);
    memcpy(out, &e, sizeof(e));
    for (int i = 0; i < spec->nsegs; i++) {
        Elf64_Phdr p = {.p_type = segs[i].type,
                        .p_offset = segs[i].offset,
                        .p_vaddr = segs[i].paddr,
                        .p_paddr = segs[i].paddr,
                        .p_filesz = segs[i].filesz,
                        .p_memsz = segs[i].memsz};
        memcpy(out + sizeof(e) + i * sizeof(p), &p, sizeof(p));
    }
}

static void put_elf32(const struct elf_spec *spec, const struct elf_seg *segs, uint8_t *out)
{
    Elf32_Ehdr e = {.e_type = spec->type ? spec->type : ET_EXEC,
                    .e_machine = spec->machine ? spec->machine : EM_386,
                    .e_version = EV_CURRENT,
                    .e_entry = (uint32_t)spec->entry,
                    .e_phoff = sizeof(e),
                    .e_ehsize = sizeof(e),
                    .e_phentsize = spec->phentsize ? spec->phentsize : sizeof(Elf32_Phdr),
                    .e_phnum = spec->phnum ? spec->phnum : (uint16_t)spec->nsegs};

    put_ident(e.e_ident, 0);
    memcpy(out, &e, sizeof(e));
    for (int i = 0; i < spec->nsegs; i++) {
        Elf32_Phdr p = {.p_type = segs[i].type,
                        .p_offset = (uint32_t)segs[i].offset,
                        .p_vaddr = (uint32_t)segs[i].paddr,
                        .p_paddr = (uint32_t)segs[i].paddr,
                        .p_filesz = (uint32_t)segs[i].filesz,
                        .p_memsz = (uint32_t)segs[i].memsz};
        memcpy(out + sizeof(e) + i * sizeof(p), &p, sizeof(p));
    }
}

void elf_build(const struct elf_spec *spec, struct image *img)
{
    struct elf_seg segs[ELF_MAX_SEGS];

    ck_assert_int_le(spec->nsegs, ELF_MAX_SEGS);
    image_pattern(img, place_segments(spec, segs));
    if (spec->is64)
        put_elf64(spec, segs, img->data);
    else
        put_elf32(spec, segs, img->data);
}

void mb_put_header(struct image *img, size_t off, uint32_t flags, int bad_checksum,
                   const struct mb_kludge *k)
{
    uint32_t h[8] = {0x1BADB002u, flags, -(0x1BADB002u + flags) + (bad_checksum ? 1 : 0)};
    size_t len = k ? sizeof(h) : 12;

    if (k)
        memcpy(&h[3], k, sizeof(*k));
    ck_assert_uint_le(off + len, img->len);
    memcpy(img->data + off, h, len);
}
