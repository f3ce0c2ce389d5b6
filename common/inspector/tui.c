/*
 * tui.c - the inspector in a terminal, with ncurses (see inspector.h; chapter 3).
 *
 * Every redraw lays the screen out anew from LINES and COLS, so a resize only needs a
 * redraw. The panes' text comes from panes.c, the same text --batch prints.
 */
#include "inspector.h"
#include "panes.h"

#include "error.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUI_MIN_COLS  80
#define TUI_MIN_LINES 24

/* The layout at TUI_MIN_COLS x TUI_MIN_LINES, top to bottom: the status line, the
 * registers, code and memory side by side, the exit log with the counts beside it, the key
 * bar (1 + 11 + 6 + 5 + 1 rows). Heights are a pane's, its title line included. A machine
 * with several vCPUs puts their list above the counts, in a wider column. */
#define TUI_REGS_ROW   1
#define TUI_REGS_H     11
#define TUI_MID_ROW    (TUI_REGS_ROW + TUI_REGS_H)
#define TUI_MID_H      6 /* code and memory; a taller terminal gives them half its extra rows */
#define TUI_LOW_H      5 /* the exit log and the counts; the other half of the extra rows */
#define TUI_MEM_W      44
#define TUI_WIDE_COLS  120 /* from this width on, the memory pane is TUI_MEM_W_WIDE wide */
#define TUI_MEM_W_WIDE 78
#define TUI_STATS_W    26
#define TUI_CPUS_W     34 /* the right column with several vCPUs: their list, then the counts */
#define TUI_SHARE_H    8  /* from this height on, the counts share their column with the console */
#define TUI_TITLE_ROOM 8  /* a pane's title line: "-- ", the title, " ", and a few dashes */

static const char key_bar[] = "n next  s step  c continue  b break  g go to  : command  q quit"
                              "  | F10 F11 F5";
/* With several vCPUs (chapter 5): Tab, r and p too. */
static const char key_bar_smp[] = "n next  s step  c cont  b break  g go to  : cmd  q quit"
                                  "  Tab cpu  r/p run/pause";

/* Draws pane p in the rectangle at (y, x), h rows by w columns: title, then lines. */
static void draw_pane(const struct pane *p, int y, int x, int h, int w)
{
    attron(A_BOLD);
    mvprintw(y, x, "-- %.*s ", w > TUI_TITLE_ROOM ? w - TUI_TITLE_ROOM : 0, p->title);
    for (int c = getcurx(stdscr); c < x + w - 1; c++)
        addch('-');
    attroff(A_BOLD);
    for (int i = 0; i < p->n && i < h - 1; i++) {
        const struct pane_line *l = &p->lines[i];
        move(y + 1 + i, x);
        for (int c = 0; c < w - 1 && l->text[c]; c++)
            addch((chtype)(unsigned char)l->text[c] | (l->mark[c] ? A_REVERSE : 0));
    }
}

/* The layout at 80x24, with what a larger terminal adds going to code, memory and exits. */
static void draw_all(const struct inspector *in)
{
    static struct pane p;
    char status[2 * INSPECTOR_LINE_MAX];
    int extra = LINES - TUI_MIN_LINES;
    int mid_h = TUI_MID_H + extra / 2, low_h = TUI_LOW_H + extra - extra / 2;
    int mem_w = COLS >= TUI_WIDE_COLS ? TUI_MEM_W_WIDE : TUI_MEM_W, stats_w = TUI_STATS_W;
    int top = TUI_MID_ROW + mid_h;

    erase();
    panes__status(in, status, sizeof(status));
    attron(A_REVERSE);
    mvprintw(0, 0, "%-*.*s", COLS, COLS, status);
    attroff(A_REVERSE);
    panes__registers(in, &p, COLS);
    draw_pane(&p, TUI_REGS_ROW, 0, TUI_REGS_H, COLS);
    panes__code(in, &p, COLS - mem_w, mid_h - 1);
    draw_pane(&p, TUI_MID_ROW, 0, mid_h, COLS - mem_w);
    panes__memory(in, &p, mem_w, mid_h - 1);
    draw_pane(&p, TUI_MID_ROW, COLS - mem_w, mid_h, mem_w);
    int smp = in->t->ncpus > 1, right_w = smp ? TUI_CPUS_W : stats_w, y = top, left = low_h;
    panes__log(in, &p, COLS - right_w, low_h - 1);
    draw_pane(&p, top, 0, low_h, COLS - right_w);
    /* With several vCPUs, their list heads the right column, one row each. */
    if (smp) {
        int cpus_h = in->t->ncpus + 1 < low_h ? in->t->ncpus + 1 : low_h;
        panes__cpus(in, &p, right_w - 1, cpus_h - 1); /* its last column is blank */
        draw_pane(&p, top, COLS - right_w, cpus_h, right_w);
        y += cpus_h;
        left -= cpus_h;
    }
    /* The console shares the right column with the counts when there is room for both. */
    int stats_h = left >= TUI_SHARE_H ? left / 2 : left;
    if (stats_h >= 2) {
        panes__stats(in, &p, right_w, stats_h - 1);
        draw_pane(&p, y, COLS - right_w, stats_h, right_w);
    }
    if (stats_h < left) {
        panes__console(in, &p, right_w, left - stats_h - 1);
        draw_pane(&p, y + stats_h, COLS - right_w, left - stats_h, right_w);
    }
    mvprintw(LINES - 1, 0, "%.*s", COLS - 1, smp ? key_bar_smp : key_bar);
    refresh();
}

