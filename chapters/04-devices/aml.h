/*
 * aml.h - a small encoder of ACPI Machine Language, the bytecode of the DSDT (chapter 4):
 * just what a machine needs to describe its devices to the operating system.
 *
 * The encoder appends to a byte buffer of fixed capacity. A construct that has a length
 * (a Scope, a Device, a Package, a Buffer) is opened with a _begin call, filled, and closed
 * with aml__end (aml__buffer_end for a Buffer), which inserts the PkgLength in front of its
 * contents once their size is known. Errors are sticky: after the first one (no room, a bad
 * name) every call does nothing, and aml__failed tells the caller at the end.
 */
#ifndef STEPVM_AML_H
#define STEPVM_AML_H

#include <stddef.h>
#include <stdint.h>

/* Opcodes, as the ACPI specification names them (chapter 20, "ACPI Machine Language"). */
#define AML_ZERO_OP            0x00
#define AML_ONE_OP             0x01
#define AML_NAME_OP            0x08
#define AML_BYTE_PREFIX        0x0a
#define AML_WORD_PREFIX        0x0b
#define AML_DWORD_PREFIX       0x0c
#define AML_STRING_PREFIX      0x0d
#define AML_QWORD_PREFIX       0x0e
#define AML_SCOPE_OP           0x10
#define AML_BUFFER_OP          0x11
#define AML_PACKAGE_OP         0x12
#define AML_DUAL_NAME_PREFIX   0x2e
#define AML_MULTI_NAME_PREFIX  0x2f
#define AML_EXT_OP_PREFIX      0x5b
#define AML_DEVICE_OP          0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR          0x5c /* '\' */
#define AML_PARENT_PREFIX_CHAR 0x5e /* '^' */
#define AML_NULL_NAME          0x00

#define AML_NAME_SEG_SIZE  4
#define AML_PKG_LENGTH_MAX 0x0fffffff /* 28 bits: the most a 4-byte PkgLength holds */

/* Resource descriptors (ACPI 6.5 section 6.4), each tag byte as it appears in the buffer. */
#define ACPI_RES_IRQ_NO_FLAGS       0x22 /* small item 0x04, 2 bytes: IRQ mask */
#define ACPI_RES_IO                 0x47 /* small item 0x08, 7 bytes */
#define ACPI_RES_END_TAG            0x79 /* small item 0x0f, 1 byte: the checksum */
#define ACPI_RES_MEMORY32_FIXED     0x86 /* large item 0x06 */
#define ACPI_RES_EXTENDED_IRQ       0x89 /* large item 0x09 */
#define ACPI_RES_MEMORY32_FIXED_LEN 9    /* the large items' length field: bytes after it */

#define ACPI_RES_IO_DECODE16    0x01 /* the device decodes all 16 address bits */
#define ACPI_RES_MEM_READ_WRITE 0x01
#define ACPI_RES_IRQ_CONSUMER   0x01 /* Extended Interrupt flags */
#define ACPI_RES_IRQ_EDGE       0x02 /* else level-triggered */
#define ACPI_RES_IRQ_ACTIVE_LOW 0x04 /* else active-high */
#define ACPI_RES_IRQ_SHARED     0x08 /* else exclusive */

/** An AML byte stream being written into buf[0..cap). */
struct aml {
    uint8_t *buf;
    size_t len, cap;
    int failed; /* set by the first error; the error message says what */
};

/** Starts an empty stream in buf (cap bytes). */
void aml__init(struct aml *a, uint8_t *buf, size_t cap);

/** Returns 1 once any call has failed (no room, a bad name), with the error set; else 0. */
int aml__failed(const struct aml *a);

/**
 * Encodes length (which counts the PkgLength bytes themselves) into out, in as few bytes as
 * it fits: one byte up to 63, then two (up to 4095), three (up to 2^20 - 1) or four.
 * Returns how many bytes, or 0 when length exceeds AML_PKG_LENGTH_MAX.
 */
size_t aml__pkg_length(uint8_t out[4], uint32_t length);

/** Appends n raw bytes. */
void aml__bytes(struct aml *a, const void *bytes, size_t n);

/** Appends an integer in its shortest form: ZeroOp, OneOp, or a Byte/Word/DWord/QWord prefix. */
void aml__integer(struct aml *a, uint64_t value);

/** Appends a String: StringPrefix, the ASCII characters, a NUL. */
void aml__string(struct aml *a, const char *s);

/**
 * Appends a NameString: an optional root prefix (a backslash) or parent prefixes (carets),
 * then the dot-separated segments (_SB.COM1), each padded to four characters with '_'. A
 * segment must start with A-Z or '_' and hold only A-Z, 0-9 and '_'.
 */
void aml__name_string(struct aml *a, const char *path);

/** Appends Name(path, ...): the object to bind is the next thing appended. */
void aml__name(struct aml *a, const char *path);

/** Appends an EISA ID ("PNP0501") as the compressed DWord the ASL EISAID macro makes. */
void aml__eisa_id(struct aml *a, const char *id);

/** Opens Scope(path) { ... }. Returns the offset aml__end needs. */
size_t aml__scope_begin(struct aml *a, const char *path);

/** Opens Device(path) { ... }. Returns the offset aml__end needs. */
size_t aml__device_begin(struct aml *a, const char *path);

/** Opens Package(nelements) { ... }. Returns the offset aml__end needs. */
size_t aml__package_begin(struct aml *a, uint8_t nelements);

/** Closes the Scope, Device or Package opened at start: inserts its PkgLength. */
void aml__end(struct aml *a, size_t start);

/** Opens Buffer() { ... }, whose size is counted at aml__buffer_end. */
size_t aml__buffer_begin(struct aml *a);

/** Closes the Buffer opened at start: inserts its PkgLength and its size. */
void aml__buffer_end(struct aml *a, size_t start);

/** Opens ResourceTemplate() { ... }: a Buffer of resource descriptors. */
size_t aml__resource_template_begin(struct aml *a);

/** Closes the ResourceTemplate opened at start, with its End Tag. */
void aml__resource_template_end(struct aml *a, size_t start);

/** Appends Memory32Fixed(ReadWrite or ReadOnly, base, length). */
void aml__memory32_fixed(struct aml *a, int read_write, uint32_t base, uint32_t length);

/** Appends Interrupt(ResourceConsumer, ...) {irq}; flags are ACPI_RES_IRQ_*. */
void aml__interrupt(struct aml *a, uint8_t flags, uint32_t irq);

/** Appends IO(Decode16, base, base, 1, length): a fixed range of ports. */
void aml__io(struct aml *a, uint16_t base, uint8_t length);

/** Appends IRQNoFlags() {irq}: an ISA interrupt, edge-triggered and active-high. */
void aml__irq_no_flags(struct aml *a, unsigned irq);

#endif
