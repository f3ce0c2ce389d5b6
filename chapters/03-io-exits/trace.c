/*
 * trace.c - format exit records (see trace.h; chapter 3).
 */
#include "trace.h"

#include "exit_table.h"

#include <string.h>

void trace__from_exit(struct trace_record *r, const struct vcpu_exit *e)
{
    struct exit_key key = exit_table__key(e);

    r->kind = key.kind;
    r->where = key.where;
    r->size = r->count = 0;
    r->write = 0;
    r->data = 0;
    if (e->kind == VCPU_EXIT_IO) {
        r->size = e->io.size;
        r->count = e->io.count;
        r->write = e->io.write;
        memcpy(&r->data, e->io.data, e->io.size);
    } else if (e->kind == VCPU_EXIT_MMIO) {
        r->size = e->mmio.size;
        r->count = 1;
        r->write = e->mmio.write;
        memcpy(&r->data, e->mmio.data, e->mmio.size <= 8 ? e->mmio.size : 8);
    }
}

/* [text] */
void trace__print_exit(FILE *out, const struct trace_record *r)
{
    fprintf(out, "exit %5lu  cpu%d %-8s", r->seq, r->vcpu, vcpu__exit_name(r->kind));
    if (r->kind == VCPU_EXIT_IO || r->kind == VCPU_EXIT_MMIO) {
        int digits = r->size >= 8 ? 16 : (int)r->size * 2;
        fprintf(out, " %-3s %s 0x%0*llx size %u", r->write ? "out" : "in",
                r->kind == VCPU_EXIT_IO ? "port" : "addr", r->kind == VCPU_EXIT_IO ? 4 : 8,
                (unsigned long long)r->where, r->size);
        if (r->count > 1)
            fprintf(out, " count %u", r->count);
        fprintf(out, " data 0x%0*llx", digits, (unsigned long long)r->data);
        if (r->kind == VCPU_EXIT_IO && r->size == 1 && r->data >= 0x20 && r->data < 0x7f)
            fprintf(out, " '%c'", (char)r->data);
    }
}

void trace__print_text(FILE *out, const struct trace_record *r)
{
    trace__print_exit(out, r);
    fprintf(out, "  rip 0x%llx  t %.3f ms  guest %.1f us  vmm %.1f us\n",
            (unsigned long long)r->rip, r->t_ns / 1e6, r->guest_ns / 1e3, r->vmm_ns / 1e3);
}
/* [text] */

void trace__print_json(FILE *out, const struct trace_record *r)
{
    fprintf(out, "{\"seq\":%lu,\"vcpu\":%d,\"reason\":\"%s\"", r->seq, r->vcpu,
            vcpu__exit_name(r->kind));
    if (r->kind == VCPU_EXIT_IO || r->kind == VCPU_EXIT_MMIO)
        fprintf(out, ",\"%s\":%llu,\"dir\":\"%s\",\"size\":%u,\"count\":%u,\"data\":%llu",
                r->kind == VCPU_EXIT_IO ? "port" : "addr", (unsigned long long)r->where,
                r->write ? "out" : "in", r->size, r->count, (unsigned long long)r->data);
    fprintf(out, ",\"rip\":%llu,\"t_ns\":%llu,\"guest_ns\":%llu,\"vmm_ns\":%llu}\n",
            (unsigned long long)r->rip, (unsigned long long)r->t_ns,
            (unsigned long long)r->guest_ns, (unsigned long long)r->vmm_ns);
}
