/*
 * exits.c - chapter 1's tests of the exit handler, fed kvm_run pages built by hand, and of
 * the text a reader reads (trace lines, the register dump). None needs KVM.
 */
#include "check_helpers.h"
#include "ch1_tests.h"
#include "dump.h"
#include "error.h"
#include "kvm.h"
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    f->vm.cpu.kvm = &f->vm.kvm;
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
        ck_assert_str_eq(error__get(), cases[i].msg);
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
    ck_assert_str_eq(error__get(), "malformed I/O exit: port 0xe9 size 1 count 4000 offset 0x400");
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
    f.u.run.exit_reason = KVM_EXIT_MMIO;
    f.u.run.mmio.phys_addr = 0xf0010;
    f.u.run.mmio.len = 2;
    f.u.run.mmio.is_write = 1;
    memcpy(f.u.run.mmio.data, "\x34\x12", 2);
    vm__trace_exit(out, 6, &f.u.run, 0x100234);
    f.u.run.mmio.is_write = 0;
    f.u.run.mmio.len = 8;
    vm__trace_exit(out, 7, &f.u.run, 0x100238);
    fclose(out);
    ck_assert_lines_eq(text,
                       "exit    1  IO        out port 0x00e9 size 1 data 0x48 'H'  rip 0x1005\n"
                       "exit    2  IO        out port 0x0080 size 2 data 0x13ba  rip 0x1030\n"
                       "exit    3  IO        out port 0x03f8 size 1 count 13 data 0x43 'C'"
                       "  rip 0x1020\n"
                       "exit    4  IO        in  port 0x03fd size 1  rip 0x1019\n"
                       "exit    5  HLT        rip 0x1041\n"
                       "exit    6  MMIO      write addr 0xf0010 len 2 data 0x1234  rip 0x100234\n"
                       "exit    7  MMIO      read  addr 0xf0010 len 8  rip 0x100238\n");
    free(text);
    fake_done(&f);
    free(f.console);
    free(f.diag);
}
END_TEST

START_TEST(register_dump_layout)
{
    struct kvm_regs regs = {.rax = 0x13ba,
                            .rbx = 1,
                            .rcx = 2,
                            .rdx = 0xe9,
                            .rsi = 3,
                            .rdi = 4,
                            .rsp = 0xffe,
                            .rbp = 5,
                            .r8 = 8,
                            .r9 = 9,
                            .r10 = 10,
                            .r11 = 11,
                            .r12 = 12,
                            .r13 = 13,
                            .r14 = 14,
                            .r15 = 15,
                            .rip = 0x1003,
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
    dump__regs(out, &regs);
    dump__sregs(out, &sregs);
    dump__control(out, &sregs);
    dump__code(out, 0x1000, code, sizeof(code), 0x1003, NULL);
    dump__code(out, 0x1000, NULL, 0, 0x1003, "not mapped");
    fclose(out);
    ck_assert_lines_eq(text,
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

/* A paged guest, as the dump sees it: linear page 0x7000 is physical 0x2000, linear page
 * 0x8000 is physical 0x5000, nothing else is mapped. */
static uint8_t paged_ram[0x6000];

static int paged_translate(void *ctx, uint64_t linear, uint64_t *gpa)
{
    (void)ctx;
    if (linear >> 12 == 7 || linear >> 12 == 8) {
        *gpa = (linear >> 12 == 7 ? 0x2000 : 0x5000) + (linear & 0xfff);
        return 0;
    }
    return -1;
}

static const uint8_t *paged_ptr(void *ctx, uint64_t gpa, size_t len)
{
    (void)ctx;
    return gpa + len <= sizeof(paged_ram) ? paged_ram + gpa : NULL;
}

START_TEST(code_bytes_follow_the_page_tables)
{
    struct dump_memory mem = {paged_translate, NULL, paged_ptr, NULL};
    struct kvm_regs regs = {.rip = 0x7ffc};
    struct kvm_sregs sregs = {0};
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    for (int i = 0; i < 8; i++) {
        paged_ram[0x2ff4 + i] = (uint8_t)(0xa0 + i); /* the last 12 bytes of linear page 7 */
        paged_ram[0x2ffc + i % 4] = (uint8_t)(0xb0 + i % 4);
        paged_ram[0x5000 + i] = (uint8_t)(0xc0 + i); /* the first bytes of linear page 8 */
    }
    dump__state(out, &regs, &sregs, 0, &mem);
    regs.rip = 0xa004; /* unmapped, and so is the window before it */
    dump__state(out, &regs, &sregs, 0, &mem);
    regs.rip = 0x7002; /* the 8 bytes before it are unmapped: the window starts at RIP */
    dump__state(out, &regs, &sregs, 0, &mem);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, " 0000000000007ff4: a0 a1 a2 a3 a4 a5 a6 a7 <b0> b1 b2 b3 "
                                       "c0 c1 c2 c3\n"));
    ck_assert_ptr_nonnull(strstr(text, "Code at rip (linear 000000000000a004):\n (not mapped)\n"));
    ck_assert_ptr_nonnull(strstr(text, " 0000000000007002: <00> 00"));
    free(text);
}
END_TEST

TCase *exit_handler_tests(void)
{
    TCase *tc = tcase_create("exit-handler");

    tcase_add_test(tc, out_bytes_reach_console);
    tcase_add_test(tc, com1_lsr_reads_ready);
    tcase_add_test(tc, unclaimed_port_reads_ones_warns_once);
    tcase_add_test(tc, test_exit_port_sets_status);
    tcase_add_test(tc, hlt_ends_with_zero);
    tcase_add_test(tc, fatal_exits_explained);
    tcase_add_test(tc, malformed_io_exit_refused);
    tcase_add_test(tc, trace_line_layout);
    tcase_add_test(tc, register_dump_layout);
    tcase_add_test(tc, code_bytes_follow_the_page_tables);
    return tc;
}
