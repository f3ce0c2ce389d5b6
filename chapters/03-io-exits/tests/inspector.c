/*
 * inspector.c - tests of the inspector (common/inspector): its commands and panes on a
 * scripted vCPU (and a machine of three) without KVM; on KVM, --batch transcripts against golden
 * text and the real TUI driven through tmux.
 */
#include "inspector_tests.h"

#include "error.h"
#include "inspector/disasm.h"
#include "inspector/inspector.h"
#include "inspector/panes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a fake vCPU ------------------------------------------------------------------
 * Real mode at 0x1000: mov $0x48,%al; out %al,$0xe9; hlt. It "executes" these three
 * instructions itself, one at a time when single-stepping. */

struct fake {
    struct vcpu vcpu;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    uint8_t mem[0x2000];
    int stepping, refuse_step;
    uint8_t io_data;
};

static const uint8_t fake_code[] = {0xb0, 0x48, 0xe6, 0xe9, 0xf4};

static int fake_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct fake *f = (struct fake *)v;

    memset(e, 0, sizeof(*e));
    for (;;) {
        uint64_t rip = f->regs.rip;
        if (rip == 0x1000) {
            f->regs.rax = 0x48;
            f->regs.rip = 0x1002;
        } else if (rip == 0x1002) {
            f->regs.rip = 0x1004;
            f->io_data = (uint8_t)f->regs.rax;
            *e = (struct vcpu_exit){.kind = VCPU_EXIT_IO};
            e->io.port = 0xe9, e->io.size = 1, e->io.write = 1, e->io.count = 1;
            e->io.data = &f->io_data;
            return 0;
        } else {
            f->regs.rip = 0x1005;
            e->kind = VCPU_EXIT_HLT;
            return 0;
        }
        if (f->stepping) {
            e->kind = VCPU_EXIT_STEP;
            return 0;
        }
    }
}

static int fake_get_regs(struct vcpu *v, struct kvm_regs *r)
{
    *r = ((struct fake *)v)->regs;
    return 0;
}

static int fake_get_sregs(struct vcpu *v, struct kvm_sregs *s)
{
    *s = ((struct fake *)v)->sregs;
    return 0;
}

static int fake_single_step(struct vcpu *v, int on)
{
    struct fake *f = (struct fake *)v;

    if (f->refuse_step)
        return error__set("this backend cannot");
    f->stepping = on;
    return 0;
}

static int fake_read_mem(struct vcpu *v, uint64_t gpa, void *buf, size_t len)
{
    struct fake *f = (struct fake *)v;

    if (gpa > sizeof(f->mem) || len > sizeof(f->mem) - gpa)
        return error__set("not RAM");
    memcpy(buf, f->mem + gpa, len);
    return 0;
}

static int fake_translate(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
    (void)v;
    *gpa = linear;
    return 0;
}

static const struct vcpu_ops fake_ops = {
    .name = "fake",
    .run = fake_run,
    .get_regs = fake_get_regs,
    .get_sregs = fake_get_sregs,
    .single_step = fake_single_step,
    .read_mem = fake_read_mem,
    .translate = fake_translate,
};

/* The target: the machine's step, done the simplest way, with a console. */
static int fake_step(void *ctx, struct vcpu_exit *e, char *line, size_t len)
{
    struct fake *f = ctx;

    if (vcpu__run(&f->vcpu, e) < 0)
        return -1;
    snprintf(line, len, "%s", vcpu__exit_name(e->kind));
    if (e->kind == VCPU_EXIT_IO)
        snprintf(line, len, "IO out port 0x%x data 0x%x", e->io.port, e->io.data[0]);
    return e->kind == VCPU_EXIT_HLT;
}

static const char *fake_console(void *ctx)
{
    (void)ctx;
    return "first line\nsecond line\nthird, unfinished";
}

static struct fake fake;
static struct inspector_target fake_target = {.vcpu = &fake.vcpu,
                                              .step = fake_step,
                                              .console = fake_console,
                                              .ctx = &fake,
                                              .guest_name = "fake"};

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->vcpu.ops = &fake_ops;
    f->regs.rip = 0x1000;
    f->regs.rsp = 0x1ff0;
    f->regs.rflags = 2;
    f->sregs.cs.limit = f->sregs.ss.limit = 0xffff;
    memcpy(f->mem + 0x1000, fake_code, sizeof(fake_code));
    memcpy(f->mem + 0x1ff0, "stack!", 6);
}

