/*
 * qemu.c - the same guest files under QEMU: the reference machine. hello.elf and
 * lowload.elf must print exactly their expected output and end with the same status under
 * qemu-system-x86_64 as under stepvm (on_kvm.c checks stepvm against the same files).
 */
#include "check_helpers.h"
#include "ch2_tests.h"

START_TEST(qemu_runs_hello_the_same)
{
    struct run_result r;

    run_qemu(&r, "guests/ch2/hello.elf", NULL);
    ck_assert_msg(r.status == 35, "QEMU status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch2/hello.expected"));
    run_free(&r);
}
END_TEST

/* A kernel at 0x8000: QEMU boots it, and so must stepvm. */
START_TEST(qemu_runs_lowload_the_same)
{
    struct run_result r;

    run_qemu(&r, "guests/ch2/lowload.elf", NULL);
    ck_assert_msg(r.status == 43, "QEMU status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch2/lowload.expected"));
    run_free(&r);
}
END_TEST

TCase *qemu_tests(void)
{
    TCase *tc = tcase_create("qemu");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, qemu_runs_hello_the_same);
    tcase_add_test(tc, qemu_runs_lowload_the_same);
    return tc;
}
