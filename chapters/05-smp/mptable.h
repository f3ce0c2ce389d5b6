/*
 * mptable.h - the Intel MultiProcessor Specification (version 1.4) tables, the older of the
 * two ways firmware tells an operating system how many CPUs the machine has (chapter 5).
 *
 * What it is for. Before ACPI, a PC's BIOS described its multiprocessor hardware in an MP
 * table: one entry per processor (its local APIC id, and which one is the bootstrap
 * processor), the buses, the I/O APICs, and where each bus interrupt arrives. ACPI's MADT
 * says the same things, and a kernel with ACPI reads the MADT and ignores the MP table. The
 * MP table is what a kernel falls back to when it was built without ACPI, or booted with
 * acpi=off. Linux reads it when built with CONFIG_X86_MPPARSE: Debian's generic kernel is,
 * its cloud kernel is not (that one finds several CPUs only through the MADT). A machine
 * that offers both tables serves both kinds of kernel; they must then describe one machine.
 *
 * Where the OS looks. The MP floating pointer structure, 16 bytes on a 16-byte boundary
 * starting with "_MP_", is searched for in the first KiB of the extended BIOS data area, in
 * the last KiB of base memory (639-640 KiB), and in the BIOS ROM, 0xf0000-0xfffff. Here it
 * is the first thing in that ROM, at MPTABLE_ADDR. It points at the MP configuration table
 * ("PCMP"), which follows it: a header and then its entries, sorted by type.
 *
 * How it relates to the MADT (acpi.h). Processor entries are the MADT's Processor Local
 * APIC entries; the I/O APIC entry is its I/O APIC entry. The MP table names every ISA
 * interrupt's I/O APIC pin, where the MADT only names the exceptions (an Interrupt Source
 * Override for IRQ 0 on pin 2); and it says where the 8259's output (ExtINT) and NMI arrive
 * on the local APICs, where the MADT only has a Local APIC NMI entry and the PC/AT
 * compatibility flag. The MADT can also carry 32-bit APIC ids (x2APIC); the MP table stops
 * at 8 bits.
 */
#ifndef STEPVM_MPTABLE_H
#define STEPVM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_ADDR     0xf0000ull /* the BIOS ROM: the floating pointer at its first byte */
#define MPTABLE_MAX      0x10000ull /* ... and the tables within its 64 KiB */
#define MPTABLE_MAX_CPUS 64         /* the most the table describes; 8-bit ids would allow 255 */

/* The MP floating pointer structure (MP spec 1.4, section 4.1). */
#define MP_FLOATING_SIGNATURE "_MP_"
#define MP_FLOATING_LENGTH    1    /* in 16-byte paragraphs */
#define MP_SPEC_REV           4    /* version 1.4 (1 is version 1.1) */
#define MP_FEATURE1_TABLE     0    /* feature byte 1: 0 = a configuration table is present */
#define MP_FEATURE2_IMCRP     0x80 /* feature byte 2: IMCR present, PIC mode; clear = virtual wire */

/* The MP configuration table header (section 4.2). */
#define MP_CONFIG_SIGNATURE "PCMP"
#define MP_OEM_ID           "STEPVM  "     /* 8 characters, space-padded */
#define MP_PRODUCT_ID       "PC          " /* 12 characters, space-padded */

