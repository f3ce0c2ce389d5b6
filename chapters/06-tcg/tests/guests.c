/*
 * guests.c - whole guests on the interpreter: the book's guests print what they print on
 * KVM, exceptions come out as QEMU delivers them, and --accel chooses as it says.
 */
#include "check_helpers.h"
#include "ch6_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs stepvm on the interpreter with args (NULL-terminated after the guest). */
static void run_tcg(struct run_result *r, const char *cmdline, const char *guest)
{
    if (cmdline)
        run_builtv(r, "bin/stepvm", "--accel=tcg", "--cmdline", cmdline, guest, NULL);
    else
        run_builtv(r, "bin/stepvm", "--accel=tcg", guest, NULL);
}

/* The guests with a file of what they must print, and the status they end with: the
 * same files the KVM tests of chapters 2 and 3 hold KVM to. */
START_TEST(tcg_prints_what_kvm_prints)
{
    static const struct {
        const char *guest, *expected;
        int status;
    } cases[] = {
        {"guests/ch2/hello.elf", "guests/ch2/hello.expected", 35},
        {"guests/ch3/fwcfg.elf", "guests/ch3/fwcfg.expected", 1},
        {"guests/ch6/paging.elf", "guests/ch6/paging.expected", 1},
        {"guests/ch6/x87.elf", "guests/ch6/x87.expected", 1},
        {"guests/ch6/sse.elf", "guests/ch6/sse.expected", 1},
    };
    struct run_result r;

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        run_tcg(&r, NULL, cases[k].guest);
        ck_assert_msg(r.status == cases[k].status, "%s: status %d, want %d: %s", cases[k].guest,
                      r.status, cases[k].status, r.err);
        ck_assert_lines_eq(r.out, expected_output(cases[k].expected));
        run_free(&r);
    }
}
END_TEST

/* x87.elf under QEMU: the same lines as the interpreter, except where QEMU's softfloat
 * x87 departs from the SDM and the hardware (the interpreter computes on the host's own
 * x87, so its lines are the hardware's): QEMU sets no C1 when rounding up, no DE when it
 * loads a denormal, keeps no stack faults (no IE/SF, no QNaN indefinite) and no FST
 * ST(i) tag, pops and stores despite an unmasked exception, leaves SF/AF/OF after FCOMI,
 * does not mask all exceptions in FNSTENV, takes no pending #MF before an x87 instruction
 * other than FWAIT, and takes reserved MXCSR bits without #GP. Those lines (and the
 * ones whose state they lead to) are x87.expected's alone: the same x87 code run natively
 * on an x86-64 host as a Linux process (#MF as SIGFPE, #GP as SIGSEGV) prints them as
 * x87.expected does, MXCSR_MASK apart (a CPU's own; stepvm's is 0xFFFF). */
START_TEST(x87_matches_qemu_but_its_known_corners)
{
    static const char *const corners[] = {
        "arith mem:",        "arith int:",  "rc down 1/3:",
        "sqrt(-1):",         "denormals:",  "stack overflow:",
        "stack underflow:",  "fstp empty:", "underflow unmasked:",
        "fcomi 2 vs 1:",     "fxam ",       "fprem fprem1:",
        "fyl2x 8:",          "fst st(i):",  "fnstenv ",
        "fcw after fnstenv", "fldenv:",     "ldmxcsr reserved:",
        "fxrstor reserved",  "fwait:",      "after #mf",
        "next x87 insn:",
    };
    struct run_result q;
    char *want = expected_output("guests/ch6/x87.expected");
    size_t compared = 0;

    run_qemu(&q, "guests/ch6/x87.elf", NULL);
    ck_assert_msg(q.status == 1, "QEMU: status %d: %s", q.status, q.err);
    for (char *w = want, *g = q.out; *w && *g; compared++) {
        size_t wl = strcspn(w, "\n"), gl = strcspn(g, "\n");
        int corner = 0;
        for (size_t k = 0; k < sizeof(corners) / sizeof(corners[0]); k++)
            corner |= !strncmp(w, corners[k], strlen(corners[k]));
        ck_assert_msg(corner || (wl == gl && !memcmp(w, g, wl)), "QEMU: %.*s\nwant: %.*s", (int)gl,
                      g, (int)wl, w);
        w += wl + (w[wl] != 0);
        g += gl + (g[gl] != 0);
    }
    ck_assert_uint_gt(compared, 60);
    run_free(&q);
}
END_TEST

