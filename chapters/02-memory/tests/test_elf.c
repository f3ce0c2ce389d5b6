/*
 * test_elf.c - elfload__load on ELF32 and ELF64 images built in memory (no KVM): the bytes land
 * at their physical addresses with their bss zeroed, and every bad image is refused with
 * its exact message before a single byte of guest RAM changes.
 */
#include "ch2_tests.h"
#include "elfload.h"
#include "error.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>

#define M16  (16ull << 20)
#define G3_5 (3584ull << 20)

/* Loads test_img into test_mem, which must succeed, and returns what elfload__load reports. */
static struct elf_image load_ok(void)
{
    struct elf_image out = {0};

    ck_assert_msg(elfload__load(&test_mem, "k.elf", test_img.data, test_img.len, &out) == 0, "%s",
                  error__get());
    return out;
}

/* Loads test_img, which must be refused with the message want (or, with prefix, one that
 * starts with it), leaving guest RAM as it was. */
static void assert_refused(const char *name, const char *want, int prefix)
{
    struct elf_image out;
    uint8_t *snap = mem_snapshot(&test_mem);

    ck_assert_msg(elfload__load(&test_mem, "k.elf", test_img.data, test_img.len, &out) == -1,
                  "%s: loaded", name);
    ck_assert_msg(strncmp(error__get(), want, strlen(want) + !prefix) == 0,
                  "%s:\n got: %s\nwant: %s", name, error__get(), want);
    assert_mem_unchanged(&test_mem, snap, name);
}

/* Two segments, the first with bss, in the RAM above 1 MiB and in low RAM, and a note that
 * the loader must ignore. */
static void build_good_image(int is64)
{
    struct elf_spec spec = {
        .is64 = is64,
        .entry = 0x100010,
        .nsegs = 3,
        .segs = {{.paddr = 0x100000, .filesz = 0x234, .memsz = 0x1800},
                 {.paddr = 0xa000, .filesz = 0x100, .memsz = 0x100},
                 {.paddr = 0xa0000, .filesz = 0x10, .memsz = 0x10, .type = PT_NOTE}},
    };

    elf_build(&spec, &test_img);
}

/* The segments' file bytes follow each other from ELF_SEG_DATA on. */
static void assert_good_image_loaded(int is64)
{
    build_good_image(is64);
    struct elf_image out = load_ok();
    ck_assert_int_eq(out.is64, is64);
    ck_assert_uint_eq(out.entry, 0x100010);
    ck_assert_uint_eq(out.end, 0x101800);
    assert_loaded(&test_mem, 0x100000, test_img.data + ELF_SEG_DATA, 0x234, 0x1800);
    assert_loaded(&test_mem, 0xa000, test_img.data + ELF_SEG_DATA + 0x234, 0x100, 0x100);
    ck_assert_uint_eq(*ram_at(&test_mem, 0xffff, 1), RAM_FILL);
    ck_assert_uint_eq(*ram_at(&test_mem, 0x9fff, 1), RAM_FILL);
}

START_TEST(elf64_segments_loaded_at_their_physical_addresses)
{
    assert_good_image_loaded(1);
}
END_TEST

START_TEST(elf32_segments_loaded_at_their_physical_addresses)
{
    assert_good_image_loaded(0);
}
END_TEST

START_TEST(elf_prepare_validates_without_copying)
{
    struct load_segment segs[LOAD_MAX_SEGMENTS];
    struct elf_image out;

    build_good_image(1);
    uint8_t *snap = mem_snapshot(&test_mem);
    ck_assert_int_eq(elfload__prepare(&test_mem, "k.elf", test_img.data, test_img.len, &out, segs),
                     2);
    assert_mem_unchanged(&test_mem, snap, "elfload__prepare");
    ck_assert_uint_eq(segs[1].paddr, 0xa000);
    ck_assert_uint_eq(segs[1].offset, ELF_SEG_DATA + 0x234);
}
END_TEST

