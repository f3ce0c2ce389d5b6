/*
 * machine.c - chapter 4's guests on the whole machine: irqtest.elf's checks with the PICs
 * and with the APICs, and the echo shell typed at on a real terminal, on the interpreter
 * (always) and on KVM with both irqchips (when KVM is usable, or in the nested machine).
 */
#include "ch4_tests.h"
#include "pty.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Runs a chapter 4 guest (guests/ch4/NAME.elf) on program with accel, its interrupt
 * controllers chosen by irq=mode; it must end through port 0xf4 with 0 (status 1). */
static void run_guest(struct run_result *r, const char *program, const char *accel,
                      const char *name, const char *mode)
{
    char cmdline[16], guest[64];

    snprintf(cmdline, sizeof(cmdline), "irq=%s", mode);
    snprintf(guest, sizeof(guest), "guests/ch4/%s.elf", name);
    run_builtv(r, program, accel, "--cmdline", cmdline, guest, NULL);
    ck_assert_msg(r->status == 1, "%s irq=%s: status %d (want 1, the guest's exit(0))\n%s%s", name,
                  mode, r->status, r->out, r->err);
}

/* irqtest.elf passes every check it makes in mode. When only its rate checks failed, the
 * run is made once more (and says so): those checks measure the host's scheduling too. */
static void irqtest(const char *program, const char *accel, const char *mode)
{
    struct run_result r;
    char guest[] = "guests/ch4/irqtest.elf", cmdline[16];

    snprintf(cmdline, sizeof(cmdline), "irq=%s", mode);
    run_builtv(&r, program, accel, "--cmdline", cmdline, guest, NULL);
    if (r.status != 1 && irqtest_only_rates_failed(r.out)) {
        printf("irqtest irq=%s, %s %s: only rate checks failed, on a busy host; once more:\n%s",
               mode, program, accel, strstr(r.out, "FAIL "));
        run_free(&r);
        run_builtv(&r, program, accel, "--cmdline", cmdline, guest, NULL);
    }
    ck_assert_msg(r.status == 1, "irqtest irq=%s: status %d (want 1, the guest's exit(0))\n%s%s",
                  mode, r.status, r.out, r.err);
    assert_irqtest_passed(r.out, mode);
    run_free(&r);
}

/* A hostile guest runs every timer at its fastest: the machine stays responsive and the
 * guest reaches its end. */
static void storm(const char *program, const char *accel, const char *mode)
{
    struct run_result r;

    run_guest(&r, program, accel, "storm", mode);
    ck_assert_msg(strstr(r.out, "still standing"), "stdout: %s\nstderr: %s", r.out, r.err);
    run_free(&r);
}

/* Removes every CR: the guest ends lines with CR LF, and the terminal adds one more. */
static char *without_cr(char *s)
{
    char *to = s;

    for (const char *from = s; *from; from++)
        if (*from != '\r')
            *to++ = *from;
    *to = '\0';
    return s;
}

/* The echo shell on a terminal: a line typed comes back, backspace erases, exit ends. */
static void echo_session(const char *program, const char *accel)
{
    struct pty_run r;
    const char *args[] = {accel, "guests/ch4/echo.elf", NULL};

    pty_start(&r, program, args);
    pty_wait_for(&r, "> ");
    pty_type(&r, "hello\r");
    pty_wait_for(&r, "you said: hello");
    pty_type(&r, "ab\x7f"
                 "c\r");
    pty_wait_for(&r, "you said: ac");
    pty_type(&r, "exit\r");
    pty_finish(&r);
    /* The first and last lines come through the debug console, which shares the terminal. */
    ck_assert_str_eq(without_cr(r.out), "echo: talking on COM1, interrupts through the pic\n"
                                        "stepvm echo: type a line, or exit to stop.\n"
                                        "> hello\n"
                                        "you said: hello\n"
                                        "> ab\b \bc\n"
                                        "you said: ac\n"
                                        "> exit\n"
                                        "bye\n"
                                        "echo: bye\n");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.restored, "the terminal was left changed");
}

/* Ctrl-A x quits, Ctrl-A h lists the keys, and a signal leaves the terminal as it was. */
static void echo_ways_out(const char *program, const char *accel)
{
    struct pty_run r;
    const char *args[] = {accel, "guests/ch4/echo.elf", NULL};

    pty_start(&r, program, args);
    pty_wait_for(&r, "> ");
    pty_type(&r, "\x01h");
    pty_wait_for(&r, "C-a x");
    pty_type(&r, "\x01x");
    pty_finish(&r);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(r.restored, "the terminal was left changed after Ctrl-A x");

    pty_start(&r, program, args);
    pty_wait_for(&r, "> ");
    pty_signal(&r, SIGTERM);
    pty_finish(&r);
    ck_assert_int_eq(r.status, 128 + SIGTERM);
    ck_assert_msg(r.restored, "the terminal was left changed after SIGTERM");
}

