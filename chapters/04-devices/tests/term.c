/*
 * term.c - tests of the host terminal console (term.h): the escape keys, raw mode and its
 * restoration through a real pseudo-terminal (in a child that is killed or crashes), and
 * writes to a slow reader that lose nothing.
 */
#include "ch4_tests.h"
#include "error.h"
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ escape keys */

/* A console on a pipe: what it writes (the help) can be read back from fds[0]. */
static void open_on_pipe(struct term *t, int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(term__open(t, fds[0], fds[1]), 0);
}

static size_t filter_str(struct term *t, const char *in, uint8_t *out, int *quit)
{
    return term__filter(t, (const uint8_t *)in, strlen(in), out, quit);
}

START_TEST(ordinary_bytes_pass_through)
{
    struct term t;
    int fds[2], quit = -1;
    uint8_t out[16];
    const char in[] = "ls\r\x03\x7f\x1b[A";

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t, in, out, &quit), strlen(in));
    ck_assert_mem_eq(out, in, strlen(in)); /* ^C and escape sequences go to the guest */
    ck_assert_int_eq(quit, 0);
}
END_TEST

START_TEST(ctrl_a_x_quits)
{
    struct term t;
    int fds[2], quit = 0;
    uint8_t out[16];

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t, "ab\x01xcd", out, &quit), 2);
    ck_assert_mem_eq(out, "ab", 2);
    ck_assert_int_eq(quit, 1);
}
END_TEST

START_TEST(ctrl_a_ctrl_a_sends_one_ctrl_a)
{
    struct term t;
    int fds[2], quit = -1;
    uint8_t out[16];

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t, "a\x01\x01z", out, &quit), 3);
    ck_assert_mem_eq(out, "a\x01z", 3);
    ck_assert_int_eq(quit, 0);
}
END_TEST

START_TEST(ctrl_a_h_prints_the_keys)
{
    struct term t;
    int fds[2], quit = -1;
    uint8_t out[16];
    char help[512] = {0};

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t, "\x01h", out, &quit), 0);
    ck_assert_int_eq(quit, 0);
    ck_assert_int_gt(read(fds[0], help, sizeof(help) - 1), 0);
    ck_assert_ptr_nonnull(strstr(help, "C-a x"));
    ck_assert_ptr_nonnull(strstr(help, "C-a h"));
    ck_assert_ptr_nonnull(strstr(help, "C-a C-a"));
}
END_TEST

START_TEST(other_escapes_are_dropped)
{
    struct term t;
    int fds[2], quit = -1;
    uint8_t out[16];

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t,
                                 "a\x01"
                                 "cb\x01X",
                                 out, &quit),
                      2);
    ck_assert_mem_eq(out, "ab", 2);
    ck_assert_int_eq(quit, 0);
}
END_TEST

START_TEST(escape_split_across_calls)
{
    struct term t;
    int fds[2], quit = -1;
    uint8_t out[16];

    open_on_pipe(&t, fds);
    ck_assert_uint_eq(filter_str(&t, "a\x01", out, &quit), 1);
    ck_assert_int_eq(quit, 0);
    ck_assert_uint_eq(filter_str(&t,
                                 "\x01"
                                 "b",
                                 out, &quit),
                      2);
    ck_assert_mem_eq(out,
                     "\x01"
                     "b",
                     2);
    ck_assert_uint_eq(filter_str(&t, "\x01", out, &quit), 0);
    ck_assert_int_eq(quit, 0);
    ck_assert_uint_eq(filter_str(&t, "x", out, &quit), 0);
    ck_assert_int_eq(quit, 1);
}
END_TEST

/* ------------------------------------------------------------------ raw mode on a pty */

/* Opens a pseudo-terminal pair: *master, and its slave returned. */
static int open_pty(int *master)
{
    int slave;

    *master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(*master, 0);
    ck_assert_int_eq(grantpt(*master), 0);
    ck_assert_int_eq(unlockpt(*master), 0);
    slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(slave, 0);
    return slave;
}

