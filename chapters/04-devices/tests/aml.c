/*
 * aml.c - tests of the AML encoder (aml.h) against the encodings of the ACPI specification's
 * chapter 20: PkgLength at each size boundary, the shortest integers, names, constructs.
 */
#include "aml.h"
#include "ch4_tests.h"

#include <string.h>

static uint8_t buf[8192];
static struct aml a;

static void setup(void)
{
    memset(buf, 0xee, sizeof(buf));
    aml__init(&a, buf, sizeof(buf));
}

/* Asserts that the stream holds exactly the n bytes want. */
static void assert_stream(const uint8_t *want, size_t n)
{
    ck_assert_int_eq(aml__failed(&a), 0);
    ck_assert_uint_eq(a.len, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(buf[i] == want[i], "byte %zu: 0x%02x, want 0x%02x", i, buf[i], want[i]);
}

#define ASSERT_STREAM(...)                                                                         \
    do {                                                                                           \
        const uint8_t want_[] = {__VA_ARGS__};                                                     \
        assert_stream(want_, sizeof(want_));                                                       \
    } while (0)

/* Asserts the PkgLength encoding of length. */
static void assert_pkg_length(uint32_t length, size_t n, const uint8_t *want)
{
    uint8_t out[4];

    ck_assert_uint_eq(aml__pkg_length(out, length), n);
    ck_assert_mem_eq(out, want, n);
}

START_TEST(pkg_length_sizes)
{
    assert_pkg_length(0, 1, (const uint8_t[]){0x00});
    assert_pkg_length(63, 1, (const uint8_t[]){0x3f});
    assert_pkg_length(64, 2, (const uint8_t[]){0x40, 0x04});
    assert_pkg_length(4095, 2, (const uint8_t[]){0x4f, 0xff});
    assert_pkg_length(4096, 3, (const uint8_t[]){0x80, 0x00, 0x01});
    assert_pkg_length(0xfffff, 3, (const uint8_t[]){0x8f, 0xff, 0xff});
    assert_pkg_length(0x100000, 4, (const uint8_t[]){0xc0, 0x00, 0x00, 0x01});
    assert_pkg_length(AML_PKG_LENGTH_MAX, 4, (const uint8_t[]){0xcf, 0xff, 0xff, 0xff});
    uint8_t out[4];
    ck_assert_uint_eq(aml__pkg_length(out, AML_PKG_LENGTH_MAX + 1), 0);
}
END_TEST

/* A package of n bytes of contents gets the PkgLength that counts itself too. */
static void assert_package_of(size_t contents, size_t pkg_bytes)
{
    setup();
    size_t start = aml__package_begin(&a, 0);
    static const uint8_t zeros[8192];
    aml__bytes(&a, zeros, contents - 1); /* the NumElements byte is the first */
    aml__end(&a, start);
    ck_assert_int_eq(aml__failed(&a), 0);
    ck_assert_uint_eq(a.len, 1 + pkg_bytes + contents);
    uint8_t want[4];
    ck_assert_uint_eq(aml__pkg_length(want, (uint32_t)(pkg_bytes + contents)), pkg_bytes);
    ck_assert_mem_eq(buf + 1, want, pkg_bytes);
    ck_assert_uint_eq(buf[1 + pkg_bytes], 0); /* NumElements, moved up behind it */
}

START_TEST(pkg_length_counts_itself)
{
    assert_package_of(62, 1);   /* 63 in one byte */
    assert_package_of(63, 2);   /* 64 needs two */
    assert_package_of(4093, 2); /* 4095 in two */
    assert_package_of(4094, 3); /* 4096 needs three */
}
END_TEST

START_TEST(integers_take_the_smallest_prefix)
{
    aml__integer(&a, 0);
    aml__integer(&a, 1);
    aml__integer(&a, 2);
    aml__integer(&a, 0xff);
    aml__integer(&a, 0x100);
    aml__integer(&a, 0xffff);
    aml__integer(&a, 0x10000);
    aml__integer(&a, 0xffffffff);
    aml__integer(&a, 0x100000000ull);
    ASSERT_STREAM(AML_ZERO_OP, AML_ONE_OP, AML_BYTE_PREFIX, 2, AML_BYTE_PREFIX, 0xff,
                  AML_WORD_PREFIX, 0x00, 0x01, AML_WORD_PREFIX, 0xff, 0xff, AML_DWORD_PREFIX, 0x00,
                  0x00, 0x01, 0x00, AML_DWORD_PREFIX, 0xff, 0xff, 0xff, 0xff, AML_QWORD_PREFIX,
                  0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
}
END_TEST

START_TEST(names_are_padded_with_underscores)
{
    aml__name_string(&a, "S5");
    aml__name_string(&a, "\\_SB");
    aml__name_string(&a, "\\_SB.COM1");
    aml__name_string(&a, "^^A.B.C");
    aml__name_string(&a, "");
    ASSERT_STREAM('S', '5', '_', '_', AML_ROOT_CHAR, '_', 'S', 'B', '_', AML_ROOT_CHAR,
                  AML_DUAL_NAME_PREFIX, '_', 'S', 'B', '_', 'C', 'O', 'M', '1',
                  AML_PARENT_PREFIX_CHAR, AML_PARENT_PREFIX_CHAR, AML_MULTI_NAME_PREFIX, 3, 'A',
                  '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_', AML_NULL_NAME);
}
END_TEST

START_TEST(bad_names_fail)
{
    static const char *const bad[] = {"1ABC", "ABCDE", "a", "A..B", "A-B"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup();
        aml__name_string(&a, bad[i]);
        ck_assert_msg(aml__failed(&a), "\"%s\" was taken", bad[i]);
    }
}
END_TEST

START_TEST(name_string_and_eisa_id)
{
    aml__name(&a, "_HID");
    aml__string(&a, "LNRO0005");
    aml__name(&a, "_HID");
    aml__eisa_id(&a, "PNP0501"); /* ASL's EISAID("PNP0501") is 0x0105D041 */
    ASSERT_STREAM(AML_NAME_OP, '_', 'H', 'I', 'D', AML_STRING_PREFIX, 'L', 'N', 'R', 'O', '0', '0',
                  '0', '5', 0, AML_NAME_OP, '_', 'H', 'I', 'D', AML_DWORD_PREFIX, 0x41, 0xd0, 0x05,
                  0x01);
}
END_TEST

START_TEST(device_in_scope)
{
    size_t sb = aml__scope_begin(&a, "\\_SB");
    size_t dev = aml__device_begin(&a, "VIO0");
    aml__name(&a, "_UID");
    aml__integer(&a, 0);
    aml__end(&a, dev);
    aml__end(&a, sb);
    /* Device: NameSeg (4) + Name(_UID, Zero) (6) + its PkgLength (1) = 11. Scope: \_SB (5)
     * + the Device (2 + 11) + its PkgLength (1) = 19. */
    ASSERT_STREAM(AML_SCOPE_OP, 19, AML_ROOT_CHAR, '_', 'S', 'B', '_', AML_EXT_OP_PREFIX,
                  AML_DEVICE_OP, 11, 'V', 'I', 'O', '0', AML_NAME_OP, '_', 'U', 'I', 'D',
                  AML_ZERO_OP);
}
END_TEST

START_TEST(resource_template)
{
    size_t crs = aml__resource_template_begin(&a);
    aml__memory32_fixed(&a, 1, 0xd0000000, 0x200);
    aml__interrupt(&a, ACPI_RES_IRQ_CONSUMER | ACPI_RES_IRQ_EDGE, 5);
    aml__io(&a, 0x3f8, 8);
    aml__irq_no_flags(&a, 4);
    aml__resource_template_end(&a, crs);
    /* 12 + 9 + 8 + 3 + 2 = 34 bytes of descriptors, BufferSize 0x22 (2 bytes), PkgLength 1. */
    ASSERT_STREAM(AML_BUFFER_OP, 37, AML_BYTE_PREFIX, 34,
                  /* Memory32Fixed */
                  0x86, 9, 0, 1, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x02, 0x00, 0x00,
                  /* Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {5} */
                  0x89, 6, 0, 0x03, 1, 5, 0, 0, 0,
                  /* IO (Decode16, 0x3f8, 0x3f8, 1, 8) */
                  0x47, 1, 0xf8, 0x03, 0xf8, 0x03, 1, 8,
                  /* IRQNoFlags () {4} */
                  0x22, 0x10, 0x00,
                  /* End Tag */
                  0x79, 0);
}
END_TEST

START_TEST(full_buffer_fails_and_stays_failed)
{
    aml__init(&a, buf, 5);
    aml__name(&a, "_UID");
    aml__integer(&a, 0x1234); /* 3 more bytes: no room */
    ck_assert_int_eq(aml__failed(&a), 1);
    ck_assert_uint_eq(a.len, 5);
    aml__integer(&a, 0);
    ck_assert_uint_eq(a.len, 5);
    ck_assert_uint_eq(buf[5], 0xee); /* nothing written past what fitted */
}
END_TEST

TCase *aml_tests(void)
{
    TCase *tc = tcase_create("aml");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, pkg_length_sizes);
    tcase_add_test(tc, pkg_length_counts_itself);
    tcase_add_test(tc, integers_take_the_smallest_prefix);
    tcase_add_test(tc, names_are_padded_with_underscores);
    tcase_add_test(tc, bad_names_fail);
    tcase_add_test(tc, name_string_and_eisa_id);
    tcase_add_test(tc, device_in_scope);
    tcase_add_test(tc, resource_template);
    tcase_add_test(tc, full_buffer_fails_and_stays_failed);
    return tc;
}
