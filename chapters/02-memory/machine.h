/*
 * machine.h - chapter 2's machine: chapter 1's vCPU and port handling, over PC-shaped
 * RAM, a ROM, the loaders and the CPU modes (chapter 2).
 */
#ifndef STEPVM_MACHINE_H
#define STEPVM_MACHINE_H

#include "mem.h"
#include "modes.h"
#include "multiboot.h"
#include "vm.h"

#include <stdint.h>
#include <stdio.h>

#define MACHINE_ROM_ADDR  0xf0000ull /* where a PC's BIOS ROM sits: the top of the hole */
#define MACHINE_ROM_MAX   0x10000ull
#define MACHINE_STACK     0xa0000ull /* initial stack top: the end of low RAM */
#define MACHINE_FLAT_ADDR 0x10000ull /* where a flat binary goes by default */

/** What to build. */
struct machine_config {
    const char *kvm_dev; /* NULL: no KVM; another backend runs the CPU (chapter 6) */
    uint64_t ram_size;
    int dirty_log;      /* report the pages the guest writes (KVM_MEM_LOG_DIRTY_PAGES) */
    const uint8_t *rom; /* ROM contents at MACHINE_ROM_ADDR, or NULL for the default */
    size_t rom_len;
    FILE *console, *trace, *diag;
};

/** A guest image and how to start it. */
struct machine_image {
    const char *name; /* the file name, for messages */
    const uint8_t *data;
    size_t len;
    const char *cmdline; /* Multiboot command line ("" for none) */
    const struct multiboot_module *mods;
    int nmods;
    enum cpu_mode flat_mode; /* for a flat binary: the mode to start in */
    uint64_t flat_addr;      /* for a flat binary: where it goes and starts */
};

/** The machine. vm comes first: chapter 1's exit hook finds the machine from it. */
struct machine {
    struct vm vm;
    struct guest_mem mem;
    int dirty_log;
    unsigned dirty_interval; /* intervals reported so far */
    unsigned mmio_reports;   /* MMIO accesses reported so far (capped) */
    const char *format;      /* what the loader saw: "Multiboot", "ELF64", "flat", ... */
    /* Without KVM, the boot state machine__load leaves for the backend to take. */
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    /* Set before machine__init_vcpu by a later chapter that changes the CPUID (cpuid.h). */
    void (*cpuid_adjust)(void *ctx, struct kvm_cpuid2 *table);
    void *cpuid_ctx;
};

/**
 * Creates the VM, its RAM and ROM. Returns 0 or -1 with the error set. With cfg->kvm_dev
 * NULL it makes only the RAM and ROM, for a backend other than KVM.
 */
int machine__init(struct machine *m, const struct machine_config *cfg);

/**
 * Creates vCPU 0 and gives it its CPUID (nothing without KVM). A separate step, because
 * what must exist before the vCPUs (KVM's in-kernel interrupt controllers, chapter 4)
 * comes between the two. Returns 0 or -1 with the error set.
 */
int machine__init_vcpu(struct machine *m);

/**
 * Creates KVM vCPU id into cpu with its CPUID, as machine__init_vcpu does for vCPU 0
 * (chapter 5 adds the others; the caller releases them with kvm_cpu__exit). Returns 0 or
 * -1 with the error set.
 */
int machine__add_vcpu(struct machine *m, struct kvm_cpu *cpu, int id);

/**
 * Loads img by what it is (a Multiboot kernel, an ELF executable, else a flat binary)
 * and sets the vCPU up to start it in the mode that format implies (without KVM: m->regs
 * and m->sregs). Returns 0 or -1.
 */
int machine__load(struct machine *m, const struct machine_image *img);

/**
 * Starts the vCPU at entry in mode: a loaded program's first instruction, as the loaders
 * leave it. The mode's structures (GDT, page tables, see modes.h) go at tables, which the
 * loader chose (load__boot_area); stack is the initial RSP (SP in real mode). Without KVM
 * the state goes to m->regs and m->sregs. Returns 0, or -1 with the error set.
 */
int machine__start(struct machine *m, enum cpu_mode mode, uint64_t tables, uint64_t entry,
                   uint64_t stack);

/**
 * Reads the vCPU's registers: KVM's, or without KVM the state kept for the backend
 * (m->regs, m->sregs). A loader that starts its image with more than machine__start sets
 * (Multiboot's EAX and EBX, Linux's RSI) edits them between the two calls. Returns 0 or -1.
 */
int machine__get_state(struct machine *m, struct kvm_regs *regs, struct kvm_sregs *sregs);

/** Sets the vCPU's registers, where machine__get_state reads them. Returns 0 or -1. */
int machine__set_state(struct machine *m, const struct kvm_regs *regs,
                       const struct kvm_sregs *sregs);

/**
 * Runs the guest to its end (chapter 1's loop, extended by an exit hook for MMIO and
 * dirty-page intervals). Returns 0 with m->vm.status set, or -1 with the error set.
 */
int machine__run(struct machine *m);

/** Prints the register dump and code bytes (after a crash: m->vm.crashed). */
void machine__dump(struct machine *m);

/** Prints len bytes of guest memory at gpa as a hex dump. Returns 0 or -1 (range not RAM). */
int machine__peek(struct machine *m, FILE *out, uint64_t gpa, uint64_t len);

/** Releases everything. */
void machine__exit(struct machine *m);

#endif
