/*
 * labs.c - every chapter's labs, graded for real (see lab_tests in check_helpers.h).
 * The graders run their guests on KVM, in the nested machine when the host has none.
 */
#include "check_helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lab_chapter, lab_count;
static char top[4096], scratch[4096], chapter_dir[4200];

/* Copies the tree twice (without and with every solution applied) and builds both. */
static void labs_setup(void)
{
    char cache[4200];
    struct run_result r;

    source_top(top, sizeof(top));
    snprintf(scratch, sizeof(scratch), "/tmp/labs-ch%d-XXXXXX", lab_chapter);
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    snprintf(cache, sizeof(cache), "%s/build/nested", top);
    setenv("STEPVM_NESTED_CACHE", cache, 1);
    run_shell(&r, "cd %s && ls -d chapters/0%d-*", top, lab_chapter);
    ck_assert_int_eq(r.status, 0);
    snprintf(chapter_dir, sizeof(chapter_dir), "%.*s", (int)strcspn(r.out, "\n"), r.out);
    run_free(&r);
    run_shell(&r,
              "set -e; cd %s; for t in without with; do mkdir $t; cp -r %s/Makefile %s/common "
              "%s/chapters $t/; done; cd with; for p in %s/labs/*/solution.patch; do "
              "patch -s -p1 < $p; done; make -s -j2 build; cd ../without; make -s -j2 build",
              scratch, top, top, top, chapter_dir);
    ck_assert_msg(r.status == 0, "copying, patching and building: %s%s", r.out, r.err);
    run_free(&r);
}

static void labs_teardown(void)
{
    struct run_result r;

    run_shell(&r, "rm -rf %s", scratch);
    run_free(&r);
}

/* Runs one grader in the scratch tree "tree"; returns its score in *got of *of. */
static int grade(const char *tree, const char *lab, int *got, int *of, struct run_result *r)
{
    run_shell(r, "cd %s/%s && make -s grade-%d LAB=%s", scratch, tree, lab_chapter, lab);
    const char *s = strstr(r->out, "Score: ");
    ck_assert_msg(s != NULL, "lab %s: no score in:\n%s%s", lab, r->out, r->err);
    ck_assert_int_eq(sscanf(s, "Score: %d/%d", got, of), 2);
    return r->status;
}

START_TEST(every_lab_fails_then_passes_with_its_solution)
{
    char labs[8400];
    struct dirent *e;
    int count = 0;

    snprintf(labs, sizeof(labs), "%s/%s/labs", top, chapter_dir);
    DIR *d = opendir(labs);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d))) {
        struct run_result r;
        int got, of;
        if (e->d_name[0] == '.')
            continue;
        count++;
        int status = grade("without", e->d_name, &got, &of, &r);
        ck_assert_msg(status != 0 && got < of, "lab %s passes without its solution:\n%s", e->d_name,
                      r.out);
        run_free(&r);
        status = grade("with", e->d_name, &got, &of, &r);
        ck_assert_msg(status == 0 && got == of && of > 0, "lab %s fails with its solution:\n%s",
                      e->d_name, r.out);
        run_free(&r);
    }
    closedir(d);
    ck_assert_int_eq(count, lab_count);
}
END_TEST

START_TEST(unknown_lab_is_refused)
{
    struct run_result r;
    char want[64];

    run_shell(&r, "cd %s/without && make -s grade-%d LAB=no-such-lab", scratch, lab_chapter);
    snprintf(want, sizeof(want), "grade: chapter %d has no lab 'no-such-lab'", lab_chapter);
    ck_assert_int_ne(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, want));
    run_free(&r);
}
END_TEST

TCase *lab_tests(int chapter, int nlabs)
{
    TCase *tc = tcase_create("labs");

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* The graders build and run their own scratch trees, the same in every build: they
     * run with the normal build's tests, and the sanitizer build does not repeat them. */
    printf("SKIPPED: 2 lab test(s) in the sanitizer build: they build their own normal trees, "
           "and run with make test\n");
    (void)nlabs;
    (void)every_lab_fails_then_passes_with_its_solution;
    (void)unknown_lab_is_refused;
    return tc;
#endif
    lab_chapter = chapter;
    lab_count = nlabs;
    tcase_add_unchecked_fixture(tc, labs_setup, labs_teardown);
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, every_lab_fails_then_passes_with_its_solution);
    tcase_add_test(tc, unknown_lab_is_refused);
    return tc;
}
