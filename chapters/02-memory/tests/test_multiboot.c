/*
 * test_multiboot.c - multiboot__find and multiboot__load on kernels built in memory: the
 * header search, ELF32 and a.out-kludge kernels, modules, the boot information right after
 * the kernel, and every refusal with nothing copied. It needs only a guest_mem, so no KVM.
 */
#include "ch2_tests.h"
#include "error.h"
#include "modes.h"
#include "multiboot.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M16  (16ull << 20)
#define G3_5 (3584ull << 20)

#define PLAIN_LEN 0x3000 /* a kernel that is not ELF: pattern bytes, header at 0x40 */
#define PLAIN_HDR 0x40
#define FLAGS     (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define KLUDGE    (FLAGS | MULTIBOOT_AOUT_KLUDGE)

/* Loads 0x2000 bytes of a plain image from 0x100000, 0x3000 bytes of bss after them. */
static const struct mb_kludge good_kludge = {0x100040, 0x100000, 0x102000, 0x105000, 0x100100};

/* An ELF kernel: 0x1000 file bytes at paddr (the header among them), bss to 0x1800. */
static void build_elf_kernel(struct image *img, int is64, uint64_t paddr, uint32_t flags,
                             const struct mb_kludge *k)
{
    struct elf_spec spec = {.is64 = is64,
                            .entry = paddr + 0x10,
                            .nsegs = 1,
                            .segs = {{.paddr = paddr, .filesz = 0x1000, .memsz = 0x1800}}};

    elf_build(&spec, img);
    mb_put_header(img, ELF_SEG_DATA, flags, 0, k);
}

/* A plain kernel of PLAIN_LEN bytes with the header at PLAIN_HDR. */
static void build_plain_kernel(struct image *img, uint32_t flags, const struct mb_kludge *k)
{
    image_pattern(img, PLAIN_LEN);
    mb_put_header(img, PLAIN_HDR, flags, 0, k);
}

/* Finds the header (it must be there) and loads the kernel. */
static int load(struct guest_mem *mem, const struct image *img, const char *cmdline,
                const struct multiboot_module *mods, int nmods, struct multiboot_boot *boot)
{
    long hdr = multiboot__find("k.mb", img->data, img->len);

    ck_assert_msg(hdr >= 0, "no Multiboot header: %s", error__get());
    return multiboot__load(mem, "k.mb", img->data, img->len, hdr, cmdline, mods, nmods, boot);
}

/* Where the last load_ok put the boot information. */
static uint32_t info_at;

/* Loads img (which must load) and reads the boot information's 32 words into info. The
 * information starts a page, and the GDT's page follows it. */
