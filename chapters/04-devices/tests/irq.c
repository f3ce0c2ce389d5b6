/*
 * irq.c - tests of the interrupt line helpers (irq.h).
 */
#include "ch4_tests.h"
#include "fake.h"
#include "irq.h"

START_TEST(line_reaches_its_sink)
{
    struct fake_irq r;

    fake_irq__init(&r, -1);
    const struct irq_line com1 = fake_irq__line(&r, 4), rtc = fake_irq__line(&r, 8);

    irq__raise(&com1);
    ck_assert_int_eq(r.level[4], 1);
    ck_assert_int_eq(r.level[8], 0);
    irq__pulse(&rtc);
    ck_assert_int_eq(r.level[8], 0);
    ck_assert_int_eq(r.calls[4] + r.calls[8], 3); /* the pulse was two calls: up, then down */
    ck_assert_int_eq(r.calls[8], 2);
    ck_assert_int_eq(r.rises[8], 1);
    irq__lower(&com1);
    ck_assert_int_eq(r.level[4], 0);
}
END_TEST

START_TEST(unwired_line_goes_nowhere)
{
    const struct irq_line nowhere = {NULL, 3};

    irq__raise(&nowhere); /* must not crash */
    irq__lower(&nowhere);
}
END_TEST

START_TEST(host_clock_moves_forward)
{
    uint64_t a = vclock__now(&vclock_host), b = vclock__now(&vclock_host);

    ck_assert_uint_gt(a, 0);
    ck_assert_uint_ge(b, a);
}
END_TEST

TCase *irq_tests(void)
{
    TCase *tc = tcase_create("irq lines");

    tcase_add_test(tc, line_reaches_its_sink);
    tcase_add_test(tc, unwired_line_goes_nowhere);
    tcase_add_test(tc, host_clock_moves_forward);
    return tc;
}