/* ---- a fake machine with three vCPUs (chapter 5's kind of target) ------------------
 * Each is a fake vCPU of its own, told apart by RBX (its number); vCPU 2 starts one
 * instruction further on. focus() and run_others() record how they were called. */

#define FAKE_NCPUS 3
#define FAKE_CALLS 8

static struct {
    struct fake cpu[FAKE_NCPUS];
    char last[FAKE_NCPUS][INSPECTOR_LINE_MAX]; /* each one's last exit line */
    int focused, refuse_focus;
    int focus_calls[FAKE_CALLS], nfocus; /* focus()'s arguments, in order */
    int run_calls[FAKE_CALLS], nrun;     /* run_others()'s arguments, in order */
} smp;
static struct inspector_target smp_target;

static int smp_step(void *ctx, struct vcpu_exit *e, char *line, size_t len)
{
    int ret = fake_step(&smp.cpu[smp.focused], e, line, len);

    (void)ctx;
    snprintf(smp.last[smp.focused], sizeof(smp.last[0]), "%s", line);
    return ret;
}

static int smp_focus(void *ctx, int i)
{
    (void)ctx;
    if (smp.nfocus < FAKE_CALLS)
        smp.focus_calls[smp.nfocus++] = i;
    if (smp.refuse_focus)
        return error__set("vCPU %d is busy", i);
    smp.focused = i;
    smp_target.vcpu = &smp.cpu[i].vcpu;
    return 0;
}

static void smp_describe(void *ctx, int i, char *line, size_t len)
{
    (void)ctx;
    snprintf(line, len, "%-13s %s", i == 2 ? "wait-for-SIPI" : "running",
             smp.last[i][0] ? smp.last[i] : "-");
}

static int smp_run_others(void *ctx, int run)
{
    (void)ctx;
    if (smp.nrun < FAKE_CALLS)
        smp.run_calls[smp.nrun++] = run;
    return 0;
}

static void fake_setup(void)
{
    fake_init(&fake);
    memset(&smp, 0, sizeof(smp));
    for (int i = 0; i < FAKE_NCPUS; i++) {
        fake_init(&smp.cpu[i]);
        smp.cpu[i].regs.rbx = i;
    }
    smp.cpu[2].regs.rip = 0x1002;
    smp_target = (struct inspector_target){.vcpu = &smp.cpu[0].vcpu,
                                           .step = smp_step,
                                           .console = fake_console,
                                           .ctx = &smp,
                                           .guest_name = "fake",
                                           .ncpus = FAKE_NCPUS,
                                           .focus = smp_focus,
                                           .describe = smp_describe,
                                           .run_others = smp_run_others};
}

/* Runs a batch script on target t and returns the transcript (free it). */
static char *batch_on(struct inspector_target *t, const char *script)
{
    FILE *in = fmemopen((void *)script, strlen(script), "r");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(inspector__batch(t, in, out), 0);
    fclose(in);
    fclose(out);
    return text;
}

/* Runs a batch script on the one-vCPU fake. */
static char *fake_batch(const char *script)
{
    return batch_on(&fake_target, script);
}

/* Asserts that text holds want, showing the text when it does not. */
#define ck_assert_has(text, want)                                                                  \
    ck_assert_msg(strstr((text), (want)) != NULL, "'%s' not in:\n%s", (want), (text))

/* ---- without KVM ------------------------------------------------------------------ */

