/*
 * test_mem.c - guest_mem__translate and guest_mem__is_rom over the PC layout of mem.h
 * (built by fake_mem.c, no KVM): what is RAM, what is a hole, and ranges that straddle.
 */
#include "ch2_tests.h"
#include "error.h"

#include <linux/kvm.h>
#include <stdio.h>

#define M16  (16ull << 20)
#define G3_5 (3584ull << 20)

/* A range of guest-physical addresses and where its host bytes are (NO_HOST: refused). */
#define NO_HOST UINT64_MAX
static const struct {
    const char *name;
    uint64_t ram, gpa, len, host_offset;
} ranges[] = {
    {"inside_low_ram", M16, 0x500, 16, 0x500},
    {"all_of_low_ram", M16, 0, MEM_HOLE_START, 0},
    {"inside_ram_above_1m", M16, 0x123456, 0x1000, 0x123456},
    {"up_to_the_end_of_ram", M16, M16 - 16, 16, M16 - 16},
    {"ram_just_below_3g", G3_5, MEM_GAP_START - 8, 8, MEM_GAP_START - 8},
    {"ram_above_4g_at_host_offset_3g", G3_5, MEM_HIGH_START + 0x1000, 8, MEM_GAP_START + 0x1000},
    {"last_byte_above_4g", G3_5, MEM_HIGH_START + (512ull << 20) - 1, 1, G3_5 - 1},
    {"empty_range_inside_ram", M16, 0x1000, 0, 0x1000},
    {"straddling_the_start_of_the_hole", M16, MEM_HOLE_START - 0x10, 0x20, NO_HOST},
    {"straddling_the_end_of_the_hole", M16, MEM_HOLE_END - 1, 2, NO_HOST},
    {"first_byte_of_the_hole", M16, MEM_HOLE_START, 1, NO_HOST},
    {"last_byte_of_the_hole", M16, MEM_HOLE_END - 1, 1, NO_HOST},
    {"straddling_the_end_of_ram", M16, M16 - 8, 16, NO_HOST},
    {"past_the_end_of_ram", M16, M16, 1, NO_HOST},
    {"empty_range_at_the_end_of_ram", M16, M16, 0, NO_HOST},
    {"first_byte_of_the_pci_gap", G3_5, MEM_GAP_START, 1, NO_HOST},
    {"last_byte_of_the_pci_gap", G3_5, MEM_HIGH_START - 1, 1, NO_HOST},
    {"straddling_into_the_pci_gap", G3_5, MEM_GAP_START - 8, 16, NO_HOST},
    {"straddling_out_of_the_pci_gap", G3_5, MEM_HIGH_START - 8, 16, NO_HOST},
    {"past_the_end_of_ram_above_4g", G3_5, MEM_HIGH_START + (512ull << 20), 1, NO_HOST},
    {"length_that_wraps_around", M16, 0x1000, UINT64_MAX, NO_HOST},
    {"address_that_wraps_around", G3_5, UINT64_MAX, 2, NO_HOST},
    {"huge_length_above_4g", G3_5, MEM_HIGH_START, UINT64_MAX - MEM_HIGH_START + 2, NO_HOST},
};

START_TEST(translate_ranges)
{
    struct guest_mem mem;

    fake_mem_init(&mem, ranges[_i].ram);
    error__set("none");
    uint8_t *p = guest_mem__translate(&mem, ranges[_i].gpa, ranges[_i].len);
    if (ranges[_i].host_offset == NO_HOST) {
        char want[128];
        snprintf(want, sizeof(want), "guest range 0x%llx+0x%llx is not inside guest memory",
                 (unsigned long long)ranges[_i].gpa, (unsigned long long)ranges[_i].len);
        ck_assert_msg(p == NULL, "%s: translated", ranges[_i].name);
        ck_assert_str_eq(error__get(), want);
    } else {
        ck_assert_msg(p == mem.ram + ranges[_i].host_offset, "%s: host offset 0x%llx",
                      ranges[_i].name, p ? (unsigned long long)(p - mem.ram) : 0ull);
    }
    fake_mem_exit(&mem);
}
END_TEST

START_TEST(refusal_message_is_exact)
{
    struct guest_mem mem;

    fake_mem_init(&mem, M16);
    ck_assert_ptr_null(guest_mem__translate(&mem, 0xa0000, 0x10));
    ck_assert_str_eq(error__get(), "guest range 0xa0000+0x10 is not inside guest memory");
    ck_assert_ptr_null(guest_mem__translate(&mem, 0x1000, UINT64_MAX));
    ck_assert_str_eq(error__get(),
                     "guest range 0x1000+0xffffffffffffffff is not inside guest memory");
    fake_mem_exit(&mem);
}
END_TEST

START_TEST(rom_region_is_rom_and_ram_is_not)
{
    struct guest_mem mem;

    fake_mem_init(&mem, M16);
    fake_mem_add_rom(&mem);
    ck_assert_int_eq(guest_mem__is_rom(&mem, FAKE_ROM_ADDR), 1);
    ck_assert_int_eq(guest_mem__is_rom(&mem, FAKE_ROM_ADDR + FAKE_ROM_SIZE - 1), 1);
    ck_assert_int_eq(guest_mem__is_rom(&mem, FAKE_ROM_ADDR - 1), 0);
    ck_assert_int_eq(guest_mem__is_rom(&mem, FAKE_ROM_ADDR + FAKE_ROM_SIZE), 0);
    ck_assert_int_eq(guest_mem__is_rom(&mem, 0x1000), 0);
    ck_assert_int_eq(guest_mem__is_rom(&mem, UINT64_MAX), 0);
    /* A ROM is still memory the VMM can read through translate. */
    ck_assert_ptr_eq(guest_mem__translate(&mem, FAKE_ROM_ADDR + 4, 4), mem.regions[2].host + 4);
    fake_mem_exit(&mem);
}
END_TEST

START_TEST(ram_flagged_for_dirty_logging_is_not_rom)
{
    struct guest_mem mem;

    fake_mem_init(&mem, M16);
    mem.regions[1].flags = KVM_MEM_LOG_DIRTY_PAGES;
    ck_assert_int_eq(guest_mem__is_rom(&mem, MEM_HOLE_END), 0);
    fake_mem_exit(&mem);
}
END_TEST

TCase *mem_tests(void)
{
    TCase *tc = tcase_create("mem");

    tcase_add_loop_test(tc, translate_ranges, 0, sizeof(ranges) / sizeof(ranges[0]));
    tcase_add_test(tc, refusal_message_is_exact);
    tcase_add_test(tc, rom_region_is_rom_and_ram_is_not);
    tcase_add_test(tc, ram_flagged_for_dirty_logging_is_not_rom);
    return tc;
}
