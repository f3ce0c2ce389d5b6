/*
 * check_helpers.h - what every chapter's Check suite shares (chapter 1): finding the
 * built programs and guests, running a program and capturing what it prints, and
 * knowing whether /dev/kvm can be used here.
 */
#ifndef STEPVM_CHECK_HELPERS_H
#define STEPVM_CHECK_HELPERS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/** What a finished program left behind. */
struct run_result {
    char *out;  /* everything it wrote to stdout, NUL-terminated */
    char *err;  /* everything it wrote to stderr, NUL-terminated */
    int status; /* its exit status, or 128 + signal number when a signal ended it */
};

/**
 * Writes "<build dir>/<rel>" into buf, where the build dir is the parent of the
 * directory holding the running test program (build/ or build/san/). Returns buf.
 */
const char *build_path(char *buf, size_t size, const char *rel);

/**
 * Writes the top of the source tree into buf: the nearest directory above the running
 * test program that holds common/chapter.mk. Returns buf.
 */
const char *source_top(char *buf, size_t size);

/** Runs argv (argv[0] a path) to completion, capturing both streams. Aborts the test on failure. */
void run_capture(const char *const argv[], struct run_result *res);

/**
 * Runs the built program (e.g. "bin/ch3", relative to the build dir) with args, a
 * NULL-terminated array of at most RUN_MAX_ARGS; an argument starting with "guests/" names a built
 * guest and is made absolute. run_builtv takes the arguments in the call, ending in NULL.
 */
#define RUN_MAX_ARGS 48
void run_built(struct run_result *res, const char *program, const char *const args[]);
void run_builtv(struct run_result *res, const char *program, ...);

/** How run_qemu boots a guest; a zeroed struct (or NULL) is the plain case. */
struct qemu_run {
    const char *cmdline; /* the Multiboot command line (QEMU puts the file name before it) */
    int ncpus;           /* QEMU's -smp; 0 means 1 */
    int com1;            /* 1: a COM1 whose output QEMU discards (-serial null); 0: none */
};

/**
 * Boots the built guest (e.g. "guests/ch2/hello.elf") under QEMU's TCG, the reference
 * machine, as DESIGN.md runs it: -m 128, -debugcon to a file, isa-debug-exit at 0xf4, no
 * serial, no display, at most 60 s; @p how (NULL for none) adds a command line, CPUs or a
 * COM1. res->out is what the guest printed on the debug console; res->status is QEMU's
 * exit status. Tests compare both with what stepvm gives for the same file.
 */
void run_qemu(struct run_result *res, const char *guest, const struct qemu_run *how);

/**
 * Boots the built guest under QEMU as run_qemu does with a command line, with COM1 on QEMU's stdin
 * and stdout and no debug console. Once the guest has written @p ready on COM1, sends
 * @p input; once it has written @p done, stops QEMU (a guest that halts leaves QEMU
 * running), and so after 30 s at the latest. res->out is all the guest wrote on COM1,
 * res->err QEMU's stderr; res->status is 0 when @p done came, else 1.
 */
void run_qemu_serial(struct run_result *res, const char *guest, const char *cmdline,
                     const char *ready, const char *input, const char *done);

/** Returns the text of the built file rel (e.g. "guests/ch2/hello.expected"). */
char *expected_output(const char *rel);

/** Runs a shell command line (formatted like printf) with run_capture. */
void run_shell(struct run_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Frees what run_capture allocated. */
void run_free(struct run_result *res);

/**
 * Returns 1 when the KVM device can be opened and a VM created, else 0 with the reason in
 * why. The device is /dev/kvm, or $STEPVM_KVM_DEV when that is set.
 */
int kvm_usable(char *why, size_t size);

/**
 * Adds the n tests as test case name, tagged "kvm" (CK_INCLUDE_TAGS=kvm runs only them),
 * when KVM is usable here. Otherwise leaves them out and says so loudly on stdout, with
 * the reason: a skipped test must never look like a pass.
 */
void suite_add_kvm_tests(Suite *s, const char *name, const TTest *const tests[], int n);

/**
 * Runs the suite the Check way and prints the skip count after Check's summary.
 * Returns the process exit status: 0 only when every test that ran passed.
 */
int run_suite(Suite *s);

/**
 * Asserts that two multi-line texts are equal, failing with the first line that differs
 * (Check cannot carry a whole long text in a failure message).
 */
#define ck_assert_lines_eq(got, want) assert_lines_eq(__FILE__, __LINE__, (got), (want))
void assert_lines_eq(const char *file, int line, const char *got, const char *want);

/**
 * The labs of a chapter, graded for real: in scratch copies of the tree, every lab's
 * grader (make grade-N LAB=name) must fail as shipped and pass once its reference
 * solution (labs/NAME/solution.patch) is applied. nlabs is how many labs the chapter has.
 */
TCase *lab_tests(int chapter, int nlabs);

/** Little-endian fields of a table in guest memory (ACPI, the MP table), read as an
 *  operating system reads them: byte by byte, whatever the host's order. */
static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/**
 * The inspector's TUI in tmux at 80x24 on chapter 1's hello.bin: program (e.g. "bin/ch3")
 * with args before --inspect; steps, runs to an exit, resizes, quits (tui.c).
 */
void check_inspector_tui(const char *program, const char *args);

/**
 * Checks chapter 5's inspector on two vCPUs in a real terminal (tmux): the vCPU list, n
 * on the vCPU in focus, Tab to the other, r and p, then q. program runs
 * guests/ch5/smp.elf with args (an irqchip).
 */
void check_inspector_tui_smp(const char *program, const char *args);

/** Writes the size bytes at data into a new file at path. */
void write_file(const char *path, const void *data, size_t size);

/** The whole file at path in a new buffer of *len bytes, with a NUL after them; the
 * test fails when it cannot be read. */
char *read_whole_file(const char *path, size_t *len);

/** Whether chapter 4's Linux guest (mkinitramfs.sh's files in build/guests/linux) is in
 * the build. Usable before the tests run: it asserts nothing. */
int have_linux_guest(void);

/**
 * Copies the Linux guest's disk into a new file named by the template disk (its last six
 * characters XXXXXX, as mkstemp's), and writes the digest the host computed of the file
 * on it (disk.sha256's hex digits) into sha, at least 65 bytes.
 */
void linux_guest_disk(char *disk, char *sha);

#endif
