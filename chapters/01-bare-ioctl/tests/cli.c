/*
 * cli.c - chapter 1's tests of the program's refusals: flags, guest files, a missing or
 * unusable KVM. None needs KVM.
 */
#include "check_helpers.h"
#include "ch1_tests.h"
#include "dump.h"
#include "error.h"
#include "kvm.h"
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the program's refusals */

/* Runs build/bin/ch1 with up to three arguments. */
void run_ch1(struct run_result *res, const char *a, const char *b, const char *c)
{
    const char *args[] = {a, b, c, NULL};

    run_built(res, "bin/ch1", args);
}

START_TEST(help_explains)
{
    struct run_result r;

    run_ch1(&r, "--help", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: ch1 [options] [GUEST.bin]"));
    ck_assert_ptr_nonnull(strstr(r.out, "--trace"));
    ck_assert_ptr_nonnull(strstr(r.out, "port 0xf4"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "The book: chapter 1, build/book/html/ch01-bare-ioctl.html"));
    ck_assert_ptr_nonnull(strstr(r.out, "build/guests/ch1/"));
    run_free(&r);
}
END_TEST

START_TEST(wrong_flag_refused)
{
    struct run_result r;

    run_ch1(&r, "--bogus", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "ch1: try 'ch1 --help'"));
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

START_TEST(missing_file_refused)
{
    struct run_result r;

    run_ch1(&r, "/nonexistent/guest.bin", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: open /nonexistent/guest.bin: No such file or directory\n");
    run_free(&r);
}
END_TEST

START_TEST(empty_file_refused)
{
    char path[] = "/tmp/ch1-empty-XXXXXX";
    struct run_result r;
    char want[256];

    close(mkstemp(path));
    run_ch1(&r, path, NULL, NULL);
    unlink(path);
    snprintf(want, sizeof(want), "ch1: %s: file is empty\n", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
}
END_TEST

START_TEST(oversized_file_refused)
{
    char path[] = "/tmp/ch1-big-XXXXXX";
    static unsigned char big[VM_MAX_IMAGE + 1];
    struct run_result r;
    char want[256];

    close(mkstemp(path));
    write_file(path, big, sizeof(big));
    run_ch1(&r, path, NULL, NULL);
    unlink(path);
    snprintf(want, sizeof(want), "ch1: %s: 61441 bytes is too large (at most 61440 bytes fit)\n",
             path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
}
END_TEST

START_TEST(directory_refused)
{
    struct run_result r;

    run_ch1(&r, "/tmp", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: /tmp: not a regular file\n");
    run_free(&r);
}
END_TEST

START_TEST(missing_kvm_explained)
{
    char guest[4096];
    struct run_result r;

    build_path(guest, sizeof(guest), "guests/ch1/hello.bin");
    run_ch1(&r, "--kvm-dev=/nonexistent/kvm", guest, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: open /nonexistent/kvm: No such file or directory (is the kvm "
                            "module loaded? try 'modprobe kvm_intel' or 'modprobe kvm_amd'; if "
                            "that fails, enable VT-x/AMD-V in the firmware setup)\n"
                            "ch1: without a usable KVM here, 'make chapter-1' runs ch1 in the "
                            "nested machine, a real KVM inside QEMU's emulator (the book: \"How "
                            "the code is organised\")\n");
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

START_TEST(permission_denied_explained)
{
    errno = EACCES;
    error__errno("open /dev/kvm");
    kvm__explain_open_error(EACCES);
    ck_assert_str_eq(error__get(), "open /dev/kvm: Permission denied (is your user in group kvm? "
                                   "'sudo adduser $USER kvm', then log in again)");
}
END_TEST

START_TEST(api_version_checked)
{
    ck_assert_int_eq(kvm__check_api_version(12), 0);
    ck_assert_int_eq(kvm__check_api_version(11), -1);
    ck_assert_str_eq(error__get(),
                     "KVM API version is 11, stepvm needs 12 (kernel and headers disagree)");
}
END_TEST

TCase *refusal_tests(void)
{
    TCase *tc = tcase_create("refusals");

    tcase_add_test(tc, help_explains);
    tcase_add_test(tc, wrong_flag_refused);
    tcase_add_test(tc, missing_file_refused);
    tcase_add_test(tc, empty_file_refused);
    tcase_add_test(tc, oversized_file_refused);
    tcase_add_test(tc, directory_refused);
    tcase_add_test(tc, missing_kvm_explained);
    tcase_add_test(tc, permission_denied_explained);
    tcase_add_test(tc, api_version_checked);
    return tc;
}
