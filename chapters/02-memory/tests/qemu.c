/*
 * qemu.c - the same guest file under QEMU: the reference machine. hello.elf must print
 * exactly its expected output and end with the same status under qemu-system-x86_64 as
 * under stepvm (on_kvm.c checks stepvm against the same file).
 */
#include "check_helpers.h"
#include "ch2_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(qemu_runs_hello_the_same)
{
    char guest[4096], out[] = "/tmp/ch2-qemu-XXXXXX", debugcon[4200];
    struct run_result r;

    close(mkstemp(out));
    snprintf(debugcon, sizeof(debugcon), "file:%s", out);
    const char *argv[] = {"/usr/bin/timeout", "60", "qemu-system-x86_64", "-accel", "tcg",
                          "-display", "none", "-m", "128", "-kernel",
                          build_path(guest, sizeof(guest), "guests/ch2/hello.elf"),
                          "-debugcon", debugcon, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                          "-serial", "none", "-monitor", "none", NULL};
    run_capture(argv, &r);
    ck_assert_msg(r.status == 35, "QEMU status %d: %s", r.status, r.err);
    run_free(&r);
    FILE *f = fopen(out, "r");
    char text[8192];
    text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
    fclose(f);
    unlink(out);
    ck_assert_lines_eq(text, expected_output("hello.expected"));
}
END_TEST

TCase *qemu_tests(void)
{
    TCase *tc = tcase_create("qemu");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, qemu_runs_hello_the_same);
    return tc;
}
