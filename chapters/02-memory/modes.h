/*
 * modes.h - starting a vCPU in real mode, 32-bit protected mode or 64-bit long mode
 * (chapter 2).
 *
 * Each mode is a handful of register values (KVM's struct kvm_regs and kvm_sregs), plus, for long
 * mode, a GDT and page tables the VMM writes into guest memory. They live in low memory, which
 * loaders keep programs out of: 0x1000  GDT          0x2000  PML4      0x3000  PDPT 0x4000 - 0x7fff
 * four page directories: 4 GiB identity-mapped with 2 MiB pages 0x8000 - 0x9fff      boot
 * information (the Multiboot info, its strings and tables)
 */
#ifndef STEPVM_MODES_H
#define STEPVM_MODES_H

#include "mem.h"

#include <linux/kvm.h>
#include <stdint.h>

#define MODES_GDT_ADDR       0x1000ull
#define MODES_PML4_ADDR      0x2000ull
#define MODES_PDPT_ADDR      0x3000ull
#define MODES_PD_ADDR        0x4000ull /* four of them, 0x4000 to 0x7fff */
#define MODES_BOOTINFO       0x8000ull /* 8 KiB for the loader's boot information */
#define MODES_RESERVED_START 0x1000ull
#define MODES_RESERVED_END   0xa000ull

/* GDT selectors: null, 64-bit code, 32-bit code, data (flat, 4 GiB). */
#define GDT_SEL_CODE64 0x08
#define GDT_SEL_CODE32 0x10
#define GDT_SEL_DATA   0x18

/** The CPU modes the book explains. */
enum cpu_mode { MODE_REAL, MODE_PROTECTED, MODE_LONG };

/** Returns "real", "protected" or "long". */
const char *mode_name(enum cpu_mode mode);

/**
 * Fills regs and sregs with the state of an x86 CPU after reset (Intel SDM vol. 3, "Processor
 * State After Reset"): real mode, CS:IP = f000:fff0 with CS base 0xffff0000. KVM starts its
 * vCPUs so; the interpreter of chapter 6 starts from here because it has no state of its own.
 */
void mode__reset(struct kvm_regs *regs, struct kvm_sregs *sregs);

/**
 * Puts the state in real mode at physical entry, which must be below 1 MiB: CS = entry >> 4
 * with IP = entry & 0xf (so any entry works), the other segments 0, SP = stack. The other
 * fields of sregs keep their values. Returns 0, or -1 with the error set.
 */
int mode__real(struct kvm_regs *regs, struct kvm_sregs *sregs, uint64_t entry, uint16_t stack);

/**
 * Puts the state in 32-bit protected mode, paging off, with flat 4 GiB segments described
 * by the GDT it writes at MODES_GDT_ADDR: EIP = entry, ESP = stack. Returns 0 or -1.
 */
int mode__protected(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
                    uint64_t entry, uint64_t stack);

/**
 * Puts the state in 64-bit long mode: writes the GDT and 4-level page tables
 * identity-mapping the first 4 GiB with 2 MiB pages, then sets CR3, CR4.PAE, EFER.LME/LMA,
 * CR0.PE/PG and a 64-bit code segment. RIP = entry, RSP = stack. Returns 0 or -1.
 */
int mode__long(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
               uint64_t entry, uint64_t stack);

#endif