/* [traps-test] */
/* Each exception of traps.elf, on the interpreter and on QEMU: the same report, so the
 * same vector, RIP, error code and CR2; and the values the manuals give. */
START_TEST(exceptions_match_qemu)
{
    static const struct {
        const char *what, *want;
    } cases[] = {
        {"ud", "exception 6 (invalid opcode)"},
        {"de", "exception 0 (divide error)"},
        {"gp", "exception 13 (general protection) at rip 0x"},
        {"pf", "error 0x0, cr2 0x100000000000"},
        {"pf-write", "error 0x3, cr2 0x600008"},
        {"pf-user", "error 0x5, cr2 0x600010"},
    };
    struct run_result r, q;

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        run_tcg(&r, cases[k].what, "guests/ch6/traps.elf");
        run_qemu(&q, "guests/ch6/traps.elf", &(struct qemu_run){.cmdline = cases[k].what});
        ck_assert_msg(r.status == 255, "%s: status %d: %s", cases[k].what, r.status, r.err);
        ck_assert_msg(strstr(r.out, cases[k].want), "%s: no '%s' in:\n%s", cases[k].what,
                      cases[k].want, r.out);
        /* QEMU names the file before the command line: the first line differs there. */
        ck_assert_lines_eq(strchr(r.out, '\n'), strchr(q.out, '\n'));
        run_free(&r);
        run_free(&q);
    }
}
END_TEST
/* [traps-test] */

/* paging.elf under QEMU prints what the interpreter must: 32-bit paging with 4 MiB and
 * 4 KiB pages, PAE with 2 MiB pages and XD, A/D bits, #PF error codes and CR2. */
START_TEST(qemu_pages_as_expected)
{
    struct run_result q;

    run_qemu(&q, "guests/ch6/paging.elf", NULL);
    ck_assert_msg(q.status == 1, "QEMU status %d: %s", q.status, q.err);
    ck_assert_lines_eq(q.out, expected_output("guests/ch6/paging.expected"));
    run_free(&q);
}
END_TEST

/* Corners a review found wrong once: a far CALL, an IRET and a far JMP in protected mode
 * (protect.elf: A, B, C), and an exception from CPL3 compatibility mode (compat.elf). The
 * interpreter must print what QEMU prints. */
START_TEST(protected_mode_corners_match_qemu)
{
    static const struct {
        const char *guest, *want;
        int status;
    } cases[] = {
        {"guests/ch6/protect.elf", "A+B+C+\n", 1},
        {"guests/ch6/compat.elf", "OK\n", 35},
    };
    struct run_result r, q;

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        run_tcg(&r, NULL, cases[k].guest);
        run_qemu(&q, cases[k].guest, NULL);
        ck_assert_msg(r.status == cases[k].status, "%s: status %d: %s", cases[k].guest, r.status,
                      r.err);
        ck_assert_str_eq(r.out, cases[k].want);
        ck_assert_str_eq(q.out, cases[k].want);
        run_free(&r);
        run_free(&q);
    }
}
END_TEST

/* A guest runs code from the ROM, then writes to it: the write is an MMIO exit the
 * machine reports and drops, and the guest goes on (this once crashed the VMM). Not
 * compared with KVM: its instruction runs into the page after the ROM, where no memory is,
 * and KVM stops with an internal error (it cannot emulate such a fetch). */
