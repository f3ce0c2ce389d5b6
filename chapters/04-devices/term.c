/*
 * term.c - the host's terminal as the machine's console (see term.h; chapter 4): raw mode
 * and its restoration on every way out, the Ctrl-A escape keys, writes that lose nothing.
 */
#include "term.h"

#include "error.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------------------------------ raw mode */

/* [raw-mode] */
int term__open(struct term *t, int in_fd, int out_fd)
{
    struct termios raw;

    memset(t, 0, sizeof(*t));
    t->in_fd = in_fd;
    t->out_fd = out_fd;
    if (!isatty(in_fd))
        return 0; /* a pipe or a file: there is no line discipline to change */
    if (tcgetattr(in_fd, &t->saved) < 0)
        return error__errno("read the terminal's settings (fd %d)", in_fd);
    raw = t->saved;
    cfmakeraw(&raw); /* no echo, no line editing, no ^C/^Z/^\ signals, no ^S/^Q, 8 bits */
    raw.c_oflag |= OPOST | ONLCR; /* but the guest's "\n" still returns the carriage */
    if (tcsetattr(in_fd, TCSANOW, &raw) < 0)
        return error__errno("put the terminal in raw mode (fd %d)", in_fd);
    t->is_raw = 1;
    return 0;
}

/* tcsetattr is async-signal-safe. TCSANOW, not TCSADRAIN: a handler must not wait for
 * output that nobody may ever read. */
void term__restore(struct term *t)
{
    int saved_errno = errno;

    if (t->is_raw) {
        t->is_raw = 0;
        tcsetattr(t->in_fd, TCSANOW, &t->saved);
    }
    errno = saved_errno;
}
/* [raw-mode] */

/* ------------------------------------------------------------------ every way out */

/* The signals that end a process with the terminal still raw: the polite ones, then the
 * crashes. */
static const int restore_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV,
                                      SIGBUS, SIGABRT, SIGFPE, SIGILL};
#define NRESTORE_SIGNALS (sizeof(restore_signals) / sizeof(restore_signals[0]))

static struct term *volatile installed_term;
static struct sigaction previous_action[NRESTORE_SIGNALS];
static int handlers_installed;

/* [restore-on-signal] */
/* Restores the terminal, puts back what the signal did before (SIG_DFL, usually), and
 * raises it again. The signal is blocked while this runs, so it is delivered once the
 * handler returns: the process ends with that signal, and its parent can tell which. */
static void restore_on_signal(int sig)
{
    struct term *t = installed_term;

    if (t)
        term__restore(t); /* keeps errno, as do sigaction and raise when they succeed */
    for (size_t i = 0; i < NRESTORE_SIGNALS; i++)
        if (restore_signals[i] == sig)
            sigaction(sig, &previous_action[i], NULL);
    raise(sig);
}

static void restore_at_exit(void)
{
    struct term *t = installed_term;

    if (t)
        term__restore(t);
}

int term__install_restore(struct term *t)
{
    struct sigaction sa;

    installed_term = t;
    if (handlers_installed)
        return 0;
    if (atexit(restore_at_exit) != 0)
        return error__set("register the terminal's restoration at exit");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = restore_on_signal;
    sigfillset(&sa.sa_mask); /* nothing else runs between restoring and re-raising */
    for (size_t i = 0; i < NRESTORE_SIGNALS; i++) {
        int sig = restore_signals[i];

        if (sigaction(sig, NULL, &previous_action[i]) < 0)
            return error__errno("read the action of signal %s", strsignal(sig));
        if (previous_action[i].sa_handler == SIG_IGN)
            continue; /* ignored before (nohup, say): stays ignored */
        if (sigaction(sig, &sa, NULL) < 0)
            return error__errno("handle signal %s", strsignal(sig));
    }
    handlers_installed = 1;
    return 0;
}
/* [restore-on-signal] */

/* ------------------------------------------------------------------ escape keys */

static const char help_text[] = "\n"
                                "C-a h    print this help\n"
                                "C-a x    exit stepvm\n"
                                "C-a C-a  send C-a to the guest\n"
                                "Any other key after C-a is ignored.\n";

size_t term__filter(struct term *t, const uint8_t *in, size_t n, uint8_t *out, int *quit)
{
    size_t nout = 0;

    *quit = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];

        if (!t->escape) {
            if (c == TERM_ESCAPE)
                t->escape = 1;
            else
                out[nout++] = c;
            continue;
        }
        t->escape = 0;
        if (c == 'x') {
            *quit = 1;
            return nout;
        }
        if (c == 'h')
            term__write(t, (const uint8_t *)help_text, sizeof(help_text) - 1);
        else if (c == TERM_ESCAPE)
            out[nout++] = TERM_ESCAPE;
        /* any other key after Ctrl-A is dropped */
    }
    return nout;
}

/* ------------------------------------------------------------------ output */

/* Waits until fd can take more bytes. */
static int wait_writable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};

    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR)
            return error__errno("wait for the console to take output (fd %d)", fd);
    return 0;
}

int term__write(struct term *t, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t done = write(t->out_fd, buf, n);

        if (done >= 0) {
            buf += done;
            n -= (size_t)done;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_writable(t->out_fd) < 0)
                return -1;
        } else if (errno != EINTR) {
            return error__errno("write to the console (fd %d)", t->out_fd);
        }
    }
    return 0;
}
