/*
 * load.h - placing the pieces of an image into guest memory, checked first (chapter 2).
 *
 * Every loader (flat, ELF, Multiboot) turns its file into a list of segments: bytes of
 * the file to copy to a guest-physical address, followed by zeroes up to the segment's
 * size in memory. load__check refuses the whole list before anything is copied, so a bad
 * image never leaves a half-loaded guest.
 *
 * The VMM's own boot structures (the GDT and page tables of modes.h, a loader's boot
 * information) go where load__boot_area says: right after the image's highest byte, as
 * QEMU's Multiboot loader places its boot information. An image may therefore lie anywhere
 * in RAM; it is the structures that move out of its way.
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

/**
 * Checks that each segment lies inside the file (file_len bytes) and inside guest RAM, and
 * misses every other segment. Returns 0, or -1 with the error naming the file (name) and
 * segment.
 */
int load__check(struct guest_mem *mem, const char *name, const struct load_segment *segs, int n,
                size_t file_len);

/**
 * Chooses where size bytes of the VMM's boot structures go for the image name whose loaded
 * bytes end at end (the first byte past the highest segment): the first page boundary at or
 * above end or, when they would run from low RAM into the hole, 1 MiB. Nothing of the image
 * lies there, whatever its addresses. Returns 0 with *at set, or -1 with the error naming
 * the file when guest RAM below 4 GiB (where 32-bit code reaches them) cannot hold them
 * there.
 */
int load__boot_area(struct guest_mem *mem, const char *name, uint64_t end, uint64_t size,
                    uint64_t *at);

/** Copies checked segments into guest memory and zeroes their tails. Returns the highest end. */
uint64_t load__copy(struct guest_mem *mem, const uint8_t *file, const struct load_segment *segs,
                    int n);

#endif