static void load_ok(struct guest_mem *mem, const struct image *img, const char *cmdline,
                    const struct multiboot_module *mods, int nmods, uint32_t info[32])
{
    struct multiboot_boot boot = {0};

    ck_assert_msg(load(mem, img, cmdline, mods, nmods, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.info % MEM_PAGE_SIZE, 0);
    ck_assert_uint_eq(boot.tables, boot.info + MULTIBOOT_INFO_AREA);
    info_at = boot.info;
    memcpy(info, ram_at(mem, info_at, 128), 128);
}

/* Loads img (the case called name), which must be refused with want, leaving guest RAM
 * as it was. */
static void assert_refused(const char *name, const struct image *img, const char *cmdline,
                           const struct multiboot_module *mods, int nmods, const char *want)
{
    struct multiboot_boot boot;
    uint8_t *snap = mem_snapshot(&test_mem);

    ck_assert_msg(load(&test_mem, img, cmdline, mods, nmods, &boot) == -1, "%s: loaded", name);
    ck_assert_msg(strcmp(error__get(), want) == 0, "%s:\n got: %s\nwant: %s", name, error__get(),
                  want);
    assert_mem_unchanged(&test_mem, snap, name);
}

static void make_modules(struct multiboot_module *mods, int n, size_t len);

/* The NUL-terminated string at gpa, which must lie in the boot information area. */
static const char *string_at(struct guest_mem *mem, uint32_t gpa)
{
    uint32_t end = info_at + MULTIBOOT_INFO_AREA;

    ck_assert_uint_ge(gpa, info_at);
    const char *s = (const char *)ram_at(mem, gpa, 1);
    ck_assert_uint_lt(gpa + strnlen(s, end - gpa), end);
    return s;
}

/* assert_loaded for a kernel that ends on a page boundary, where the boot information
 * follows at once: the file's bytes, then zeroes up to memsz. */
static void assert_loaded_up_to(uint64_t gpa, const uint8_t *file, uint64_t filesz, uint64_t memsz)
{
    const uint8_t *p = ram_at(&test_mem, gpa, memsz);

    ck_assert_mem_eq(p, file, filesz);
    for (uint64_t i = filesz; i < memsz; i++)
        ck_assert_uint_eq(p[i], 0);
}

/* ------------------------------------------------------------------ the header search */

static const struct {
    const char *name;
    size_t len, off;
    uint32_t flags;
    int bad_checksum;
    long want;
    const char *want_error;
} searches[] = {
    {"header_at_offset_0", PLAIN_LEN, 0, FLAGS, 0, 0, NULL},
    {"header_ending_at_8192", PLAIN_LEN, 8180, FLAGS, 0, 8180, NULL},
    {"header_crossing_8192_not_found", PLAIN_LEN, 8184, FLAGS, 0, -2, NULL},
    {"magic_at_8188_not_found", PLAIN_LEN, 8188, FLAGS, 0, -2, NULL},
    {"header_at_8192_not_found", PLAIN_LEN, 8192, FLAGS, 0, -2, NULL},
    {"misaligned_header_not_found", PLAIN_LEN, 0x42, FLAGS, 0, -2, NULL},
    {"header_filling_a_12_byte_file", 12, 0, FLAGS, 0, 0, NULL},
    {"no_flags_needed", PLAIN_LEN, 0x40, 0, 0, 0x40, NULL},
    {"optional_flags_ignored", PLAIN_LEN, 0x40, FLAGS | 0x80000000u, 0, 0x40, NULL},
    {"bad_checksum_refused", PLAIN_LEN, 0x40, FLAGS, 1, -1,
     "k.mb: Multiboot header at 0x40 has a bad checksum"},
    {"video_mode_refused", PLAIN_LEN, 0x40, FLAGS | MULTIBOOT_VIDEO_MODE, 0, -1,
     "k.mb: the kernel requires a video mode; stepvm has no display"},
    {"unknown_required_flag_refused", PLAIN_LEN, 0x40, FLAGS | (1u << 3), 0, -1,
     "k.mb: the kernel requires Multiboot features 0x8 that stepvm lacks"},
    {"highest_required_flag_refused", PLAIN_LEN, 0x40, FLAGS | (1u << 15), 0, -1,
     "k.mb: the kernel requires Multiboot features 0x8000 that stepvm lacks"},
};

START_TEST(header_search)
{
    struct image img;

    image_pattern(&img, searches[_i].len);
    mb_put_header(&img, searches[_i].off, searches[_i].flags, searches[_i].bad_checksum, NULL);
    error__set("none");
    long got = multiboot__find("k.mb", img.data, img.len);
    ck_assert_msg(got == searches[_i].want, "%s: found at %ld", searches[_i].name, got);
    ck_assert_str_eq(error__get(), searches[_i].want_error ? searches[_i].want_error : "none");
    image_free(&img);
}
END_TEST

START_TEST(magic_cut_short_not_found)
{
    struct image img;

    image_pattern(&img, 12);
    mb_put_header(&img, 0, FLAGS, 0, NULL);
    image_cut(&img, 11);
    ck_assert_int_eq(multiboot__find("k.mb", img.data, img.len), -2);
    image_free(&img);
}
END_TEST

/* ------------------------------------------------------------------ loading a kernel */

START_TEST(elf32_kernel_loaded)
{
    struct multiboot_boot boot;

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.entry, 0x100010);
    ck_assert_uint_eq(boot.info, 0x102000);   /* the first page after the bss's end, 0x101800 */
    ck_assert_uint_eq(boot.tables, 0x104000); /* after the 8 KiB of boot information */
    assert_loaded(&test_mem, 0x100000, test_img.data + ELF_SEG_DATA, 0x1000, 0x1800);
}
END_TEST

