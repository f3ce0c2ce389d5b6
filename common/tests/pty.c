/*
 * pty.c - run a program on a pseudo-terminal (see pty.h; chapter 4).
 */
#define _XOPEN_SOURCE 700
#include "pty.h"

#include "check_helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static struct termios before; /* the terminal's settings when the program started */

void pty_start(struct pty_run *r, const char *program, const char *const args[])
{
    char paths[RUN_MAX_ARGS + 1][4096];
    const char *argv[RUN_MAX_ARGS + 2];
    int n = 0;

    memset(r, 0, sizeof(*r));
    argv[n++] = build_path(paths[0], sizeof(paths[0]), program);
    for (; args[n - 1] && n <= RUN_MAX_ARGS; n++)
        argv[n] = !strncmp(args[n - 1], "guests/", 7)
                      ? build_path(paths[n], sizeof(paths[n]), args[n - 1])
                      : args[n - 1];
    argv[n] = NULL;
    r->master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_msg(r->master >= 0 && grantpt(r->master) == 0 && unlockpt(r->master) == 0,
                  "a pseudo-terminal: %s", strerror(errno));
    const char *name = ptsname(r->master);
    r->slave = open(name, O_RDWR | O_NOCTTY);
    ck_assert_msg(r->slave >= 0, "open %s: %s", name, strerror(errno));
    ck_assert_int_eq(tcgetattr(r->slave, &before), 0);
    r->pid = fork();
    ck_assert_int_ge(r->pid, 0);
    if (r->pid == 0) {
        setsid();
        ioctl(r->slave, TIOCSCTTY, 0);
        dup2(r->slave, 0);
        dup2(r->slave, 1);
        dup2(r->slave, 2);
        close(r->master);
        signal(SIGTERM, SIG_DFL); /* not the test runner's handlers */
        signal(SIGINT, SIG_DFL);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
}

/* Reads what is there within ms milliseconds into r->out. Returns 1 when it read some,
 * -1 when nothing came, 0 at the end of output. */
static int pty_read(struct pty_run *r, int ms)
{
    struct pollfd p = {r->master, POLLIN, 0};

    if (poll(&p, 1, ms) <= 0)
        return -1;
    size_t room = sizeof(r->out) - 1 - r->len;
    ssize_t got = read(r->master, r->out + r->len, room ? room : 1);
    if (got <= 0)
        return 0; /* EIO: every process holding the terminal has closed it */
    if (room)
        r->len += (size_t)got;
    r->out[r->len] = '\0';
    return 1;
}

void pty_type(struct pty_run *r, const char *text)
{
    size_t len = strlen(text);

    ck_assert_int_eq(write(r->master, text, len), (ssize_t)len);
}

void pty_wait_for(struct pty_run *r, const char *want)
{
    time_t end = time(NULL) + 30;

    while (!strstr(r->out, want) && time(NULL) < end)
        if (!pty_read(r, 100))
            break;
    ck_assert_msg(strstr(r->out, want) != NULL, "the terminal never showed '%s'; it shows:\n%s",
                  want, r->out);
}

void pty_signal(struct pty_run *r, int sig)
{
    kill(r->pid, sig);
}

void pty_finish(struct pty_run *r)
{
    time_t end = time(NULL) + 30;
    int wstatus;
    pid_t done = 0;

    while ((done = waitpid(r->pid, &wstatus, WNOHANG)) == 0 && time(NULL) < end)
        pty_read(r, 50);
    if (done == 0) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, &wstatus, 0);
        ck_abort_msg("the program did not end; the terminal shows:\n%s", r->out);
    }
    while (pty_read(r, 0) == 1 && r->len < sizeof(r->out) - 1)
        ;
    r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    struct termios after;
    ck_assert_int_eq(tcgetattr(r->slave, &after), 0);
    r->restored = after.c_iflag == before.c_iflag && after.c_oflag == before.c_oflag &&
                  after.c_lflag == before.c_lflag && after.c_cflag == before.c_cflag;
    close(r->master);
    close(r->slave);
}
