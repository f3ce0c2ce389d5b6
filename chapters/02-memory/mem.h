/*
 * mem.h - guest RAM laid out as on a PC, one KVM memory slot per piece (chapter 2).
 *
 * Guest-physical map for RAM of size S:
 *   [0, 0xa0000)                 low RAM                          slot 0
 *   [0xa0000, 0x100000)          the hole: VGA, option ROMs, BIOS (no RAM)
 *   [0x100000, min(S, 3G))       RAM                              slot 1
 *   [3G, 4G)                     the PCI gap: devices, LAPIC, IOAPIC (no RAM)
 *   [4G, 4G + S - 3G)            the RAM that did not fit below   slot 2
 * All RAM is one host mapping; each slot maps the part at the same offset, so a
 * guest-physical address below 3G has the same offset in host memory.
 */
#ifndef STEPVM_MEM_H
#define STEPVM_MEM_H

#include "kvm.h"

#include <stddef.h>
#include <stdint.h>

#define MEM_HOLE_START  0xa0000ull
#define MEM_HOLE_END    0x100000ull
#define MEM_GAP_START   0xc0000000ull  /* 3 GiB: RAM above this moves above 4 GiB */
#define MEM_HIGH_START  0x100000000ull /* 4 GiB */
#define MEM_MIN_SIZE    0x200000ull    /* 2 MiB: low memory plus room for a program */
#define MEM_PAGE_SIZE   4096ull
#define MEM_MAX_REGIONS 8

/** One KVM memory slot: guest-physical [gpa, gpa + size) backed by host [host, host + size). */
struct mem_region {
    uint64_t gpa;
    uint64_t size;
    uint8_t *host;
    uint32_t slot;
    uint32_t flags; /* KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY */
};

/** A guest's memory: its RAM, ROMs, and the slots that map them. */
struct guest_mem {
    struct kvm *kvm;
    uint8_t *ram; /* one host mapping of ram_size bytes */
    uint64_t ram_size;
    struct mem_region regions[MEM_MAX_REGIONS];
    int nregions;
};

/**
 * Maps ram_size bytes of RAM into kvm as the PC lays it out (see above). ram_size must be
 * a multiple of 4 KiB and at least MEM_MIN_SIZE. With dirty_log, KVM tracks the pages
 * the guest writes (guest_mem__dirty_pages). With kvm NULL the same layout is made but no
 * slot is registered: the interpreter of chapter 6 reads the table itself. Returns 0, or
 * -1 with the error set.
 */
int guest_mem__init(struct guest_mem *mem, struct kvm *kvm, uint64_t ram_size, int dirty_log);

/**
 * Returns the host address of guest-physical [gpa, gpa + len), or NULL with the error set
 * when the range is not wholly inside one RAM or ROM slot. Every access the VMM makes to
 * guest memory goes through here: guest addresses are untrusted.
 */
void *guest_mem__translate(struct guest_mem *mem, uint64_t gpa, uint64_t len);

/**
 * guest_mem__translate without the error: NULL when the range is not in one slot, for a
 * caller to whom "no memory there" is an answer rather than a failure (a page walk, the
 * code bytes of a crash dump).
 */
void *guest_mem__find(struct guest_mem *mem, uint64_t gpa, uint64_t len);

/** Copies guest-physical [gpa, gpa + len) into buf. Returns 0, or -1 (not all RAM). */
int guest_mem__read(struct guest_mem *mem, uint64_t gpa, void *buf, size_t len);

/** Copies buf into guest RAM at gpa; a ROM refuses. Returns 0, or -1 with the error set. */
int guest_mem__write(struct guest_mem *mem, uint64_t gpa, const void *buf, size_t len);

/**
 * Maps a copy of data (len bytes, rounded up to pages) at gpa as a read-only slot
 * (KVM_MEM_READONLY): the guest reads it like RAM, and its writes exit to the VMM as
 * KVM_EXIT_MMIO. gpa must be page-aligned and in no other slot. Returns 0 or -1.
 */
int guest_mem__add_rom(struct guest_mem *mem, uint64_t gpa, const void *data, size_t len);

/** Returns 1 when gpa lies in a read-only slot. */
int guest_mem__is_rom(const struct guest_mem *mem, uint64_t gpa);

/** Called for each run of dirty pages [gpa, gpa + len). */
typedef void (*mem_dirty_fn)(void *ctx, uint64_t gpa, uint64_t len);

/**
 * Fetches and clears KVM's dirty bitmap of every RAM slot (KVM_GET_DIRTY_LOG) and calls
 * fn for each run of consecutive pages written since the last call. Returns the number of
 * dirty pages, or -1 with the error set (for instance when dirty logging is off).
 */
long guest_mem__dirty_pages(struct guest_mem *mem, mem_dirty_fn fn, void *ctx);

/** Unmaps the RAM and the ROMs (the slots go with the VM). */
void guest_mem__exit(struct guest_mem *mem);

#endif