START_TEST(kludge_addresses_honoured)
{
    struct multiboot_boot boot;

    build_plain_kernel(&test_img, KLUDGE, &good_kludge);
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.entry, 0x100100);
    ck_assert_uint_eq(boot.info, 0x105000); /* the bss ends on a page boundary: at once */
    assert_loaded_up_to(0x100000, test_img.data, 0x2000, 0x5000);
}
END_TEST

/* The header lies 0x1040 bytes into the file, and header_addr says where it goes: the
 * load starts 0x40 bytes before it, and load_end_addr 0 means "to the end of the file". */
START_TEST(kludge_load_starts_where_header_addr_says)
{
    const struct mb_kludge k = {0x200040, 0x200000, 0, 0, 0x200000};
    struct multiboot_boot boot;

    image_pattern(&test_img, PLAIN_LEN);
    mb_put_header(&test_img, 0x1040, KLUDGE, 0, &k);
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.info, 0x202000); /* the load ends on a page boundary */
    assert_loaded_up_to(0x200000, test_img.data + 0x1000, PLAIN_LEN - 0x1000, PLAIN_LEN - 0x1000);
}
END_TEST

/* QEMU loads an ELF64 Multiboot kernel only by its kludge addresses; stepvm does the same. */
START_TEST(elf64_kernel_with_kludge_loaded)
{
    const struct mb_kludge k = {0x100000 + ELF_SEG_DATA, 0x100000, 0, 0, 0x100000 + ELF_SEG_DATA};
    struct multiboot_boot boot;

    build_elf_kernel(&test_img, 1, 0x300000, KLUDGE, &k);
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.entry, 0x100000 + ELF_SEG_DATA);
    assert_loaded(&test_mem, 0x100000, test_img.data, test_img.len, test_img.len);
}
END_TEST

/* QEMU boots a kernel at 0x8000; so does stepvm, with its boot structures above it. */
START_TEST(kernel_at_0x8000_loaded_below_its_boot_information)
{
    struct multiboot_boot boot;

    build_elf_kernel(&test_img, 0, 0x8000, FLAGS, NULL); /* 0x8000-0x97ff */
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.info, 0xa000);
    ck_assert_uint_eq(boot.tables, 0xc000);
    assert_loaded(&test_mem, 0x8000, test_img.data + ELF_SEG_DATA, 0x1000, 0x1800);
}
END_TEST

START_TEST(kludge_kernel_at_0x9000_loaded_below_its_boot_information)
{
    const struct mb_kludge k = {0x9040, 0x9000, 0x9100, 0, 0x9000};
    struct multiboot_boot boot;

    build_plain_kernel(&test_img, KLUDGE, &k);
    ck_assert_msg(load(&test_mem, &test_img, "", NULL, 0, &boot) == 0, "%s", error__get());
    ck_assert_uint_eq(boot.info, 0xa000);
    assert_loaded(&test_mem, 0x9000, test_img.data, 0x100, 0x100);
}
END_TEST

/* The rest of low RAM after the kernel is shorter than the boot structures: they go to the
 * next RAM, at 1 MiB, and the modules after them. */
START_TEST(boot_information_skips_the_hole)
{
    const struct mb_kludge k = {0x9e040, 0x9e000, 0x9f000, 0, 0x9e000};
    struct multiboot_module mods[1];
    uint32_t info[32], list[4];

    build_plain_kernel(&test_img, KLUDGE, &k);
    make_modules(mods, 1, 100);
    load_ok(&test_mem, &test_img, "", mods, 1, info);
    ck_assert_uint_eq(info_at, 0x100000);
    memcpy(list, ram_at(&test_mem, info[6], sizeof(list)), sizeof(list));
    ck_assert_uint_eq(list[0], 0x103000);
}
END_TEST

