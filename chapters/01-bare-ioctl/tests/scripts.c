/*
 * labs.c - chapter 1's labs, graded for real: in a scratch copy of the tree each grader
 * must fail as shipped, and pass once its reference solution (solution.patch) is applied.
 * The graders run their guests on KVM, in the nested machine when the host has none.
 */
#include "check_helpers.h"
#include "ch1_tests.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char top[4096], scratch[4096];

/* Runs a shell command line, formatted like printf, capturing its output. */
static void __attribute__((format(printf, 2, 3))) shell(struct run_result *r, const char *fmt, ...)
{
    char cmd[16384];
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    run_capture(argv, r);
}

/* Copies the tree twice (without and with every solution applied) and builds both. */
static void labs_setup(void)
{
    char cache[4200];
    struct run_result r;

    source_top(top, sizeof(top));
    snprintf(scratch, sizeof(scratch), "/tmp/ch1-labs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    snprintf(cache, sizeof(cache), "%s/build/nested", top);
    setenv("STEPVM_NESTED_CACHE", cache, 1);
    shell(&r,
          "set -e; cd %s; for t in without with; do mkdir $t; cp -r %s/Makefile %s/common "
          "%s/chapters $t/; done",
          scratch, top, top, top);
    ck_assert_msg(r.status == 0, "copying the tree: %s", r.err);
    run_free(&r);
    shell(&r,
          "set -e; cd %s/with; for p in chapters/01-bare-ioctl/labs/*/solution.patch; do "
          "patch -s -p1 < $p; done; make -s build; cd ../without; make -s build",
          scratch);
    ck_assert_msg(r.status == 0, "patching and building: %s%s", r.out, r.err);
    run_free(&r);
}

static void labs_teardown(void)
{
    struct run_result r;

    shell(&r, "rm -rf %s", scratch);
    run_free(&r);
}

/* Reads "Score: x/y" from a grader's output. */
static void score(const char *out, int *got, int *of)
{
    const char *s = strstr(out, "Score: ");

    ck_assert_msg(s != NULL, "no score in:\n%s", out);
    ck_assert_int_eq(sscanf(s, "Score: %d/%d", got, of), 2);
}

START_TEST(every_lab_fails_then_passes_with_its_solution)
{
    char labs[4300];
    struct dirent *e;
    int count = 0;

    snprintf(labs, sizeof(labs), "%s/chapters/01-bare-ioctl/labs", top);
    DIR *d = opendir(labs);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d))) {
        struct run_result r;
        int got, of;
        if (e->d_name[0] == '.')
            continue;
        count++;
        shell(&r, "cd %s/without && make -s grade-1 LAB=%s", scratch, e->d_name);
        score(r.out, &got, &of);
        ck_assert_msg(r.status != 0 && got < of, "lab %s passes without its solution:\n%s",
                      e->d_name, r.out);
        run_free(&r);
        shell(&r, "cd %s/with && make -s grade-1 LAB=%s", scratch, e->d_name);
        score(r.out, &got, &of);
        ck_assert_msg(r.status == 0 && got == of && of > 0,
                      "lab %s fails with its solution:\n%s", e->d_name, r.out);
        run_free(&r);
    }
    closedir(d);
    ck_assert_int_eq(count, 3);
}
END_TEST

START_TEST(unknown_lab_is_refused)
{
    struct run_result r;

    shell(&r, "cd %s/without && make -s grade-1 LAB=no-such-lab", scratch);
    ck_assert_int_ne(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "grade: chapter 1 has no lab 'no-such-lab'; its labs: "
                                        "exit-stats scratch-register sum-of-squares"));
    run_free(&r);
}
END_TEST

/* make run's script: the guest file given as an argument reaches the program, on KVM here
 * or in the nested machine, and the guest's output and status come back. */
START_TEST(run_script_runs_a_guest_file)
{
    char build[4096], path[] = "/tmp/ch1-run-XXXXXX";
    struct run_result r;

    build_path(build, sizeof(build), "");
    close(mkstemp(path));
    shell(&r, "cp %s/guests/ch1/hello.bin %s && sh %s/common/scripts/run.sh %s bin/ch1 %s", build,
          path, top, build, path);
    unlink(path);
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Hello from real mode!\nCOM1 says hi\nsum 1..100 = 5050\n"));
    run_free(&r);
}
END_TEST

TCase *lab_tests(void)
{
    TCase *tc = tcase_create("labs");

    tcase_add_unchecked_fixture(tc, labs_setup, labs_teardown);
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, every_lab_fails_then_passes_with_its_solution);
    tcase_add_test(tc, unknown_lab_is_refused);
    tcase_add_test(tc, run_script_runs_a_guest_file);
    return tc;
}
