/*
 * vm.c - chapter 1's machine: build it from raw ioctls, then run the exit loop
 * (see vm.h).
 */
#include "vm.h"

#include "dump.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* [vm-init] */
int vm__init(struct vm *vm, const char *dev, const uint8_t *image, size_t len, FILE *console,
             FILE *trace, FILE *diag)
{
    memset(vm, 0, sizeof(*vm));
    vm->kvm.sys_fd = vm->kvm.vm_fd = vm->cpu.fd = -1;
    vm->console = console;
    vm->trace = trace;
    vm->diag = diag;
    if (len == 0 || len > VM_MAX_IMAGE)
        return error__set("guest image of %zu bytes does not fit in %u bytes at 0x%x", len,
                          VM_MAX_IMAGE, VM_LOAD_ADDR);
    if (kvm__init(&vm->kvm, dev) < 0)
        return -1;
    /* Guest RAM is ordinary anonymous host memory; KVM maps it into the guest. */
    vm->mem = mmap(NULL, VM_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm->mem == MAP_FAILED) {
        vm->mem = NULL;
        return error__errno("mmap %u bytes of guest memory", VM_MEM_SIZE);
    }
    if (kvm__set_memory(&vm->kvm, 0, 0, vm->mem, VM_MEM_SIZE, 0) < 0)
        return -1;
    memcpy(vm->mem + VM_LOAD_ADDR, image, len);
    if (kvm_cpu__init(&vm->cpu, &vm->kvm, 0) < 0)
        return -1;
    return kvm_cpu__reset_real_mode(&vm->cpu, VM_LOAD_ADDR, VM_STACK_TOP);
}
/* [vm-init] */

/* Reads one little-endian item of size bytes (1, 2 or 4). */
static uint32_t io_item(const uint8_t *p, uint8_t size)
{
    uint32_t v = 0;

    memcpy(&v, p, size <= 4 ? size : 4);
    return v;
}

/* Reports a port the machine has no device behind, once per port. */
static void warn_unhandled(struct vm *vm, const char *dir, uint16_t port)
{
    if (vm->warned[port / 8] & (1u << (port % 8)))
        return;
    vm->warned[port / 8] |= (uint8_t)(1u << (port % 8));
    fprintf(vm->diag, "warning: guest %s port 0x%04x: no device there (%s)\n", dir, port,
            dir[0] == 'r' ? "reads as all ones" : "write ignored");
}

/* [handle-io] */
static int handle_io(struct vm *vm)
{
    struct kvm_run *run = vm->cpu.run;
    uint8_t size = run->io.size;
    uint8_t *data = kvm_cpu__io_data(&vm->cpu);

    if (!data)
        return -1;
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint32_t v = io_item(data, size);
            if (run->io.port == PORT_DEBUGCON || run->io.port == PORT_COM1) {
                fputc((int)(v & 0xff), vm->console);
            } else if (run->io.port == PORT_TEST_EXIT) {
                vm->status = (int)(((v << 1) | 1) & 0xff);
                vm->done = 1;
                return 0;
            } else if (run->io.port != PORT_POST) {
                warn_unhandled(vm, "write to", run->io.port);
            }
        } else {
            /* KVM copies these bytes into the guest's register when it next runs. */
            memset(data, 0xff, size);
            if (run->io.port == PORT_COM1_LSR)
                data[0] = COM1_LSR_READY;
            else
                warn_unhandled(vm, "read from", run->io.port);
        }
    }
    return 0;
}
/* [handle-io] */

/* Where chapter 1's guest memory holds [gpa, gpa + len), or NULL. */
static const uint8_t *vm_guest_ptr(void *ctx, uint64_t gpa, size_t len)
{
    struct vm *vm = ctx;

    if (gpa >= VM_MEM_SIZE || len > VM_MEM_SIZE - gpa)
        return NULL;
    return vm->mem + gpa;
}

void vm__dump(struct vm *vm)
{
    dump__cpu(vm->diag, &vm->cpu, vm_guest_ptr, vm);
}

/* [handle-exit] */
int vm__handle_exit(struct vm *vm)
{
    struct kvm_run *run = vm->cpu.run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_io(vm);
    case KVM_EXIT_HLT:
        /* Interrupts are never enabled in chapter 1, so nothing could wake the CPU. */
        vm->status = 0;
        vm->done = 1;
        return 0;
    case KVM_EXIT_INTR:
        return 0; /* a signal interrupted KVM_RUN; just enter again */
    case KVM_EXIT_SHUTDOWN:
    case KVM_EXIT_FAIL_ENTRY:
    case KVM_EXIT_INTERNAL_ERROR:
        vm->crashed = 1; /* worth a register dump */
        break;
    }
    kvm_cpu__explain_exit(run);
    return -1;
}
/* [handle-exit] */

void vm__trace_exit(FILE *out, unsigned long n, const struct kvm_run *run, uint64_t rip)
{
    fprintf(out, "exit %4lu  %-9s", n, kvm_cpu__exit_name(run->exit_reason));
    if (run->exit_reason == KVM_EXIT_IO) {
        const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
        uint32_t v = io_item(data, run->io.size);
        fprintf(out, " %-3s port 0x%04x size %u",
                run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port, run->io.size);
        if (run->io.count > 1)
            fprintf(out, " count %u", run->io.count);
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            fprintf(out, " data 0x%0*x", run->io.size * 2, v);
            if (run->io.size == 1 && v >= 0x20 && v < 0x7f)
                fprintf(out, " '%c'", (char)v);
        }
    } else if (run->exit_reason == KVM_EXIT_MMIO) {
        uint64_t v = 0;
        uint32_t len = run->mmio.len <= 8 ? run->mmio.len : 8;
        memcpy(&v, run->mmio.data, len);
        fprintf(out, " %-5s addr 0x%llx len %u", run->mmio.is_write ? "write" : "read",
                (unsigned long long)run->mmio.phys_addr, run->mmio.len);
        if (run->mmio.is_write)
            fprintf(out, " data 0x%0*llx", (int)len * 2, (unsigned long long)v);
    }
    fprintf(out, "  rip 0x%llx\n", (unsigned long long)rip);
}

/* [run-loop] */
int vm__run(struct vm *vm)
{
    while (!vm->done) {
        if (kvm_cpu__run(&vm->cpu) < 0)
            return -1;
        vm->exits++;
        if (vm->trace) {
            struct kvm_regs regs;
            if (kvm_cpu__get_regs(&vm->cpu, &regs) < 0)
                return -1;
            vm__trace_exit(vm->trace, vm->exits, vm->cpu.run, regs.rip);
        }
        if (vm->exit_hook) {
            int handled = vm->exit_hook(vm);
            if (handled < 0)
                return -1;
            if (handled)
                continue;
        }
        if (vm__handle_exit(vm) < 0)
            return -1;
    }
    fflush(vm->console);
    return 0;
}
/* [run-loop] */

void vm__exit(struct vm *vm)
{
    kvm_cpu__exit(&vm->cpu);
    if (vm->mem)
        munmap(vm->mem, VM_MEM_SIZE);
    vm->mem = NULL;
    kvm__exit(&vm->kvm);
}