START_TEST(batch_prints_every_pane_and_marks_changes)
{
    char *t = fake_batch("# a comment, not echoed\ns\nq\n");

    ck_assert_has(t, "=== start\nstatus: fake | exits 0 | last - | at the first instruction of "
                     "fake\n--- registers\n");
    ck_assert_ptr_null(strstr(t, "comment"));
    ck_assert_has(t, "=== s\nstatus: fake | exits 1 | last STEP | step: one instruction done\n");
    ck_assert_has(t, "    rax 0000000000000048*    rbx 0000000000000000     rcx");
    ck_assert_has(t, "    rip 0000000000001002* rflags 0000000000000002\n");
    ck_assert_has(t, "--- code (real-16)\n=> 00001002  e6e9            out %al, $0xe9\n"
                     "   00001004  f4              hlt\n");
    ck_assert_has(t, "--- memory at rsp (0x1ff0)\n00001ff0  73 74 61 63 6b 21 00");
    ck_assert_has(t, "stack!....");
    ck_assert_has(t, "--- exits\nSTEP\n--- exit counts\nSTEP  -                1\n");
    ck_assert_has(t, "--- console\nfirst line\nsecond line\nthird, unfinished\n");
    ck_assert_str_eq(t + strlen(t) - 6, "=== q\n"); /* and no panes after it */
    free(t);
}
END_TEST

START_TEST(continue_stops_at_a_port_breakpoint_and_at_the_end)
{
    char *t = fake_batch("b port 0xe9\nc\nc\nn\n");

    ck_assert_has(t, "status: fake | exits 0 | last - | breakpoint 1: port 0xe9\n");
    ck_assert_has(t, "status: fake | exits 1 | last IO | continue: breakpoint 1 hit at exit 1 "
                     "(IO)\n");
    ck_assert_has(t, "--- exits\nIO out port 0xe9 data 0x48\n--- exit counts\n"
                     "IO    port 0x00e9      1\n");
    ck_assert_has(t, "status: fake | exits 2 | last HLT | the guest has ended (exit 2)\n");
    ck_assert_has(t, "status: fake | exits 2 | last HLT | the guest has ended: nothing to run\n");
    free(t);
}
END_TEST

START_TEST(address_breakpoints_single_step)
{
    char *t = fake_batch("b addr 0x1004\nc\n");

    /* One STEP exit, then the OUT's I/O exit, after which RIP is 0x1004. */
    ck_assert_has(t, "continue: breakpoint 1 hit at exit 2 (IO)\n");
    ck_assert_has(t, "--- exits\nSTEP\nIO out port 0xe9 data 0x48\n");
    ck_assert_has(t, "=> 00001004  f4              hlt\n");
    free(t);
    fake.refuse_step = 1;
    t = fake_batch("s\nb addr 0x1004\nc\n");
    ck_assert_has(t, "| single-step unavailable: this backend cannot\n");
    ck_assert_has(t, "| single-step unavailable: this backend cannot (address breakpoints "
                     "need it)\n");
    free(t);
}
END_TEST

START_TEST(bad_commands_say_what_is_expected)
{
    char *t = fake_batch("x\nb\nb nothing\nb port 0x10000\nb hlt\nb\ng nowhere\ng 0x1000\n"
                         "b clear\n");

    ck_assert_has(t, "| unknown command 'x' (n, s, c, b, g, q)\n");
    ck_assert_has(t, "| 0 breakpoint(s)\n");
    ck_assert_has(t, "| usage: b io|mmio|hlt|shutdown, b port N, b addr N, b clear, b\n");
    ck_assert_has(t, "| 1 breakpoint(s): 1: reason 0x2\n");
    ck_assert_has(t, "| usage: g ADDRESS or g REGISTER (g rsp)\n");
    ck_assert_has(t, "--- memory at 0x1000\n00001000  b0 48 e6 e9 f4 00");
    ck_assert_has(t, "| breakpoints cleared\n");
    free(t);
}
END_TEST