/* ------------------------------------------------------------------ kernels refused */
enum kernel_kind { PLAIN, ELF32, ELF64 };

#define NOT_ELF32                                                                                  \
    "k.mb: a Multiboot kernel without the a.out kludge must be ELF32 (QEMU refuses others too)"

static const struct {
    const char *name;
    enum kernel_kind kind;
    uint32_t flags;
    struct mb_kludge k;
    uint64_t elf_paddr;
    size_t hdr; /* plain kernels: 0, or where a 12-byte header ends the file */
    const char *want;
} bad_kernels[] = {
    {"plain_kernel_without_kludge", PLAIN, FLAGS, .want = NOT_ELF32},
    {"elf64_kernel_without_kludge", ELF64, FLAGS, .elf_paddr = 0x100000, .want = NOT_ELF32},
    {"elf32_kernel_in_the_hole", ELF32, FLAGS, .elf_paddr = 0xa0000,
     .want = "k.mb: segment 0 (0x1800 bytes at 0xa0000) is outside guest RAM"},
    {"header_addr_below_load_addr",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100100, 0x102000, 0, 0x100100},
     .want = "k.mb: Multiboot load address 0x100100 does not fit the header address 0x100040"},
    {"load_starting_before_the_file",
     PLAIN,
     KLUDGE,
     {0x101000, 0x100000, 0x102000, 0, 0x100100},
     .want = "k.mb: Multiboot load address 0x100000 does not fit the header address 0x101000"},
    {"load_end_below_load_addr",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100000, 0x100, 0, 0x100100},
     .want = "k.mb: Multiboot load_end_addr 0x100 is below load_addr 0x100000"},
    {"bss_end_below_load_end",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100000, 0x102000, 0x101000, 0x100100},
     .want = "k.mb: Multiboot bss_end_addr 0x101000 is below the end of the load"},
    {"entry_past_the_bss",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100000, 0x102000, 0x105000, 0x105000},
     .want = "k.mb: Multiboot entry 0x105000 is outside the loaded image"},
    {"entry_below_the_load",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100000, 0x102000, 0, 0xfffff},
     .want = "k.mb: Multiboot entry 0xfffff is outside the loaded image"},
    {"load_past_the_end_of_the_file",
     PLAIN,
     KLUDGE,
     {0x100040, 0x100000, 0x104000, 0, 0x100100},
     .want =
         "k.mb: truncated: segment 0 needs 0x4000 file bytes at offset 0x0, the file has 0x3000"},
    {"kludge_load_in_the_hole",
     PLAIN,
     KLUDGE,
     {0xa0040, 0xa0000, 0xa2000, 0, 0xa0100},
     .want = "k.mb: segment 0 (0x2000 bytes at 0xa0000) is outside guest RAM"},
    {"kludge_load_leaving_no_room_for_the_boot_information",
     PLAIN,
     KLUDGE,
     {0xffd040, 0xffd000, 0xfff000, 0, 0xffd000},
     .want = "k.mb: guest RAM is too small for the VMM's boot structures: they need 0x3000 "
             "bytes at 0xfff000, right after the image"},
    {"elf32_kernel_leaving_no_room_for_the_boot_information", ELF32, FLAGS,
     .elf_paddr = M16 - 0x3000,
     .want = "k.mb: guest RAM is too small for the VMM's boot structures: they need 0x3000 "
             "bytes at 0xfff000, right after the image"},
    {"kludge_load_past_the_end_of_ram",
     PLAIN,
     KLUDGE,
     {0xfff040, 0xfff000, 0x1001000, 0, 0xfff100},
     .want = "k.mb: segment 0 (0x2000 bytes at 0xfff000) is outside guest RAM"},
    {"kludge_header_cut_short_by_the_end_of_the_file", PLAIN, KLUDGE, .hdr = 0x1ff4,
     .want = "k.mb: truncated Multiboot header at 0x1ff4"},
};

