/*
 * dump.c - format a vCPU's state for a reader (see dump.h; chapter 1).
 */
#include "dump.h"

#include "error.h"

#include <sys/ioctl.h>

/* [dump-regs] */
void dump_regs(FILE *out, const struct kvm_regs *r)
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
            s->selector, s->base, s->limit, s->type, s->present, s->dpl, s->db, s->s, s->l,
            s->g, s->avl);
}

void dump_sregs(FILE *out, const struct kvm_sregs *s)
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

void dump_control(FILE *out, const struct kvm_sregs *s)
{
    fprintf(out, "Control registers:\n");
    fprintf(out, " cr0: %016llx   cr2: %016llx   cr3: %016llx\n", s->cr0, s->cr2, s->cr3);
    fprintf(out, " cr4: %016llx   cr8: %016llx  efer: %016llx\n", s->cr4, s->cr8, s->efer);
}

void dump_code(FILE *out, uint64_t addr, const uint8_t *bytes, size_t len, uint64_t rip,
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

/* [dump-cpu] */
void dump_cpu(FILE *out, struct kvm_cpu *cpu, dump_guest_ptr_fn guest_ptr, void *ctx)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_translation tr = {0};
    const uint8_t *code = NULL;
    size_t len = 16;

    if (kvm_cpu__get_regs(cpu, &regs) < 0 || kvm_cpu__get_sregs(cpu, &sregs) < 0) {
        fprintf(out, "(no register dump: %s)\n", error_get());
        return;
    }
    dump_regs(out, &regs);
    dump_sregs(out, &sregs);
    dump_control(out, &sregs);
    if (cpu->run->exit_reason == KVM_EXIT_SHUTDOWN && sregs.cs.selector == 0xf000 &&
        regs.rip == 0xfff0)
        fprintf(out, "Note: this is the CPU's reset state. On AMD, KVM resets the vCPU at a "
                     "shutdown; Intel keeps the faulting state.\n");
    /* The linear address is CS's base plus RIP; KVM_TRANSLATE then walks the guest's own
     * page tables (if paging is on) from linear to physical. */
    uint64_t rip = sregs.cs.base + regs.rip;
    tr.linear_address = rip >= 8 ? rip - 8 : 0;
    if (ioctl(cpu->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid) {
        dump_code(out, tr.linear_address, NULL, 0, rip, "not mapped");
        return;
    }
    /* Shrink the window until it lies in RAM (it may straddle the end of a slot). */
    while (len > 8 && !(code = guest_ptr(ctx, tr.physical_address, len)))
        len--;
    dump_code(out, tr.linear_address, code, code ? len : 0, rip, "outside guest memory");
}
/* [dump-cpu] */
