/*
 * check_ch1.c - chapter 1's test suite.
 *
 * Without KVM: the refused inputs and their messages, the exit handler fed with kvm_run
 * pages built by hand, the trace line and the register dump layouts.
 * With KVM: the real guests, their exact exit sequence, output and status, and the dump
 * of a triple fault.
 */
#include "check_helpers.h"
#include "dump.h"
#include "error.h"
#include "kvm.h"
#include "vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- the program's refusals */

/* Runs build/bin/ch1 with up to three arguments. */
static void run_ch1(struct run_result *res, const char *a, const char *b, const char *c)
{
    char bin[4096];
    const char *argv[] = {build_path(bin, sizeof(bin), "bin/ch1"), a, b, c, NULL};

    run_capture(argv, res);
}

START_TEST(help_explains)
{
    struct run_result r;

    run_ch1(&r, "--help", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: ch1 [options] [GUEST.bin]"));
    ck_assert_ptr_nonnull(strstr(r.out, "--trace"));
    ck_assert_ptr_nonnull(strstr(r.out, "port 0xf4"));
    run_free(&r);
}
END_TEST

START_TEST(wrong_flag_refused)
{
    struct run_result r;

    run_ch1(&r, "--bogus", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "ch1: try 'ch1 --help'"));
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

START_TEST(missing_file_refused)
{
    struct run_result r;

    run_ch1(&r, "/nonexistent/guest.bin", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: open /nonexistent/guest.bin: No such file or directory\n");
    run_free(&r);
}
END_TEST

START_TEST(empty_file_refused)
{
    char path[] = "/tmp/ch1-empty-XXXXXX";
    struct run_result r;
    char want[256];

    close(mkstemp(path));
    run_ch1(&r, path, NULL, NULL);
    unlink(path);
    snprintf(want, sizeof(want), "ch1: %s: file is empty\n", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
}
END_TEST

START_TEST(oversized_file_refused)
{
    char path[] = "/tmp/ch1-big-XXXXXX";
    static unsigned char big[VM_MAX_IMAGE + 1];
    struct run_result r;
    char want[256];

    close(mkstemp(path));
    write_file(path, big, sizeof(big));
    run_ch1(&r, path, NULL, NULL);
    unlink(path);
    snprintf(want, sizeof(want), "ch1: %s: 61441 bytes is too large (at most 61440 bytes fit)\n",
             path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
}
END_TEST

START_TEST(directory_refused)
{
    struct run_result r;

    run_ch1(&r, "/tmp", NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: /tmp: not a regular file\n");
    run_free(&r);
}
END_TEST

START_TEST(missing_kvm_explained)
{
    char guest[4096];
    struct run_result r;

    build_path(guest, sizeof(guest), "guests/ch1/hello.bin");
    run_ch1(&r, "--kvm-dev=/nonexistent/kvm", guest, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "ch1: open /nonexistent/kvm: No such file or directory (is the kvm "
                            "module loaded? try 'modprobe kvm_intel' or 'modprobe kvm_amd'; if "
                            "that fails, enable VT-x/AMD-V in the firmware setup)\n");
    ck_assert_str_eq(r.out, "");
    run_free(&r);
}
END_TEST

START_TEST(permission_denied_explained)
{
    errno = EACCES;
    error_errno("open /dev/kvm");
    kvm__explain_open_error(EACCES);
    ck_assert_str_eq(error_get(), "open /dev/kvm: Permission denied (is your user in group kvm? "
                                  "'sudo adduser $USER kvm', then log in again)");
}
END_TEST

START_TEST(api_version_checked)
{
    ck_assert_int_eq(kvm__check_api_version(12), 0);
    ck_assert_int_eq(kvm__check_api_version(11), -1);
    ck_assert_str_eq(error_get(),
                     "KVM API version is 11, stepvm needs 12 (kernel and headers disagree)");
}
END_TEST

/* ------------------------------------------------------- the exit handler, fed by hand */

/* A vm whose kvm_run page is a buffer of the test's, and whose console is a string. */
struct fake {
    struct vm vm;
    union {
        struct kvm_run run;
        uint8_t page[4096];
    } u;
    char *console, *diag;
    size_t console_len, diag_len;
};

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->vm.cpu.run = &f->u.run;
    f->vm.kvm.vcpu_mmap_size = sizeof(f->u.page);
    f->vm.console = open_memstream(&f->console, &f->console_len);
    f->vm.diag = open_memstream(&f->diag, &f->diag_len);
}

static void fake_io(struct fake *f, int dir, uint16_t port, uint8_t size, uint32_t count,
                    const void *data)
{
    f->u.run.exit_reason = KVM_EXIT_IO;
    f->u.run.io.direction = (uint8_t)dir;
    f->u.run.io.port = port;
    f->u.run.io.size = size;
    f->u.run.io.count = count;
    f->u.run.io.data_offset = 1024;
    if (data)
        memcpy(f->u.page + 1024, data, (size_t)size * count);
}

static void fake_done(struct fake *f)
{
    fclose(f->vm.console);
    fclose(f->vm.diag);
}

START_TEST(out_bytes_reach_console)
{
    struct fake f;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_DEBUGCON, 1, 1, "H");
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_COM1, 1, 3, "i!\n");
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    fake_done(&f);
    ck_assert_str_eq(f.console, "Hi!\n");
    ck_assert_int_eq(f.vm.done, 0);
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(com1_lsr_reads_ready)
{
    struct fake f;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_IN, PORT_COM1_LSR, 1, 1, NULL);
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    ck_assert_uint_eq(f.u.page[1024], COM1_LSR_READY);
    fake_done(&f);
    ck_assert_str_eq(f.diag, "");
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(unclaimed_port_reads_ones_warns_once)
{
    struct fake f;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_IN, 0x1234, 2, 1, NULL);
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    ck_assert_uint_eq(f.u.page[1024], 0xff);
    ck_assert_uint_eq(f.u.page[1025], 0xff);
    fake_io(&f, KVM_EXIT_IO_IN, 0x1234, 2, 1, NULL);
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    fake_io(&f, KVM_EXIT_IO_OUT, 0x1234, 1, 1, "x");
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    fake_done(&f);
    ck_assert_str_eq(f.diag, "warning: guest read from port 0x1234: no device there (reads as "
                             "all ones)\n");
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(test_exit_port_sets_status)
{
    struct fake f;
    uint32_t v = 0x10;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_TEST_EXIT, 4, 1, &v);
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    ck_assert_int_eq(f.vm.done, 1);
    ck_assert_int_eq(f.vm.status, 33);
    fake_done(&f);
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(hlt_ends_with_zero)
{
    struct fake f;

    fake_init(&f);
    f.vm.status = 7;
    f.u.run.exit_reason = KVM_EXIT_HLT;
    ck_assert_int_eq(vm__handle_exit(&f.vm), 0);
    ck_assert_int_eq(f.vm.done, 1);
    ck_assert_int_eq(f.vm.status, 0);
    fake_done(&f);
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(fatal_exits_explained)
{
    static const struct {
        uint32_t reason;
        const char *msg;
    } cases[] = {
        {KVM_EXIT_SHUTDOWN, "guest triple-faulted (KVM_EXIT_SHUTDOWN): an exception occurred "
                            "while delivering a double fault, and the CPU reset"},
        {KVM_EXIT_FAIL_ENTRY, "the CPU refused to enter the guest (KVM_EXIT_FAIL_ENTRY, hardware "
                              "reason 0x21): the guest state set by the VMM is invalid"},
        {KVM_EXIT_INTERNAL_ERROR, "KVM could not handle the guest (KVM_EXIT_INTERNAL_ERROR, "
                                  "suberror 1: an instruction KVM had to emulate is one it "
                                  "cannot)"},
    };
    struct fake f;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_init(&f);
        f.u.run.exit_reason = cases[i].reason;
        f.u.run.fail_entry.hardware_entry_failure_reason = 0x21;
        f.u.run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
        if (cases[i].reason == KVM_EXIT_FAIL_ENTRY)
            f.u.run.fail_entry.hardware_entry_failure_reason = 0x21;
        ck_assert_int_eq(vm__handle_exit(&f.vm), -1);
        ck_assert_int_eq(f.vm.crashed, 1);
        ck_assert_str_eq(error_get(), cases[i].msg);
        fake_done(&f);
        free(f.console);
        free(f.diag);
    }
}
END_TEST

START_TEST(malformed_io_exit_refused)
{
    struct fake f;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_DEBUGCON, 1, 4000, NULL);
    ck_assert_int_eq(vm__handle_exit(&f.vm), -1);
    ck_assert_str_eq(error_get(), "malformed I/O exit: port 0xe9 size 1 count 4000 offset 0x400");
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_DEBUGCON, 3, 1, NULL);
    ck_assert_int_eq(vm__handle_exit(&f.vm), -1);
    fake_done(&f);
    ck_assert_str_eq(f.console, "");
    free(f.console);
    free(f.diag);
}
END_TEST

/* ----------------------------------------------------------------- what a reader reads */

START_TEST(trace_line_layout)
{
    struct fake f;
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    uint16_t sum = 5050;

    fake_init(&f);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_DEBUGCON, 1, 1, "H");
    vm__trace_exit(out, 1, &f.u.run, 0x1005);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_POST, 2, 1, &sum);
    vm__trace_exit(out, 2, &f.u.run, 0x1030);
    fake_io(&f, KVM_EXIT_IO_OUT, PORT_COM1, 1, 13, "COM1 says hi\n");
    vm__trace_exit(out, 3, &f.u.run, 0x1020);
    fake_io(&f, KVM_EXIT_IO_IN, PORT_COM1_LSR, 1, 1, NULL);
    vm__trace_exit(out, 4, &f.u.run, 0x1019);
    f.u.run.exit_reason = KVM_EXIT_HLT;
    vm__trace_exit(out, 5, &f.u.run, 0x1041);
    fclose(out);
    ck_assert_lines_eq(text, "exit    1  IO        out port 0x00e9 size 1 data 0x48 'H'  rip 0x1005\n"
                           "exit    2  IO        out port 0x0080 size 2 data 0x13ba  rip 0x1030\n"
                           "exit    3  IO        out port 0x03f8 size 1 count 13 data 0x43 'C'"
                           "  rip 0x1020\n"
                           "exit    4  IO        in  port 0x03fd size 1  rip 0x1019\n"
                           "exit    5  HLT        rip 0x1041\n");
    free(text);
    fake_done(&f);
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(register_dump_layout)
{
    struct kvm_regs regs = {.rax = 0x13ba, .rbx = 1, .rcx = 2, .rdx = 0xe9, .rsi = 3, .rdi = 4,
                            .rsp = 0xffe, .rbp = 5, .r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11,
                            .r12 = 12, .r13 = 13, .r14 = 14, .r15 = 15, .rip = 0x1003,
                            .rflags = 0x46};
    struct kvm_sregs sregs = {.cr0 = 0x60000010, .cr3 = 0x3000, .efer = 0x500};
    uint8_t code[] = {0x0f, 0x01, 0x1e, 0xcc, 0xf4};
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    sregs.cs.selector = 0xf000;
    sregs.cs.base = 0xffff0000;
    sregs.cs.limit = 0xffff;
    sregs.cs.type = 0xb;
    sregs.cs.present = 1;
    sregs.cs.s = 1;
    sregs.idt.limit = 0;
    dump_regs(out, &regs);
    dump_sregs(out, &sregs);
    dump_control(out, &sregs);
    dump_code(out, 0x1000, code, sizeof(code), 0x1003, NULL);
    dump_code(out, 0x1000, NULL, 0, 0x1003, "not mapped");
    fclose(out);
    ck_assert_lines_eq(
        text,
        "Registers:\n"
        " rip: 0000000000001003   rsp: 0000000000000ffe flags: 0000000000000046\n"
        " rax: 00000000000013ba   rbx: 0000000000000001   rcx: 0000000000000002\n"
        " rdx: 00000000000000e9   rsi: 0000000000000003   rdi: 0000000000000004\n"
        " rbp: 0000000000000005    r8: 0000000000000008    r9: 0000000000000009\n"
        " r10: 000000000000000a   r11: 000000000000000b   r12: 000000000000000c\n"
        " r13: 000000000000000d   r14: 000000000000000e   r15: 000000000000000f\n"
        "Segment registers:\n"
        " reg  selector  base              limit     type  p dpl db s l g avl\n"
        " cs   f000      00000000ffff0000  0000ffff  0b    1 0   0  1 0 0 0\n"
        " ss   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " ds   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " es   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " fs   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " gs   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " tr   0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " ldt  0000      0000000000000000  00000000  00    0 0   0  0 0 0 0\n"
        " gdt            0000000000000000  00000000\n"
        " idt            0000000000000000  00000000\n"
        "Control registers:\n"
        " cr0: 0000000060000010   cr2: 0000000000000000   cr3: 0000000000003000\n"
        " cr4: 0000000000000000   cr8: 0000000000000000  efer: 0000000000000500\n"
        "Code at rip (linear 0000000000001003):\n"
        " 0000000000001000: 0f 01 1e <cc> f4\n"
        "Code at rip (linear 0000000000001003):\n"
        " (not mapped)\n");
    free(text);
}
END_TEST

