/*
 * bus.c - chapter 3's bus without KVM: registration, binary-search dispatch, every access
 * size, straddling and unclaimed accesses, strict mode.
 */
#include "bus.h"
#include "ch3_tests.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

/* A test device that remembers its last access and reads as a pattern of its base. */
struct probe {
    uint64_t id, offset, value;
    uint32_t size;
    int writes, reads;
};

static uint64_t probe_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct probe *p = dev;

    (void)v;
    p->reads++;
    p->offset = offset;
    p->size = size;
    return 0x1122334455667788ull ^ p->id;
}

static int probe_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct probe *p = dev;

    (void)v;
    p->writes++;
    p->offset = offset;
    p->value = value;
    p->size = size;
    return 0;
}

/* A bus with devices at 0x10+4, 0x20+2, 0x100+0x100 and 0x1000+8; diag to a string. */
struct fixture {
    struct bus bus;
    struct probe p[4];
    char *diag;
    size_t diag_len;
    FILE *diag_f;
};

static void fixture_init(struct fixture *f, int strict)
{
    static const uint64_t base[] = {0x1000, 0x10, 0x100, 0x20}, len[] = {8, 4, 0x100, 2};

    memset(f, 0, sizeof(*f));
    f->diag_f = open_memstream(&f->diag, &f->diag_len);
    bus__init(&f->bus, "port", f->diag_f, strict);
    for (int i = 0; i < 4; i++) {
        f->p[i].id = base[i];
        ck_assert_int_eq(
            bus__register(&f->bus, base[i], len[i], "probe", probe_read, probe_write, &f->p[i]), 0);
    }
}

static void fixture_done(struct fixture *f)
{
    fclose(f->diag_f);
    free(f->diag);
}

START_TEST(ranges_are_kept_sorted_and_found)
{
    struct fixture f;

    fixture_init(&f, 0);
    for (int i = 1; i < f.bus.nranges; i++)
        ck_assert_uint_lt(f.bus.ranges[i - 1].base, f.bus.ranges[i].base);
    ck_assert_ptr_eq(bus__find(&f.bus, 0x10)->dev, &f.p[1]);
    ck_assert_ptr_eq(bus__find(&f.bus, 0x13)->dev, &f.p[1]);
    ck_assert_ptr_null(bus__find(&f.bus, 0x14));
    ck_assert_ptr_eq(bus__find(&f.bus, 0x1ff)->dev, &f.p[2]);
    ck_assert_ptr_eq(bus__find(&f.bus, 0x1007)->dev, &f.p[0]);
    ck_assert_ptr_null(bus__find(&f.bus, 0x1008));
    ck_assert_ptr_null(bus__find(&f.bus, 0));
    fixture_done(&f);
}
END_TEST

START_TEST(overlaps_and_bad_ranges_refused)
{
    struct fixture f;

    fixture_init(&f, 0);
    ck_assert_int_eq(bus__register(&f.bus, 0x12, 4, "late", NULL, NULL, NULL), -1);
    ck_assert_str_eq(error__get(), "port bus: late at 0x12+0x4 overlaps probe");
    ck_assert_int_eq(bus__register(&f.bus, 0xf, 2, "early", NULL, NULL, NULL), -1);
    ck_assert_int_eq(bus__register(&f.bus, 0x50, 0, "empty", NULL, NULL, NULL), -1);
    ck_assert_str_eq(error__get(), "port bus: empty at 0x50: empty or wrapping range");
    ck_assert_int_eq(bus__register(&f.bus, ~0ull, 2, "wrap", NULL, NULL, NULL), -1);
    ck_assert_int_eq(bus__register(&f.bus, 0x14, 0xc, "between", NULL, NULL, NULL), 0);
    ck_assert_int_eq(f.bus.nranges, 5);
    fixture_done(&f);
}
END_TEST

