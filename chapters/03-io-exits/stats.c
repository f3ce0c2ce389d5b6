/*
 * stats.c - count and time exits, print the table (see stats.h; chapter 3).
 */
#include "stats.h"

#include "error.h"

#include <stdlib.h>

/* Finds the row of r's reason and place, making it on first sight; NULL when full. */
static struct stats_row *row_of(struct stats *s, const struct trace_record *r)
{
    struct exit_key key = {.kind = r->kind, .where = r->where}; /* trace__from_exit's */
    int i = exit_table__row(s->keys, &s->nrows, STATS_MAX_KEYS, key);

    if (i < 0)
        return NULL;
    return &s->rows[i];
}

int stats__add(struct stats *s, const struct trace_record *r)
{
    struct stats_row *row = row_of(s, r);
    uint64_t rtt = r->guest_ns + r->vmm_ns;

    if (r->vcpu >= 0 && r->vcpu < STATS_MAX_VCPUS) {
        s->by_vcpu[r->vcpu]++;
        if (r->vcpu >= s->nvcpus)
            s->nvcpus = r->vcpu + 1;
    }
    if (!row) {
        s->dropped++;
        return 0;
    }
    if (row->count == row->cap) {
        size_t cap = row->cap ? 2 * row->cap : 64;
        uint32_t *p = realloc(row->rtt_ns, cap * sizeof(*p));
        if (!p)
            return error__set("out of memory for exit statistics");
        row->rtt_ns = p;
        row->cap = cap;
    }
    row->rtt_ns[row->count++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
    row->vmm_ns += r->vmm_ns;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* [print] */
void stats__print(FILE *out, struct stats *s)
{
    fprintf(out, "exit statistics:\n");
    fprintf(out, "  %-8s %-12s %10s %12s %12s %12s\n", "reason", "where", "count", "vmm total",
            "rtt mean", "rtt p99");
    for (int i = 0; i < s->nrows; i++) {
        const struct exit_key *key = &s->keys[i];
        struct stats_row *row = &s->rows[i];
        char where[32] = "-";
        uint64_t sum = 0;
        if (key->kind == VCPU_EXIT_IO)
            snprintf(where, sizeof(where), "port 0x%04llx", (unsigned long long)key->where);
        else if (key->kind == VCPU_EXIT_MMIO)
            snprintf(where, sizeof(where), "0x%llx", (unsigned long long)key->where);
        for (unsigned long k = 0; k < row->count; k++)
            sum += row->rtt_ns[k];
        /* The 99th percentile: the smallest sample with 99% of all at or below it. */
        qsort(row->rtt_ns, row->count, sizeof(uint32_t), cmp_u32);
        size_t p99 = (row->count * 99 + 99) / 100;
        fprintf(out, "  %-8s %-12s %10lu %9.1f us %9.2f us %9.2f us\n", vcpu__exit_name(key->kind),
                where, row->count, row->vmm_ns / 1e3, sum / 1e3 / (double)row->count,
                row->rtt_ns[p99 ? p99 - 1 : 0] / 1e3);
    }
    if (s->dropped)
        fprintf(out, "  (%lu exits in further rows not shown)\n", s->dropped);
    if (s->nvcpus > 1) {
        fprintf(out, "exits by vCPU:");
        for (int i = 0; i < s->nvcpus; i++)
            fprintf(out, "%s cpu%d %lu", i ? "," : "", i, s->by_vcpu[i]);
        fprintf(out, "\n");
    }
}
/* [print] */

void stats__free(struct stats *s)
{
    for (int i = 0; i < s->nrows; i++)
        free(s->rows[i].rtt_ns);
    s->nrows = 0;
}
