/*
 * test_boot_area.c - where the VMM's boot structures go: load__boot_area's rule (the first
 * page after the image, past the hole if need be, refused when RAM cannot hold them), and
 * machine__load putting each mode's GDT and page tables there, on a machine without KVM.
 */
#include "ch2_tests.h"
#include "error.h"
#include "load.h"
#include "machine.h"
#include "modes.h"

#include <string.h>

#define M2  (2ull << 20)
#define M16 (16ull << 20)

/* ------------------------------------------------------------------ the rule */

static const struct {
    const char *name;
    uint64_t end, size, want;
    const char *want_error;
} areas[] = {
    {"right_after_a_kernel_at_0x8000", 0x8100, 0x3000, 0x9000, NULL},
    {"at_an_end_on_a_page_boundary", 0x9000, 0x7000, 0x9000, NULL},
    {"at_0_for_an_empty_image", 0, 0x1000, 0, NULL},
    {"ending_exactly_at_the_hole", 0x99000, 0x7000, 0x99000, NULL},
    {"past_the_hole_when_low_ram_is_too_short", 0x99001, 0x7000, 0x100000, NULL},
    {"past_the_hole_for_an_image_ending_at_it", 0xa0000, 0x1000, 0x100000, NULL},
    {"ending_exactly_at_the_end_of_ram", M16 - 0x7000, 0x7000, M16 - 0x7000, NULL},
    {"past_the_end_of_ram", M16 - 0x6fff, 0x7000, 0,
     "k: guest RAM is too small for the VMM's boot structures: they need 0x7000 bytes at "
     "0xffa000, right after the image"},
    {"above_4g", 0x100000000ull, 0x1000, 0,
     "k: the image ends at 0x100000000, but the VMM's boot structures after it (0x1000 bytes) "
     "must lie below 4 GiB"},
    {"wrapping_around", ~0ull - 10, 0x1000, 0,
     "k: the image ends at 0xfffffffffffffff5, but the VMM's boot structures after it (0x1000 "
     "bytes) must lie below 4 GiB"},
};

START_TEST(boot_area_follows_the_image)
{
    uint64_t at = 0x1234;

    error__set("none");
    int ret = load__boot_area(&test_mem, "k", areas[_i].end, areas[_i].size, &at);
    if (areas[_i].want_error) {
        ck_assert_msg(ret == -1, "%s: placed at 0x%llx", areas[_i].name, (unsigned long long)at);
        ck_assert_str_eq(error__get(), areas[_i].want_error);
    } else {
        ck_assert_msg(ret == 0, "%s: %s", areas[_i].name, error__get());
        ck_assert_msg(at == areas[_i].want, "%s: at 0x%llx", areas[_i].name,
                      (unsigned long long)at);
    }
}
END_TEST

/* ------------------------------------------------------------------ each loader */

static struct machine m;

/* A machine without KVM, with ram bytes of RAM, as chapter 6's interpreter uses it. */
static void machine_up(uint64_t ram)
{
    struct machine_config cfg = {.ram_size = ram};

    ck_assert_msg(machine__init(&m, &cfg) == 0, "%s", error__get());
}

/* Loads img as flat (in mode, at addr) or by what it is; returns machine__load's result. */
static int load_image(const struct image *img, enum cpu_mode mode, uint64_t addr)
{
    struct machine_image mi = {.name = "k",
                               .data = img->data,
                               .len = img->len,
                               .cmdline = "",
                               .flat_mode = mode,
                               .flat_addr = addr};

    return machine__load(&m, &mi);
}

/* Asserts the GDT register and (long mode) CR3 point into the page at tables. */
static void assert_tables_at(uint64_t tables, int long_mode)
{
    ck_assert_uint_eq(m.sregs.gdt.base, tables);
    ck_assert_uint_eq(m.sregs.cr3, long_mode ? tables + MODES_PML4_OFFSET : 0);
    const uint64_t *gdt = (const uint64_t *)ram_at(&m.mem, tables, 32);
    ck_assert_uint_eq(gdt[GDT_SEL_CODE64 / 8], 0x00af9b000000ffffull);
}