/* ------------------------------------------------------------------ on the real KVM */

/* Reads a built guest into memory. */
static unsigned char *load_guest(const char *name, size_t *len)
{
    char path[4096], rel[256];
    FILE *f;
    static unsigned char buf[VM_MAX_IMAGE];

    snprintf(rel, sizeof(rel), "guests/ch1/%s", name);
    f = fopen(build_path(path, sizeof(path), rel), "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    ck_assert_uint_gt(*len, 0);
    return buf;
}

/* Removes "  rip 0x..." from each trace line, keeping what the guest did. */
static void strip_rips(char *text)
{
    char *src = text, *dst = text;

    while (*src) {
        if (strncmp(src, "  rip 0x", 8) == 0) {
            while (*src && *src != '\n')
                src++;
            continue;
        }
        *dst++ = *src++;
    }
    *dst = '\0';
}

/* Appends the trace line (without RIP) of a one-byte OUT of each byte of text to port. */
static size_t expect_outs(char *buf, size_t w, size_t size, unsigned long *n, uint16_t port,
                          const char *text)
{
    for (const char *p = text; *p; p++) {
        char shown[8] = "";
        if (*p >= 0x20 && *p < 0x7f)
            snprintf(shown, sizeof(shown), " '%c'", *p);
        w += (size_t)snprintf(buf + w, size - w,
                              "exit %4lu  IO        out port 0x%04x size 1 data 0x%02x%s\n", ++*n,
                              port, (unsigned)*p, shown);
    }
    return w;
}

/* Runs a built guest in-process; fills console, trace and diag; returns vm__run's result. */
static int run_guest(const char *name, struct vm *vm, char **console, char **trace, char **diag)
{
    size_t len, cl, tl, dl;
    unsigned char *image = load_guest(name, &len);
    FILE *c = open_memstream(console, &cl);
    FILE *t = open_memstream(trace, &tl);
    FILE *d = open_memstream(diag, &dl);

    ck_assert_msg(vm__init(vm, "/dev/kvm", image, len, c, t, d) == 0, "%s", error_get());
    int ret = vm__run(vm);
    if (vm->crashed)
        vm__dump(vm);
    vm__exit(vm);
    fclose(c);
    fclose(t);
    fclose(d);
    return ret;
}

START_TEST(hello_exit_sequence)
{
    char *console, *trace, *diag, want[8192];
    struct vm vm;
    unsigned long n = 0;
    size_t w = 0;

    ck_assert_msg(run_guest("hello.bin", &vm, &console, &trace, &diag) == 0, "%s", error_get());
    ck_assert_int_eq(vm.status, 0);
    ck_assert_str_eq(console, "Hello from real mode!\nCOM1 says hi\nsum 1..100 = 5050\n");
    ck_assert_str_eq(diag, "");

    /* A byte an exit for the greeting; one IN for the line status; REP OUTSB still a byte
     * an exit; the sum as one 16-bit write; a byte an exit for the sum line; the HLT. */
    w = expect_outs(want, w, sizeof(want), &n, 0xe9, "Hello from real mode!\n");
    w += (size_t)snprintf(want + w, sizeof(want) - w, "exit %4lu  IO        in  port 0x03fd size 1\n", ++n);
    w = expect_outs(want, w, sizeof(want), &n, 0x3f8, "COM1 says hi\n");
    w += (size_t)snprintf(want + w, sizeof(want) - w,
                          "exit %4lu  IO        out port 0x0080 size 2 data 0x13ba\n", ++n);
    w = expect_outs(want, w, sizeof(want), &n, 0xe9, "sum 1..100 = 5050\n");
    snprintf(want + w, sizeof(want) - w, "exit %4lu  HLT      \n", ++n);
    strip_rips(trace);
    ck_assert_lines_eq(trace, want);
    ck_assert_uint_eq(vm.exits, n);
    free(console);
    free(trace);
    free(diag);
}
END_TEST

START_TEST(hello_rips_inside_image)
{
    char *console, *trace, *diag;
    struct vm vm;
    size_t len;

    load_guest("hello.bin", &len);
    ck_assert_int_eq(run_guest("hello.bin", &vm, &console, &trace, &diag), 0);
    /* Every exit happens after an instruction of the image: RIP lies within it. */
    for (char *p = strstr(trace, "rip 0x"); p; p = strstr(p + 1, "rip 0x")) {
        unsigned long rip = strtoul(p + 4, NULL, 16);
        ck_assert_uint_gt(rip, VM_LOAD_ADDR);
        ck_assert_uint_le(rip, VM_LOAD_ADDR + len);
    }
    free(console);
    free(trace);
    free(diag);
}
END_TEST

START_TEST(cli_runs_hello_with_trace)
{
    struct run_result r;

    run_ch1(&r, "--trace", NULL, NULL); /* the default guest */
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "Hello from real mode!\nCOM1 says hi\nsum 1..100 = 5050\n");
    ck_assert_ptr_nonnull(strstr(r.err, "exit    1  IO        out port 0x00e9 size 1 data 0x48 'H'  rip 0x"));
    ck_assert_ptr_nonnull(strstr(r.err, "IO        out port 0x0080 size 2 data 0x13ba  rip 0x"));
    ck_assert_ptr_nonnull(strstr(r.err, "  HLT        rip 0x"));
    run_free(&r);
}
END_TEST

