/*
 * check_helpers.c - shared helpers of the Check suites (see check_helpers.h).
 */
#include "check_helpers.h"
#include "hostcpu.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char kvm_skip_reason[256];

const char *build_path(char *buf, size_t size, const char *rel)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    ck_assert_int_gt(n, 0);
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0'; /* .../build/tests */
    *strrchr(exe, '/') = '\0'; /* .../build */
    ck_assert_int_lt(snprintf(buf, size, "%s/%s", exe, rel), (int)size);
    return buf;
}

const char *source_top(char *buf, size_t size)
{
    char probe[4096];

    build_path(buf, size, "");
    for (;;) {
        char *slash = strrchr(buf, '/');
        ck_assert_msg(slash != NULL && slash != buf, "no source tree above the test program");
        *slash = '\0';
        snprintf(probe, sizeof(probe), "%s/common/chapter.mk", buf);
        if (access(probe, F_OK) == 0)
            return buf;
    }
}

/* Appends what is readable on fd to the growing buffer *buf of length *len. */
static int drain(int fd, char **buf, size_t *len)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n <= 0)
        return n < 0 && errno == EINTR ? 1 : 0;
    *buf = realloc(*buf, *len + (size_t)n + 1);
    ck_assert_ptr_nonnull(*buf);
    memcpy(*buf + *len, chunk, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    return 1;
}

/* What a test says to a program while it runs: input once the program's output shows
 * ready, then SIGTERM once it shows done, or when time is up. */
struct conversation {
    const char *ready, *input, *done;
    int in_fd;
    long long deadline; /* ms on the monotonic clock */
    int sent, stopped;
};

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Starts argv with its stdout and stderr on pipes, and its stdin on one when in is not
 * NULL. Returns the child's pid; the child's ends of the pipes are closed here. */
static pid_t spawn(const char *const argv[], int *in, int out[2], int err[2])
{
    if (in)
        ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (in)
            dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (in)
        close(in[0]);
    close(out[1]);
    close(err[1]);
    return pid;
}

/* Reads the program's stdout and stderr into res until both end, holding conversation c
 * on the way when it is not NULL; then waits for the program and sets res->status. */
