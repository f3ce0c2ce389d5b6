/*
 * dump.c - format a vCPU's state for a reader (see dump.h; chapter 1).
 */
#include "dump.h"

#include "error.h"

#include <string.h>

/* [dump-regs] */
void dump__regs(FILE *out, const struct kvm_regs *r)
{
    fprintf(out, "Registers:\n");
    fprintf(out, " rip: %016llx   rsp: %016llx flags: %016llx\n", r->rip, r->rsp, r->rflags);
    fprintf(out, " rax: %016llx   rbx: %016llx   rcx: %016llx\n", r->rax, r->rbx, r->rcx);
    fprintf(out, " rdx: %016llx   rsi: %016llx   rdi: %016llx\n", r->rdx, r->rsi, r->rdi);
    fprintf(out, " rbp: %016llx    r8: %016llx    r9: %016llx\n", r->rbp, r->r8, r->r9);
    fprintf(out, " r10: %016llx   r11: %016llx   r12: %016llx\n", r->r10, r->r11, r->r12);
    fprintf(out, " r13: %016llx   r14: %016llx   r15: %016llx\n", r->r13, r->r14, r->r15);
}
/* [dump-regs] */

static void dump_segment(FILE *out, const char *name, const struct kvm_segment *s)
{
    fprintf(out, " %-3s  %04x      %016llx  %08x  %02x    %u %u   %u  %u %u %u %u\n", name,
            s->selector, s->base, s->limit, s->type, s->present, s->dpl, s->db, s->s, s->l, s->g,
            s->avl);
}

void dump__sregs(FILE *out, const struct kvm_sregs *s)
{
    fprintf(out, "Segment registers:\n");
    fprintf(out, " reg  selector  base              limit     type  p dpl db s l g avl\n");
    dump_segment(out, "cs", &s->cs);
    dump_segment(out, "ss", &s->ss);
    dump_segment(out, "ds", &s->ds);
    dump_segment(out, "es", &s->es);
    dump_segment(out, "fs", &s->fs);
    dump_segment(out, "gs", &s->gs);
    dump_segment(out, "tr", &s->tr);
    dump_segment(out, "ldt", &s->ldt);
    fprintf(out, " gdt            %016llx  %08x\n", s->gdt.base, s->gdt.limit);
    fprintf(out, " idt            %016llx  %08x\n", s->idt.base, s->idt.limit);
}

void dump__control(FILE *out, const struct kvm_sregs *s)
{
    fprintf(out, "Control registers:\n");
    fprintf(out, " cr0: %016llx   cr2: %016llx   cr3: %016llx\n", s->cr0, s->cr2, s->cr3);
    fprintf(out, " cr4: %016llx   cr8: %016llx  efer: %016llx\n", s->cr4, s->cr8, s->efer);
}

void dump__code(FILE *out, uint64_t addr, const uint8_t *bytes, size_t len, uint64_t rip,
                const char *why)
{
    fprintf(out, "Code at rip (linear %016llx):\n", (unsigned long long)rip);
    if (len == 0) {
        fprintf(out, " (%s)\n", why);
        return;
    }
    fprintf(out, " %016llx:", (unsigned long long)addr);
    for (size_t i = 0; i < len; i++)
        fprintf(out, addr + i == rip ? " <%02x>" : " %02x", bytes[i]);
    fprintf(out, "\n");
}

/* Reads up to 16 bytes of code at linear address start, page by page (the next page of
 * code need not be the next physical page). Sets *mapped when a page was translated. */
static size_t read_code(const struct dump_memory *mem, uint64_t start, uint8_t code[16],
                        int *mapped)
{
    size_t have = 0;

    while (have < 16) {
        uint64_t linear = start + have, gpa;
        size_t chunk = 16 - have, to_page_end = 4096 - (linear & 4095);
        chunk = chunk < to_page_end ? chunk : to_page_end;
        if (mem->translate(mem->translate_ctx, linear, &gpa) < 0)
            break;
        *mapped = 1;
        const uint8_t *p = mem->guest_ptr(mem->guest_ctx, gpa, chunk);
        if (!p)
            break;
        memcpy(code + have, p, chunk);
        have += chunk;
    }
    return have;
}

/* [dump-state] */
void dump__state(FILE *out, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
                 int after_shutdown, const struct dump_memory *mem)
{
    uint64_t rip = sregs->cs.base + regs->rip, start = rip >= 8 ? rip - 8 : 0;
    uint8_t code[16];
    int mapped = 0;

    dump__regs(out, regs);
    dump__sregs(out, sregs);
    dump__control(out, sregs);
    if (after_shutdown && sregs->cs.selector == 0xf000 && regs->rip == 0xfff0)
        fprintf(out, "Note: this is the CPU's reset state. On AMD, KVM resets the vCPU at a "
                     "shutdown; Intel keeps the faulting state.\n");
    /* The linear address is CS's base plus RIP; the guest's page tables (if paging is on)
     * then take it to a physical address. The window starts 8 bytes before RIP, or at RIP
     * when those bytes are not there. */
    size_t have = read_code(mem, start, code, &mapped);
    if (have == 0 && start != rip) {
        start = rip;
        have = read_code(mem, start, code, &mapped);
    }
    dump__code(out, start, code, have, rip, mapped ? "outside guest memory" : "not mapped");
}
/* [dump-state] */

/* The dump's translate function for a KVM vCPU (ctx): one ioctl, KVM_TRANSLATE. */
static int kvm_translate(void *ctx, uint64_t linear, uint64_t *gpa)
{
    return kvm_cpu__translate(ctx, linear, gpa);
}

void dump__cpu(FILE *out, struct kvm_cpu *cpu, dump_guest_ptr_fn guest_ptr, void *ctx)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct dump_memory mem = {kvm_translate, cpu, guest_ptr, ctx};

    if (kvm_cpu__get_regs(cpu, &regs) < 0 || kvm_cpu__get_sregs(cpu, &sregs) < 0) {
        fprintf(out, "(no register dump: %s)\n", error__get());
        return;
    }
    dump__state(out, &regs, &sregs, cpu->run->exit_reason == KVM_EXIT_SHUTDOWN, &mem);
}