START_TEST(test_exit_status_reaches_shell)
{
    char guest[4096];
    struct run_result r;

    run_ch1(&r, build_path(guest, sizeof(guest), "guests/ch1/exitcode.bin"), NULL, NULL);
    ck_assert_int_eq(r.status, 33);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "");
    run_free(&r);
}
END_TEST

START_TEST(triple_fault_dumps_registers)
{
    char guest[4096];
    struct run_result r;

    run_ch1(&r, build_path(guest, sizeof(guest), "guests/ch1/triple.bin"), NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "about to triple-fault\n");
    /* The message first, then the dump in its fixed layout. The register values are not
     * asserted: AMD CPUs reset the vCPU on shutdown, Intel ones keep the faulting state. */
    const char *head = "ch1: guest triple-faulted (KVM_EXIT_SHUTDOWN): an exception occurred "
                       "while delivering a double fault, and the CPU reset\nRegisters:\n rip: ";
    ck_assert_msg(strncmp(r.err, head, strlen(head)) == 0, "stderr starts: %.300s", r.err);
    const char *order[] = {"Registers:\n", " rax: ", " r13: ", "Segment registers:\n",
                           " cs   ", " ldt  ", " idt  ", "Control registers:\n", " cr0: ",
                           " efer: ", "Code at rip (linear "};
    const char *at = r.err;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        at = strstr(at, order[i]);
        ck_assert_msg(at != NULL, "missing '%s' in the dump", order[i]);
    }
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------------ suite */