START_TEST(writing_to_code_in_rom_is_an_mmio_exit)
{
    struct run_result r;

    run_tcg(&r, NULL, "guests/ch6/rom-code.elf");
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "HW");
    ck_assert_str_eq(
        r.err, "warning: guest wrote 1 byte at mmio 0xf0000: no device there (write ignored)\n");
    run_free(&r);
}
END_TEST

/* SWAPGS exchanges GS.base with KERNEL_GS_BASE; SYSCALL from CPL3 and SYSRET back. As
 * under QEMU. */
START_TEST(swapgs_and_syscall_match_qemu)
{
    static const struct {
        const char *what, *want;
    } cases[] = {
        {"swapgs", "swapgs: gs base 0x2222000, kernel gs base 0x1111000\n"},
        {"syscall", "syscall from cpl 3 answered 142, back at cpl 0\n"},
        {"hints", "hints: ran as no-ops\n"},
    };
    struct run_result r, q;

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        run_tcg(&r, cases[k].what, "guests/ch6/traps.elf");
        run_qemu(&q, "guests/ch6/traps.elf", &(struct qemu_run){.cmdline = cases[k].what});
        ck_assert_msg(r.status == 1, "%s: status %d: %s", cases[k].what, r.status, r.err);
        ck_assert_msg(strstr(r.out, cases[k].want), "stdout: %s", r.out);
        ck_assert_lines_eq(strchr(r.out, '\n'), strchr(q.out, '\n'));
        run_free(&r);
        run_free(&q);
    }
}
END_TEST

/* The lines of sse.c's output the host can give: all but the sections after "-- without
 * CR4", which need CR4 and so a kernel. Returns a copy to free. */
static char *without_cr4_sections(const char *text)
{
    const char *cut = strstr(text, "-- without CR4"), *done = strstr(text, "done\n");
    char *out = strdup(text);

    if (cut && done && done > cut)
        memmove(out + (cut - text), out + (done - text), strlen(done) + 1);
    return out;
}

/* sse.expected is what the hardware computes: the same tests built as a host program
 * (sse-host) print it on this machine's CPU, but for the sections that need CR4. (KVM in
 * the nested machine is no reference here: its guest's SSE instructions run on QEMU's
 * emulated CPU, and it printed exactly what QEMU TCG prints, gaps included.) */
START_TEST(sse_expected_is_what_the_host_cpu_computes)
{
    char *want = without_cr4_sections(expected_output("guests/ch6/sse.expected"));
    struct run_result h;

    run_builtv(&h, "tests/sse-host", NULL);
    ck_assert_msg(h.status == 0, "sse-host: status %d: %s", h.status, h.err);
    ck_assert_lines_eq(h.out, want);
    run_free(&h);
    free(want);
}
END_TEST

/*
 * One line of sse.c's output as QEMU TCG (7.2) computes it too, or NULL when QEMU is known
 * to part from the hardware there: QEMU raises no #XM (nor #UD without CR4.OSXMMEXCPT) for
 * an unmasked exception and writes the result instead, never sets MXCSR.DE, does not apply
 * DAZ to MINPS/MAXPS/MINPD/MAXPD, and does not check UNPCKLPS's m128 alignment. The DE flag
 * is cleared in the line so that the rest of MXCSR is compared.
 */
static const char *qemu_comparable(char *line, int *skipping)
{
    static const char *const gaps[] = {"minps      9fc0", "maxps      9fc0", "minpd      9fc0",
                                       "maxpd      9fc0", "unpcklps m"};
    char *mx = strstr(line, " mx ");

    if (!strncmp(line, "--", 2))
        *skipping =
            strstr(line, "unmasked") || strstr(line, "one lane") || strstr(line, "OSXMMEXCPT");
    for (size_t k = 0; k < sizeof(gaps) / sizeof(gaps[0]); k++)
        if (!strncmp(line, gaps[k], strlen(gaps[k])))
            return NULL;
    if (mx) {
        unsigned v = (unsigned)strtoul(mx + 4, NULL, 16) & 0xfffdu; /* MXCSR.DE */
        char hex[16];
        snprintf(hex, sizeof(hex), "%04x", v);
        memcpy(mx + 4, hex, 4);
    }
    return *skipping ? NULL : line;
}