static void collect(struct run_result *res, pid_t pid, int out, int err, struct conversation *c)
{
    size_t out_len = 0, err_len = 0;
    int wstatus;

    res->out = calloc(1, 1);
    res->err = calloc(1, 1);
    struct pollfd fds[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        long long left = c ? c->deadline - now_ms() : -1;
        ck_assert_int_ge(poll(fds, 2, !c ? -1 : left > 0 ? (int)left : 0), 0);
        if (fds[0].revents && !drain(out, &res->out, &out_len))
            fds[0].fd = -1;
        if (fds[1].revents && !drain(err, &res->err, &err_len))
            fds[1].fd = -1;
        if (!c)
            continue;
        /* The input goes once the guest is listening: bytes sent before it has set up its
         * UART would be lost, as on a real machine. */
        if (!c->sent && strstr(res->out, c->ready)) {
            size_t n = strlen(c->input);
            ck_assert_int_eq(write(c->in_fd, c->input, n), (ssize_t)n);
            c->sent = 1;
        }
        /* A guest that halts leaves QEMU running: stop it once it has said its last.
         * SIGTERM, which timeout(1) passes on to QEMU. */
        if (!c->stopped && ((c->sent && strstr(res->out, c->done)) || now_ms() >= c->deadline)) {
            kill(pid, SIGTERM);
            c->stopped = 1;
        }
    }
    close(out);
    close(err);
    ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
    res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

void run_capture(const char *const argv[], struct run_result *res)
{
    int out[2], err[2];
    pid_t pid = spawn(argv, NULL, out, err);

    collect(res, pid, out[0], err[0], NULL);
}

void run_built(struct run_result *res, const char *program, const char *const args[])
{
    static char paths[RUN_MAX_ARGS + 1][4096];
    const char *argv[RUN_MAX_ARGS + 2];
    int n = 0;

    argv[n++] = build_path(paths[0], sizeof(paths[0]), program);
    for (; args[n - 1]; n++) {
        ck_assert_int_le(n, RUN_MAX_ARGS);
        argv[n] = strncmp(args[n - 1], "guests/", 7) == 0
                      ? build_path(paths[n], sizeof(paths[n]), args[n - 1])
                      : args[n - 1];
    }
    argv[n] = NULL;
    run_capture(argv, res);
}

void run_builtv(struct run_result *res, const char *program, ...)
{
    const char *args[RUN_MAX_ARGS + 1];
    int n = 0;
    va_list ap;

    va_start(ap, program);
    while ((args[n] = va_arg(ap, const char *)) != NULL)
        ck_assert_int_le(++n, RUN_MAX_ARGS);
    va_end(ap);
    run_built(res, program, args);
}

/*
 * Fills argv with QEMU's command line as DESIGN.md runs it (TCG, -m 128, isa-debug-exit at
 * 0xf4, no display, no monitor, no reboot), with the given -debugcon and -serial and
 * @p smp CPUs. At most 60 s. Returns argv.
 */
#define QEMU_ARGC 26
static const char **qemu_argv(const char *argv[QEMU_ARGC], char *path, size_t size,
                              const char *guest, const char *cmdline, const char *debugcon,
                              const char *serial, const char *smp)
{
    const char *const args[QEMU_ARGC] = {"/usr/bin/timeout",
                                         "60",
                                         "qemu-system-x86_64",
                                         "-accel",
                                         "tcg",
                                         "-display",
                                         "none",
                                         "-m",
                                         "128",
                                         "-smp",
                                         smp,
                                         "-kernel",
                                         build_path(path, size, guest),
                                         "-debugcon",
                                         debugcon,
                                         "-device",
                                         "isa-debug-exit,iobase=0xf4,iosize=4",
                                         "-serial",
                                         serial,
                                         "-monitor",
                                         "none",
                                         "-no-reboot", /* a triple fault ends QEMU */
                                         "-append",
                                         cmdline,
                                         NULL};

    memcpy(argv, args, sizeof(args));
    return argv;
}

void run_qemu(struct run_result *res, const char *guest, const struct qemu_run *how)
{
    static const struct qemu_run plain;
    char path[4096], out[] = "/tmp/qemu-debugcon-XXXXXX", debugcon[64], smp[16];
    const char *argv[QEMU_ARGC];

    if (!how)
        how = &plain;
    close(mkstemp(out));
    snprintf(debugcon, sizeof(debugcon), "file:%s", out);
    snprintf(smp, sizeof(smp), "%d", how->ncpus > 0 ? how->ncpus : 1);
    run_capture(qemu_argv(argv, path, sizeof(path), guest, how->cmdline ? how->cmdline : "",
                          debugcon, how->com1 ? "null" : "none", smp),
                res);
    free(res->out);
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    res->out = calloc(1, 65536);
    ck_assert_ptr_nonnull(res->out);
    fread(res->out, 1, 65535, f);
    fclose(f);
    unlink(out);
}

void run_qemu_serial(struct run_result *res, const char *guest, const char *cmdline,
                     const char *ready, const char *input, const char *done)
{
    char path[4096];
    const char *argv[QEMU_ARGC];
    int in[2], out[2], err[2];
    struct conversation c = {ready, input, done, -1, now_ms() + 30000, 0, 0};

    qemu_argv(argv, path, sizeof(path), guest, cmdline, "null", "stdio", "1");
    pid_t pid = spawn(argv, in, out, err);
    c.in_fd = in[1];
    collect(res, pid, out[0], err[0], &c);
    close(in[1]);
    res->status = c.sent && strstr(res->out, done) ? 0 : 1;
}

char *expected_output(const char *rel)
{
    char path[4096], chunk[4096];
    static char *text; /* the whole file, however long; kept until the next call */
    size_t len = 0, n;

    free(text);
    text = NULL;
    FILE *f = fopen(build_path(path, sizeof(path), rel), "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, out);
    fclose(f);
    fclose(out);
    return text;
}

void run_shell(struct run_result *res, const char *fmt, ...)
{
    char cmd[16384];
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    run_capture(argv, res);
}

void run_free(struct run_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

int kvm_usable(char *why, size_t size)
{
    const char *dev = getenv("STEPVM_KVM_DEV") ? getenv("STEPVM_KVM_DEV") : "/dev/kvm";
    int fd = open(dev, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        snprintf(why, size, "open %s: %s", dev, strerror(errno));
        return 0;
    }
    if (!hostcpu__virt()) { /* the same refusal as kvm__open (chapter 1) */
        snprintf(why, size,
                 "%s works, but the CPU reports neither VT-x nor AMD-V: a KVM done "
                 "in software (such as kvm_pvm) cannot run stepvm's guests as a CPU would",
                 dev);
        close(fd);
        return 0;
    }
    int vm = ioctl(fd, KVM_CREATE_VM, 0);
    if (vm < 0) {
        snprintf(why, size, "KVM_CREATE_VM on %s: %s", dev, strerror(errno));
        close(fd);
        return 0;
    }
    close(vm);
    close(fd);
    return 1;
}

void suite_add_kvm_tests(Suite *s, const char *name, const TTest *const tests[], int n)
{
    if (kvm_skip_reason[0] == '\0' && kvm_usable(kvm_skip_reason, sizeof(kvm_skip_reason))) {
        kvm_skip_reason[0] = '\0';
        TCase *tc = tcase_create(name);
        tcase_set_tags(tc, "kvm");
        /* Check's 4 s are too few in the nested machine, where KVM itself is emulated: a
         * Linux boot there, with /init's floating-point program and under ThreadSanitizer,
         * has taken over 120 s. */
        tcase_set_timeout(tc, 300);
        for (int i = 0; i < n; i++)
            tcase_add_test(tc, tests[i]);
        suite_add_tcase(s, tc);
        return;
    }
    printf("SKIPPED: %d KVM test(s) in test case %s: %s\n", n, name, kvm_skip_reason);
    fflush(stdout);
}

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    int ran = srunner_ntests_run(sr);
    srunner_free(sr);
    /* A suite that ran nothing failed, unless it was asked for its KVM tests only (inside
     * the nested machine) and has none. */
    return failed == 0 && (ran > 0 || getenv("CK_INCLUDE_TAGS")) ? 0 : 1;
}

void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
}

int have_linux_guest(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);

    if (n <= 0)
        return 0;
    path[n] = '\0';
    *strrchr(path, '/') = '\0'; /* .../build/tests */
    strcpy(strrchr(path, '/'), "/guests/linux/disk.sha256");
    return access(path, R_OK) == 0;
}

