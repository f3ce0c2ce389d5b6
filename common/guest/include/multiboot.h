/*
 * multiboot.h - the Multiboot v1 structures a loader hands the guest (chapter 2).
 *
 * The loader (QEMU's -kernel, or stepvm's chapter 2 loader) finds the header in the first
 * 8 KiB of the image, loads the image, and enters _start with EAX = MULTIBOOT_BOOT_MAGIC
 * and EBX = the physical address of a struct multiboot_info. All addresses in these
 * structures are physical and below 4 GiB; the runtime identity-maps that range.
 */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC 0x1badb002 /* in the image's header */
#define MULTIBOOT_BOOT_MAGIC   0x2badb002 /* in EAX at entry */

/* Header flags: what the image asks of the loader. */
#define MULTIBOOT_PAGE_ALIGN  (1 << 0) /* load modules on 4 KiB boundaries */
#define MULTIBOOT_MEMORY_INFO (1 << 1) /* fill in mem_lower/mem_upper and the memory map */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Info flags: which fields of struct multiboot_info the loader filled in. */
#define MULTIBOOT_INFO_MEMORY  (1u << 0) /* mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV (1u << 1) /* boot_device */
#define MULTIBOOT_INFO_CMDLINE (1u << 2) /* cmdline */
#define MULTIBOOT_INFO_MODS    (1u << 3) /* mods_count, mods_addr */
#define MULTIBOOT_INFO_MEM_MAP (1u << 6) /* mmap_length, mmap_addr */
#define MULTIBOOT_INFO_LOADER  (1u << 9) /* boot_loader_name */

/* Memory map entry types. */
#define MULTIBOOT_MEMORY_AVAILABLE 1 /* RAM the guest may use; everything else is not */
#define MULTIBOOT_MEMORY_RESERVED  2

/** What the loader tells the guest: fields are valid only when their flag is set. */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB of RAM from 0 (at most 640) */
    uint32_t mem_upper; /* KiB of RAM from 1 MiB up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline; /* physical address of a NUL-terminated string */
    uint32_t mods_count;
    uint32_t mods_addr; /* physical address of mods_count struct multiboot_module */
    uint32_t syms[4];
    uint32_t mmap_length; /* bytes of memory map at mmap_addr */
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name; /* physical address of a string */
};

/** A module: a file the loader put in memory for the guest (QEMU: -initrd). */
struct multiboot_module {
    uint32_t mod_start; /* first byte */
    uint32_t mod_end;   /* one past the last byte */
    uint32_t string;    /* physical address of the module's command line */
    uint32_t reserved;
};

/**
 * A memory map entry. @c size counts the bytes after itself, so the next entry starts
 * size + 4 bytes further on (entries may grow in later loaders).
 */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

/**
 * Returns non-zero when @p word appears on the command line of @p mbi, between spaces or
 * at either end (cmdline.c, chapter 4); 0 when it does not or there is no command line.
 */
int multiboot_cmdline_has(const struct multiboot_info *mbi, const char *word);

/**
 * Returns the number after "@p key=" on the command line of @p mbi (decimal, or hex with
 * 0x), at a word's start; @p fallback when the key is missing or its value is no number
 * (cmdline.c, chapter 5).
 */
long multiboot_cmdline_number(const struct multiboot_info *mbi, const char *key, long fallback);

#endif /* __ASSEMBLER__ */
#endif
