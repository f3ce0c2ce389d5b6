/*
 * console.c - the machine's console as a person meets it: COM1 on a real terminal in raw
 * mode, typed at, and the terminal left as it was on every way out (chapter 4). These
 * run on the interpreter (stepvm --accel=tcg), so they need no KVM.
 */
#include "ch4_tests.h"
#include "pty.h"

#include <signal.h>
#include <string.h>

/* Chapter 1's first guest talks to COM1 as to a PC's UART: on chapter 4's machine there
 * is one again, and what it says reaches the terminal. */
START_TEST(chapter_1_guest_says_hi_on_com1)
{
    struct pty_run r;
    const char *args[] = {"--accel=tcg", "--load-addr", "0x1000", "guests/ch1/hello.bin", NULL};

    pty_start(&r, "bin/stepvm", args);
    pty_finish(&r);
    ck_assert_msg(strstr(r.out, "COM1 says hi\r\n") != NULL, "terminal:\n%s", r.out);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.restored, "the terminal was left changed after the guest ended");
}
END_TEST

/* A guest that kills its CPU (a triple fault) ends the VMM with an error and a register
 * dump; the terminal is put back all the same. So is it after SIGINT. */
START_TEST(terminal_restored_after_a_crash_and_a_signal)
{
    struct pty_run r;
    const char *crash[] = {"--accel=tcg", "--cmdline", "triple", "guests/ch6/traps.elf", NULL};
    const char *echo[] = {"--accel=tcg", "guests/ch4/echo.elf", NULL};

    pty_start(&r, "bin/stepvm", crash);
    pty_finish(&r);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "triple fault") != NULL, "terminal:\n%s", r.out);
    ck_assert_msg(r.restored, "the terminal was left changed after the guest crashed");

    pty_start(&r, "bin/stepvm", echo);
    pty_wait_for(&r, "> ");
    pty_signal(&r, SIGINT);
    pty_finish(&r);
    ck_assert_int_eq(r.status, 128 + SIGINT);
    ck_assert_msg(r.restored, "the terminal was left changed after SIGINT");
}
END_TEST

START_TEST(kernel_irqchip_is_refused_on_the_interpreter)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--irqchip=kernel", "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--irqchip=kernel needs KVM") != NULL, "stderr: %s", r.err);
    run_free(&r);
    run_builtv(&r, "bin/stepvm", "--irqchip=sideways", "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--irqchip sideways: must be kernel or user") != NULL, "stderr: %s",
                  r.err);
    run_free(&r);
}
END_TEST

TCase *console_tests(void)
{
    TCase *tc = tcase_create("console");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, chapter_1_guest_says_hi_on_com1);
    tcase_add_test(tc, terminal_restored_after_a_crash_and_a_signal);
    tcase_add_test(tc, kernel_irqchip_is_refused_on_the_interpreter);
    return tc;
}
