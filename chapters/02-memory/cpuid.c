/*
 * cpuid.c - KVM_GET_SUPPORTED_CPUID, then KVM_SET_CPUID2 (see cpuid.h; chapter 2).
 */
#include "cpuid.h"

#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

/* [cpuid] */
/* The hypervisor bit: the guest may ask who is underneath (see cpuid.h). */
static void mark_hypervisor(struct kvm_cpuid2 *c)
{
    for (unsigned i = 0; i < c->nent; i++)
        if (c->entries[i].function == 1)
            c->entries[i].ecx |= CPUID_1_ECX_HYPERVISOR;
}

/* Each CPU's own APIC ID, where CPUID reports it: leaf 1 EBX bits 24-31 (the initial
 * APIC ID) and EDX of the topology leaves 0xb and 0x1f (the x2APIC ID). KVM's table is
 * the host's and says nothing true about this vCPU; KVM gives vCPU id the APIC ID id,
 * and an operating system that compares the two must find them equal (chapter 5). */
static void mark_apic_id(struct kvm_cpuid2 *c, uint32_t id)
{
    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 1)
            e->ebx = (e->ebx & 0x00ffffffu) | (id << 24);
        else if (e->function == 0xb || e->function == 0x1f)
            e->edx = id;
    }
}

int cpuid__set(struct kvm_cpu *cpu, const struct kvm_cpuid2 *table)
{
    if (ioctl(cpu->fd, KVM_SET_CPUID2, table) < 0)
        return error__errno("KVM_SET_CPUID2 on vCPU %d", cpu->id);
    return 0;
}

int cpuid__init(struct kvm_cpu *cpu, cpuid_adjust_fn adjust, void *ctx)
{
    /* KVM says E2BIG until the table is large enough; 100 entries suffice today. */
    for (unsigned n = 100; n <= 1600; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
        if (!c)
            return error__set("out of memory for %u CPUID entries", n);
        c->nent = n;
        if (ioctl(cpu->kvm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
            free(c);
            if (errno == E2BIG)
                continue;
            return error__errno("KVM_GET_SUPPORTED_CPUID");
        }
        mark_hypervisor(c);
        mark_apic_id(c, (uint32_t)cpu->id);
        if (adjust)
            adjust(ctx, c);
        int ret = cpuid__set(cpu, c);
        free(c);
        return ret;
    }
    return error__set("KVM_GET_SUPPORTED_CPUID: more than 1600 entries");
}
/* [cpuid] */
