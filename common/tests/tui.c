/*
 * tui.c - the inspector's real terminal interface, driven in tmux at 80x24 (chapter 3):
 * a step, an exit, two resizes and quit. Chapter 3 runs it on KVM, chapter 6 on its
 * interpreter.
 */
#include "check_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TMUX "tmux -L stepvm-inspector-test "

/* True if text holds every string of the NULL-terminated list want. */
static int has_all(const char *text, const char *const *want)
{
    for (; *want; want++)
        if (!strstr(text, *want))
            return 0;
    return 1;
}

/*
 * Captures the pane until one capture holds every string of want (polling, up to 30 s);
 * returns that capture. All at once, because a capture may catch the inspector half-way
 * through drawing a screen: its status line already new, the rest not yet.
 */
#define tmux_wait_for(...) tmux_wait_all((const char *const[]){__VA_ARGS__, NULL})
static char *tmux_wait_all(const char *const *want)
{
    struct run_result r;

    for (int i = 0; i < 600; i++) {
        run_shell(&r, TMUX "capture-pane -p");
        if (r.status == 0 && has_all(r.out, want)) {
            char *screen = strdup(r.out);
            run_free(&r);
            return screen;
        }
        run_free(&r);
        usleep(50000);
    }
    run_shell(&r, TMUX "capture-pane -p; " TMUX "kill-server");
    for (; *want; want++)
        ck_assert_msg(strstr(r.out, *want), "the screen never showed '%s'; it shows:\n%s", *want,
                      r.out);
    ck_abort_msg("the screen showed each string, never all at once; it shows:\n%s", r.out);
    return NULL;
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void tmux(const char *args)
{
    struct run_result r;

    run_shell(&r, TMUX "%s", args);
    ck_assert_msg(r.status == 0, "tmux %s: %s", args, r.err);
    run_free(&r);
}

/* Waits until the inspector has gone after q, or fails the test. */
static void wait_quit(void)
{
    struct run_result r;

    tmux("send-keys q");
    for (int i = 0; i < 600; i++) {
        run_shell(&r, TMUX "has-session 2>/dev/null");
        int gone = r.status != 0;
        run_free(&r);
        if (gone)
            return;
        usleep(50000);
    }
    run_shell(&r, TMUX "kill-server");
    run_free(&r);
    ck_abort_msg("the inspector did not quit on q");
}

/* Starts "program args OPTIONS guest" in a fresh 80x24 tmux session. */
static void start_in_tmux(const char *program, const char *args, const char *options,
                          const char *guest)
{
    char bin[4096], path[4096];
    struct run_result r;

    /* make deps installs tmux, and the nested machine gets it from the host: no tmux is a
     * failure, never a silent pass. */
    run_shell(&r, "command -v tmux");
    ck_assert_msg(r.status == 0, "tmux is not installed (make deps installs it)");
    run_free(&r);
    run_shell(&r, TMUX "kill-server 2>/dev/null"); /* one left by an earlier, failed run */
    run_free(&r);
    /* The tmux server must not hold run_shell's pipes open: hence the redirections. */
    run_shell(&r,
              "TERM=xterm " TMUX "new-session -d -x 80 -y 24 '%s %s %s %s' </dev/null "
              ">/dev/null 2>&1",
              build_path(bin, sizeof(bin), program), args, options,
              build_path(path, sizeof(path), guest));
    ck_assert_msg(r.status == 0, "tmux new-session: %s", r.err);
    run_free(&r);
}

void check_inspector_tui_smp(const char *program, const char *args)
{
    char *screen;

    start_in_tmux(program, args, "--smp 2 --inspect", "guests/ch5/smp.elf");
    screen = tmux_wait_for("smp.elf | cpu 0 of 2 | exits 0", "=> cpu0", "   cpu1",
                           "Tab cpu  r/p run/pause");
    ck_assert_int_eq(count_lines(screen), 24);
    free(screen);
    tmux("send-keys n");
    /* (its first exit: IO, or INTR when the event loop's idle check kicked it meanwhile) */
    free(tmux_wait_for("| cpu 0 of 2 | exits 1 | last "));
    tmux("send-keys Tab");
    free(tmux_wait_for("| cpu 1 of 2 |", "=> cpu1"));
    tmux("send-keys r");
    free(tmux_wait_for("the other vCPUs run freely"));
    tmux("send-keys p");
    free(tmux_wait_for("the other vCPUs stop at"));
    wait_quit();
}

void check_inspector_tui(const char *program, const char *args)
{
    char *screen;

    start_in_tmux(program, args, "--inspect --load-addr 0x1000", "guests/ch1/hello.bin");
    screen = tmux_wait_for("=> 00001000", "hello.bin | exits 0 | last - | at the first instruction",
                           "-- registers", "n next  s step  c continue");
    ck_assert_int_eq(count_lines(screen), 24);
    free(screen);
    tmux("send-keys F11");
    free(tmux_wait_for("| exits 1 | last STEP | step: one instruction done"));
    tmux("send-keys n");
    free(tmux_wait_for("| exits 2 | last IO | next: stopped at exit 2 (IO)",
                       "out port 0x00e9 size 1 data 0x48 'H'")); /* squeezed to fit */
    tmux("resize-window -x 100 -y 30");
    screen = tmux_wait_for("-- console", "| exits 2 |");
    ck_assert_int_eq(count_lines(screen), 30);
    free(screen);
    tmux("resize-window -x 60 -y 20");
    free(tmux_wait_for("The terminal is 60x20; the inspector needs at least 80x24."));
    tmux("resize-window -x 80 -y 24");
    free(tmux_wait_for("-- registers"));
    wait_quit();
}
