/*
 * cpu.c - create a vCPU, map its kvm_run page, set its registers, enter the guest
 * (chapter 1).
 *
 * KVM_RUN is the whole of "running a guest": the calling thread enters guest mode and
 * comes back only when the guest does something the kernel wants user space to handle.
 * Why it came back is written in the kvm_run page shared with the kernel.
 */
#include "cpu.h"

#include "error.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* [cpu-init] */
int kvm_cpu__init(struct kvm_cpu *cpu, struct kvm *kvm, int id)
{
    cpu->kvm = kvm;
    cpu->id = id;
    cpu->fd = ioctl(kvm->vm_fd, KVM_CREATE_VCPU, id);
    if (cpu->fd < 0)
        return error__errno("KVM_CREATE_VCPU %d", id);
    cpu->run =
        mmap(NULL, (size_t)kvm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu->fd, 0);
    if (cpu->run == MAP_FAILED) {
        error__errno("mmap kvm_run of vCPU %d", id);
        goto err_close_cpu;
    }
    return 0;

err_close_cpu:
    close(cpu->fd);
    cpu->fd = -1;
    cpu->run = NULL;
    return -1;
}
/* [cpu-init] */

/* [real-mode] */
int kvm_cpu__reset_real_mode(struct kvm_cpu *cpu, uint16_t entry, uint16_t stack)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs = {
        .rip = entry, .rsp = stack, .rflags = 0x2, /* bit 1 is always set; IF = 0: no interrupts */
    };

    /* After reset CS is f000 with base ffff0000; a flat binary wants everything at 0.
     * In real mode a segment's base is selector * 16, and KVM keeps both. */
    if (kvm_cpu__get_sregs(cpu, &sregs) < 0)
        return -1;
    struct kvm_segment *segs[] = {&sregs.cs, &sregs.ds, &sregs.es, &sregs.fs, &sregs.gs, &sregs.ss};
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        segs[i]->selector = 0;
        segs[i]->base = 0;
    }
    if (kvm_cpu__set_sregs(cpu, &sregs) < 0)
        return -1;
    return kvm_cpu__set_regs(cpu, &regs);
}
/* [real-mode] */

/* [run] */
int kvm_cpu__run(struct kvm_cpu *cpu)
{
    if (ioctl(cpu->fd, KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            cpu->run->exit_reason = KVM_EXIT_INTR;
            return 0;
        }
        return error__errno("KVM_RUN on vCPU %d", cpu->id);
    }
    return 0;
}
/* [run] */

int kvm_cpu__get_regs(struct kvm_cpu *cpu, struct kvm_regs *regs)
{
    if (ioctl(cpu->fd, KVM_GET_REGS, regs) < 0)
        return error__errno("KVM_GET_REGS on vCPU %d", cpu->id);
    return 0;
}

int kvm_cpu__get_sregs(struct kvm_cpu *cpu, struct kvm_sregs *sregs)
{
    if (ioctl(cpu->fd, KVM_GET_SREGS, sregs) < 0)
        return error__errno("KVM_GET_SREGS on vCPU %d", cpu->id);
    return 0;
}

int kvm_cpu__set_regs(struct kvm_cpu *cpu, const struct kvm_regs *regs)
{
    if (ioctl(cpu->fd, KVM_SET_REGS, regs) < 0)
        return error__errno("KVM_SET_REGS on vCPU %d", cpu->id);
    return 0;
}

int kvm_cpu__set_sregs(struct kvm_cpu *cpu, const struct kvm_sregs *sregs)
{
    if (ioctl(cpu->fd, KVM_SET_SREGS, sregs) < 0)
        return error__errno("KVM_SET_SREGS on vCPU %d", cpu->id);
    return 0;
}

/* [kvm-translate] */
/* KVM_TRANSLATE walks the guest's page tables for us. */
int kvm_cpu__translate(struct kvm_cpu *cpu, uint64_t linear, uint64_t *gpa)
{
    struct kvm_translation tr = {.linear_address = linear};

    if (ioctl(cpu->fd, KVM_TRANSLATE, &tr) < 0)
        return error__errno("KVM_TRANSLATE 0x%llx", (unsigned long long)linear);
    if (!tr.valid)
        return error__set("linear address 0x%llx is not mapped", (unsigned long long)linear);
    *gpa = tr.physical_address;
    return 0;
}
/* [kvm-translate] */

/* [explain-exit] */
int kvm_cpu__explain_exit(const struct kvm_run *run)
{
    switch (run->exit_reason) {
    case KVM_EXIT_SHUTDOWN:
        return error__set("guest triple-faulted (KVM_EXIT_SHUTDOWN): an exception occurred while "
                          "delivering a double fault, and the CPU reset");
    case KVM_EXIT_FAIL_ENTRY:
        return error__set("the CPU refused to enter the guest (KVM_EXIT_FAIL_ENTRY, hardware "
                          "reason 0x%llx): the guest state set by the VMM is invalid",
                          (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
        return error__set("KVM could not handle the guest (KVM_EXIT_INTERNAL_ERROR, suberror %u%s)",
                          run->internal.suberror,
                          run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                              ? ": an instruction KVM had to emulate is one it cannot"
                              : "");
    case KVM_EXIT_IO:
    case KVM_EXIT_MMIO:
    case KVM_EXIT_HLT:
    case KVM_EXIT_INTR:
    case KVM_EXIT_DEBUG:
        return 0;
    }
    return error__set("unexpected exit KVM_EXIT_%s (%u)", kvm_cpu__exit_name(run->exit_reason),
                      run->exit_reason);
}
/* [explain-exit] */

uint8_t *kvm_cpu__io_data(struct kvm_cpu *cpu)
{
    struct kvm_run *run = cpu->run;
    uint8_t size = run->io.size;

    /* KVM puts the data inside the shared page; never trust that blindly. */
    if ((size != 1 && size != 2 && size != 4) ||
        run->io.data_offset + (uint64_t)size * run->io.count > (uint64_t)cpu->kvm->vcpu_mmap_size) {
        error__set("malformed I/O exit: port 0x%x size %u count %u offset 0x%llx", run->io.port,
                   size, run->io.count, (unsigned long long)run->io.data_offset);
        return NULL;
    }
    return (uint8_t *)run + run->io.data_offset;
}

const char *kvm_cpu__exit_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "EXCEPTION",
        [KVM_EXIT_IO] = "IO",
        [KVM_EXIT_HYPERCALL] = "HYPERCALL",
        [KVM_EXIT_DEBUG] = "DEBUG",
        [KVM_EXIT_HLT] = "HLT",
        [KVM_EXIT_MMIO] = "MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
        [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
        [KVM_EXIT_INTR] = "INTR",
        [KVM_EXIT_SET_TPR] = "SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
        [KVM_EXIT_NMI] = "NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
        [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
        [KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
        [KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
        [KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
    };

    if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
        return names[reason];
    return "UNKNOWN";
}

void kvm_cpu__exit(struct kvm_cpu *cpu)
{
    if (cpu->run)
        munmap(cpu->run, (size_t)cpu->kvm->vcpu_mmap_size);
    if (cpu->fd >= 0)
        close(cpu->fd);
    cpu->run = NULL;
    cpu->fd = -1;
}