/* QEMU runs sse.elf as the hardware does, but for its known gaps (qemu_comparable). */
START_TEST(sse_matches_qemu_but_for_its_known_gaps)
{
    char *want = strdup(expected_output("guests/ch6/sse.expected")), *w, *g, *ws, *gs;
    struct run_result q;
    int wskip = 0, gskip = 0, n = 0;

    run_qemu(&q, "guests/ch6/sse.elf", NULL);
    ck_assert_msg(q.status == 1, "QEMU status %d: %s", q.status, q.err);
    for (w = strtok_r(want, "\n", &ws), g = strtok_r(q.out, "\n", &gs); w && g;
         w = strtok_r(NULL, "\n", &ws), g = strtok_r(NULL, "\n", &gs), n++) {
        const char *wl = qemu_comparable(w, &wskip), *gl = qemu_comparable(g, &gskip);
        if (wl && gl)
            ck_assert_msg(!strcmp(wl, gl), "line %d:\nqemu: %s\nwant: %s", n + 1, gl, wl);
    }
    ck_assert_msg(!w && !g, "QEMU printed %s lines", w ? "fewer" : "more");
    run_free(&q);
    free(want);
}
END_TEST

/* POPCNT, which the CPUID model promises, runs (QEMU's default CPU model lacks it). */
START_TEST(popcnt_runs_as_cpuid_promises)
{
    struct run_result r;

    run_tcg(&r, "popcnt", "guests/ch6/traps.elf");
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out,
                     "raising: popcnt\npopcnt: cpuid says yes, popcnt(0xf0f0f0f0f0f0f0f1) = 33\n");
    run_free(&r);
}
END_TEST

/* No gate for #UD, none for #DF: the CPU shuts down, as KVM reports it. */
START_TEST(triple_fault_shuts_down)
{
    struct run_result r, q;

    run_tcg(&r, "triple", "guests/ch6/traps.elf");
    ck_assert_msg(r.status == 1, "status %d", r.status);
    ck_assert_msg(strstr(r.err, "triple fault"), "stderr: %s", r.err);
    ck_assert_msg(strstr(r.err, "Registers:"), "no register dump: %s", r.err);
    ck_assert_ptr_null(strstr(r.out, "should not appear"));
    run_qemu(&q, "guests/ch6/traps.elf",
             &(struct qemu_run){.cmdline = "triple"}); /* -no-reboot: QEMU just ends */
    ck_assert_ptr_null(strstr(q.out, "exception"));
    run_free(&r);
    run_free(&q);
}
END_TEST

/* --accel=auto with a KVM device that is not there: one line says so, then the guest
 * runs on the interpreter as if nothing happened. */
START_TEST(auto_falls_back_to_the_interpreter)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--accel=auto", "--kvm-dev", "/nonexistent/kvm",
               "guests/ch2/hello.elf", NULL);
    ck_assert_msg(r.status == 35, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "stepvm: KVM is not usable, running on the interpreter: open "
                            "/nonexistent/kvm: No such file or directory (is the kvm module "
                            "loaded? try 'modprobe kvm_intel' or 'modprobe kvm_amd'; if that "
                            "fails, enable VT-x/AMD-V in the firmware setup)\n");
    ck_assert_lines_eq(r.out, expected_output("guests/ch2/hello.expected"));
    run_free(&r);
}
END_TEST

