/*
 * machine.c - chapter 2's machine (see machine.h).
 */
#include "machine.h"

#include "cpuid.h"
#include "dump.h"
#include "elfload.h"
#include "error.h"

#include <stddef.h>
#include <string.h>

#define MMIO_REPORT_MAX 16 /* a hostile guest must not flood the terminal */

static const char default_rom[] = "stepvm ROM: read me at full speed; writes are ignored.\n";

/* [init] */
int machine__init(struct machine *m, const struct machine_config *cfg)
{
    memset(m, 0, sizeof(*m));
    m->vm.kvm.sys_fd = m->vm.kvm.vm_fd = m->vm.cpu.fd = -1;
    m->vm.console = cfg->console;
    m->vm.trace = cfg->trace;
    m->vm.diag = cfg->diag;
    m->dirty_log = cfg->dirty_log;
    if (cfg->rom_len > MACHINE_ROM_MAX)
        return error__set("ROM of %zu bytes is too large (at most %llu)", cfg->rom_len,
                          MACHINE_ROM_MAX);
    if (cfg->kvm_dev && kvm__init(&m->vm.kvm, cfg->kvm_dev) < 0)
        return -1;
    if (guest_mem__init(&m->mem, cfg->kvm_dev ? &m->vm.kvm : NULL, cfg->ram_size, cfg->dirty_log) <
        0)
        return -1;
    if (guest_mem__add_rom(&m->mem, MACHINE_ROM_ADDR,
                           cfg->rom ? cfg->rom : (const void *)default_rom,
                           cfg->rom ? cfg->rom_len : sizeof(default_rom)) < 0)
        return -1;
    if (!cfg->kvm_dev)
        mode__reset(&m->regs, &m->sregs);
    return 0;
}

int machine__add_vcpu(struct machine *m, struct kvm_cpu *cpu, int id)
{
    if (kvm_cpu__init(cpu, &m->vm.kvm, id) < 0)
        return -1;
    return cpuid__init(cpu, m->cpuid_adjust, m->cpuid_ctx);
}

int machine__init_vcpu(struct machine *m)
{
    if (m->vm.kvm.vm_fd < 0)
        return 0; /* no KVM: the backend's vCPU starts from m->regs and m->sregs */
    return machine__add_vcpu(m, &m->vm.cpu, 0);
}
/* [init] */

int machine__get_state(struct machine *m, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
    if (m->vm.cpu.fd < 0) {
        *regs = m->regs;
        *sregs = m->sregs;
        return 0;
    }
    if (kvm_cpu__get_regs(&m->vm.cpu, regs) < 0)
        return -1;
    return kvm_cpu__get_sregs(&m->vm.cpu, sregs);
}

int machine__set_state(struct machine *m, const struct kvm_regs *regs,
                       const struct kvm_sregs *sregs)
{
    if (m->vm.cpu.fd < 0) {
        m->regs = *regs;
        m->sregs = *sregs;
        return 0;
    }
    if (kvm_cpu__set_sregs(&m->vm.cpu, sregs) < 0)
        return -1;
    return kvm_cpu__set_regs(&m->vm.cpu, regs);
}

int machine__start(struct machine *m, enum cpu_mode mode, uint64_t tables, uint64_t entry,
                   uint64_t stack)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    int ret;

    if (machine__get_state(m, &regs, &sregs) < 0)
        return -1;
    if (mode == MODE_REAL)
        ret = mode__real(&regs, &sregs, entry, (uint16_t)stack);
    else if (mode == MODE_PROTECTED)
        ret = mode__protected(&regs, &sregs, &m->mem, tables, entry, stack);
    else
        ret = mode__long(&regs, &sregs, &m->mem, tables, entry, stack);
    return ret < 0 ? -1 : machine__set_state(m, &regs, &sregs);
}

/* Finds room for mode's structures right after checked segments that end at end, then
 * copies the segments: an image without that room is refused before anything is copied.
 * Returns 0 with *tables set, or -1. */
static int place(struct machine *m, const struct machine_image *img,
                 const struct load_segment *segs, int n, uint64_t end, enum cpu_mode mode,
                 uint64_t *tables)
{
    *tables = 0;
    if (mode != MODE_REAL && load__boot_area(&m->mem, img->name, end, mode__size(mode), tables) < 0)
        return -1;
    load__copy(&m->mem, img->data, segs, n);
    return 0;
}

/* Loads a flat binary: the bytes at flat_addr, started there in the chosen mode. */
static int load_flat(struct machine *m, const struct machine_image *img)
{
    struct load_segment seg = {0, img->len, img->len, img->flat_addr};
    uint64_t tables;

    if (load__check(&m->mem, img->name, &seg, 1, img->len) < 0 ||
        place(m, img, &seg, 1, img->flat_addr + img->len, img->flat_mode, &tables) < 0)
        return -1;
    m->format = "flat";
    return machine__start(m, img->flat_mode, tables, img->flat_addr,
                          img->flat_mode == MODE_REAL ? 0xfff0 : MACHINE_STACK);
}

/* Loads an ELF executable by its PT_LOAD segments: ELF64 in long mode, ELF32 in protected. */
static int load_elf(struct machine *m, const struct machine_image *img)
{
    struct load_segment segs[LOAD_MAX_SEGMENTS];
    struct elf_image elf;
    uint64_t tables;
    int n = elfload__prepare(&m->mem, img->name, img->data, img->len, &elf, segs);

    if (n < 0)
        return -1;
    enum cpu_mode mode = elf.is64 ? MODE_LONG : MODE_PROTECTED;
    if (place(m, img, segs, n, elf.end, mode, &tables) < 0)
        return -1;
    m->format = elf.is64 ? "ELF64" : "ELF32";
    return machine__start(m, mode, tables, elf.entry, MACHINE_STACK);
}