static int is_raw(int fd)
{
    struct termios tio;

    ck_assert_int_eq(tcgetattr(fd, &tio), 0);
    return !(tio.c_lflag & (ICANON | ECHO | ISIG)) && (tio.c_oflag & OPOST) &&
           (tio.c_oflag & ONLCR) && tio.c_cc[VMIN] == 1;
}

static void assert_settings_eq(int fd, const struct termios *want)
{
    struct termios tio;

    ck_assert_int_eq(tcgetattr(fd, &tio), 0);
    ck_assert_uint_eq(tio.c_iflag, want->c_iflag);
    ck_assert_uint_eq(tio.c_oflag, want->c_oflag);
    ck_assert_uint_eq(tio.c_cflag, want->c_cflag);
    ck_assert_uint_eq(tio.c_lflag, want->c_lflag);
    ck_assert_mem_eq(tio.c_cc, want->c_cc, sizeof(tio.c_cc));
}

START_TEST(raw_mode_and_restore_on_a_pty)
{
    struct termios before;
    struct term t;
    int master, slave = open_pty(&master);

    ck_assert_int_eq(tcgetattr(slave, &before), 0);
    ck_assert_uint_ne(before.c_lflag & ICANON, 0); /* a fresh pty is cooked */
    ck_assert_int_eq(term__open(&t, slave, slave), 0);
    ck_assert_int_eq(is_raw(slave), 1);
    term__restore(&t);
    assert_settings_eq(slave, &before);
    term__restore(&t); /* a second time changes nothing */
    assert_settings_eq(slave, &before);
    close(slave);
    close(master);
}
END_TEST

START_TEST(open_on_a_pipe_changes_nothing)
{
    struct term t;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(term__open(&t, fds[0], fds[1]), 0);
    ck_assert_int_eq(t.is_raw, 0);
    term__restore(&t);
}
END_TEST

/* How the child in the tests below ends once its terminal is raw. */
enum ending { BY_KILL, BY_ABORT, BY_EXIT };

/* The child's side: a program that starts with the default signal actions (Check's
 * runner handles SIGINT and SIGTERM, and the child would inherit that), opens the console,
 * says it is ready, waits for the word, and ends as told. */
static void run_child(int slave, int ready, int go, enum ending how)
{
    static const int defaults[] = {SIGINT, SIGTERM, SIGHUP, SIGABRT};
    struct rlimit no_core = {0, 0};
    struct term t;
    char byte;

    setrlimit(RLIMIT_CORE, &no_core);
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        signal(defaults[i], SIG_DFL);
    if (term__open(&t, slave, slave) < 0 || term__install_restore(&t) < 0)
        _exit(99);
    if (write(ready, "r", 1) != 1 || read(go, &byte, 1) != 1)
        _exit(98);
    if (how == BY_ABORT)
        abort();
    if (how == BY_EXIT)
        exit(7);
    for (;;)
        pause();
}

/* Runs a child on the pty's slave; checks that the terminal is raw while it lives, then
 * lets it end (or kills it with sig). Returns its wait status. */