START_TEST(bad_kernels_refused_and_nothing_copied)
{
    if (bad_kernels[_i].kind == PLAIN) {
        image_pattern(&test_img, PLAIN_LEN);
        mb_put_header(&test_img, bad_kernels[_i].hdr ? bad_kernels[_i].hdr : PLAIN_HDR,
                      bad_kernels[_i].flags, 0, bad_kernels[_i].hdr ? NULL : &bad_kernels[_i].k);
        if (bad_kernels[_i].hdr)
            image_cut(&test_img, bad_kernels[_i].hdr + 12);
    } else {
        build_elf_kernel(&test_img, bad_kernels[_i].kind == ELF64, bad_kernels[_i].elf_paddr,
                         bad_kernels[_i].flags, NULL);
    }
    assert_refused(bad_kernels[_i].name, &test_img, "", NULL, 0, bad_kernels[_i].want);
}
END_TEST

/* ------------------------------------------------------------------ the boot information */

START_TEST(boot_information_describes_memory)
{
    uint32_t info[32];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    load_ok(&test_mem, &test_img, "", NULL, 0, info);
    ck_assert_uint_eq(info[0], 0x24d);
    ck_assert_uint_eq(info[1], 640);                     /* mem_lower, KiB */
    ck_assert_uint_eq(info[2], (M16 - 0x100000) / 1024); /* mem_upper, KiB */
    ck_assert_str_eq(string_at(&test_mem, info[16]), "stepvm");
}
END_TEST

START_TEST(cmdline_passed)
{
    uint32_t info[32];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    load_ok(&test_mem, &test_img, "console=ttyS0 quiet", NULL, 0, info);
    ck_assert_uint_ne(info[0] & MULTIBOOT_INFO_CMDLINE, 0);
    ck_assert_str_eq(string_at(&test_mem, info[4]), "console=ttyS0 quiet");
}
END_TEST

START_TEST(empty_cmdline_passed_as_empty_string)
{
    uint32_t info[32];

    build_plain_kernel(&test_img, KLUDGE, &good_kludge);
    load_ok(&test_mem, &test_img, "", NULL, 0, info);
    ck_assert_uint_ne(info[0] & MULTIBOOT_INFO_CMDLINE, 0);
    ck_assert_str_eq(string_at(&test_mem, info[4]), "");
    ck_assert_uint_eq(info[5], 0); /* mods_count */
}
END_TEST

/* One entry of the memory map as the boot information lays it out. */
struct mmap_want {
    uint64_t addr, len;
    uint32_t type;
};

/* Loads a kernel into test_mem and asserts the memory map is exactly want[0..n). */
static void assert_memory_map(const struct mmap_want *want, int n)
{
    uint32_t info[32];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    load_ok(&test_mem, &test_img, "", NULL, 0, info);
    ck_assert_uint_eq(info[11], 24 * (uint32_t)n); /* mmap_length */
    const uint8_t *e = ram_at(&test_mem, info[12], info[11]);
    for (int i = 0; i < n; i++, e += 24) {
        uint32_t size, type;
        uint64_t addr, len;
        memcpy(&size, e, 4);
        memcpy(&addr, e + 4, 8);
        memcpy(&len, e + 12, 8);
        memcpy(&type, e + 20, 4);
        ck_assert_uint_eq(size, 20);
        ck_assert_msg(addr == want[i].addr && len == want[i].len && type == want[i].type,
                      "entry %d: 0x%llx+0x%llx type %u", i, (unsigned long long)addr,
                      (unsigned long long)len, type);
    }
}

START_TEST(memory_map_lists_ram_and_rom_in_address_order)
{
    const struct mmap_want want[] = {
        {0, 0xa0000, 1}, {FAKE_ROM_ADDR, FAKE_ROM_SIZE, 2}, {0x100000, M16 - 0x100000, 1}};

    fake_mem_add_rom(&test_mem); /* the last region, as machine__init adds it */
    assert_memory_map(want, 3);
}
END_TEST