char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *d = NULL;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    d = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(fread(d, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    d[size] = '\0';
    *len = (size_t)size;
    return d;
}

void linux_guest_disk(char *disk, char *sha)
{
    char path[4096];
    size_t len, n = 0;
    int fd = mkstemp(disk);

    ck_assert_int_ge(fd, 0);
    close(fd);
    char *img = read_whole_file(build_path(path, sizeof(path), "guests/linux/disk.img"), &len);
    write_file(disk, img, len);
    free(img);
    char *digest =
        read_whole_file(build_path(path, sizeof(path), "guests/linux/disk.sha256"), &len);
    while (n < len && n < 64 && isxdigit((unsigned char)digest[n]))
        n++;
    memcpy(sha, digest, n);
    sha[n] = '\0';
    free(digest);
}

void assert_lines_eq(const char *file, int line, const char *got, const char *want)
{
    int n = 1;

    while (*got || *want) {
        size_t gl = strcspn(got, "\n"), wl = strcspn(want, "\n");
        if (gl != wl || memcmp(got, want, gl) != 0 || (got[gl] == '\n') != (want[wl] == '\n'))
            ck_assert_msg(0, "%s:%d: text differs at line %d:\n got: %.*s\nwant: %.*s", file, line,
                          n, (int)(gl > 200 ? 200 : gl), got, (int)(wl > 200 ? 200 : wl), want);
        got += gl + (got[gl] == '\n');
        want += wl + (want[wl] == '\n');
        n++;
    }
}
