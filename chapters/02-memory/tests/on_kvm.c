/*
 * on_kvm.c - chapter 2's tests on the real KVM: the payload in each CPU mode, each
 * loader on a good image (a kernel at 0x8000 among them), the ROM, dirty logging, the C
 * guests' output and status.
 */
#include "check_helpers.h"
#include "ch2_tests.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs build/bin/ch2 with the arguments (NULL-terminated), guests named relative to build/. */
#define run_ch2(r, ...) run_builtv(r, "bin/ch2", __VA_ARGS__)

/* [modes-test] */
START_TEST(payload_runs_in_each_mode)
{
    static const struct {
        const char *mode, *guest, *says;
    } cases[] = {
        {"real", "guests/ch2/payload-real.bin", "payload: running in real mode\n"},
        {"protected", "guests/ch2/payload-protected.bin", "payload: running in protected mode\n"},
        {"long", "guests/ch2/payload-long.bin", "payload: running in long mode\n"},
    };
    struct run_result r;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_ch2(&r, "--trace", "--mode", cases[i].mode, cases[i].guest, NULL);
        ck_assert_msg(r.status == 0, "%s: status %d: %s", cases[i].mode, r.status, r.err);
        ck_assert_str_eq(r.out, cases[i].says);
        ck_assert_ptr_nonnull(strstr(r.err, "loaded "));
        ck_assert_ptr_nonnull(strstr(r.err, " as flat\n"));
        ck_assert_ptr_nonnull(strstr(r.err, "out port 0x0080 size 2 data 0x13ba"));
        run_free(&r);
    }
}
END_TEST
/* [modes-test] */

START_TEST(elf_classes_pick_the_mode)
{
    struct run_result r;

    run_ch2(&r, "--trace", "guests/ch2/payload32.elf", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "payload: running in protected mode\n");
    ck_assert_ptr_nonnull(strstr(r.err, " as ELF32\n"));
    run_free(&r);
    run_ch2(&r, "--trace", "guests/ch2/payload64.elf", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "payload: running in long mode\n");
    ck_assert_ptr_nonnull(strstr(r.err, " as ELF64\n"));
    run_free(&r);
}
END_TEST

START_TEST(multiboot_info_reaches_the_guest)
{
    struct run_result r;

    run_ch2(&r, "--cmdline", "console=e9 quiet", "--module", "guests/ch2/hello.elf first module",
            "--peek", "0x200000:16", "guests/ch2/memmap.elf", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    /* The boot information starts the first page after the kernel, which loads at 1 MiB. */
    const char *at = strstr(r.out, "magic 0x2badb002 (Multiboot), info at 0x");
    unsigned long info = 0;
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "magic 0x2badb002 (Multiboot), info at 0x%lx", &info), 1);
    ck_assert_msg(info > 0x100000 && info % 4096 == 0, "info at 0x%lx", info);
    ck_assert_ptr_nonnull(strstr(r.out, "flags 0x0000024d\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "mem_lower 640 KiB, mem_upper 130048 KiB\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "cmdline \"console=e9 quiet\"\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "modules: 1\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "/guests/ch2/hello.elf first module\"\n"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "  base 0x0000000000000000 length 0x00000000000a0000 type 1"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "  base 0x00000000000f0000 length 0x0000000000001000 type 2"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "  base 0x0000000000100000 length 0x0000000007f00000 type 1"));
    /* What the guest wrote, read back by the host through its own view of guest RAM. */
    ck_assert_ptr_nonnull(strstr(r.out,
                                 "00200000: 73 74 65 70 76 6d 20 77 61 73 20 68 65 72 65 21  "
                                 "|stepvm was here!|\n"));
    run_free(&r);
}
END_TEST

START_TEST(ram_above_3g_moves_above_4g)
{
    struct run_result r;

    run_ch2(&r, "--mem", "3500M", "guests/ch2/memmap.elf", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(
        strstr(r.out, "  base 0x0000000000100000 length 0x00000000bff00000 type 1"));
    ck_assert_ptr_nonnull(
        strstr(r.out, "  base 0x0000000100000000 length 0x000000001ac00000 type 1"));
    run_free(&r);
}
END_TEST

/* [rom-test] */
START_TEST(rom_reads_fast_and_writes_exit)
{
    struct run_result r;

    run_ch2(&r, "--trace", "guests/ch2/rom.elf", NULL);
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "ROM says: stepvm ROM: read me at full speed; writes are ignored.\n"
                            "after writing 'X' to it, the ROM's first byte is 's': unchanged\n");
    /* Reading the ROM caused no exit; the one write did. */
    ck_assert_ptr_null(strstr(r.err, "MMIO      read"));
    ck_assert_ptr_nonnull(strstr(r.err, "MMIO      write addr 0xf0000 len 1 data 0x58"));
    ck_assert_ptr_nonnull(strstr(r.err, "warning: guest wrote 1 bytes at 0xf0000: ROM is read-only "
                                        "(write ignored)\n"));
    run_free(&r);
}
END_TEST
/* [rom-test] */