START_TEST(disassembly_follows_the_cpu_mode)
{
    static const uint8_t bytes[] = {0x48, 0x89, 0xe5};
    struct kvm_sregs s = {0};
    char text[64];

    ck_assert_int_eq(disasm__mode_of(&s), DISASM_REAL16);
    s.cr0 = 1;
    ck_assert_int_eq(disasm__mode_of(&s), DISASM_PROT16);
    s.cs.db = 1;
    ck_assert_int_eq(disasm__mode_of(&s), DISASM_PROT32);
    ck_assert_uint_eq(disasm__one(DISASM_PROT32, 0, bytes, 3, text, sizeof(text)), 1);
    ck_assert_str_eq(text, "dec %eax");
    s.efer = 0x500; /* LME, LMA */
    ck_assert_int_eq(disasm__mode_of(&s), DISASM_COMPAT32);
    s.cs.db = 0;
    s.cs.l = 1;
    ck_assert_int_eq(disasm__mode_of(&s), DISASM_LONG64);
    ck_assert_str_eq(disasm__mode_name(DISASM_LONG64), "long-64");
    ck_assert_uint_eq(disasm__one(DISASM_LONG64, 0, bytes, 3, text, sizeof(text)), 3);
    ck_assert_str_eq(text, "mov %rsp, %rbp");
    ck_assert_uint_eq(disasm__one(DISASM_LONG64, 0, bytes, 2, text, sizeof(text)), 0);
    ck_assert_str_eq(text, "(bad)");
}
END_TEST

START_TEST(panes_fit_their_width)
{
    static struct inspector in;
    static struct pane p;

    inspector__init(&in, &fake_target);
    inspector__command(&in, "c");
    for (int w = 24; w <= 100; w += 4) {
        panes__registers(&in, &p, w);
        for (int k = 0; k < 5; k++) {
            for (int i = 0; i < p.n; i++)
                ck_assert_int_le((int)strlen(p.lines[i].text), w);
            if (k == 0)
                panes__code(&in, &p, w, 5);
            else if (k == 1)
                panes__memory(&in, &p, w, 5);
            else if (k == 2)
                panes__log(&in, &p, w, 5);
            else if (k == 3)
                panes__stats(&in, &p, w, 5);
        }
    }
    /* A long exit line is squeezed, not cut, when only the spaces are too many. */
    snprintf(in.log[0], sizeof(in.log[0]), "exit     1  cpu0 IO       out");
    panes__log(&in, &p, 24, 5);
    ck_assert_str_eq(p.lines[0].text, "exit 1 cpu0 IO out");
}
END_TEST

/* ---- several vCPUs ---------------------------------------------------------------- */

START_TEST(smp_batch_lists_the_vcpus_and_follows_the_focus)
{
    char *t = batch_on(&smp_target, "n\ncpu 2\nr\n");

    ck_assert_has(t, "=== start\nstatus: fake | cpu 0 of 3 | exits 0 | last - | at the first "
                     "instruction of fake\n--- vCPUs (the others wait)\n=> cpu0  running       -\n"
                     "   cpu1  running       -\n   cpu2  wait-for-SIPI -\n--- registers\n");
    ck_assert_has(t, "=== n\nstatus: fake | cpu 0 of 3 | exits 1 | last IO | next: stopped at "
                     "exit 1 (IO)\n--- vCPUs (the others wait)\n"
                     "=> cpu0  running       IO out port 0xe9 data 0x48\n");
    /* vCPU 2's registers and code, and no changed-marks against vCPU 0's (RAX was 0x48). */
    ck_assert_has(t,
                  "=== cpu 2\nstatus: fake | cpu 2 of 3 | exits 1 | last IO | cpu 2 in focus\n"
                  "--- vCPUs (the others wait)\n   cpu0  running       IO out port 0xe9 data "
                  "0x48\n   cpu1  running       -\n=> cpu2  wait-for-SIPI -\n--- registers\n"
                  "    rax 0000000000000000     rbx 0000000000000002     rcx 0000000000000000\n");
    ck_assert_has(t, "--- code (real-16)\n=> 00001002  e6e9            out %al, $0xe9\n");
    ck_assert_has(t, "=== r\nstatus: fake | cpu 2 of 3 | exits 1 | last IO | the other vCPUs run "
                     "freely\n--- vCPUs (the others run)\n");
    free(t);
}
END_TEST

