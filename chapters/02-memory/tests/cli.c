/*
 * cli.c - chapter 2's program refusing what its command line names: flags, sizes, the
 * guest, module and ROM files, a missing KVM. Each is one exact line on stderr, exit
 * status 1, nothing on stdout. None needs KVM.
 */
#include "ch2_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 40

/* A directory of files for the program to refuse, made afresh for each test. */
static char dir[64];

/* Writes "<dir>/name" into buf. */
static const char *in_dir(char *buf, size_t size, const char *name)
{
    ck_assert_int_lt(snprintf(buf, size, "%s/%s", dir, name), (int)size);
    return buf;
}

/* Creates dir/name holding len bytes. */
static void make_file(const char *name, size_t len)
{
    char path[128];
    char *data = calloc(1, len + 1);

    ck_assert_ptr_nonnull(data);
    in_dir(path, sizeof(path), name);
    if (len)
        write_file(path, data, len);
    else
        fclose(fopen(path, "w"));
    free(data);
}

static void setup(void)
{
    strcpy(dir, "/tmp/ch2-cli-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    make_file("empty", 0);
    make_file("guest", 16);
    make_file("bigrom", 0x10001);
}

static void teardown(void)
{
    static const char *const names[] = {"empty", "guest", "bigrom"};
    char path[128];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unlink(in_dir(path, sizeof(path), names[i]));
    rmdir(dir);
}

/* Copies text into buf with each '@' replaced by "<dir>/". */
static const char *expand(char *buf, size_t size, const char *text)
{
    size_t n = 0;

    for (; *text; text++) {
        const char *piece = *text == '@' ? dir : (char[2]){*text, '\0'};
        ck_assert_uint_lt(n + strlen(piece) + 1, size);
        n += (size_t)sprintf(buf + n, "%s%s", piece, *text == '@' ? "/" : "");
    }
    buf[n] = '\0';
    return buf;
}

/* Runs build/bin/ch2 with args (NULL-terminated): '@' stands for the test's directory,
 * and a name starting with "guests/" is a built guest. */
static void run_args(struct run_result *r, const char *const args[])
{
    static char expanded[MAX_ARGS + 1][4096];
    const char *argv[MAX_ARGS + 1];
    int n = 0;

    for (; args[n]; n++) {
        ck_assert_int_lt(n, MAX_ARGS);
        argv[n] = expand(expanded[n], sizeof(expanded[n]), args[n]);
    }
    argv[n] = NULL;
    run_built(r, "bin/ch2", argv);
}

/* Asserts the run printed nothing on stdout, want (expanded) on stderr, and exited 1. */
static void assert_refused(struct run_result *r, const char *name, const char *want)
{
    char expanded[1024];

    expand(expanded, sizeof(expanded), want);
    ck_assert_msg(strcmp(r->err, expanded) == 0, "%s:\n got: %s\nwant: %s", name, r->err, expanded);
    ck_assert_msg(r->status == 1, "%s: exit status %d", name, r->status);
    ck_assert_msg(r->out[0] == '\0', "%s: printed on stdout: %s", name, r->out);
    run_free(r);
}

#define NOT_A_SIZE " is not a size (try 64M, 2G or 0x100000)\n"

static const struct {
    const char *name;
    const char *args[6];
    const char *want;
} refusals[] = {
    {"mem_not_a_size", {"--mem", "abc", "@guest"}, "ch2: --mem: 'abc'" NOT_A_SIZE},
    {"mem_too_large",
     {"--mem", "99999999999G", "@guest"},
     "ch2: --mem: '99999999999G' is too large\n"},
    {"load_addr_not_a_size",
     {"--load-addr", "0xZZ", "@guest"},
     "ch2: --load-addr: '0xZZ'" NOT_A_SIZE},
    {"mode_bogus",
     {"--mode", "bogus", "@guest"},
     "ch2: --mode: 'bogus' is not real, protected or long\n"},
    {"peek_without_colon",
     {"--peek", "0x1000", "@guest"},
     "ch2: --peek: '0x1000' is not ADDR:LEN\n"},
    {"peek_length_not_a_size",
     {"--peek", "0x1000:lots", "@guest"},
     "ch2: --peek: 'lots'" NOT_A_SIZE},
    {"peek_longer_than_1m", {"--peek", "0x1000:2M", "@guest"}, "ch2: --peek: at most 1M bytes\n"},
    {"missing_guest", {"@missing.elf"}, "ch2: open @missing.elf: No such file or directory\n"},
    {"empty_guest", {"@empty"}, "ch2: @empty: file is empty\n"},
    {"guest_is_a_directory", {"/tmp"}, "ch2: /tmp: not a regular file\n"},
    {"two_guests", {"@guest", "@guest"}, "ch2: one guest file at most, got 2; try 'ch2 --help'\n"},
    {"missing_module",
     {"--module", "@missing.mod first arg", "@guest"},
     "ch2: open @missing.mod: No such file or directory\n"},
    {"empty_module", {"--module", "@empty", "@guest"}, "ch2: @empty: file is empty\n"},
    {"missing_rom",
     {"--rom", "@missing.rom", "@guest"},
     "ch2: open @missing.rom: No such file or directory\n"},
    {"rom_larger_than_64k",
     {"--rom", "@bigrom", "@guest"},
     "ch2: @bigrom: 65537 bytes is too large (at most 65536 bytes fit)\n"},
    {"missing_kvm_explained",
     {"--kvm-dev", "/nonexistent/kvm", "guests/ch2/hello.elf"},
     "ch2: open /nonexistent/kvm: No such file or directory (is the kvm module loaded? try "
     "'modprobe kvm_intel' or 'modprobe kvm_amd'; if that fails, enable VT-x/AMD-V in the "
     "firmware setup)\n"
     "ch2: without a usable KVM here, 'make chapter-2' runs ch2 in the nested machine, a real "
     "KVM inside QEMU's emulator (the book: \"How the code is organised\")\n"},
};

START_TEST(bad_command_lines_refused)
{
    struct run_result r;

    run_args(&r, refusals[_i].args);
    assert_refused(&r, refusals[_i].name, refusals[_i].want);
}
END_TEST

START_TEST(seventeen_modules_refused)
{
    const char *args[20] = {NULL};
    struct run_result r;

    for (int i = 0; i < 17; i++)
        args[i] = "--module=@guest";
    args[17] = "@guest";
    run_args(&r, args);
    assert_refused(&r, "seventeen_modules", "ch2: --module: at most 16 modules\n");
}
END_TEST

START_TEST(wrong_flag_refused)
{
    char bin[4096], want[4200];
    struct run_result r;

    run_args(&r, (const char *const[]){"--bogus", "@guest", NULL});
    snprintf(want, sizeof(want), "%s: unrecognized option '--bogus'\nch2: try 'ch2 --help'\n",
             build_path(bin, sizeof(bin), "bin/ch2"));
    assert_refused(&r, "wrong_flag", want);
}
END_TEST

START_TEST(help_names_every_option)
{
    static const char *const options[] = {"--mem",    "--mode",    "--load-addr", "--cmdline",
                                          "--module", "--rom",     "--dirty-log", "--peek",
                                          "--trace",  "--kvm-dev", "--help"};
    struct run_result r;

    run_args(&r, (const char *const[]){"--help", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, "usage: ch2 [options] [GUEST]\n"));
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        ck_assert_msg(strstr(r.out, options[i]) != NULL, "--help does not mention %s", options[i]);
    ck_assert_ptr_nonnull(strstr(r.out, "The book: chapter 2, build/book/html/ch02-memory.html"));
    ck_assert_ptr_nonnull(strstr(r.out, "build/guests/ch2/"));
    run_free(&r);
}
END_TEST

TCase *cli_tests(void)
{
    TCase *tc = tcase_create("cli");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, help_names_every_option);
    tcase_add_test(tc, wrong_flag_refused);
    tcase_add_loop_test(tc, bad_command_lines_refused, 0, sizeof(refusals) / sizeof(refusals[0]));
    tcase_add_test(tc, seventeen_modules_refused);
    return tc;
}
