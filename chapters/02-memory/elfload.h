/*
 * elfload.h - loading ELF32 and ELF64 executables by their PT_LOAD segments (chapter 2).
 */
#ifndef STEPVM_ELFLOAD_H
#define STEPVM_ELFLOAD_H

#include "load.h"
#include "mem.h"

#include <stddef.h>
#include <stdint.h>

/** What a loaded ELF image tells the VMM. */
struct elf_image {
    int is64;       /* ELFCLASS64: start in long mode; else 32-bit protected mode */
    uint64_t entry; /* e_entry */
    uint64_t end;   /* the first guest-physical byte past the highest segment */
};

/** Returns 1 when the len bytes at image start with the ELF magic. */
int elfload__is(const uint8_t *image, size_t len);

/**
 * Validates the whole ELF image as elfload__load does, without copying anything: fills *out
 * and segs (room for LOAD_MAX_SEGMENTS) and returns the number of segments, or -1 with
 * the error set. A loader that must check more before copying (Multiboot) uses this.
 */
int elfload__prepare(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                     struct elf_image *out, struct load_segment *segs);

/**
 * Validates the whole ELF image (header, class, machine, type, program headers, every
 * PT_LOAD segment, the entry point), then copies its segments to their physical
 * addresses (p_paddr) and zeroes each segment's bss. name is the file name used in
 * messages. Returns 0 with *out filled, or -1 with the error set and nothing copied.
 */
int elfload__load(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                  struct elf_image *out);

#endif