/* [load] */
int machine__load(struct machine *m, const struct machine_image *img)
{
    long hdr = multiboot__find(img->name, img->data, img->len);

    if (hdr == -1)
        return -1;
    if (hdr >= 0) {
        struct multiboot_boot boot;
        struct kvm_regs regs;
        struct kvm_sregs sregs;
        if (multiboot__load(&m->mem, img->name, img->data, img->len, hdr, img->cmdline, img->mods,
                            img->nmods, &boot) < 0 ||
            machine__start(m, MODE_PROTECTED, boot.tables, boot.entry, MACHINE_STACK) < 0 ||
            machine__get_state(m, &regs, &sregs) < 0)
            return -1;
        regs.rax = MULTIBOOT_BOOTLOADER_MAGIC; /* "a Multiboot loader started you" */
        regs.rbx = boot.info;
        m->format = "Multiboot";
        return machine__set_state(m, &regs, &sregs);
    }
    if (elfload__is(img->data, img->len))
        return load_elf(m, img);
    return load_flat(m, img);
}
/* [load] */

/* Prints one run of dirty pages as part of an interval's report. */
static void print_dirty(void *ctx, uint64_t gpa, uint64_t len)
{
    fprintf(ctx, " 0x%llx-0x%llx", (unsigned long long)gpa, (unsigned long long)(gpa + len - 1));
}

/* [dirty] */
/* Reports the pages written since the last report and starts a new interval. */
static int report_dirty(struct machine *m, const char *why)
{
    fprintf(m->vm.diag, "dirty interval %u (%s):", ++m->dirty_interval, why);
    long pages = guest_mem__dirty_pages(&m->mem, print_dirty, m->vm.diag);
    if (pages < 0)
        return -1;
    fprintf(m->vm.diag, "%s %ld page%s\n", pages ? ";" : "", pages, pages == 1 ? "" : "s");
    return 0;
}
/* [dirty] */

/* [mmio] */
/* An MMIO exit: the guest touched guest-physical memory that no RAM slot backs, or wrote
 * to a read-only slot. Chapter 2 has no devices there: reads see all ones, writes are
 * dropped, and the first few of each are reported. */
static int handle_mmio(struct machine *m)
{
    struct kvm_run *run = m->vm.cpu.run;
    uint64_t addr = run->mmio.phys_addr;
    int rom = guest_mem__is_rom(&m->mem, addr);

    if (!run->mmio.is_write)
        memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
    if (m->mmio_reports < MMIO_REPORT_MAX) {
        fprintf(m->vm.diag, "warning: guest %s %u bytes at 0x%llx: %s\n",
                run->mmio.is_write ? "wrote" : "read", run->mmio.len, (unsigned long long)addr,
                rom                  ? "ROM is read-only (write ignored)"
                : run->mmio.is_write ? "no memory there (write ignored)"
                                     : "no memory there (reads as all ones)");
        if (++m->mmio_reports == MMIO_REPORT_MAX)
            fprintf(m->vm.diag, "warning: further MMIO accesses are not reported\n");
    }
    return 1;
}
/* [mmio] */

/* [exit-hook] */
/* Chapter 2's additions to chapter 1's exit loop. */
static int exit_hook(struct vm *vm)
{
    struct machine *m = (struct machine *)((char *)vm - offsetof(struct machine, vm));
    struct kvm_run *run = vm->cpu.run;

    if (run->exit_reason == KVM_EXIT_MMIO)
        return handle_mmio(m);
    /* A POST code marks a phase of the guest's work: a natural end of a dirty interval. */
    if (m->dirty_log && run->exit_reason == KVM_EXIT_IO && run->io.port == PORT_POST &&
        run->io.direction == KVM_EXIT_IO_OUT) {
        char why[32];
        snprintf(why, sizeof(why), "POST 0x%02x", *((uint8_t *)run + run->io.data_offset));
        if (report_dirty(m, why) < 0)
            return -1;
    }
    return 0;
}

int machine__run(struct machine *m)
{
    m->vm.exit_hook = exit_hook;
    if (vm__run(&m->vm) < 0)
        return -1;
    return m->dirty_log ? report_dirty(m, "at exit") : 0;
}
/* [exit-hook] */

/* A failed lookup is not an error here: the message that explains the crash stays. */
static const uint8_t *guest_ptr(void *ctx, uint64_t gpa, size_t len)
{
    return guest_mem__find(ctx, gpa, len);
}

void machine__dump(struct machine *m)
{
    dump__cpu(m->vm.diag, &m->vm.cpu, guest_ptr, &m->mem);
}

int machine__peek(struct machine *m, FILE *out, uint64_t gpa, uint64_t len)
{
    const uint8_t *p = guest_mem__translate(&m->mem, gpa, len);

    if (!p)
        return -1;
    for (uint64_t i = 0; i < len; i += 16) {
        fprintf(out, "%08llx:", (unsigned long long)(gpa + i));
        for (uint64_t j = i; j < i + 16; j++)
            fprintf(out, j < len ? " %02x" : "   ", j < len ? p[j] : 0);
        fprintf(out, "  |");
        for (uint64_t j = i; j < i + 16 && j < len; j++)
            fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', out);
        fprintf(out, "|\n");
    }
    return 0;
}

void machine__exit(struct machine *m)
{
    vm__exit(&m->vm); /* the VM and its slots first, then the memory they mapped */
    guest_mem__exit(&m->mem);
}