START_TEST(memory_map_includes_ram_above_4g)
{
    const struct mmap_want want[] = {{0, 0xa0000, 1},
                                     {0x100000, MEM_GAP_START - 0x100000, 1},
                                     {MEM_HIGH_START, G3_5 - MEM_GAP_START, 1}};
    uint32_t mem_upper;

    fake_mem_exit(&test_mem);
    fake_mem_init(&test_mem, G3_5);
    assert_memory_map(want, 3);
    memcpy(&mem_upper, ram_at(&test_mem, info_at + 8, 4), 4);
    ck_assert_uint_eq(mem_upper, (MEM_GAP_START - 0x100000) / 1024);
}
END_TEST

/* ------------------------------------------------------------------ modules */

/* Fills mods[0..n) with modules of len bytes each, their data in test_data. */
static void make_modules(struct multiboot_module *mods, int n, size_t len)
{
    static char names[17][16];

    image_pattern(&test_data, len);
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof(names[i]), "mod%d arg", i);
        mods[i] = (struct multiboot_module){test_data.data, len, names[i]};
    }
}

START_TEST(modules_placed_page_aligned_above_the_kernel)
{
    struct multiboot_module mods[2];
    uint32_t info[32], list[8];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL); /* ends at 0x101800 */
    make_modules(mods, 2, 0x1234);
    mods[1].len = 10;
    load_ok(&test_mem, &test_img, "", mods, 2, info);
    ck_assert_uint_eq(info[5], 2);
    memcpy(list, ram_at(&test_mem, info[6], sizeof(list)), sizeof(list));
    /* The kernel ends at 0x101800; the boot information and the GDT take 0x102000-0x104fff. */
    const uint32_t want[8] = {0x105000, 0x106234, 0, 0, 0x107000, 0x10700a, 0, 0};
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(list[4 * i], want[4 * i]);
        ck_assert_uint_eq(list[4 * i + 1], want[4 * i + 1]);
        ck_assert_str_eq(string_at(&test_mem, list[4 * i + 2]), mods[i].string);
        ck_assert_uint_eq(list[4 * i + 3], 0);
        ck_assert_mem_eq(ram_at(&test_mem, list[4 * i], mods[i].len), test_data.data, mods[i].len);
    }
    ck_assert_uint_eq(*ram_at(&test_mem, 0x10700a, 1), RAM_FILL);
}
END_TEST

START_TEST(modules_of_a_low_kernel_go_above_1m)
{
    const struct mb_kludge k = {0x10040, 0x10000, 0x12000, 0, 0x10000};
    struct multiboot_module mods[1];
    uint32_t info[32], list[4];

    build_plain_kernel(&test_img, KLUDGE, &k);
    make_modules(mods, 1, 100);
    load_ok(&test_mem, &test_img, "", mods, 1, info);
    memcpy(list, ram_at(&test_mem, info[6], sizeof(list)), sizeof(list));
    ck_assert_uint_eq(list[0], 0x100000);
    ck_assert_uint_eq(list[1], 0x100064);
}
END_TEST

START_TEST(sixteen_modules_accepted)
{
    struct multiboot_module mods[16];
    uint32_t info[32];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    make_modules(mods, 16, 0x100);
    load_ok(&test_mem, &test_img, "", mods, 16, info);
    ck_assert_uint_eq(info[5], 16);
}
END_TEST

/* A refusal that comes from the modules or the command line, not the kernel. */
static void assert_extra_refused(const char *cmdline, int nmods, size_t mod_len, const char *want)
{
    struct multiboot_module mods[17];

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    make_modules(mods, nmods, mod_len);
    assert_refused(want, &test_img, cmdline, mods, nmods, want);
}

START_TEST(seventeen_modules_refused)
{
    assert_extra_refused("", 17, 0x100, "17 modules: at most 16");
}
END_TEST

