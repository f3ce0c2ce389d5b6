/*
 * modes.h - starting a vCPU in real mode, 32-bit protected mode or 64-bit long mode
 * (chapter 2).
 *
 * Each mode is a handful of register values (KVM's struct kvm_regs and kvm_sregs), plus, for
 * protected and long mode, structures the VMM writes into guest memory: a GDT, and for long
 * mode page tables too. They go in one page-aligned block whose address the loader chooses
 * (load__boot_area: right after the image), laid out from that address as
 *
 *   +0x0000  GDT          +0x1000  PML4          +0x2000  PDPT
 *   +0x3000 - +0x6fff     four page directories: 4 GiB identity-mapped with 2 MiB pages
 */
#ifndef STEPVM_MODES_H
#define STEPVM_MODES_H

#include "mem.h"

#include <linux/kvm.h>
#include <stdint.h>

#define MODES_GDT_OFFSET     0x0000ull
#define MODES_PML4_OFFSET    0x1000ull
#define MODES_PDPT_OFFSET    0x2000ull
#define MODES_PD_OFFSET      0x3000ull /* four of them, to +0x6fff */
#define MODES_PROTECTED_SIZE 0x1000ull /* what mode__protected writes: the GDT's page */
#define MODES_LONG_SIZE      0x7000ull /* what mode__long writes: the GDT and page tables */

/* GDT selectors: null, 64-bit code, 32-bit code, data (flat, 4 GiB). */
#define GDT_SEL_CODE64 0x08
#define GDT_SEL_CODE32 0x10
#define GDT_SEL_DATA   0x18

/** The CPU modes the book explains. */
enum cpu_mode { MODE_REAL, MODE_PROTECTED, MODE_LONG };

/** Returns "real", "protected" or "long". */
const char *mode__name(enum cpu_mode mode);

/** Returns the bytes of guest memory the mode's structures take: 0 for real mode. */
uint64_t mode__size(enum cpu_mode mode);

/**
 * Returns the hidden part of a segment register as the CPU loads it from a flat
 * descriptor at selector sel: base 0, limit 4 GiB, DPL 0, a code segment (execute/read)
 * when code is set, else data (read/write). With long_mode, a code segment is a 64-bit
 * one (L = 1, D = 0). Chapter 6's SYSCALL and SYSRET load such segments too.
 */
struct kvm_segment mode__flat_segment(uint16_t sel, int code, int long_mode);

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
 * by the GDT it writes at tables + MODES_GDT_OFFSET (tables: page-aligned, below 4 GiB,
 * MODES_PROTECTED_SIZE bytes of RAM): EIP = entry, ESP = stack. Returns 0 or -1.
 */
int mode__protected(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
                    uint64_t tables, uint64_t entry, uint64_t stack);

/**
 * Puts the state in 64-bit long mode: writes the GDT and 4-level page tables
 * identity-mapping the first 4 GiB with 2 MiB pages at tables (page-aligned, below 4 GiB,
 * MODES_LONG_SIZE bytes of RAM), then sets CR3, CR4.PAE, EFER.LME/LMA, CR0.PE/PG and a
 * 64-bit code segment. RIP = entry, RSP = stack. Returns 0 or -1.
 */
int mode__long(struct kvm_regs *regs, struct kvm_sregs *sregs, struct guest_mem *mem,
               uint64_t tables, uint64_t entry, uint64_t stack);

#endif