/* Low RAM is the image's from 0 to the hole: the VMM's structures move out of its way. */
START_TEST(segments_filling_low_ram_accepted)
{
    struct elf_spec spec = {.is64 = 1,
                            .entry = 0x0,
                            .nsegs = 2,
                            .segs = {{.paddr = 0, .filesz = 0x1000, .memsz = 0x1000},
                                     {.paddr = 0x1000, .filesz = 0, .memsz = 0x9f000}}};

    elf_build(&spec, &test_img);
    ck_assert_uint_eq(load_ok().end, 0xa0000);
}
END_TEST

START_TEST(elf_magic_recognised)
{
    const uint8_t elf[] = {0x7f, 'E', 'L', 'F'}, elg[] = {0x7f, 'E', 'L', 'G'};

    ck_assert_int_eq(elfload__is(elf, 4), 1);
    ck_assert_int_eq(elfload__is(elf, 3), 0);
    ck_assert_int_eq(elfload__is(elg, 4), 0);
}
END_TEST

/* ------------------------------------------------------------------------- refusals */

/* One segment of 0x100 bytes at paddr (ONE_SEG: with the entry at its start). */
#define SEG_AT(paddr_)  .nsegs = 1, .segs = {{.paddr = (paddr_), .filesz = 0x100, .memsz = 0x100}}
#define ONE_SEG(paddr_) .entry = (paddr_), SEG_AT(paddr_)
#define GOOD            ONE_SEG(0x100000)