/* Entry types (section 4.3), in the order the table must list them, and their lengths. */
#define MP_ENTRY_PROCESSOR        0
#define MP_ENTRY_BUS              1
#define MP_ENTRY_IOAPIC           2
#define MP_ENTRY_IO_INTERRUPT     3
#define MP_ENTRY_LOCAL_INTERRUPT  4
#define MP_ENTRY_PROCESSOR_LENGTH 20
#define MP_ENTRY_LENGTH           8        /* every other base entry */
#define MP_CPU_EN                 0x01     /* processor entry: usable */
#define MP_CPU_BP                 0x02     /* processor entry: the bootstrap processor */
#define MP_BUS_ISA                "ISA   " /* bus type string, 6 characters, space-padded */
#define MP_IOAPIC_EN              0x01     /* I/O APIC entry: usable */
#define MP_INT                    0        /* interrupt types: vectored, from the APIC */
#define MP_NMI                    1
#define MP_SMI                    2
#define MP_EXTINT                 3    /* vectored, from the 8259 */
#define MP_POLARITY_CONFORMS      0x00 /* interrupt flags PO (bits 1-0): the bus's own */
#define MP_POLARITY_ACTIVE_HIGH   0x01
#define MP_POLARITY_ACTIVE_LOW    0x03
#define MP_TRIGGER_CONFORMS       0x00 /* interrupt flags EL (bits 3-2): the bus's own */
#define MP_TRIGGER_EDGE           0x04
#define MP_TRIGGER_LEVEL          0x0c
#define MP_ALL_LOCAL_APICS        0xff /* local interrupt entry: every processor */

/* The machine's I/O APIC id: the one acpi.c's MADT gives it and the model resets to. */
#define MPTABLE_IOAPIC_ID 0

/*
 * The layouts, with the specification's field names. All fields are little-endian, as the
 * x86 hosts this runs on store them, and packed: the spec leaves no padding.
 */
struct mp_floating_pointer {
    char signature[4];
    uint32_t physical_address_pointer; /* of the configuration table */
    uint8_t length;
    uint8_t spec_rev;
    uint8_t checksum; /* all 16 bytes sum to 0 */
    uint8_t feature1; /* MP feature information bytes 1-5 */
    uint8_t feature2;
    uint8_t feature3_5[3];
} __attribute__((packed));

struct mp_config_header {
    char signature[4];
    uint16_t base_table_length; /* header and base entries */
    uint8_t spec_rev;
    uint8_t checksum; /* the base table sums to 0 */
    char oem_id[8];
    char product_id[12];
    uint32_t oem_table_pointer;
    uint16_t oem_table_size;
    uint16_t entry_count;
    uint32_t local_apic_address;
    uint16_t extended_table_length;
    uint8_t extended_table_checksum;
    uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
    uint8_t entry_type;
    uint8_t local_apic_id;
    uint8_t local_apic_version;
    uint8_t cpu_flags;
    uint32_t cpu_signature; /* stepping (bits 3-0), model (7-4), family (11-8) */
    uint32_t feature_flags; /* as CPUID leaf 1 reports them in EDX */
    uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
    uint8_t entry_type;
    uint8_t bus_id;
    char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
    uint8_t entry_type;
    uint8_t ioapic_id;
    uint8_t ioapic_version;
    uint8_t ioapic_flags;
    uint32_t ioapic_address;
} __attribute__((packed));

/* An I/O interrupt assignment entry (destination: an I/O APIC and its INTIN pin) or a local
 * interrupt assignment entry (destination: a local APIC and its LINTIN pin). */
struct mp_interrupt {
    uint8_t entry_type;
    uint8_t interrupt_type;
    uint16_t interrupt_flags;
    uint8_t source_bus_id;
    uint8_t source_bus_irq;
    uint8_t destination_apic_id;
    uint8_t destination_intin;
} __attribute__((packed));

/** What the tables describe. */
struct mptable_config {
    unsigned ncpus; /* 1 to MPTABLE_MAX_CPUS: CPU i has local APIC id i; CPU 0 boots */
};

/** Returns the length of the tables for ncpus CPUs: floating pointer and base table. */
size_t mptable__size(unsigned ncpus);

/**
 * Builds the floating pointer and the configuration table into buf (size bytes) for a
 * machine that places buf at guest-physical address addr: the floating pointer at offset
 * 0, the configuration table right after it. All size bytes are written, the ones after the
 * tables with 0. Returns the tables' length, or -1 with the error set when cfg->ncpus is
 * out of range, buf is too small, addr is not 16-byte aligned, or the tables would not lie
 * below 4 GiB (the spec's pointers have 32 bits).
 */
long mptable__build(const struct mptable_config *cfg, uint64_t addr, uint8_t *buf, size_t size);

#endif
