/*
 * ch2_tests.h - the parts of chapter 2's test suite, one file each, and what they share:
 * a guest memory laid out without KVM (fake_mem.c) and guest images built in memory
 * (images.c).
 */
#ifndef STEPVM_CH2_TESTS_H
#define STEPVM_CH2_TESTS_H

#include "check_helpers.h"
#include "mem.h"

#include <stddef.h>
#include <stdint.h>

TCase *size_tests(void);
TCase *mem_tests(void);
TCase *elf_tests(void);
TCase *multiboot_tests(void);
TCase *boot_area_tests(void);
TCase *cli_tests(void);
TCase *qemu_tests(void);

/** Adds the tests that need KVM, or reports them skipped. */
void add_kvm_tests(Suite *s);

/** Returns the expected output of a guest, read from beside it in build/guests/ch2/. */

/* ------------------------------------------------------------ guest memory without KVM */

#define RAM_FILL      0xa5          /* what fake RAM holds before a load: bss zeroing shows */
#define RAM_SNAP      (32ull << 20) /* the RAM a snapshot covers: every test image goes there */
#define FAKE_ROM_ADDR 0xf0000ull    /* where fake_mem_add_rom puts its ROM, as machine.c does */
#define FAKE_ROM_SIZE 0x10000ull

/**
 * Fills mem as guest_mem__init lays out ram_size bytes of RAM (see mem.h), over an
 * anonymous mapping of its own (MAP_NORESERVE, so 3.5G costs nothing), with mem->kvm NULL:
 * no KVM is involved. The first RAM_SNAP bytes hold RAM_FILL.
 */
void fake_mem_init(struct guest_mem *mem, uint64_t ram_size);

/** Adds a read-only region (KVM_MEM_READONLY) of FAKE_ROM_SIZE bytes at FAKE_ROM_ADDR. */
void fake_mem_add_rom(struct guest_mem *mem);

/** Unmaps what fake_mem_init and fake_mem_add_rom mapped. */
void fake_mem_exit(struct guest_mem *mem);

/**
 * Asserts that guest [gpa, gpa + memsz) holds the filesz bytes at file followed by
 * zeroes, and that the byte after it still holds RAM_FILL.
 */
void assert_loaded(struct guest_mem *mem, uint64_t gpa, const uint8_t *file, uint64_t filesz,
                   uint64_t memsz);

/** Returns a copy of the first RAM_SNAP bytes of RAM (or all of it when smaller). */
uint8_t *mem_snapshot(const struct guest_mem *mem);

/** Asserts that RAM still matches snap (taken by mem_snapshot), then frees snap. */
void assert_mem_unchanged(const struct guest_mem *mem, uint8_t *snap, const char *what);

/** Returns the host address of guest [gpa, gpa + len), failing the test when it is not RAM. */
uint8_t *ram_at(struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* ------------------------------------------------------------------ images in memory */

/** A file image in a malloc'd buffer of exactly len bytes (ASan sees every over-read). */
struct image {
    uint8_t *data;
    size_t len;
};

/** One program header. offset 0: the builder places the file bytes itself. */
struct elf_seg {
    uint64_t paddr, filesz, memsz, offset;
    uint32_t type; /* 0: PT_LOAD */
};

#define ELF_SEG_DATA 0x200 /* where the builder puts the first segment's file bytes */
#define ELF_MAX_SEGS 4

/** An ELF executable to build; a zero field takes the value a good image has. */
struct elf_spec {
    int is64;
    uint64_t entry;
    int nsegs;
    struct elf_seg segs[ELF_MAX_SEGS];
    uint16_t type, machine, phentsize, phnum; /* ET_EXEC, the class's, the class's, nsegs */
};

/**
 * Builds the ELF image spec describes: the header, the program headers right after it,
 * then each segment's file bytes (a pattern, image_byte) from ELF_SEG_DATA on, in order.
 */
void elf_build(const struct elf_spec *spec, struct image *img);

/** The byte a built image holds at offset off, wherever nothing else was written. */
uint8_t image_byte(size_t off);

/** Cuts img to its first len bytes (reallocating to exactly that size). */
void image_cut(struct image *img, size_t len);

/** Frees img's buffer. */
void image_free(struct image *img);

/** The a.out kludge fields of a Multiboot header (all 0: none). */
struct mb_kludge {
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/**
 * Writes a Multiboot header at offset off of img: the magic, flags and a checksum that
 * is right (or off by one with bad_checksum), then the kludge fields when k is not NULL.
 */
void mb_put_header(struct image *img, size_t off, uint32_t flags, int bad_checksum,
                   const struct mb_kludge *k);

/** Builds a len-byte image of pattern bytes (image_byte), with no header. */
void image_pattern(struct image *img, size_t len);

/* ------------------------------------------------------------------ the loader fixture */

/**
 * The guest memory and images of a loader test. The checked fixture (loader_setup,
 * loader_teardown) gives each test 16M of fake RAM and frees all three after it.
 */
extern struct guest_mem test_mem;
extern struct image test_img, test_data;
void loader_setup(void);
void loader_teardown(void);

#endif
