/*
 * load.h - placing the pieces of an image into guest memory, checked first (chapter 2).
 *
 * Every loader (flat, ELF, Multiboot) turns its file into a list of segments: bytes of
 * the file to copy to a guest-physical address, followed by zeroes up to the segment's
 * size in memory. load_check refuses the whole list before anything is copied, so a bad
 * image never leaves a half-loaded guest.
 */
#ifndef STEPVM_LOAD_H
#define STEPVM_LOAD_H

#include "mem.h"

#include <stddef.h>
#include <stdint.h>

#define LOAD_MAX_SEGMENTS 64

/** file[offset, offset + filesz) goes to guest-physical paddr; memsz - filesz zeroes follow. */
struct load_segment {
    uint64_t offset;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t paddr;
};

/** load_check flag: the VMM will write its boot structures (GDT, page tables, boot
 * information) at MODES_RESERVED_START..END, so segments must keep out. Not needed for a
 * real-mode guest, which gets none, so chapter 1's guests still load at 0x1000. */
#define LOAD_AVOID_BOOT_STRUCTURES 1

/**
 * Checks that each segment lies inside the file (file_len bytes) and inside guest RAM,
 * misses every other segment and, with LOAD_AVOID_BOOT_STRUCTURES in flags, the VMM's
 * boot structures. Returns 0, or -1 with the error naming the file (name) and segment.
 */
int load_check(struct guest_mem *mem, const char *name, const struct load_segment *segs, int n,
               size_t file_len, int flags);

/** Copies checked segments into guest memory and zeroes their tails. Returns the highest end. */
uint64_t load_copy(struct guest_mem *mem, const uint8_t *file, const struct load_segment *segs,
                   int n);

#endif
