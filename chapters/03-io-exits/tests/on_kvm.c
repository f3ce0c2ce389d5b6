/*
 * on_kvm.c - chapter 3's tests on the real KVM: the devices guest, string I/O, the
 * hypercall port, strict mode, and the trace, JSON and statistics of a known guest.
 */
#include "ch3_tests.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs build/bin/ch3 with the arguments (NULL-terminated); "guests/..." is made absolute. */
#define run_ch3(r, ...) run_builtv(r, "bin/ch3", __VA_ARGS__)

START_TEST(devices_guest_meets_every_device)
{
    struct run_result r;

    run_builtv(&r, "bin/ch3", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, "debug console reads back 0xe9\n"
                              "POST port reads back 0x42\n"
                              "rep insb from 0xe9: e9 e9 ... e9\n"
                              "no device at port 0x300: reads 0xff\n"
                              "no device at 0xd0000000: reads 0xffffffff\n"
                              "hello through a hypercall\n"
                              "hypercall print returned 26\n"
                              "hypercall memsize: 128 MiB\n");
    ck_assert_lines_eq(r.err, "warning: guest read 1 byte at port 0x300: no device there (reads "
                              "as all ones)\n"
                              "warning: guest read 4 bytes at mmio 0xd0000000: no device there "
                              "(reads as all ones)\n");
    run_free(&r);
}
END_TEST

START_TEST(string_in_is_one_exit_with_a_count)
{
    struct run_result r;

    run_ch3(&r, "--trace", NULL);
    ck_assert_int_eq(r.status, 0);
    /* KVM batches REP INSB into one exit; the bus then reads the port eight times. */
    ck_assert_ptr_nonnull(strstr(r.err, "IO       in  port 0x00e9 size 1 count 8 data 0xe9"));
    ck_assert_ptr_nonnull(strstr(r.err, "IO       out port 0x0080 size 1 data 0x42"));
    ck_assert_ptr_nonnull(strstr(r.err, "MMIO     in  addr 0xd0000000 size 4 data 0xffffffff"));
    ck_assert_ptr_nonnull(strstr(r.err, "cpu0 HLT       rip 0x"));
    run_free(&r);
}
END_TEST