START_TEST(module_too_big_for_ram_refused)
{
    assert_extra_refused("", 1, M16,
                         "module 'mod0 arg' (16777216 bytes) does not fit in RAM "
                         "at 0x105000");
}
END_TEST

/* Returns a command line of len 'x's (malloc'd). */
static char *long_cmdline(size_t len)
{
    char *cmdline = malloc(len + 1);

    ck_assert_ptr_nonnull(cmdline);
    memset(cmdline, 'x', len);
    cmdline[len] = '\0';
    return cmdline;
}

START_TEST(cmdline_longer_than_the_boot_information_refused)
{
    char *cmdline = long_cmdline(9000);

    assert_extra_refused(cmdline, 0, 1,
                         "the command line and module strings do not fit in the "
                         "8 KiB of boot information");
    free(cmdline);
}
END_TEST

/* The area is the 8 KiB at the information's address, the 128-byte structure first: 0x1f80
 * bytes are left for the rest. Without modules and a ROM, 8007
 * bytes of command line (and its NUL, aligned to 8) leave exactly room for two memory
 * map entries and "stepvm"; one more byte and the loader's name no longer fits. */
START_TEST(longest_cmdline_that_fits_accepted)
{
    uint32_t info[32];
    char *cmdline = long_cmdline(8007);

    build_elf_kernel(&test_img, 0, 0x100000, FLAGS, NULL);
    load_ok(&test_mem, &test_img, cmdline, NULL, 0, info);
    ck_assert_str_eq(string_at(&test_mem, info[4]), cmdline);
    ck_assert_str_eq(string_at(&test_mem, info[16]), "stepvm");
    free(cmdline);
}
END_TEST

START_TEST(cmdline_leaving_no_room_for_the_loader_name_refused)
{
    char *cmdline = long_cmdline(8008);

    assert_extra_refused(cmdline, 0, 1,
                         "the command line and module strings do not fit in the "
                         "8 KiB of boot information");
    free(cmdline);
}
END_TEST

TCase *multiboot_tests(void)
{
    TCase *tc = tcase_create("multiboot");

    tcase_add_checked_fixture(tc, loader_setup, loader_teardown);
    tcase_add_loop_test(tc, header_search, 0, sizeof(searches) / sizeof(searches[0]));
    tcase_add_test(tc, magic_cut_short_not_found);
    tcase_add_test(tc, elf32_kernel_loaded);
    tcase_add_test(tc, kludge_addresses_honoured);
    tcase_add_test(tc, kludge_load_starts_where_header_addr_says);
    tcase_add_test(tc, elf64_kernel_with_kludge_loaded);
    tcase_add_test(tc, kernel_at_0x8000_loaded_below_its_boot_information);
    tcase_add_test(tc, kludge_kernel_at_0x9000_loaded_below_its_boot_information);
    tcase_add_test(tc, boot_information_skips_the_hole);
    tcase_add_loop_test(tc, bad_kernels_refused_and_nothing_copied, 0,
                        sizeof(bad_kernels) / sizeof(bad_kernels[0]));
    tcase_add_test(tc, boot_information_describes_memory);
    tcase_add_test(tc, cmdline_passed);
    tcase_add_test(tc, empty_cmdline_passed_as_empty_string);
    tcase_add_test(tc, memory_map_lists_ram_and_rom_in_address_order);
    tcase_add_test(tc, memory_map_includes_ram_above_4g);
    tcase_add_test(tc, modules_placed_page_aligned_above_the_kernel);
    tcase_add_test(tc, modules_of_a_low_kernel_go_above_1m);
    tcase_add_test(tc, sixteen_modules_accepted);
    tcase_add_test(tc, seventeen_modules_refused);
    tcase_add_test(tc, module_too_big_for_ram_refused);
    tcase_add_test(tc, cmdline_longer_than_the_boot_information_refused);
    tcase_add_test(tc, longest_cmdline_that_fits_accepted);
    tcase_add_test(tc, cmdline_leaving_no_room_for_the_loader_name_refused);
    return tc;
}
