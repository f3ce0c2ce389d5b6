/*
 * scripts.c - the scripts a reader runs chapter 1 through: make run and make chapter-N
 * (common/scripts/run.sh), on KVM here or in the nested machine.
 */
#include "check_helpers.h"
#include "ch1_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The guest file given as an argument reaches the program, and the guest's output and
 * status come back. */
START_TEST(run_script_runs_a_guest_file)
{
    char build[4096], top[4096], path[] = "/tmp/ch1-run-XXXXXX";
    struct run_result r;

    build_path(build, sizeof(build), "");
    source_top(top, sizeof(top));
    close(mkstemp(path));
    run_shell(&r, "cp %s/guests/ch1/hello.bin %s && sh %s/common/scripts/run.sh %s bin/ch1 %s",
              build, path, top, build, path);
    unlink(path);
    ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_ptr_nonnull(
        strstr(r.out, "Hello from real mode!\nCOM1 says hi\nsum 1..100 = 5050\n"));
    run_free(&r);
}
END_TEST

TCase *script_tests(void)
{
    TCase *tc = tcase_create("scripts");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, run_script_runs_a_guest_file);
    return tc;
}