START_TEST(smp_commands_focus_step_and_let_the_others_run)
{
    static struct inspector in;
    static struct pane p;

    inspector__init(&in, &smp_target);
    inspector__command(&in, "cpu 2");
    ck_assert_int_eq(smp.nfocus, 1);
    ck_assert_int_eq(smp.focus_calls[0], 2);
    ck_assert_int_eq(in.focus, 2);
    ck_assert_uint_eq(in.regs.rbx, 2);
    /* n runs the vCPU in focus, and only it. */
    inspector__command(&in, "n");
    ck_assert_uint_eq(smp.cpu[2].regs.rip, 0x1004);
    ck_assert_uint_eq(smp.cpu[0].regs.rip, 0x1000);
    ck_assert_uint_eq(in.regs.rip, 0x1004);
    panes__registers(&in, &p, 80);
    ck_assert_str_eq(p.lines[5].text, "    r15 0000000000000000     rip 0000000000001004* rflags "
                                      "0000000000000002 ");
    /* tab goes round: 2, then 0, then 1. */
    inspector__command(&in, "tab");
    ck_assert_int_eq(in.focus, 0);
    ck_assert_uint_eq(in.regs.rip, 0x1000);
    ck_assert_str_eq(in.status, "cpu 0 in focus");
    inspector__command(&in, "tab");
    ck_assert_int_eq(in.focus, 1);
    ck_assert_int_eq(smp.nfocus, 3);
    ck_assert_int_eq(smp.focus_calls[1], 0);
    ck_assert_int_eq(smp.focus_calls[2], 1);
    panes__cpus(&in, &p, 80, 8);
    ck_assert_int_eq(p.n, 3);
    ck_assert_str_eq(p.lines[1].text, "=> cpu1  running       -");
    ck_assert_str_eq(p.lines[2].text, "   cpu2  wait-for-SIPI IO out port 0xe9 data 0x0");
    /* r and p. */
    inspector__command(&in, "r");
    ck_assert_int_eq(in.others_run, 1);
    inspector__command(&in, "p");
    ck_assert_int_eq(in.others_run, 0);
    ck_assert_str_eq(in.status, "the other vCPUs stop at their next exit");
    ck_assert_int_eq(smp.nrun, 2);
    ck_assert_int_eq(smp.run_calls[0], 1);
    ck_assert_int_eq(smp.run_calls[1], 0);
    /* A list shorter than the machine still shows the vCPU in focus. */
    inspector__command(&in, "cpu 2");
    panes__cpus(&in, &p, 80, 2);
    ck_assert_int_eq(p.n, 2);
    ck_assert_str_eq(p.lines[1].text, "=> cpu2  wait-for-SIPI IO out port 0xe9 data 0x0");
    /* The vCPU list fits any width, squeezed first. */
    for (int w = 16; w <= 80; w += 8) {
        panes__cpus(&in, &p, w, 8);
        for (int i = 0; i < p.n; i++)
            ck_assert_int_le((int)strlen(p.lines[i].text), w);
    }
}
END_TEST

START_TEST(smp_bad_cpu_numbers_leave_the_focus)
{
    static struct inspector in;
    char status[2 * INSPECTOR_LINE_MAX];

    inspector__init(&in, &smp_target);
    inspector__command(&in, "cpu 1");
    inspector__command(&in, "cpu 7");
    ck_assert_str_eq(in.status, "cpu 7: no such vCPU (0 to 2); cpu 1 stays in focus");
    ck_assert_int_eq(in.focus, 1);
    ck_assert_int_eq(smp.nfocus, 1);
    inspector__command(&in, "cpu");
    ck_assert_str_eq(in.status, "usage: cpu N (0 to 2)");
    inspector__command(&in, "cpu -1");
    ck_assert_str_eq(in.status, "usage: cpu N (0 to 2)");
    inspector__command(&in, "x");
    ck_assert_str_eq(in.status, "unknown command 'x' (n, s, c, b, g, cpu N, tab, r, p, q)");
    smp.refuse_focus = 1;
    inspector__command(&in, "tab");
    ck_assert_str_eq(in.status, "cpu 2: vCPU 2 is busy");
    ck_assert_int_eq(in.focus, 1);
    ck_assert_uint_eq(in.regs.rbx, 1);
    panes__status(&in, status, sizeof(status));
    ck_assert_str_eq(status, "fake | cpu 1 of 3 | exits 0 | last - | cpu 2: vCPU 2 is busy");
}
END_TEST