static Suite *ch1_suite(void)
{
    Suite *s = suite_create("ch1");
    TCase *cli = tcase_create("refusals");
    TCase *exits = tcase_create("exit-handler");
    TCase *text = tcase_create("layouts");

    tcase_add_test(cli, help_explains);
    tcase_add_test(cli, wrong_flag_refused);
    tcase_add_test(cli, missing_file_refused);
    tcase_add_test(cli, empty_file_refused);
    tcase_add_test(cli, oversized_file_refused);
    tcase_add_test(cli, directory_refused);
    tcase_add_test(cli, missing_kvm_explained);
    tcase_add_test(cli, permission_denied_explained);
    tcase_add_test(cli, api_version_checked);
    suite_add_tcase(s, cli);

    tcase_add_test(exits, out_bytes_reach_console);
    tcase_add_test(exits, com1_lsr_reads_ready);
    tcase_add_test(exits, unclaimed_port_reads_ones_warns_once);
    tcase_add_test(exits, test_exit_port_sets_status);
    tcase_add_test(exits, hlt_ends_with_zero);
    tcase_add_test(exits, fatal_exits_explained);
    tcase_add_test(exits, malformed_io_exit_refused);
    suite_add_tcase(s, exits);

    tcase_add_test(text, trace_line_layout);
    tcase_add_test(text, register_dump_layout);
    suite_add_tcase(s, text);

    const TTest *const on_kvm[] = {hello_exit_sequence, hello_rips_inside_image,
                                          cli_runs_hello_with_trace, test_exit_status_reaches_shell,
                                          triple_fault_dumps_registers};
    suite_add_kvm_tests(s, "kvm", on_kvm, 5);
    return s;
}

int main(void)
{
    return run_suite(ch1_suite());
}
