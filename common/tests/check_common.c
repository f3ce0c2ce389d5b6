/*
 * check_common.c - the test suite of common/: error messages and reading guest files.
 */
#include "check_helpers.h"
#include "error.h"
#include "file.h"
#include "guestpath.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(error_set_formats)
{
    ck_assert_int_eq(error__set("slot %d at 0x%x", 3, 0x1000), -1);
    ck_assert_str_eq(error__get(), "slot 3 at 0x1000");
}
END_TEST

START_TEST(error_errno_appends_strerror_and_keeps_errno)
{
    errno = ENOENT;
    ck_assert_int_eq(error__errno("open %s", "/dev/kvm"), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_str_eq(error__get(), "open /dev/kvm: No such file or directory");
    error__hint("is the module loaded?");
    ck_assert_str_eq(error__get(),
                     "open /dev/kvm: No such file or directory (is the module loaded?)");
}
END_TEST

START_TEST(error_cuts_long_messages)
{
    char big[2 * ERROR_MAX];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    error__set("%s", big);
    ck_assert_uint_eq(strlen(error__get()), ERROR_MAX - 1);
    error__hint("hint");
    ck_assert_uint_eq(strlen(error__get()), ERROR_MAX - 1);
}
END_TEST

/* Each thread has its own message, so vCPU threads cannot garble each other's. */
static void *set_in_thread(void *arg)
{
    (void)arg;
    error__set("from the thread");
    return NULL;
}

START_TEST(error_is_per_thread)
{
    pthread_t t;

    error__set("from main");
    ck_assert_int_eq(pthread_create(&t, NULL, set_in_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_str_eq(error__get(), "from main");
}
END_TEST

START_TEST(file_reads_whole)
{
    char path[] = "/tmp/common-file-XXXXXX";
    unsigned char *data;
    size_t len;

    close(mkstemp(path));
    write_file(path, "\x90\xf4guest", 7);
    ck_assert_int_eq(file__read_all(path, 7, &data, &len), 0);
    unlink(path);
    ck_assert_uint_eq(len, 7);
    ck_assert_mem_eq(data, "\x90\xf4guest", 7);
    free(data);
}
END_TEST

START_TEST(file_refusals_name_the_file)
{
    char path[] = "/tmp/common-file-XXXXXX", want[256];
    unsigned char *data = NULL;
    size_t len = 0;

    ck_assert_int_eq(file__read_all("/nonexistent/g.elf", 10, &data, &len), -1);
    ck_assert_str_eq(error__get(), "open /nonexistent/g.elf: No such file or directory");
    ck_assert_int_eq(file__read_all("/", 10, &data, &len), -1);
    ck_assert_str_eq(error__get(), "/: not a regular file");

    close(mkstemp(path));
    ck_assert_int_eq(file__read_all(path, 10, &data, &len), -1);
    snprintf(want, sizeof(want), "%s: file is empty", path);
    ck_assert_str_eq(error__get(), want);

    write_file(path, "0123456789A", 11);
    ck_assert_int_eq(file__read_all(path, 10, &data, &len), -1);
    snprintf(want, sizeof(want), "%s: 11 bytes is too large (at most 10 bytes fit)", path);
    ck_assert_str_eq(error__get(), want);
    unlink(path);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(default_guest_is_beside_the_program)
{
    char got[4096], want[4096];
    ssize_t n = readlink("/proc/self/exe", want, sizeof(want) - 1);

    want[n] = '\0';
    strcpy(strrchr(want, '/'), "/../guests/ch1/hello.bin");
    ck_assert_int_eq(guestpath__default(got, sizeof(got), "ch1/hello.bin"), 0);
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(guestpath__default(got, 8, "ch1/hello.bin"), -1);
    *strrchr(want, '/') = '\0'; /* .../bin/../guests/ch1 */
    *strrchr(want, '/') = '\0';
    *strrchr(want, '/') = '\0';
    char msg[4200];
    snprintf(msg, sizeof(msg), "path of the default guest %s/guests/ch1/hello.bin is too long",
             want);
    ck_assert_str_eq(error__get(), msg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("common");
    TCase *err = tcase_create("error");
    TCase *file = tcase_create("file");

    tcase_add_test(err, error_set_formats);
    tcase_add_test(err, error_errno_appends_strerror_and_keeps_errno);
    tcase_add_test(err, error_cuts_long_messages);
    tcase_add_test(err, error_is_per_thread);
    suite_add_tcase(s, err);
    tcase_add_test(file, file_reads_whole);
    tcase_add_test(file, file_refusals_name_the_file);
    tcase_add_test(file, default_guest_is_beside_the_program);
    suite_add_tcase(s, file);
    return run_suite(s);
}