/* A bad image: spec, then cut to len bytes (0: not cut) and one e_ident byte changed. */
static const struct elf_case {
    const char *name;
    struct elf_spec spec;
    size_t len;
    int ident_at, ident_value;
    uint64_t ram; /* 0: the fixture's 16M */
    const char *want;
} refusals[] = {
    {"bad_magic",
     {.is64 = 1, GOOD},
     .ident_at = 1,
     .ident_value = 'X',
     .want = "k.elf: not an ELF file (bad magic)"},
    {"shorter_than_the_magic",
     {.is64 = 1, GOOD},
     .len = 3,
     .want = "k.elf: not an ELF file (bad magic)"},
    {"shorter_than_an_identification",
     {.is64 = 1, GOOD},
     .len = 10,
     .want = "k.elf: truncated: 10 bytes is less than an ELF identification"},
    {"shorter_than_the_elf64_header",
     {.is64 = 1, GOOD},
     .len = 40,
     .want = "k.elf: truncated: the ELF header needs 64 bytes, the file has 40"},
    {"shorter_than_the_elf32_header",
     {.is64 = 0, GOOD},
     .len = 51,
     .want = "k.elf: truncated: the ELF header needs 52 bytes, the file has 51"},
    {"program_headers_past_the_end",
     {.is64 = 1, GOOD},
     .len = 100,
     .want =
         "k.elf: truncated: 1 program headers need 0x38 bytes at offset 0x40, the file has 0x64"},
    {"elf32_program_headers_past_the_end",
     {.is64 = 0, GOOD},
     .len = 83,
     .want =
         "k.elf: truncated: 1 program headers need 0x20 bytes at offset 0x34, the file has 0x53"},
    {"segment_bytes_past_the_end",
     {.is64 = 1, GOOD},
     .len = ELF_SEG_DATA + 0xff,
     .want =
         "k.elf: truncated: segment 0 needs 0x100 file bytes at offset 0x200, the file has 0x2ff"},
    {"unknown_class",
     {.is64 = 1, GOOD},
     .ident_at = EI_CLASS,
     .ident_value = 3,
     .want = "k.elf: unknown ELF class 3"},
    {"class_none",
     {.is64 = 1, GOOD},
     .ident_at = EI_CLASS,
     .ident_value = ELFCLASSNONE,
     .want = "k.elf: unknown ELF class 0"},
    {"big_endian",
     {.is64 = 1, GOOD},
     .ident_at = EI_DATA,
     .ident_value = ELFDATA2MSB,
     .want = "k.elf: not a little-endian ELF file: x86 is little-endian"},
    {"unknown_version",
     {.is64 = 1, GOOD},
     .ident_at = EI_VERSION,
     .ident_value = 2,
     .want = "k.elf: unknown ELF version 2"},
    {"elf64_for_i386",
     {.is64 = 1, .machine = EM_386, GOOD},
     .want = "k.elf: wrong machine 3 for ELF64 (want x86-64, 62)"},
    {"elf32_for_x86_64",
     {.is64 = 0, .machine = EM_X86_64, GOOD},
     .want = "k.elf: wrong machine 62 for ELF32 (want i386, 3)"},
    {"elf64_for_arm",
     {.is64 = 1, .machine = EM_AARCH64, GOOD},
     .want = "k.elf: wrong machine 183 for ELF64 (want x86-64, 62)"},
    {"shared_object",
     {.is64 = 1, .type = ET_DYN, GOOD},
     .want = "k.elf: not an executable (ELF type 3); stepvm loads ET_EXEC images"},
    {"relocatable_object",
     {.is64 = 0, .type = ET_REL, GOOD},
     .want = "k.elf: not an executable (ELF type 1); stepvm loads ET_EXEC images"},
    {"wrong_phentsize",
     {.is64 = 1, .phentsize = 32, GOOD},
     .want = "k.elf: program header size 32, expected 56"},
    {"elf32_with_elf64_phentsize",
     {.is64 = 0, .phentsize = 56, GOOD},
     .want = "k.elf: program header size 56, expected 32"},
    {"no_program_headers",
     {.is64 = 1, .entry = 0x100000, .nsegs = 0},
     .want = "k.elf: 0 program headers (want 1 to 64)"},
    {"65_program_headers",
     {.is64 = 1, .phnum = 65, GOOD},
     .want = "k.elf: 65 program headers (want 1 to 64)"},
    {"no_loadable_segment",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 1,
      .segs = {{.paddr = 0x100000, .filesz = 0x10, .memsz = 0x10, .type = PT_NOTE}}},
     .want = "k.elf: no loadable (PT_LOAD) segment"},
    {"filesz_larger_than_memsz",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 1,
      .segs = {{.paddr = 0x100000, .filesz = 0x200, .memsz = 0x100}}},
     .want = "k.elf: segment 0: file size 0x200 is larger than its memory size 0x100"},
    {"segment_outside_ram",
     {.is64 = 1, ONE_SEG(0x2000000)},
     .want = "k.elf: segment 0 (0x100 bytes at 0x2000000) is outside guest RAM"},
    {"segment_in_the_hole",
     {.is64 = 1, ONE_SEG(0xa0000)},
     .want = "k.elf: segment 0 (0x100 bytes at 0xa0000) is outside guest RAM"},
    {"segment_in_the_rom",
     {.is64 = 1, ONE_SEG(0xf0000)},
     .want = "k.elf: segment 0 (0x100 bytes at 0xf0000) is outside guest RAM"},
    {"segment_straddling_into_the_hole",
     {.is64 = 1, ONE_SEG(0x9ff80)},
     .want = "k.elf: segment 0 (0x100 bytes at 0x9ff80) is outside guest RAM"},
    {"segment_in_the_pci_gap",
     {.is64 = 1, ONE_SEG(0xc0000000)},
     .ram = G3_5,
     .want = "k.elf: segment 0 (0x100 bytes at 0xc0000000) is outside guest RAM"},
    {"segment_straddling_into_the_pci_gap",
     {.is64 = 1, ONE_SEG(0xbfffff80)},
     .ram = G3_5,
     .want = "k.elf: segment 0 (0x100 bytes at 0xbfffff80) is outside guest RAM"},
    {"segment_straddling_the_end_of_ram",
     {.is64 = 1, ONE_SEG(M16 - 0x80)},
     .want = "k.elf: segment 0 (0x100 bytes at 0xffff80) is outside guest RAM"},
    {"overlapping_segments",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 3,
      .segs = {{.paddr = 0x100000, .filesz = 0x10, .memsz = 0x1000},
               {.paddr = 0x200000, .filesz = 0x10, .memsz = 0x1000},
               {.paddr = 0x100ff0, .filesz = 0x10, .memsz = 0x10}}},
     .want = "k.elf: segments 0 and 2 overlap in memory"},
    {"entry_outside_every_segment",
     {.is64 = 1, .entry = 0x300000, SEG_AT(0x100000)},
     .want = "k.elf: entry point 0x300000 is outside every loaded segment"},
    {"entry_just_past_the_segment",
     {.is64 = 0, .entry = 0x100100, SEG_AT(0x100000)},
     .want = "k.elf: entry point 0x100100 is outside every loaded segment"},
    {"absurd_memsz",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 1,
      .segs = {{.paddr = 0x100000, .filesz = 0x10, .memsz = 0xffffffffffff}}},
     .want = "k.elf: segment 0 (0xffffffffffff bytes at 0x100000) is outside guest RAM"},
    {"memsz_wrapping_around",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 1,
      .segs = {{.paddr = 0x100000, .filesz = 0x10, .memsz = 0xfffffffffff00000}}},
     .want = "k.elf: segment 0 (0xfffffffffff00000 bytes at 0x100000) is outside guest RAM"},
    {"absurd_filesz",
     {.is64 = 1,
      .entry = 0x100000,
      .nsegs = 1,
      .segs = {{.paddr = 0x100000,
                .filesz = 0xffffffffffff,
                .memsz = 0xffffffffffff,
                .offset = 0x200}}},
     .want = "k.elf: truncated: segment 0 needs 0xffffffffffff file bytes at offset 0x200, the "
             "file has 0x200"},
};

