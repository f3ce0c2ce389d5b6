/*
 * multiboot.h - loading a Multiboot (v1) kernel as QEMU's -kernel does (chapter 2).
 *
 * A Multiboot kernel carries a header in its first 8 KiB that tells the loader what it
 * needs. The loader places it (by its ELF program headers, or by the addresses in the
 * header: the "a.out kludge"), writes a boot information structure describing memory,
 * the command line and the modules, and enters it in 32-bit protected mode with paging
 * off, EAX = 0x2BADB002 and EBX = the physical address of that structure.
 */
#ifndef STEPVM_MULTIBOOT_H
#define STEPVM_MULTIBOOT_H

#include "mem.h"

#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH           8192   /* the header must start in the first 8 KiB */
#define MULTIBOOT_INFO_AREA        0x2000 /* the boot information, its strings and tables */

/* Header flags. Bits 0-15 are requirements a loader must honour or refuse the image. */
#define MULTIBOOT_PAGE_ALIGN  (1u << 0)  /* modules page-aligned */
#define MULTIBOOT_MEMORY_INFO (1u << 1)  /* mem_lower/mem_upper and the memory map */
#define MULTIBOOT_VIDEO_MODE  (1u << 2)  /* a graphics mode: stepvm has no display */
#define MULTIBOOT_AOUT_KLUDGE (1u << 16) /* load addresses are in the header */

/* Info flags: which fields of the boot information are valid. */
#define MULTIBOOT_INFO_MEMORY      (1u << 0)
#define MULTIBOOT_INFO_CMDLINE     (1u << 2)
#define MULTIBOOT_INFO_MODS        (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP     (1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)

/** A module (QEMU's -initrd): a file placed in memory, with a string naming it. */
struct multiboot_module {
    const uint8_t *data;
    size_t len;
    const char *string;
};

/** Where to start a loaded kernel. */
struct multiboot_boot {
    uint32_t entry;  /* EIP */
    uint32_t info;   /* EBX: the boot information, right after the kernel */
    uint32_t tables; /* where mode__protected writes the GDT: right after the information */
};

/**
 * Returns the file offset of a valid Multiboot header in the first 8 KiB of image, -2 if
 * there is none, or -1 with the error set for one that is found but cannot be honoured
 * (bad checksum, a requirement stepvm lacks).
 */
long multiboot__find(const char *name, const uint8_t *image, size_t len);

/**
 * Loads the kernel whose header is at offset hdr and writes the boot information (memory,
 * cmdline, modules, memory map) in the MULTIBOOT_INFO_AREA bytes at the first page boundary
 * after the kernel's highest byte, as QEMU does; the GDT's page (MODES_PROTECTED_SIZE) is
 * left for the caller right after it, and the modules follow, page-aligned and at or above
 * 1 MiB. Everything is validated before anything is copied. Returns 0 with *boot filled, or
 * -1 with the error set.
 */
int multiboot__load(struct guest_mem *mem, const char *name, const uint8_t *image, size_t len,
                    long hdr, const char *cmdline, const struct multiboot_module *mods, int nmods,
                    struct multiboot_boot *boot);

#endif
