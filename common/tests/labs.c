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

/* Copies the tree once, applies every solution and builds the copy. The untouched labs
 * are graded in the tree itself, which make test has just built. */
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
              "set -e; mkdir %s/with; cd %s/with; cp -r %s/Makefile %s/common %s/chapters .; "
              "for p in %s/labs/*/solution.patch; do patch -s -p1 < $p; done; make -s -j2 build",
              scratch, scratch, top, top, top, chapter_dir);
    ck_assert_msg(r.status == 0, "copying, patching and building: %s%s", r.out, r.err);
    run_free(&r);
}

static void labs_teardown(void)
{
    struct run_result r;

    run_shell(&r, "rm -rf %s", scratch);
    run_free(&r);
}

/* Grades every lab of the chapter in one call (one nested machine for all their KVM
 * runs), in the directory "tree". */
static int grade_all(const char *tree, struct run_result *r)
{
    run_shell(r, "cd %s && make -s grade-%d LAB=all", tree, lab_chapter);
    return r->status;
}

/* The last part of a long output, for a failure message: Check cannot carry a long one. */
static const char *tail(const char *s)
{
    size_t n = strlen(s);
    return n > 3000 ? s + n - 3000 : s;
}

/* Where grade_all's output for one lab begins. */
static const char *section(const struct run_result *r, const char *lab)
{
    char heading[300];

    snprintf(heading, sizeof(heading), "grading lab %s of chapter %d\n", lab, lab_chapter);
    const char *h = strstr(r->out, heading);
    return h ? h : r->out;
}

/* The score grade_all printed for one lab: the "Score: " line after its heading. */
static void score_of(const struct run_result *r, const char *lab, int *got, int *of)
{
    char heading[300];

    snprintf(heading, sizeof(heading), "grading lab %s of chapter %d\n", lab, lab_chapter);
    const char *h = strstr(r->out, heading);
    ck_assert_msg(h != NULL, "lab %s: not graded in:\n%s%s", lab, tail(r->out), tail(r->err));
    const char *s = strstr(h, "Score: ");
    ck_assert_msg(s != NULL, "lab %s: no score in:\n%s%s", lab, tail(r->out), tail(r->err));
    ck_assert_int_eq(sscanf(s, "Score: %d/%d", got, of), 2);
}

START_TEST(every_lab_fails_then_passes_with_its_solution)
{
    char labs[8400], with[4200];
    struct dirent *e;
    struct run_result without_r, with_r;
    int count = 0;

    snprintf(with, sizeof(with), "%s/with", scratch);
    int without_status = grade_all(top, &without_r);
    int with_status = grade_all(with, &with_r);
    snprintf(labs, sizeof(labs), "%s/%s/labs", top, chapter_dir);
    DIR *d = opendir(labs);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d))) {
        int got, of;
        if (e->d_name[0] == '.')
            continue;
        count++;
        score_of(&without_r, e->d_name, &got, &of);
        ck_assert_msg(got < of, "lab %s passes without its solution:\n%.2500s", e->d_name,
                      section(&without_r, e->d_name));
        score_of(&with_r, e->d_name, &got, &of);
        ck_assert_msg(got == of && of > 0, "lab %s fails with its solution:\n%.2500s", e->d_name,
                      section(&with_r, e->d_name));
    }
    closedir(d);
    ck_assert_int_eq(count, lab_count);
    ck_assert_msg(without_status != 0, "the untouched labs graded as passed:\n%s",
                  tail(without_r.out));
    ck_assert_msg(with_status == 0, "the solved labs graded as failed:\n%s", tail(with_r.out));
    run_free(&without_r);
    run_free(&with_r);
}
END_TEST

START_TEST(unknown_lab_is_refused)
{
    struct run_result r;
    char want[64];

    run_shell(&r, "cd %s && make -s grade-%d LAB=no-such-lab", top, lab_chapter);
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