START_TEST(accel_kvm_without_kvm_is_one_clear_error)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--accel=kvm", "--kvm-dev", "/nonexistent/kvm",
               "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, "stepvm: open /nonexistent/kvm: No such file or directory"),
                  "stderr: %s", r.err);
    run_free(&r);
    run_builtv(&r, "bin/stepvm", "--accel=qemu", "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "stepvm: --accel qemu: must be kvm, tcg or auto\n");
    run_free(&r);
}
END_TEST

/* The interpreter counts what it ran; --stats says so, and the cache decoded each
 * instruction of the loop once, not every time it ran. */
START_TEST(stats_count_instructions_and_decodes)
{
    struct run_result r;
    unsigned long long ran = 0, decoded = 0;

    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--stats", "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 35);
    const char *line = strstr(r.err, "instructions: ");
    ck_assert_msg(line && sscanf(line, "instructions: %llu (decoded: %llu)", &ran, &decoded) == 2,
                  "stderr: %s", r.err);
    ck_assert_msg(ran > 10000 && decoded > 0 && decoded * 10 < ran,
                  "ran %llu, decoded %llu: the cache should decode each once", ran, decoded);
    run_free(&r);
}
END_TEST

/* The inspector over the interpreter: chapter 3's scripts, stepping by exits and by
 * instructions (s), give the very transcripts KVM gave. stepvm is chapter 4's PC, so
 * chapter 1's guest finds a UART at COM1 there: its transcript is chapter 4's (recorded
 * with ch4 on KVM); chapter 3's guest touches none of the PC's devices, and its
 * transcript is still chapter 3's. */
START_TEST(inspector_transcripts_match_kvm)
{
    static const struct {
        const char *name, *guest, *load_addr, *golden_chapter;
    } cases[] = {
        {"hello", "guests/ch1/hello.bin", "0x1000", "ch4"},
        {"devices", "guests/ch3/devices.elf", "0x10000", "ch3"},
    };
    struct run_result r;
    char script[256], golden[256];

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        snprintf(script, sizeof(script), "guests/ch3/golden/%s.script", cases[k].name);
        snprintf(golden, sizeof(golden), "guests/%s/golden/%s.batch", cases[k].golden_chapter,
                 cases[k].name);
        run_builtv(&r, "bin/stepvm", "--accel=tcg", "--batch-script", script, "--load-addr",
                   cases[k].load_addr, cases[k].guest, NULL);
        ck_assert_msg(r.status == 0, "%s: status %d: %s", cases[k].name, r.status, r.err);
        ck_assert_str_eq(r.err, "");
        ck_assert_lines_eq(r.out, expected_output(golden));
        run_free(&r);
    }
}
END_TEST

/* Every SSE2 integer instruction on edge values, and its alignment, #UD and #NM faults
 * (simd.elf): the interpreter and QEMU print simd.expected, which KVM printed too. */
START_TEST(simd_matches_qemu)
{
    struct run_result r, q;

    run_tcg(&r, NULL, "guests/ch6/simd.elf");
    run_qemu(&q, "guests/ch6/simd.elf", NULL);
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_msg(q.status == 1, "QEMU status %d: %s", q.status, q.err);
    ck_assert_lines_eq(r.out, expected_output("guests/ch6/simd.expected"));
    ck_assert_lines_eq(q.out, expected_output("guests/ch6/simd.expected"));
    run_free(&r);
    run_free(&q);
}
END_TEST

/* The inspector's real TUI in a real terminal, on the interpreter: it needs no KVM, so
 * this runs everywhere (chapter 3 runs the same test on KVM). */
START_TEST(tui_on_the_interpreter)
{
    check_inspector_tui("bin/stepvm", "--accel=tcg");
}
END_TEST