START_TEST(hypercalls_refuse_bad_blocks)
{
    struct run_result r;

    run_ch3(&r, "--mem", "64M", "guests/ch3/hcall.elf", NULL);
    ck_assert_msg(r.status == 1, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_lines_eq(r.out, "printed by the host\n"
                              "call 1: service 1 -> 20 (want 20)\n"
                              "call 2: service 1 -> -14 (want -14)\n"
                              "call 3: service 1 -> -22 (want -22)\n"
                              "call 4: service 99 -> -38 (want -38)\n"
                              "call 5: service 2 -> 0 (want 0)\n"
                              "memsize says 64 MiB\n"
                              "unaligned block left alone: yes\n"
                              "ROM left alone: yes\n");
    ck_assert_ptr_nonnull(strstr(r.err, "warning: hypercall: argument block at 0xd0000000 is not "
                                        "in guest RAM (ignored)\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "want one 32-bit write of an 8-byte aligned address"));
    ck_assert_ptr_nonnull(strstr(r.err, "warning: hypercall: argument block at 0xf0000 is "
                                        "read-only (ignored)\n"));
    run_free(&r);
}
END_TEST

START_TEST(strict_stops_at_the_first_unclaimed_port)
{
    struct run_result r;

    run_ch3(&r, "--strict", "--load-addr", "0x1000", "guests/ch1/hello.bin", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "Hello from real mode!\n");
    ck_assert_str_eq(r.err, "ch3: guest read 1 byte at port 0x3fd, where no device is "
                            "(--strict)\n");
    run_free(&r);
}
END_TEST

/* [stats-kvm-test] */
START_TEST(stats_count_chapter_1s_guest)
{
    struct run_result r;

    run_ch3(&r, "--stats", "--load-addr", "0x1000", "guests/ch1/hello.bin", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Hello from real mode!\nsum 1..100 = 5050\n");
    /* 22 + 18 bytes to 0xe9, COM1's status read and 13 bytes (no COM1 until chapter 4),
     * the sum to 0x80, the HLT: counts are exact, times are not asserted. */
    static const char *rows[] = {
        "  IO       port 0x00e9          40 ", "  IO       port 0x03fd           1 ",
        "  IO       port 0x03f8          13 ", "  IO       port 0x0080           1 ",
        "  HLT      -                     1 "};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        ck_assert_msg(strstr(r.err, rows[i]) != NULL, "no row '%s' in:\n%s", rows[i], r.err);
    run_free(&r);
}
END_TEST
/* [stats-kvm-test] */

START_TEST(trace_file_has_one_json_line_per_exit)
{
    char path[] = "/tmp/ch3-trace-XXXXXX", line[512];
    struct run_result r;
    unsigned long n = 0;

    close(mkstemp(path));
    run_ch3(&r, "--trace-file", path, "--load-addr", "0x1000", "guests/ch1/hello.bin", NULL);
    ck_assert_int_eq(r.status, 0);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        char want[32];
        snprintf(want, sizeof(want), "{\"seq\":%lu,\"vcpu\":0,", ++n);
        ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "line %lu: %s", n, line);
        ck_assert_msg(line[strlen(line) - 2] == '}', "line %lu: %s", n, line);
    }
    fclose(f);
    unlink(path);
    ck_assert_uint_eq(n, 56); /* the 55 I/O exits of chapter 1 and the HLT */
    ck_assert_ptr_nonnull(strstr(line, "\"reason\":\"HLT\""));
    run_free(&r);
}
END_TEST

START_TEST(triple_fault_dumps_through_the_interface)
{
    struct run_result r;

    run_ch3(&r, "--load-addr", "0x1000", "guests/ch1/triple.bin", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "about to triple-fault\n");
    ck_assert_ptr_nonnull(strstr(r.err, "ch3: guest triple-faulted (KVM_EXIT_SHUTDOWN)"));
    ck_assert_ptr_nonnull(strstr(r.err, "Registers:\n rip: "));
    ck_assert_ptr_nonnull(strstr(r.err, "Control registers:\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "Code at rip (linear "));
    run_free(&r);
}
END_TEST

START_TEST(fw_cfg_answers_as_qemu_does)
{
    struct run_result r;

    run_ch3(&r, "guests/ch3/fwcfg.elf", NULL);
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch3/fwcfg.expected"));
    ck_assert_str_eq(r.err, "");
    run_free(&r);
}
END_TEST

/* [chaos-test] */
START_TEST(hostile_guest_cannot_hurt_the_vmm)
{
    struct run_result r;

    run_ch3(&r, "--mem", "64M", "guests/ch3/chaos.elf", NULL);
    /* The guest's own verdict, 0x2a: status 0x55. Not a crash, not a VMM error. */
    ck_assert_msg(r.status == 0x55, "status %d:\n%.2000s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "survived 3000 hostile accesses\n"));
    ck_assert_ptr_null(strstr(r.err, "ch3: "));
    ck_assert_ptr_nonnull(strstr(r.err, "warning: hypercall: further refused calls are not "
                                        "reported\n"));
    run_free(&r);
}
END_TEST
/* [chaos-test] */

void add_kvm_tests(Suite *s)
{
    const TTest *const tests[] = {
        devices_guest_meets_every_device,
        string_in_is_one_exit_with_a_count,
        hypercalls_refuse_bad_blocks,
        strict_stops_at_the_first_unclaimed_port,
        stats_count_chapter_1s_guest,
        trace_file_has_one_json_line_per_exit,
        triple_fault_dumps_through_the_interface,
        fw_cfg_answers_as_qemu_does,
        hostile_guest_cannot_hurt_the_vmm,
    };

    suite_add_kvm_tests(s, "kvm", tests, sizeof(tests) / sizeof(tests[0]));
}