START_TEST(elf64_at_0x8000_gets_its_tables_after_it)
{
    struct elf_spec spec = {.is64 = 1,
                            .entry = 0x8000,
                            .nsegs = 1,
                            .segs = {{.paddr = 0x8000, .filesz = 0x100, .memsz = 0x100}}};

    machine_up(M16);
    elf_build(&spec, &test_img);
    ck_assert_msg(load_image(&test_img, MODE_REAL, 0) == 0, "%s", error__get());
    assert_tables_at(0x9000, 1);
    ck_assert_mem_eq(ram_at(&m.mem, 0x8000, 0x100), test_img.data + ELF_SEG_DATA, 0x100);
    const uint64_t *pml4 = (const uint64_t *)ram_at(&m.mem, 0x9000 + MODES_PML4_OFFSET, 8);
    ck_assert_uint_eq(pml4[0] & ~0xfffull, 0x9000 + MODES_PDPT_OFFSET);
}
END_TEST

START_TEST(flat_protected_at_0x1000_gets_its_gdt_after_it)
{
    machine_up(M16);
    image_pattern(&test_img, 0x1800);
    ck_assert_msg(load_image(&test_img, MODE_PROTECTED, 0x1000) == 0, "%s", error__get());
    assert_tables_at(0x3000, 0);
    ck_assert_mem_eq(ram_at(&m.mem, 0x1000, 0x1800), test_img.data, 0x1800);
}
END_TEST

START_TEST(multiboot_at_0x8000_gets_its_info_and_gdt_after_it)
{
    const struct mb_kludge k = {0x8040, 0x8000, 0, 0, 0x8040};

    machine_up(M16);
    image_pattern(&test_img, 0x300);
    mb_put_header(&test_img, 0x40, MULTIBOOT_AOUT_KLUDGE, 0, &k);
    ck_assert_msg(load_image(&test_img, MODE_REAL, 0) == 0, "%s", error__get());
    ck_assert_uint_eq(m.regs.rbx, 0x9000);
    assert_tables_at(0x9000 + MULTIBOOT_INFO_AREA, 0);
    ck_assert_mem_eq(ram_at(&m.mem, 0x8000, 0x300), test_img.data, 0x300);
}
END_TEST

START_TEST(too_little_ram_after_the_image_refused_and_nothing_copied)
{
    machine_up(M2);
    image_pattern(&test_img, 0x100);
    uint8_t *snap = mem_snapshot(&m.mem);
    ck_assert_int_eq(load_image(&test_img, MODE_LONG, M2 - 0x2000), -1);
    ck_assert_str_eq(error__get(), "k: guest RAM is too small for the VMM's boot structures: "
                                   "they need 0x7000 bytes at 0x1ff000, right after the image");
    assert_mem_unchanged(&m.mem, snap, "too little RAM");
}
END_TEST

/* A real-mode guest gets no structures, so it may fill low RAM up to the hole. */
START_TEST(real_mode_flat_needs_no_room)
{
    machine_up(M2);
    image_pattern(&test_img, 0x100);
    ck_assert_msg(load_image(&test_img, MODE_REAL, 0x9ff00) == 0, "%s", error__get());
}
END_TEST

static void machine_teardown(void)
{
    if (m.mem.ram) /* only the tests that made one */
        machine__exit(&m);
    memset(&m, 0, sizeof(m));
}

TCase *boot_area_tests(void)
{
    TCase *tc = tcase_create("boot_area");

    tcase_add_checked_fixture(tc, loader_setup, loader_teardown);
    tcase_add_loop_test(tc, boot_area_follows_the_image, 0, sizeof(areas) / sizeof(areas[0]));
    tcase_add_checked_fixture(tc, NULL, machine_teardown);
    tcase_add_test(tc, elf64_at_0x8000_gets_its_tables_after_it);
    tcase_add_test(tc, flat_protected_at_0x1000_gets_its_gdt_after_it);
    tcase_add_test(tc, multiboot_at_0x8000_gets_its_info_and_gdt_after_it);
    tcase_add_test(tc, too_little_ram_after_the_image_refused_and_nothing_copied);
    tcase_add_test(tc, real_mode_flat_needs_no_room);
    return tc;
}