static int child_on_pty(int slave, enum ending how, int sig)
{
    int ready[2], go[2], status;
    char byte;
    pid_t pid;

    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        run_child(slave, ready[1], go[0], how);
    close(ready[1]);
    close(go[0]);
    ck_assert_int_eq(read(ready[0], &byte, 1), 1);
    close(ready[0]);
    ck_assert_int_eq(is_raw(slave), 1);
    if (how == BY_KILL)
        ck_assert_int_eq(kill(pid, sig), 0);
    else
        ck_assert_int_eq(write(go[1], "g", 1), 1);
    close(go[1]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void check_restored_after(enum ending how, int sig)
{
    struct termios before;
    int master, slave = open_pty(&master), status;

    ck_assert_int_eq(tcgetattr(slave, &before), 0);
    status = child_on_pty(slave, how, sig);
    if (how == BY_EXIT) {
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 7);
    } else {
        ck_assert_msg(WIFSIGNALED(status), "the child was not ended by a signal (status %#x)",
                      status);
        ck_assert_int_eq(WTERMSIG(status), sig);
    }
    assert_settings_eq(slave, &before);
    close(slave);
    close(master);
}

START_TEST(restored_when_killed_by_sigterm)
{
    check_restored_after(BY_KILL, SIGTERM);
}
END_TEST

START_TEST(restored_when_killed_by_sighup_or_sigint)
{
    check_restored_after(BY_KILL, SIGHUP);
    check_restored_after(BY_KILL, SIGINT);
}
END_TEST

START_TEST(restored_when_it_crashes)
{
    check_restored_after(BY_ABORT, SIGABRT);
}
END_TEST

START_TEST(restored_at_exit)
{
    check_restored_after(BY_EXIT, 0);
}
END_TEST

/* ------------------------------------------------------------------ writes */

#define WRITE_TOTAL (1u << 20)

struct slow_reader {
    int fd;
    uint8_t *got;
    size_t n;
};

/* Reads everything, a little at a time, pausing now and then, so the writer fills the
 * pipe and meets EAGAIN again and again. */
static void *read_slowly(void *arg)
{
    struct slow_reader *r = arg;
    const struct timespec pause_ = {0, 1000000}; /* 1 ms */
    ssize_t k;

    while ((k = read(r->fd, r->got + r->n,
                     r->n + 4096 <= WRITE_TOTAL ? 4096 : WRITE_TOTAL - r->n)) > 0) {
        r->n += (size_t)k;
        if ((r->n / 4096) % 16 == 0)
            nanosleep(&pause_, NULL);
        if (r->n == WRITE_TOTAL)
            break;
    }
    return NULL;
}

START_TEST(write_to_a_slow_reader_loses_nothing)
{
    uint8_t *data = malloc(WRITE_TOTAL);
    struct slow_reader r = {0};
    struct term t;
    pthread_t reader;
    int fds[2];

    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < WRITE_TOTAL; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 12));
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(term__open(&t, fds[0], fds[1]), 0);
    r.fd = fds[0];
    r.got = malloc(WRITE_TOTAL);
    ck_assert_ptr_nonnull(r.got);
    ck_assert_int_eq(pthread_create(&reader, NULL, read_slowly, &r), 0);
    ck_assert_int_eq(term__write(&t, data, WRITE_TOTAL), 0);
    ck_assert_int_eq(pthread_join(reader, NULL), 0);
    ck_assert_uint_eq(r.n, WRITE_TOTAL);
    ck_assert_int_eq(memcmp(r.got, data, WRITE_TOTAL), 0);
    free(r.got);
    free(data);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(write_error_is_reported)
{
    struct term t;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(term__open(&t, fds[0], fds[0]), 0); /* the read end: EBADF */
    ck_assert_int_eq(term__write(&t, (const uint8_t *)"x", 1), -1);
    ck_assert_ptr_nonnull(strstr(error__get(), "write to the console"));
    close(fds[0]);
    close(fds[1]);
}
END_TEST

TCase *term_tests(void)
{
    TCase *tc = tcase_create("term");

    tcase_add_test(tc, ordinary_bytes_pass_through);
    tcase_add_test(tc, ctrl_a_x_quits);
    tcase_add_test(tc, ctrl_a_ctrl_a_sends_one_ctrl_a);
    tcase_add_test(tc, ctrl_a_h_prints_the_keys);
    tcase_add_test(tc, other_escapes_are_dropped);
    tcase_add_test(tc, escape_split_across_calls);
    tcase_add_test(tc, raw_mode_and_restore_on_a_pty);
    tcase_add_test(tc, open_on_a_pipe_changes_nothing);
    tcase_add_test(tc, restored_when_killed_by_sigterm);
    tcase_add_test(tc, restored_when_killed_by_sighup_or_sigint);
    tcase_add_test(tc, restored_when_it_crashes);
    tcase_add_test(tc, restored_at_exit);
    tcase_add_test(tc, write_to_a_slow_reader_loses_nothing);
    tcase_add_test(tc, write_error_is_reported);
    return tc;
}