/* [bus-sizes-test] */
START_TEST(every_size_reaches_the_device_with_its_data)
{
    static const uint32_t sizes[] = {1, 2, 4, 8};
    struct fixture f;

    fixture_init(&f, 0);
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0xa1b2c3d4e5f60718ull;
        ck_assert_int_eq(bus__access(&f.bus, NULL, 0x1000, sizes[i], 1, &v), 0);
        ck_assert_uint_eq(f.p[0].size, sizes[i]);
        ck_assert_uint_eq(f.p[0].value, 0xa1b2c3d4e5f60718ull);
        ck_assert_int_eq(bus__access(&f.bus, NULL, 0x1000, sizes[i], 0, &v), 0);
        uint64_t mask = sizes[i] == 8 ? ~0ull : (1ull << (8 * sizes[i])) - 1;
        ck_assert_uint_eq(v, (0x1122334455667788ull ^ 0x1000) & mask);
    }
    ck_assert_int_eq(f.p[0].writes, 4);
    ck_assert_int_eq(f.p[0].reads, 4);
    /* The offset within the device, not the bus address. */
    uint64_t v = 7;
    ck_assert_int_eq(bus__access(&f.bus, NULL, 0x13, 1, 1, &v), 0);
    ck_assert_uint_eq(f.p[1].offset, 3);
    ck_assert_str_eq(f.diag ? f.diag : "", "");
    fixture_done(&f);
}
END_TEST
/* [bus-sizes-test] */

START_TEST(unclaimed_reads_all_ones_and_is_reported_once)
{
    struct fixture f;
    uint64_t v;

    fixture_init(&f, 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(bus__access(&f.bus, NULL, 0x300, 2, 0, &v), 0);
        ck_assert_uint_eq(v, 0xffff);
    }
    v = 5;
    ck_assert_int_eq(bus__access(&f.bus, NULL, 0x301, 1, 1, &v), 0);
    /* Straddling a device's end is not the device's: 4 bytes at 0x22 of a 2-byte range. */
    ck_assert_int_eq(bus__access(&f.bus, NULL, 0x20, 4, 0, &v), 0);
    ck_assert_uint_eq(v, 0xffffffff);
    ck_assert_int_eq(f.p[3].reads, 0);
    fflush(f.diag_f);
    ck_assert_lines_eq(f.diag, "warning: guest read 2 bytes at port 0x300: no device there "
                               "(reads as all ones)\n"
                               "warning: guest wrote 1 byte at port 0x301: no device there "
                               "(write ignored)\n"
                               "warning: guest read 4 bytes at port 0x20: no device there "
                               "(reads as all ones)\n");
    fixture_done(&f);
}
END_TEST

START_TEST(strict_mode_stops_at_unclaimed)
{
    struct fixture f;
    uint64_t v = 0;

    fixture_init(&f, 1);
    ck_assert_int_eq(bus__access(&f.bus, NULL, 0x300, 1, 0, &v), -1);
    ck_assert_str_eq(error__get(),
                     "guest read 1 byte at port 0x300, where no device is (--strict)");
    ck_assert_int_eq(bus__access(&f.bus, NULL, 0x10, 4, 1, &v), 0);
    fixture_done(&f);
}
END_TEST

START_TEST(dispatch_finds_each_of_64_devices)
{
    struct bus bus;
    static struct probe p[BUS_MAX_RANGES];

    bus__init(&bus, "mmio", stderr, 0);
    for (int i = BUS_MAX_RANGES - 1; i >= 0; i--)
        ck_assert_int_eq(bus__register(&bus, 0xd0000000ull + 0x1000ull * (uint64_t)i, 0x1000, "dev",
                                       probe_read, probe_write, &p[i]),
                         0);
    ck_assert_int_eq(bus__register(&bus, 0, 1, "one too many", NULL, NULL, NULL), -1);
    for (int i = 0; i < BUS_MAX_RANGES; i++)
        ck_assert_ptr_eq(bus__find(&bus, 0xd0000000ull + 0x1000ull * (uint64_t)i + 0x800)->dev,
                         &p[i]);
}
END_TEST

TCase *bus_tests(void)
{
    TCase *tc = tcase_create("bus");

    tcase_add_test(tc, ranges_are_kept_sorted_and_found);
    tcase_add_test(tc, overlaps_and_bad_ranges_refused);
    tcase_add_test(tc, every_size_reaches_the_device_with_its_data);
    tcase_add_test(tc, unclaimed_reads_all_ones_and_is_reported_once);
    tcase_add_test(tc, strict_mode_stops_at_unclaimed);
    tcase_add_test(tc, dispatch_finds_each_of_64_devices);
    return tc;
}
