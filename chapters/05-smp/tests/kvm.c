/*
 * kvm.c - chapter 5's machine on KVM, with KVM's local APICs and with stepvm's: the smp
 * guest on 1, 2, 4 and 8 vCPUs gives QEMU's lines; an AP can end the machine; SIGTERM
 * ends it cleanly; the inspector lists and steps each vCPU; Debian's Linux finds and
 * brings up every CPU. And --smp's refusals,
 * which need no KVM.
 */
#include "ch5_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* smp.elf on n vCPUs with irqchip: the same lines as under QEMU, status 1 (exit(0)). */
static void smp_on(const char *irqchip, int n)
{
    struct run_result r;
    char smp[16];

    snprintf(smp, sizeof(smp), "%d", n);
    run_builtv(&r, "bin/ch5", irqchip, "--stats", "--smp", smp, "guests/ch5/smp.elf", NULL);
    assert_each_cpu_once(r.out, n);
    /* --stats: how many exits each vCPU made (every CPU printed its line: at least one). */
    const char *by = strstr(r.err, "exits by vCPU:");
    ck_assert_msg(n == 1 ? by == NULL : by != NULL, "%s --smp %d:\n%s", irqchip, n, r.err);
    for (int i = 0; i < n && by; i++) {
        char cpu[16];
        snprintf(cpu, sizeof(cpu), " cpu%d ", i);
        const char *at = strstr(by, cpu);
        ck_assert_msg(at && strtoul(at + strlen(cpu), NULL, 10) > 0, "%s: %s", cpu, by);
    }
    assert_summary(r.out, n);
    ck_assert_msg(r.status == 1, "%s --smp %d: status %d\n%s%s", irqchip, n, r.status, r.out,
                  r.err);
    run_free(&r);
}

/* The highest AP writes the exit port while the others spin: the status is the one it
 * asked for, and every other vCPU's thread was taken out of KVM_RUN (the process ended). */
static void ended_by_an_ap(const char *irqchip)
{
    struct run_result r;

    run_builtv(&r, "bin/ch5", irqchip, "--smp", "4", "--cmdline", "end=ap", "guests/ch5/smp.elf",
               NULL);
    ck_assert_msg(strstr(r.out, "ended by cpu 3\n"), "%s: %s%s", irqchip, r.out, r.err);
    ck_assert_msg(r.status == 1, "%s: status %d\n%s%s", irqchip, r.status, r.out, r.err);
    run_free(&r);
}

/* SIGTERM while four CPUs count: the machine ends with 128 + 15, at once, every thread
 * joined (the process exits), and nothing on stderr but what the guest's end says. */
static void sigterm(const char *irqchip)
{
    struct run_result r;
    char top[4096], bin[4200];

    build_path(bin, sizeof(bin), "bin/ch5");
    run_shell(&r,
              "out=$(mktemp); %s %s --smp 4 --cmdline iter=2000000000 %s/guests/ch5/smp.elf "
              ">$out 2>&1 & pid=$!; n=0; "
              "while [ $(grep -c 'apic id' $out) -lt 4 ] && [ $n -lt 600 ]; do "
              "sleep 0.1; n=$((n + 1)); done; kill -TERM $pid; wait $pid; echo status=$?; "
              "cat $out; rm -f $out",
              bin, irqchip, build_path(top, sizeof(top), "."));
    ck_assert_msg(strstr(r.out, "status=143\n"), "%s: %s%s", irqchip, r.out, r.err);
    ck_assert_msg(occurrences(r.out, "apic id") == 4, "%s: %s", irqchip, r.out);
    run_free(&r);
}

/* The inspector on two vCPUs, in batch mode (smp.script: two exits on cpu 0, one on
 * cpu 1, back to cpu 0, let the others run, continue to the end) and in tmux. */
static void inspected(const char *irqchip)
{
    struct run_result r;

    run_builtv(&r, "bin/ch5", irqchip, "--smp", "2", "--batch-script", "guests/ch5/smp.script",
               "guests/ch5/smp.elf", NULL);
    /* (A whole transcript is too long for Check's message: its last 1000 bytes.) */
    const char *tail = r.out + (strlen(r.out) > 1000 ? strlen(r.out) - 1000 : 0);
    ck_assert_msg(r.status == 1, "%s: status %d\n...%s\n%s", irqchip, r.status, tail, r.err);
    ck_assert_msg(strstr(r.out, "--- vCPUs (the others wait)\n=> cpu0  paused\n   cpu1  paused\n"),
                  "%s: no vCPU list before the first exit", irqchip);
    ck_assert_msg(strstr(r.out, "cpu 0: exit     1  cpu0 "), "%s: no exit of cpu 0", irqchip);
    ck_assert_msg(strstr(r.out, "| cpu 1 of 2 |") && strstr(r.out, "=> cpu1"),
                  "%s: cpu 1 never in focus", irqchip);
    ck_assert_msg(strstr(r.out, "--- vCPUs (the others run)"), "%s: r did nothing", irqchip);
    ck_assert_msg(strstr(r.out, "the guest has ended"), "%s: ...%s", irqchip, tail);
    assert_summary(r.out, 2);
    run_free(&r);
    check_inspector_tui_smp("bin/ch5", irqchip);
}

START_TEST(kvm_smp_kernel_irqchip)
{
    for (int n = 1; n <= 8; n *= 2)
        smp_on("--irqchip=kernel", n);
}
END_TEST

START_TEST(kvm_smp_user_irqchip)
{
    for (int n = 1; n <= 8; n *= 2)
        smp_on("--irqchip=user", n);
}
END_TEST