TCase *guest_tests(void)
{
    TCase *tc = tcase_create("guests");

    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, tcg_prints_what_kvm_prints);
    tcase_add_test(tc, exceptions_match_qemu);
    tcase_add_test(tc, triple_fault_shuts_down);
    tcase_add_test(tc, qemu_pages_as_expected);
    tcase_add_test(tc, x87_matches_qemu_but_its_known_corners);
    tcase_add_test(tc, swapgs_and_syscall_match_qemu);
    tcase_add_test(tc, popcnt_runs_as_cpuid_promises);
    tcase_add_test(tc, protected_mode_corners_match_qemu);
    tcase_add_test(tc, simd_matches_qemu);
    tcase_add_test(tc, sse_expected_is_what_the_host_cpu_computes);
    tcase_add_test(tc, sse_matches_qemu_but_for_its_known_gaps);
    tcase_add_test(tc, writing_to_code_in_rom_is_an_mmio_exit);
    tcase_add_test(tc, auto_falls_back_to_the_interpreter);
    tcase_add_test(tc, accel_kvm_without_kvm_is_one_clear_error);
    tcase_add_test(tc, stats_count_instructions_and_decodes);
    tcase_add_test(tc, inspector_transcripts_match_kvm);
    tcase_add_test(tc, tui_on_the_interpreter);
    return tc;
}

/* [same-as-kvm] */
/* Every guest of chapters 1-3, on both backends in one machine that has KVM: the same
 * stdout, the same stderr (warnings included), the same exit status. After a triple fault
 * only stdout and status: KVM on AMD resets the vCPU, so its register dump differs. */
START_TEST(every_book_guest_is_the_same_on_kvm_and_tcg)
{
    static const struct {
        const char *guest, *arg1, *arg2;
        int compare_err;
    } cases[] = {
        {"ch1/hello.bin", "--load-addr", "0x1000", 1},
        {"ch1/exitcode.bin", "--load-addr", "0x1000", 1},
        {"ch1/triple.bin", "--load-addr", "0x1000", 0},
        {"ch2/hello.elf", "--cmdline", "a b", 1},
        {"ch2/memmap.elf", "--cmdline", "", 1},
        {"ch2/fault.elf", "--cmdline", "", 1},
        {"ch2/rom.elf", "--cmdline", "", 1},
        {"ch3/devices.elf", "--cmdline", "", 1},
        {"ch3/hcall.elf", "--cmdline", "", 1},
        {"ch3/fwcfg.elf", "--cmdline", "", 1},
        {"ch3/chaos.elf", "--cmdline", "", 1},
        {"ch6/traps.elf", "--cmdline", "pf-user", 1},
        {"ch6/paging.elf", "--cmdline", "", 1},
        {"ch6/traps.elf", "--cmdline", "swapgs", 1},
        {"ch6/traps.elf", "--cmdline", "popcnt", 1},
        {"ch6/traps.elf", "--cmdline", "syscall", 1},
        {"ch6/protect.elf", "--cmdline", "", 1},
        {"ch6/compat.elf", "--cmdline", "", 1},
        {"ch6/traps.elf", "--cmdline", "triple", 0},
    };
    struct run_result k, t;
    char path[256];

    for (size_t g = 0; g < sizeof(cases) / sizeof(cases[0]); g++) {
        snprintf(path, sizeof(path), "guests/%s", cases[g].guest);
        run_builtv(&k, "bin/stepvm", "--accel=kvm", cases[g].arg1, cases[g].arg2, path, NULL);
        run_builtv(&t, "bin/stepvm", "--accel=tcg", cases[g].arg1, cases[g].arg2, path, NULL);
        ck_assert_msg(k.status == t.status, "%s: status %d on KVM, %d on tcg", cases[g].guest,
                      k.status, t.status);
        ck_assert_lines_eq(t.out, k.out);
        if (cases[g].compare_err)
            ck_assert_lines_eq(t.err, k.err);
        run_free(&k);
        run_free(&t);
    }
}
END_TEST
/* [same-as-kvm] */

void add_guest_kvm_tests(Suite *s)
{
    const TTest *const tests[] = {every_book_guest_is_the_same_on_kvm_and_tcg};

    suite_add_kvm_tests(s, "guests-kvm", tests, 1);
}
