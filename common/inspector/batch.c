/*
 * batch.c - the inspector without a terminal: commands from a script, every pane printed
 * as plain text after each one, for tests and transcripts (see inspector.h; chapter 3).
 */
#include "inspector.h"
#include "panes.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

/* The width and heights of the panes in a transcript. */
enum { BATCH_WIDTH = 80, BATCH_CODE = 6, BATCH_MEMORY = 4, BATCH_LOG = 8, BATCH_CONSOLE = 4 };

static void print_pane(FILE *out, const struct pane *p)
{
    fprintf(out, "--- %s\n", p->title);
    for (int i = 0; i < p->n; i++) {
        int len = (int)strlen(p->lines[i].text);
        while (len > 0 && p->lines[i].text[len - 1] == ' ')
            len--; /* trailing blanks would only make golden files fragile */
        fprintf(out, "%.*s\n", len, p->lines[i].text);
    }
}

/* [panes] */
static void print_panes(FILE *out, const struct inspector *in)
{
    char status[2 * INSPECTOR_LINE_MAX];
    struct pane *p = malloc(sizeof(*p));

    if (!p)
        return;
    panes__status(in, status, sizeof(status));
    fprintf(out, "status: %s\n", status);
    if (in->t->ncpus > 1) { /* chapter 5's machines; one vCPU needs no list */
        panes__cpus(in, p, BATCH_WIDTH, in->t->ncpus);
        print_pane(out, p);
    }
    panes__registers(in, p, BATCH_WIDTH);
    print_pane(out, p);
    panes__code(in, p, BATCH_WIDTH, BATCH_CODE);
    print_pane(out, p);
    panes__memory(in, p, BATCH_WIDTH, BATCH_MEMORY);
    print_pane(out, p);
    panes__log(in, p, BATCH_WIDTH, BATCH_LOG);
    print_pane(out, p);
    panes__stats(in, p, BATCH_WIDTH, INSPECTOR_ROWS_MAX);
    print_pane(out, p);
    panes__console(in, p, BATCH_WIDTH, BATCH_CONSOLE);
    print_pane(out, p);
    free(p);
}
/* [panes] */

int inspector__batch(struct inspector_target *t, FILE *script, FILE *out)
{
    struct inspector *in = malloc(sizeof(*in));
    char *line = NULL;
    size_t cap = 0;
    int quit = 0;

    if (!in)
        return error__set("out of memory for the inspector");
    inspector__init(in, t);
    fprintf(out, "=== start\n");
    print_panes(out, in);
    while (!quit && getline(&line, &cap, script) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char *cmd = line + strspn(line, " \t");
        if (!*cmd || *cmd == '#')
            continue;
        fprintf(out, "=== %s\n", cmd);
        quit = inspector__command(in, cmd);
        if (!quit)
            print_panes(out, in);
    }
    free(line);
    free(in);
    fflush(out);
    return ferror(script) ? error__set("reading the batch script failed") : 0;
}