START_TEST(tcg_irqtest_with_the_pics)
{
    irqtest("bin/stepvm", "--accel=tcg", "pic");
}
END_TEST

START_TEST(tcg_irqtest_with_the_apics)
{
    irqtest("bin/stepvm", "--accel=tcg", "apic");
}
END_TEST

START_TEST(tcg_interrupt_storm)
{
    storm("bin/stepvm", "--accel=tcg", "pic");
    storm("bin/stepvm", "--accel=tcg", "apic");
}
END_TEST

START_TEST(tcg_echo_shell_on_a_terminal)
{
    echo_session("bin/stepvm", "--accel=tcg");
}
END_TEST

START_TEST(tcg_echo_shell_ways_out)
{
    echo_ways_out("bin/stepvm", "--accel=tcg");
}
END_TEST

TCase *machine_tests(void)
{
    TCase *tc = tcase_create("machine on the interpreter");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tcg_irqtest_with_the_pics);
    tcase_add_test(tc, tcg_irqtest_with_the_apics);
    tcase_add_test(tc, tcg_interrupt_storm);
    tcase_add_test(tc, tcg_echo_shell_on_a_terminal);
    tcase_add_test(tc, tcg_echo_shell_ways_out);
    return tc;
}

/* ---- On KVM ---- */

START_TEST(kvm_kernel_irqchip_irqtest_pics)
{
    irqtest("bin/ch4", "--irqchip=kernel", "pic");
}
END_TEST

START_TEST(kvm_kernel_irqchip_irqtest_apics)
{
    irqtest("bin/ch4", "--irqchip=kernel", "apic");
}
END_TEST

START_TEST(kvm_user_irqchip_irqtest_pics)
{
    irqtest("bin/ch4", "--irqchip=user", "pic");
}
END_TEST

START_TEST(kvm_user_irqchip_irqtest_apics)
{
    irqtest("bin/ch4", "--irqchip=user", "apic");
}
END_TEST

/* With stepvm's own timers on KVM. (KVM's in-kernel PIT at its fastest is KVM's to
 * survive: it re-injects every tick the guest missed, and a machine as slow as the
 * nested one never gets the guest out of its handlers.) */
START_TEST(kvm_interrupt_storm)
{
    storm("bin/ch4", "--irqchip=user", "pic");
    storm("bin/ch4", "--irqchip=user", "apic");
}
END_TEST

/* The inspector on chapter 1's guest, with stepvm's controllers on KVM: the transcript
 * that chapter 6's interpreter must also give (tests/golden/hello.batch). With KVM's
 * in-kernel controllers the last exit is no HLT (KVM waits in the kernel) but the kick
 * that finds the CPU halted for good: the one line in which the two differ. */
START_TEST(kvm_inspector_transcript_on_the_pc)
{
    struct run_result r;
    char *want = expected_output("guests/ch4/golden/hello.batch");

    run_builtv(&r, "bin/ch4", "--irqchip=user", "--batch-script", "guests/ch3/golden/hello.script",
               "--load-addr", "0x1000", "guests/ch1/hello.bin", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    ck_assert_lines_eq(r.out, want);
    run_free(&r);
    run_builtv(&r, "bin/ch4", "--irqchip=kernel", "--batch-script",
               "guests/ch3/golden/hello.script", "--load-addr", "0x1000", "guests/ch1/hello.bin",
               NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "exit    58  cpu0 INTR     (status 0)") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "COM1 says hi") != NULL, "%s", r.out);
    run_free(&r);
}
END_TEST

START_TEST(kvm_kernel_irqchip_echo_shell)
{
    echo_session("bin/ch4", "--irqchip=kernel");
}
END_TEST

START_TEST(kvm_user_irqchip_echo_shell)
{
    echo_session("bin/ch4", "--irqchip=user");
    echo_ways_out("bin/ch4", "--irqchip=user");
}
END_TEST

void add_kvm_tests(Suite *s)
{
    const TTest *const tests[] = {
        kvm_kernel_irqchip_irqtest_pics,
        kvm_kernel_irqchip_irqtest_apics,
        kvm_user_irqchip_irqtest_pics,
        kvm_user_irqchip_irqtest_apics,
        kvm_kernel_irqchip_echo_shell,
        kvm_user_irqchip_echo_shell,
        kvm_interrupt_storm,
        kvm_inspector_transcript_on_the_pc,
    };

    suite_add_kvm_tests(s, "kvm", tests, sizeof(tests) / sizeof(tests[0]));
}