START_TEST(one_vcpu_has_no_list_and_says_so)
{
    const char *script = "s\nn\ncpu 0\ncpu 1\ntab\nr\np\n";
    char *t = fake_batch(script), *one;

    ck_assert_ptr_null(strstr(t, "vCPUs"));
    ck_assert_ptr_null(strstr(t, "of 1"));
    ck_assert_has(t, "=== cpu 0\nstatus: fake | exits 2 | last IO | cpu 0 in focus: the "
                     "machine has one vCPU\n");
    ck_assert_has(t, "| cpu 1: the machine has one vCPU\n");
    ck_assert_has(t, "| tab: the machine has one vCPU\n");
    ck_assert_has(t, "| r: the machine has one vCPU\n");
    ck_assert_has(t, "| p: the machine has one vCPU\n");
    /* ncpus = 1 is the same machine as ncpus = 0, byte for byte. */
    fake_setup();
    fake_target.ncpus = 1;
    one = fake_batch(script);
    fake_target.ncpus = 0;
    ck_assert_str_eq(one, t);
    free(one);
    free(t);
}
END_TEST

TCase *inspector_tests(void)
{
    TCase *tc = tcase_create("inspector");

    tcase_add_checked_fixture(tc, fake_setup, NULL);
    tcase_add_test(tc, batch_prints_every_pane_and_marks_changes);
    tcase_add_test(tc, continue_stops_at_a_port_breakpoint_and_at_the_end);
    tcase_add_test(tc, address_breakpoints_single_step);
    tcase_add_test(tc, bad_commands_say_what_is_expected);
    tcase_add_test(tc, disassembly_follows_the_cpu_mode);
    tcase_add_test(tc, panes_fit_their_width);
    tcase_add_test(tc, smp_batch_lists_the_vcpus_and_follows_the_focus);
    tcase_add_test(tc, smp_commands_focus_step_and_let_the_others_run);
    tcase_add_test(tc, smp_bad_cpu_numbers_leave_the_focus);
    tcase_add_test(tc, one_vcpu_has_no_list_and_says_so);
    return tc;
}

/* ---- on KVM: batch transcripts ---------------------------------------------------- */

/* Reads a whole text file from the build tree; NULL when it is missing. */
static char *read_text(const char *rel)
{
    char path[4096];
    FILE *f = fopen(build_path(path, sizeof(path), rel), "r");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int c;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    while ((c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(f);
    fclose(out);
    return text;
}

/* Runs ch3 --batch with a golden script on a guest and compares with its transcript. */
static void check_golden(const char *name, const char *load_addr, const char *guest, int status)
{
    char bin[4096], script[4096], guest_path[4096], rel[256], *want;
    const char *argv[8] = {build_path(bin, sizeof(bin), "bin/ch3"), "--batch", "--batch-script"};
    int n = 3;
    struct run_result r;

    snprintf(rel, sizeof(rel), "guests/ch3/golden/%s.script", name);
    argv[n++] = build_path(script, sizeof(script), rel);
    if (load_addr) {
        argv[n++] = "--load-addr";
        argv[n++] = load_addr;
    }
    argv[n++] = build_path(guest_path, sizeof(guest_path), guest);
    argv[n] = NULL;
    run_capture(argv, &r);
    snprintf(rel, sizeof(rel), "guests/ch3/golden/%s.batch", name);
    want = read_text(rel);
    ck_assert_msg(r.status == status, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_lines_eq(r.out, want);
    free(want);
    run_free(&r);
}

START_TEST(batch_hello_matches_golden)
{
    check_golden("hello", "0x1000", "guests/ch1/hello.bin", 0);
}
END_TEST

START_TEST(batch_devices_matches_golden)
{
    check_golden("devices", NULL, "guests/ch3/devices.elf", 0);
}
END_TEST

/* ---- on KVM: the TUI in tmux (common/tests/tui.c) ---- */

START_TEST(tui_in_tmux_steps_resizes_and_quits)
{
    check_inspector_tui("bin/ch3", "");
}
END_TEST

void add_inspector_kvm_tests(Suite *s)
{
    const TTest *const tests[] = {
        batch_hello_matches_golden,
        batch_devices_matches_golden,
        tui_in_tmux_steps_resizes_and_quits,
    };

    suite_add_kvm_tests(s, "inspector on KVM", tests, sizeof(tests) / sizeof(tests[0]));
}