START_TEST(kvm_smp_ends_cleanly)
{
    ended_by_an_ap("--irqchip=kernel");
    ended_by_an_ap("--irqchip=user");
    sigterm("--irqchip=kernel");
    sigterm("--irqchip=user");
}
END_TEST

START_TEST(kvm_smp_inspector_kernel_irqchip)
{
    inspected("--irqchip=kernel");
}
END_TEST

START_TEST(kvm_smp_inspector_user_irqchip)
{
    inspected("--irqchip=user");
}
END_TEST

/* Debian's kernel on n vCPUs: it finds them (ACPI's MADT, or with acpi=off the MP table)
 * and brings every one up. With ACPI it also finds the virtio disk (chapter 4) and /init
 * runs to its end: LINUX-OK, and the ACPI power-off (status 0). */
static void linux_on(const char *irqchip, int n, const char *append)
{
    char disk[] = "/tmp/stepvm-linux-XXXXXX", smp[16], want[64], cmd[4096];
    struct run_result r;
    int acpi = !strstr(append, "acpi=off");

    ck_assert_int_ge(close(mkstemp(disk)), 0);
    run_shell(&r, "cp %s/guests/linux/disk.img %s", build_path(cmd, sizeof(cmd), ""), disk);
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    snprintf(smp, sizeof(smp), "%d", n);
    run_builtv(&r, "bin/ch5", irqchip, "--smp", smp, "--mem", "256M", "--disk", disk, "--initrd",
               "guests/linux/initramfs.cpio.gz", "--append", append, "guests/linux/vmlinuz", NULL);
    unlink(disk);
    snprintf(want, sizeof(want), "smp: Brought up 1 node, %d CPUs", n);
    ck_assert_msg(strstr(r.out, "Linux version 6."), "no banner:\n%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, want), "%s: want '%s':\n%s%s", irqchip, want, r.out, r.err);
    if (acpi) {
        ck_assert_msg(strstr(r.out, "LINUX-OK") && !strstr(r.out, "LINUX-FAIL"), "%s:\n%s", irqchip,
                      r.out);
        ck_assert_msg(r.status == 0, "%s: status %d\n%s%s", irqchip, r.status, r.out, r.err);
    }
    run_free(&r);
}

/* With ACPI's MADT and KVM's local APICs. */
START_TEST(kvm_linux_four_cpus)
{
    linux_on("--irqchip=kernel", 4, "console=ttyS0");
}
END_TEST

/* acpi=off: the kernel has only the MP table to find the CPUs, the I/O APIC and the
 * wiring; stepvm's own local APICs start the APs. (Without ACPI the virtio disk is not
 * found, so /init stops early: only the CPUs are checked.) */
START_TEST(kvm_linux_mp_table)
{
    linux_on("--irqchip=user", 2, "console=ttyS0 acpi=off");
}
END_TEST

void add_kvm_smp_tests(Suite *s)
{
    const TTest *const tests[] = {
        kvm_smp_kernel_irqchip,
        kvm_smp_user_irqchip,
        kvm_smp_ends_cleanly,
        kvm_smp_inspector_kernel_irqchip,
        kvm_smp_inspector_user_irqchip,
        kvm_linux_four_cpus,
        kvm_linux_mp_table,
    };
    int n = sizeof(tests) / sizeof(tests[0]);

    if (!have_linux_guest()) {
        printf("SKIPPED: 2 test(s) in test case kvm smp: no guests/linux in the build\n");
        n -= 2;
    }
#if defined(__SANITIZE_THREAD__)
    /* Linux with stepvm's own APICs makes an exit of every APIC access, each through the
     * instrumented VMM: in the nested machine that boot outlasts its 300 s. */
    else {
        printf("SKIPPED: 1 test(s) in test case kvm smp: Linux on stepvm's own APICs "
               "(kvm_linux_mp_table) is too slow under ThreadSanitizer; make test and make "
               "test SAN=1 run it\n");
        n -= 1;
    }
#endif
    suite_add_kvm_tests(s, "kvm smp", tests, n);
}

/* ---- Without KVM ---- */

START_TEST(smp_refusals)
{
    struct run_result r;

    run_builtv(&r, "bin/ch5", "--smp", "0", "guests/ch5/smp.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch5: --smp 0: a number of CPUs from 1 to 64\n");
    run_free(&r);
    run_builtv(&r, "bin/ch5", "--smp", "4x", "guests/ch5/smp.elf", NULL);
    ck_assert_str_eq(r.err, "ch5: --smp 4x: a number of CPUs from 1 to 64\n");
    run_free(&r);
    run_builtv(&r, "bin/stepvm", "--smp", "2", "--lockstep", "guests/ch5/smp.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "stepvm: --lockstep compares one vCPU, not --smp 2\n");
    run_free(&r);
}
END_TEST

/* The interpreter runs the smp guest on its one CPU (--smp 1) with chapter 5's machine:
 * the same lines as QEMU -smp 1. */
START_TEST(tcg_smp_on_one_cpu)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--accel=tcg", "guests/ch5/smp.elf", NULL);
    assert_each_cpu_once(r.out, 1);
    assert_summary(r.out, 1);
    ck_assert_int_eq(r.status, 1);
    run_free(&r);
}
END_TEST

TCase *smp_cli_tests(void)
{
    TCase *tc = tcase_create("smp cli");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, smp_refusals);
    tcase_add_test(tc, tcg_smp_on_one_cpu);
    return tc;
}
