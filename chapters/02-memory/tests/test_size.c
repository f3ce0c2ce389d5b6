/*
 * test_size.c - size__parse, which reads --mem, --load-addr and --peek: the forms a reader
 * types, and the exact refusal of everything else.
 */
#include "ch2_tests.h"
#include "error.h"
#include "size.h"

static const struct {
    const char *text;
    uint64_t value;
} good_sizes[] = {
    {"64M", 64ull << 20},
    {"2g", 2ull << 30},
    {"4096", 4096},
    {"0x100000", 0x100000},
    {"512K", 512ull << 10},
    {"512k", 512ull << 10},
    {"16G", 16ull << 30},
    {"0", 0},
    {"0x10M", 16ull << 20},
    {"010M", 10ull << 20}, /* decimal, never octal */
    {"18446744073709551615", UINT64_MAX},
    {"17179869183G", 17179869183ull << 30},
};

START_TEST(sizes_parsed)
{
    uint64_t v = 1;

    ck_assert_msg(size__parse(good_sizes[_i].text, "--mem", &v) == 0, "'%s' refused: %s",
                  good_sizes[_i].text, error__get());
    ck_assert_msg(v == good_sizes[_i].value, "'%s' read as %llu", good_sizes[_i].text,
                  (unsigned long long)v);
}
END_TEST

#define NOT_A_SIZE(t)                                                                              \
    {                                                                                              \
        t, "--mem: '" t "' is not a size (try 64M, 2G or 0x100000)"                                \
    }
#define TOO_LARGE(t)                                                                               \
    {                                                                                              \
        t, "--mem: '" t "' is too large"                                                           \
    }

static const struct {
    const char *text, *want;
} bad_sizes[] = {
    NOT_A_SIZE(""),
    NOT_A_SIZE("abc"),
    NOT_A_SIZE("-1"),
    NOT_A_SIZE("12Q"),
    NOT_A_SIZE(" 64M"),
    NOT_A_SIZE("64M "),
    NOT_A_SIZE("64MB"),
    NOT_A_SIZE("0x"),
    NOT_A_SIZE("M"),
    TOO_LARGE("99999999999G"),
    TOO_LARGE("18446744073709551616"),
    TOO_LARGE("17179869184G"),
};

START_TEST(bad_sizes_refused)
{
    uint64_t v = 42;

    ck_assert_int_eq(size__parse(bad_sizes[_i].text, "--mem", &v), -1);
    ck_assert_str_eq(error__get(), bad_sizes[_i].want);
    ck_assert_msg(v == 42, "'%s' refused but *out was written", bad_sizes[_i].text);
}
END_TEST

START_TEST(null_text_refused)
{
    uint64_t v;

    ck_assert_int_eq(size__parse(NULL, "--load-addr", &v), -1);
    ck_assert_str_eq(error__get(), "--load-addr: '' is not a size (try 64M, 2G or 0x100000)");
}
END_TEST

TCase *size_tests(void)
{
    TCase *tc = tcase_create("size");

    tcase_add_loop_test(tc, sizes_parsed, 0, sizeof(good_sizes) / sizeof(good_sizes[0]));
    tcase_add_loop_test(tc, bad_sizes_refused, 0, sizeof(bad_sizes) / sizeof(bad_sizes[0]));
    tcase_add_test(tc, null_text_refused);
    return tc;
}