START_TEST(rom_file_replaces_the_default)
{
    char path[] = "/tmp/ch2-rom-XXXXXX";
    struct run_result r;

    close(mkstemp(path));
    write_file(path, "a ROM of the reader's own\n", 27);
    run_ch2(&r, "--rom", path, "guests/ch2/rom.elf", NULL);
    unlink(path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "ROM says: a ROM of the reader's own\n"));
    run_free(&r);
}
END_TEST

/* [dirty-test] */
START_TEST(dirty_log_reports_exactly_the_pages_written)
{
    struct run_result r;

    run_ch2(&r, "--mode", "protected", "--dirty-log", "guests/ch2/dirty.bin", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    /* KVM may also count the guest's code page (0x10000) in the first interval: it maps a
     * page writable, and so dirty, at the guest's first touch of it, even a fetch
     * (Linux 6.1 does). After that, only real writes count. */
    const char *rest = "dirty interval 2 (POST 0x02): 0x300000-0x300fff 0x310000-0x311fff; "
                       "3 pages\n"
                       "dirty interval 3 (at exit): 0 pages\n";
    char exact[512], with_code[512];
    snprintf(exact, sizeof(exact),
             "dirty interval 1 (POST 0x01): 0x300000-0x301fff "
             "0x305000-0x305fff; 3 pages\n%s",
             rest);
    snprintf(with_code, sizeof(with_code),
             "dirty interval 1 (POST 0x01): 0x10000-0x10fff "
             "0x300000-0x301fff 0x305000-0x305fff; 4 pages\n%s",
             rest);
    if (strcmp(r.err, with_code) != 0)
        ck_assert_lines_eq(r.err, exact);
    run_free(&r);
}
END_TEST
/* [dirty-test] */

START_TEST(hello_matches_its_expected_output)
{
    struct run_result r;

    run_ch2(&r, "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 35);
    ck_assert_lines_eq(r.out, expected_output("guests/ch2/hello.expected"));
    run_free(&r);
}
END_TEST

/* A Multiboot kernel at 0x8000, as QEMU boots it (qemu.c): the boot structures go above. */
START_TEST(kernel_at_0x8000_runs)
{
    struct run_result r;

    run_ch2(&r, "guests/ch2/lowload.elf", NULL);
    ck_assert_msg(r.status == 43, "status %d: %s", r.status, r.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch2/lowload.expected"));
    run_free(&r);
}
END_TEST

/* A flat long-mode guest 8 KiB below the end of RAM: its GDT and page tables do not fit
 * after it, and the program says so before the guest runs. */
START_TEST(too_little_ram_for_the_boot_structures_refused)
{
    struct run_result r;

    run_ch2(&r, "--mem", "2M", "--mode", "long", "--load-addr", "0x1fe000",
            "guests/ch2/payload-long.bin", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "/guests/ch2/payload-long.bin: guest RAM is too small "
                                        "for the VMM's boot structures: they need 0x7000 bytes "
                                        "at 0x1ff000, right after the image\n"));
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

START_TEST(fault_is_reported_by_the_guest)
{
    struct run_result r;

    run_ch2(&r, "guests/ch2/fault.elf", NULL);
    ck_assert_int_eq(r.status, 255);
    ck_assert_ptr_nonnull(strstr(r.out, "exception 14 (page fault) at rip 0x"));
    ck_assert_ptr_nonnull(strstr(r.out, "cr2 0x100000000000"));
    run_free(&r);
}
END_TEST

START_TEST(bad_image_refused_after_kvm_opens)
{
    char path[] = "/tmp/ch2-bad-XXXXXX";
    char want[256];
    struct run_result r;

    /* An ELF header cut short: the loader refuses it, the guest never runs. */
    close(mkstemp(path));
    write_file(path,
               "\x7f"
               "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0",
               18);
    run_ch2(&r, path, NULL);
    unlink(path);
    snprintf(want, sizeof(want),
             "ch2: %s: truncated: the ELF header needs 64 bytes, the file has 18\n", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, want);
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

void add_kvm_tests(Suite *s)
{
    const TTest *const tests[] = {
        payload_runs_in_each_mode,
        elf_classes_pick_the_mode,
        multiboot_info_reaches_the_guest,
        ram_above_3g_moves_above_4g,
        rom_reads_fast_and_writes_exit,
        rom_file_replaces_the_default,
        dirty_log_reports_exactly_the_pages_written,
        hello_matches_its_expected_output,
        kernel_at_0x8000_runs,
        too_little_ram_for_the_boot_structures_refused,
        fault_is_reported_by_the_guest,
        bad_image_refused_after_kvm_opens,
    };

    suite_add_kvm_tests(s, "kvm", tests, sizeof(tests) / sizeof(tests[0]));
}
