/*
 * acpi.h - the ACPI tables that tell an operating system what this machine has (chapter 4):
 * its CPUs and interrupt controllers (MADT), its virtio-mmio devices and how to power it off
 * (DSDT), and that it is "hardware-reduced" (FADT): no PM timer, no SCI, no fixed events.
 *
 * They are built once into a blob that the machine maps read-only at ACPI_TABLES_ADDR, with
 * the RSDP at its first byte: in the range Linux scans for it (0xe0000-0xfffff, on 16-byte
 * boundaries), and the address a loader gives Linux in the zero page's acpi_rsdp_addr.
 */
#ifndef STEPVM_ACPI_H
#define STEPVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_TABLES_ADDR 0xe0000ull /* the read-only slot the tables live in; RSDP first */
#define ACPI_TABLES_MAX  0x10000ull

#define ACPI_MAX_CPUS   255 /* Processor Local APIC entries carry 8-bit ids; 0xff is broadcast */
#define ACPI_MAX_VIRTIO 6

/* The sleep registers of a hardware-reduced machine (ACPI 6.5 section 4.8.3.7), one byte each
 * in the I/O port space; the FADT points at them, acpi_pm.h models them. */
#define ACPI_SLEEP_CONTROL_PORT 0x600
#define ACPI_SLEEP_STATUS_PORT  0x601
#define ACPI_SLP_TYP_SHIFT      2 /* SLP_TYPx, bits 4-2 of the sleep control register */
#define ACPI_SLP_TYP_MASK       0x1c
#define ACPI_SLP_EN             0x20 /* write 1: enter the sleep state in SLP_TYPx */
#define ACPI_WAK_STS            0x80 /* of the sleep status register */
#define ACPI_S5_SLP_TYP         5    /* \_S5_'s value here: soft off */

/* Signatures and sizes (ACPI 6.5 chapter 5). */
#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_V1_SIZE   20 /* what the first checksum covers */
#define ACPI_RSDP_SIZE      36 /* revision 2: what the extended checksum covers */
#define ACPI_HEADER_SIZE    36 /* every other table starts with this header */
#define ACPI_FADT_SIZE      276
#define ACPI_OEM_ID         "STEPVM"
#define ACPI_OEM_TABLE_ID   "STEPVM  "
#define ACPI_CREATOR_ID     "STEP"

/* FADT fields used here, by offset, and their flags. */
#define ACPI_FADT_CENTURY           108
#define ACPI_FADT_IAPC_BOOT_ARCH    109
#define ACPI_FADT_FLAGS             112
#define ACPI_FADT_MINOR_VERSION     131
#define ACPI_FADT_X_DSDT            140
#define ACPI_FADT_SLEEP_CONTROL_REG 244
#define ACPI_FADT_SLEEP_STATUS_REG  256
#define ACPI_FADT_HYPERVISOR_ID     268

#define ACPI_FADT_PWR_BUTTON      (1u << 4) /* no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON      (1u << 5) /* no fixed-feature sleep button */
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)

#define ACPI_IAPC_LEGACY_DEVICES       (1u << 0) /* ISA devices the OS cannot enumerate */
#define ACPI_IAPC_8042                 (1u << 1)
#define ACPI_IAPC_VGA_NOT_PRESENT      (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED    (1u << 3)
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* MADT (signature "APIC") and its entries. */
#define ACPI_MADT_LAPIC_ADDR         36 /* offset of the local APIC address */
#define ACPI_MADT_FLAGS              40
#define ACPI_MADT_ENTRIES            44 /* offset of the first entry */
#define ACPI_MADT_PCAT_COMPAT        1u /* the machine also has a pair of 8259s */
#define ACPI_MADT_LOCAL_APIC         0  /* entry types, each followed by its length */
#define ACPI_MADT_IO_APIC            1
#define ACPI_MADT_INT_OVERRIDE       2
#define ACPI_MADT_LOCAL_APIC_NMI     4
#define ACPI_MADT_LOCAL_APIC_LEN     8
#define ACPI_MADT_IO_APIC_LEN        12
#define ACPI_MADT_INT_OVERRIDE_LEN   10
#define ACPI_MADT_LOCAL_APIC_NMI_LEN 6
#define ACPI_MADT_ENABLED            1u   /* a Processor Local APIC's flags */
#define ACPI_MADT_ALL_PROCESSORS     0xff /* a Local APIC NMI's processor uid */

/* The Generic Address Structure's address space ids. */
#define ACPI_GAS_SYSTEM_IO   1
#define ACPI_GAS_ACCESS_BYTE 1

/** One virtio-mmio device as the DSDT declares it: its registers and its interrupt. */
struct acpi_virtio {
    uint64_t base; /* below 4 GiB: Memory32Fixed holds 32 bits */
    uint32_t size; /* the registers' length, 0x200 for virtio-mmio */
    unsigned irq;  /* its GSI, on the I/O APIC */
};

/** What the tables describe. */
struct acpi_config {
    unsigned ncpus; /* 1 to ACPI_MAX_CPUS: APIC id = ACPI processor uid = index */
    struct acpi_virtio virtio[ACPI_MAX_VIRTIO];
    unsigned nvirtio;
};

/**
 * Builds RSDP, XSDT, FADT, MADT and DSDT into buf (cap bytes), laid out for guest-physical
 * address gpa (every pointer inside is gpa-based), the RSDP at offset 0; all cap bytes
 * are written, the ones after the tables with 0. Returns the length, or -1 with the error
 * set when cap is too small or cfg describes what the tables cannot (no CPU or too many,
 * too many devices, a device above 4 GiB, an IRQ no I/O APIC pin has).
 */
long acpi__build(const struct acpi_config *cfg, uint64_t gpa, uint8_t *buf, size_t cap);

/** Returns the 8-bit sum of n bytes: 0 for a table whose checksum is right. */
uint8_t acpi__sum(const uint8_t *bytes, size_t n);

#endif