/* Draws the whole screen, or a plain message when the terminal is too small for it. */
static void draw(const struct inspector *in)
{
    if (COLS >= TUI_MIN_COLS && LINES >= TUI_MIN_LINES) {
        draw_all(in);
        return;
    }
    erase();
    mvprintw(0, 0, "The terminal is %dx%d; the inspector needs at least %dx%d.", COLS, LINES,
             TUI_MIN_COLS, TUI_MIN_LINES);
    mvprintw(1, 0, "Enlarge it, or press q to quit.");
    refresh();
}

/* Asks for a command's argument on the status line; returns 0, or -1 when it was empty. */
static int prompt(const char *question, char *buf, int size)
{
    move(0, 0);
    clrtoeol();
    attron(A_BOLD);
    printw("%s", question);
    attroff(A_BOLD);
    echo();
    curs_set(1);
    int ret = getnstr(buf, size - 1);
    noecho();
    curs_set(0);
    return ret == ERR || !buf[0] ? -1 : 0;
}

/* Polled during a long continue: any key but a resize stops it. */
static int key_pressed(void *ctx)
{
    int ch;

    (void)ctx;
    nodelay(stdscr, TRUE);
    ch = getch();
    nodelay(stdscr, FALSE);
    if (ch == KEY_RESIZE)
        ungetch(ch);
    return ch != ERR && ch != KEY_RESIZE;
}

/* [keys] */
/* Turns a key into a command line in cmd; returns 0, or -1 for keys that are none. */
static int key_command(int ch, char *cmd, size_t size)
{
    char arg[INSPECTOR_LINE_MAX - 8];

    switch (ch) {
    case 'n':
    case KEY_F(10):
        snprintf(cmd, size, "n");
        return 0;
    case 's':
    case KEY_F(11):
        snprintf(cmd, size, "s");
        return 0;
    case 'c':
    case KEY_F(5):
        snprintf(cmd, size, "c");
        return 0;
    case 'q':
        snprintf(cmd, size, "q");
        return 0;
    case '\t': /* several vCPUs: the next one in focus */
        snprintf(cmd, size, "tab");
        return 0;
    case 'r': /* several vCPUs: the others run, or pause */
    case 'p':
        snprintf(cmd, size, "%c", ch);
        return 0;
    case 'b':
        if (prompt("break on (io, mmio, hlt, port N, addr N, clear; empty lists): ", arg,
                   sizeof(arg)) < 0)
            arg[0] = '\0';
        snprintf(cmd, size, "b %s", arg);
        return 0;
    case 'g':
        if (prompt("memory at (address, or a register such as rsp): ", arg, sizeof(arg)) < 0)
            return -1;
        snprintf(cmd, size, "g %s", arg);
        return 0;
    case ':':
        if (prompt("command: ", arg, sizeof(arg)) < 0)
            return -1;
        snprintf(cmd, size, "%s", arg);
        return 0;
    }
    return -1;
}
/* [keys] */

int inspector__tui(struct inspector_target *t)
{
    struct inspector *in;
    char cmd[INSPECTOR_LINE_MAX];
    int quit = 0;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return error__set("--inspect needs a terminal (try --batch for plain text)");
    if (!(in = malloc(sizeof(*in))))
        return error__set("out of memory for the inspector");
    inspector__init(in, t);
    in->interrupted = key_pressed;
    if (!initscr()) {
        free(in);
        return error__set("cannot start ncurses (is TERM set?)");
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    while (!quit) {
        draw(in);
        int ch = getch();
        if (ch == KEY_RESIZE || key_command(ch, cmd, sizeof(cmd)) < 0)
            continue; /* the loop redraws at the new size */
        if (cmd[0] == 'c') {
            snprintf(in->status, sizeof(in->status), "running (any key stops)...");
            draw(in);
        }
        quit = inspector__command(in, cmd);
    }
    endwin();
    free(in);
    return 0;
}
