/*
 * qemu.c - chapter 3's guests under QEMU, the reference machine: fwcfg.elf asks the
 * machine about itself and must hear the same answers from QEMU as from stepvm (on_kvm.c
 * checks stepvm against the same expected output).
 */
#include "ch3_tests.h"

START_TEST(qemu_answers_fw_cfg_the_same)
{
    struct run_result r;

    run_qemu(&r, "guests/ch3/fwcfg.elf", NULL);
    ck_assert_msg(r.status == 1, "QEMU status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch3/fwcfg.expected"));
    run_free(&r);
}
END_TEST

TCase *qemu_tests(void)
{
    TCase *tc = tcase_create("qemu");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, qemu_answers_fw_cfg_the_same);
    return tc;
}
