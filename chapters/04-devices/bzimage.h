/*
 * bzimage.h - loading a Linux kernel (a bzImage) by the x86 boot protocol, and starting it
 * at its 64-bit entry point with a zero page that describes the machine (chapter 4).
 *
 * The protocol is Linux's Documentation/arch/x86/boot.rst (version 2.10 or later) and the
 * zero page's layout is zero-page.rst. The loader skips the kernel's 16-bit setup code,
 * as QEMU's and Firecracker's do on a 64-bit machine: it fills in what the setup code
 * would have found out (the memory map, the command line, the initrd) itself.
 *
 * Guest-physical layout (the low part is below the kernel, wherever that goes):
 *   BZIMAGE_ZERO_PAGE  0x7000            struct boot_params, the zero page (4 KiB)
 *   BZIMAGE_TABLES     0x8000 - 0xefff   chapter 2's GDT and page tables (modes.h)
 *   BZIMAGE_CMDLINE    0x20000           the kernel command line, NUL-terminated
 *   the kernel         pref_address (0x100000 when not relocatable), init_size bytes
 *   the initrd         at the top of RAM below 4 GiB and initrd_addr_max, page-aligned
 * The stack the entry gets (it sets its own at once) is just below the zero page.
 */
#ifndef STEPVM_BZIMAGE_H
#define STEPVM_BZIMAGE_H

#include "machine.h"

#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_ZERO_PAGE   0x7000ull
#define BZIMAGE_TABLES      0x8000ull /* MODES_LONG_SIZE bytes */
#define BZIMAGE_CMDLINE     0x20000ull
#define BZIMAGE_CMDLINE_MAX (MEM_HOLE_START - BZIMAGE_CMDLINE) /* with its NUL */

/* The setup header (boot.rst), at these offsets in the file and in the zero page. */
#define SETUP_HEADER_OFFSET 0x1f1
#define SETUP_SECTS         0x1f1 /* u8: 512-byte sectors of setup code after the first; 0: 4 */
#define SYSSIZE             0x1f4 /* u32: the protected-mode kernel in 16-byte paragraphs */
#define BOOT_FLAG           0x1fe /* u16: 0xaa55 */
#define SETUP_JUMP          0x200 /* u16: a short jump over the header; its byte at 0x201 */
#define SETUP_HEADER_MAGIC  0x202 /* "HdrS" */
#define SETUP_VERSION       0x206 /* u16: the protocol, 0x020f for 2.15 */
#define TYPE_OF_LOADER      0x210 /* u8 */
#define LOADFLAGS           0x211 /* u8 */
#define RAMDISK_IMAGE       0x218 /* u32 */
#define RAMDISK_SIZE        0x21c /* u32 */
#define HEAP_END_PTR        0x224 /* u16 */
#define CMD_LINE_PTR        0x228 /* u32 */
#define INITRD_ADDR_MAX     0x22c /* u32: the highest address the initrd's last byte may have */
#define KERNEL_ALIGNMENT    0x230 /* u32 */
#define RELOCATABLE_KERNEL  0x234 /* u8 */
#define XLOADFLAGS          0x236 /* u16 */
#define CMDLINE_SIZE        0x238 /* u32: the longest command line, without its NUL */
#define PREF_ADDRESS        0x258 /* u64 */
#define INIT_SIZE           0x260 /* u32: the memory the kernel needs from its load address */

#define BOOT_FLAG_MAGIC      0xaa55
#define BOOT_PROTOCOL_2_10   0x020a
#define LOADED_HIGH          0x01   /* loadflags: the protected-mode code is at 0x100000 or above */
#define CAN_USE_HEAP         0x80   /* loadflags: heap_end_ptr is valid */
#define XLF_KERNEL_64        0x0001 /* xloadflags: a 64-bit entry point at load address + 0x200 */
#define LOADER_TYPE_UNKNOWN  0xff   /* type_of_loader: a boot loader without an assigned id */
#define STARTUP_64_OFFSET    0x200
#define DEFAULT_LOAD_ADDRESS 0x100000ull /* a kernel that is not relocatable goes here */

/* The zero page (struct boot_params, zero-page.rst) beyond the setup header. */
#define BOOT_PARAMS_SIZE          0x1000
#define BOOT_PARAMS_ACPI_RSDP     0x070 /* u64: acpi_rsdp_addr */
#define BOOT_PARAMS_E820_ENTRIES  0x1e8 /* u8 */
#define BOOT_PARAMS_HDR_END       0x290 /* the setup header ends by here (edd_mbr_sig_buffer) */
#define BOOT_PARAMS_E820_TABLE    0x2d0 /* struct boot_e820_entry[E820_MAX_ENTRIES_ZEROPAGE] */
#define E820_MAX_ENTRIES_ZEROPAGE 128
#define E820_ENTRY_SIZE           20 /* u64 addr, u64 size, u32 type */
#define E820_TYPE_RAM             1
#define E820_TYPE_RESERVED        2

/* The 64-bit boot protocol's selectors: flat 4 GiB code (64-bit here) and data. */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

/** What the kernel gets besides itself. */
struct bzimage_params {
    const char *cmdline;   /* the kernel command line, or NULL for none */
    const uint8_t *initrd; /* the initial ramdisk, or NULL */
    size_t initrd_len;
    uint64_t rsdp; /* the ACPI RSDP's address for acpi_rsdp_addr, or 0 for none */
};

/** Whether data looks like a bzImage: "HdrS" at 0x202 and the boot flag 0xaa55 at 0x1fe. */
int bzimage__is(const uint8_t *data, size_t len);

/**
 * Loads the bzImage data (len bytes, from the file name) into m's memory with p's command
 * line, initrd and RSDP, and leaves m's vCPU at the kernel's 64-bit entry point
 * (load address + 0x200) in long mode: RSI = the zero page, CS = BOOT_CS, DS = ES = SS =
 * BOOT_DS, interrupts off, the first 4 GiB identity-mapped (kernel, zero page, command
 * line and initrd all lie there).
 *
 * Checks the setup header against the file and the machine first: the boot flag and
 * "HdrS", version 2.10 or later, setup_sects and syssize within the file, LOADED_HIGH,
 * XLF_KERNEL_64, kernel_alignment, the command line against cmdline_size, the kernel's
 * init_size and the initrd against guest RAM. Returns 0, or -1 with the error naming the
 * file and the field; nothing is written to guest memory before every check has passed.
 */
int bzimage__load(struct machine *m, const char *name, const uint8_t *data, size_t len,
                  const struct bzimage_params *p);

#endif