START_TEST(bad_images_refused_and_nothing_copied)
{
    const struct elf_case *c = &refusals[_i];

    if (c->ram) {
        fake_mem_exit(&test_mem);
        fake_mem_init(&test_mem, c->ram);
    }
    fake_mem_add_rom(&test_mem);
    elf_build(&c->spec, &test_img);
    if (c->len)
        image_cut(&test_img, c->len);
    if (c->ident_at)
        test_img.data[c->ident_at] = (uint8_t)c->ident_value;
    assert_refused(c->name, c->want, 0);
}
END_TEST

/* Offsets near 2^64: refused as truncated, with the numbers as the file gives them. */
START_TEST(offsets_near_2_to_the_64_refused)
{
    struct elf_spec spec = {
        .is64 = 1,
        .entry = 0x100000,
        .nsegs = 1,
        .segs = {
            {.paddr = 0x100000, .filesz = 0x200, .memsz = 0x200, .offset = 0xffffffffffffff00}}};
    const uint64_t phoff = 0xfffffffffffffff0;

    elf_build(&spec, &test_img);
    assert_refused("segment offset",
                   "k.elf: truncated: segment 0 needs 0x200 file bytes at offset "
                   "0xffffffffffffff00, the file has 0x",
                   1);
    memcpy(test_img.data + offsetof(Elf64_Ehdr, e_phoff), &phoff, sizeof(phoff));
    assert_refused("phoff",
                   "k.elf: truncated: 1 program headers need 0x38 bytes at offset "
                   "0xfffffffffffffff0, the file has 0x",
                   1);
}
END_TEST

TCase *elf_tests(void)
{
    TCase *tc = tcase_create("elf");

    tcase_add_checked_fixture(tc, loader_setup, loader_teardown);
    tcase_add_test(tc, elf64_segments_loaded_at_their_physical_addresses);
    tcase_add_test(tc, elf32_segments_loaded_at_their_physical_addresses);
    tcase_add_test(tc, elf_prepare_validates_without_copying);
    tcase_add_test(tc, segments_filling_low_ram_accepted);
    tcase_add_test(tc, elf_magic_recognised);
    tcase_add_test(tc, offsets_near_2_to_the_64_refused);
    tcase_add_loop_test(tc, bad_images_refused_and_nothing_copied, 0,
                        sizeof(refusals) / sizeof(refusals[0]));
    return tc;
}
