/*
 * acpi.c - the machine's ACPI tables (see acpi.h; chapter 4): RSDP, XSDT, a hardware-reduced
 * FADT, the MADT and a DSDT written with the AML encoder of aml.h.
 */
#include "acpi.h"
#include "aml.h"
#include "error.h"
#include "ioapic.h"
#include "lapic.h"
#include "ports.h"
#include "rtc.h"

#include <stdio.h>
#include <string.h>

#define TABLE_ALIGN  16 /* where each table starts in the blob */
#define XSDT_ENTRIES 2  /* FADT, MADT: the DSDT is reached through the FADT */
#define COM1_IRQ     4
#define RTC_IRQ      8
#define PIT_IRQ      0 /* the ISA IRQ the PIT drives ... */
#define PIT_GSI      2 /* ... wired to I/O APIC pin 2, as on PCs and in QEMU */
#define LAPIC_LINT1  1 /* the pin firmware connects NMI to */

/* Revisions of the table layouts written here (ACPI 6.5). */
#define XSDT_REVISION      1
#define FADT_REVISION      6 /* with FADT_MINOR_VERSION: the 276-byte layout of ACPI 6.0 on */
#define FADT_MINOR_VERSION 0
#define MADT_REVISION      5
#define DSDT_REVISION      2 /* 2 or more: AML integers are 64 bits */
#define RSDP_REVISION      2

/* ======== Bytes ======== */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t acpi__sum(const uint8_t *bytes, size_t n)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + bytes[i]);
    return sum;
}

/* Sets the checksum byte at offset at so that the n bytes of t sum to 0. */
static void checksum(uint8_t *t, size_t n, size_t at)
{
    t[at] = 0;
    t[at] = (uint8_t)-acpi__sum(t, n);
}

/* Writes the header every table but the RSDP starts with; the checksum comes last. */
static void header(uint8_t *t, const char *signature, uint32_t length, uint8_t revision)
{
    memcpy(t, signature, 4);
    put32(t + 4, length);
    t[8] = revision;
    memcpy(t + 10, ACPI_OEM_ID, 6);
    memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
    put32(t + 24, 1); /* OEM revision */
    memcpy(t + 28, ACPI_CREATOR_ID, 4);
    put32(t + 32, 1); /* creator revision */
}

static void finish(uint8_t *t, uint32_t length)
{
    checksum(t, length, 9);
}

/* A Generic Address Structure: one byte at port in the I/O space. */
static void gas_io_byte(uint8_t *p, uint16_t port)
{
    p[0] = ACPI_GAS_SYSTEM_IO;
    p[1] = 8; /* register bit width */
    p[2] = 0; /* bit offset */
    p[3] = ACPI_GAS_ACCESS_BYTE;
    put64(p + 4, port);
}

/* ======== The tables ======== */

static void rsdp(uint8_t *t, uint64_t xsdt)
{
    memcpy(t, ACPI_RSDP_SIGNATURE, 8);
    memcpy(t + 9, ACPI_OEM_ID, 6);
    t[15] = RSDP_REVISION;
    put32(t + 16, 0); /* no RSDT: an OS that knows revision 2 reads the XSDT */
    put32(t + 20, ACPI_RSDP_SIZE);
    put64(t + 24, xsdt);
    checksum(t, ACPI_RSDP_V1_SIZE, 8);
    checksum(t, ACPI_RSDP_SIZE, 32);
}

static uint32_t xsdt(uint8_t *t, uint64_t fadt, uint64_t madt)
{
    uint32_t length = ACPI_HEADER_SIZE + 8 * XSDT_ENTRIES;

    header(t, "XSDT", length, XSDT_REVISION);
    put64(t + ACPI_HEADER_SIZE, fadt);
    put64(t + ACPI_HEADER_SIZE + 8, madt);
    finish(t, length);
    return length;
}

/* [fadt] */
static uint32_t fadt(uint8_t *t, uint64_t dsdt)
{
    header(t, "FACP", ACPI_FADT_SIZE, FADT_REVISION);
    /* Everything the hardware-reduced model has no use for stays 0: FACS, SCI, SMI_CMD,
     * the PM1, PM2, PM timer and GPE blocks, the reset register. */
    t[ACPI_FADT_CENTURY] = RTC_CENTURY; /* where the RTC keeps the century: Linux reads it */
    /* ISA devices that no table lists (COM1's probe, the RTC, the PIT) but no keyboard
     * controller (Linux leaves ports 0x60/0x64 alone), no VGA (no probe of its memory),
     * no PCI and so no MSI. The CMOS RTC is there. */
    put16(t + ACPI_FADT_IAPC_BOOT_ARCH,
          ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_VGA_NOT_PRESENT | ACPI_IAPC_MSI_NOT_SUPPORTED);
    /* Hardware-reduced: no fixed hardware at all, so no fixed-feature buttons either. */
    put32(t + ACPI_FADT_FLAGS,
          ACPI_FADT_HW_REDUCED_ACPI | ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON);
    t[ACPI_FADT_MINOR_VERSION] = FADT_MINOR_VERSION;
    put64(t + ACPI_FADT_X_DSDT, dsdt); /* the 32-bit DSDT field stays 0 */
    gas_io_byte(t + ACPI_FADT_SLEEP_CONTROL_REG, ACPI_SLEEP_CONTROL_PORT);
    gas_io_byte(t + ACPI_FADT_SLEEP_STATUS_REG, ACPI_SLEEP_STATUS_PORT);
    memcpy(t + ACPI_FADT_HYPERVISOR_ID, ACPI_OEM_ID, 6);
    finish(t, ACPI_FADT_SIZE);
    return ACPI_FADT_SIZE;
}
/* [fadt] */

static uint32_t madt_length(unsigned ncpus)
{
    return ACPI_MADT_ENTRIES + ncpus * ACPI_MADT_LOCAL_APIC_LEN + ACPI_MADT_IO_APIC_LEN +
           ACPI_MADT_INT_OVERRIDE_LEN + ACPI_MADT_LOCAL_APIC_NMI_LEN;
}

/* [madt-cpus] */
static uint32_t madt(uint8_t *t, unsigned ncpus)
{
    uint32_t length = madt_length(ncpus);
    uint8_t *e = t + ACPI_MADT_ENTRIES;

    header(t, "APIC", length, MADT_REVISION);
    put32(t + ACPI_MADT_LAPIC_ADDR, LAPIC_BASE);
    put32(t + ACPI_MADT_FLAGS, ACPI_MADT_PCAT_COMPAT);
    for (unsigned i = 0; i < ncpus; i++, e += ACPI_MADT_LOCAL_APIC_LEN) {
        e[0] = ACPI_MADT_LOCAL_APIC;
        e[1] = ACPI_MADT_LOCAL_APIC_LEN;
        e[2] = (uint8_t)i; /* ACPI processor uid */
        e[3] = (uint8_t)i; /* APIC id */
        put32(e + 4, ACPI_MADT_ENABLED);
    }
    /* [madt-cpus] */
    /* I/O APIC id 0 beside CPU 0's APIC id 0, as QEMU has it: since the xAPIC, interrupt
     * messages travel on the system bus, not on an APIC bus where the ids had to differ. */
    e[0] = ACPI_MADT_IO_APIC;
    e[1] = ACPI_MADT_IO_APIC_LEN;
    e[2] = 0; /* I/O APIC id, as the model resets it */
    put32(e + 4, IOAPIC_BASE);
    put32(e + 8, 0); /* its first pin is GSI 0 */
    e += ACPI_MADT_IO_APIC_LEN;
    /* ISA IRQ 0 (the PIT) is on pin 2; IRQs 1-15 are on their own pins. Flags 0: the bus's
     * own polarity and trigger (ISA: active-high, edge). */
    e[0] = ACPI_MADT_INT_OVERRIDE;
    e[1] = ACPI_MADT_INT_OVERRIDE_LEN;
    e[2] = 0; /* bus: ISA */
    e[3] = PIT_IRQ;
    put32(e + 4, PIT_GSI);
    put16(e + 8, 0);
    e += ACPI_MADT_INT_OVERRIDE_LEN;
    /* NMI on every CPU's LINT1, as PC firmware wires it. */
    e[0] = ACPI_MADT_LOCAL_APIC_NMI;
    e[1] = ACPI_MADT_LOCAL_APIC_NMI_LEN;
    e[2] = ACPI_MADT_ALL_PROCESSORS;
    put16(e + 3, 0);
    e[5] = LAPIC_LINT1;
    finish(t, length);
    return length;
}

/* Device(name) for an ISA device at ports [port, port + nports) on IRQ irq. */
static void isa_device(struct aml *a, const char *name, const char *eisa_id, uint16_t port,
                       uint8_t nports, unsigned irq)
{
    size_t dev = aml__device_begin(a, name);
    aml__name(a, "_HID");
    aml__eisa_id(a, eisa_id);
    aml__name(a, "_UID");
    aml__integer(a, 1);
    aml__name(a, "_CRS");
    size_t crs = aml__resource_template_begin(a);
    aml__io(a, port, nports);
    aml__irq_no_flags(a, irq);
    aml__resource_template_end(a, crs);
    aml__end(a, dev);
}

/* [virtio-device] */
/* Device(VIOi) for virtio-mmio device i, which Linux's driver knows by its _HID. */
static void virtio_device(struct aml *a, unsigned i, const struct acpi_virtio *v)
{
    char name[5] = {'V', 'I', 'O', (char)('0' + i), 0};

    size_t dev = aml__device_begin(a, name);
    aml__name(a, "_HID");
    aml__string(a, "LNRO0005");
    aml__name(a, "_UID");
    aml__integer(a, i);
    aml__name(a, "_CRS");
    size_t crs = aml__resource_template_begin(a);
    aml__memory32_fixed(a, 1, (uint32_t)v->base, v->size);
    /* Edge-triggered: the device pulses its line for each interrupt it sends, rather than
     * holding it up until the driver writes InterruptACK. */
    aml__interrupt(a, ACPI_RES_IRQ_CONSUMER | ACPI_RES_IRQ_EDGE, v->irq);
    aml__resource_template_end(a, crs);
    aml__end(a, dev);
}
/* [virtio-device] */

/* [dsdt-body] */
/*
 * The DSDT's definition block: the devices no bus can enumerate, and how to power off.
 * The ISA devices are declared although Linux finds them by probing their ports: in the
 * hardware-reduced model it does without the 8259s (Linux 6.1 puts its null_legacy_pic in
 * their place), and so routes no ISA IRQ to the I/O APIC unless a table names it. These
 * entries give COM1 and the RTC their interrupts.
 */
static void dsdt_body(struct aml *a, const struct acpi_config *cfg)
{
    size_t sb = aml__scope_begin(a, "\\_SB");

    isa_device(a, "COM1", "PNP0501", PORT_COM1, UART_NPORTS, COM1_IRQ); /* a 16550A */
    isa_device(a, "RTC", "PNP0B00", RTC_PORT_INDEX, 2, RTC_IRQ);        /* AT-style CMOS clock */
    for (unsigned i = 0; i < cfg->nvirtio; i++)
        virtio_device(a, i, &cfg->virtio[i]);
    aml__end(a, sb);

    /* \_S5_: the SLP_TYPa and SLP_TYPb values for soft off. */
    aml__name(a, "\\_S5_");
    size_t pkg = aml__package_begin(a, 2);
    aml__integer(a, ACPI_S5_SLP_TYP);
    aml__integer(a, 0);
    aml__end(a, pkg);
}
/* [dsdt-body] */

static long dsdt(uint8_t *t, size_t cap, const struct acpi_config *cfg)
{
    struct aml a;

    if (cap < ACPI_HEADER_SIZE)
        return error__set("ACPI tables: no room for the DSDT");
    aml__init(&a, t + ACPI_HEADER_SIZE, cap - ACPI_HEADER_SIZE);
    dsdt_body(&a, cfg);
    if (aml__failed(&a)) {
        char why[ERROR_MAX];
        snprintf(why, sizeof(why), "%s", error__get());
        return error__set("ACPI tables: DSDT: %s", why);
    }
    uint32_t length = (uint32_t)(ACPI_HEADER_SIZE + a.len);
    header(t, "DSDT", length, DSDT_REVISION);
    finish(t, length);
    return length;
}

/* ======== The blob ======== */

static int check_config(const struct acpi_config *cfg)
{
    if (cfg->ncpus < 1 || cfg->ncpus > ACPI_MAX_CPUS)
        return error__set("ACPI tables: %u CPUs (1 to %d can be described)", cfg->ncpus,
                          ACPI_MAX_CPUS);
    if (cfg->nvirtio > ACPI_MAX_VIRTIO)
        return error__set("ACPI tables: %u virtio devices (at most %d)", cfg->nvirtio,
                          ACPI_MAX_VIRTIO);
    for (unsigned i = 0; i < cfg->nvirtio; i++) {
        const struct acpi_virtio *v = &cfg->virtio[i];
        if (v->base > UINT32_MAX || v->size > UINT32_MAX - v->base + 1 || v->size == 0)
            return error__set("ACPI tables: virtio device %u at 0x%llx+0x%x is not below 4 GiB", i,
                              (unsigned long long)v->base, v->size);
        if (v->irq >= IOAPIC_NUM_PINS)
            return error__set("ACPI tables: virtio device %u on IRQ %u (the I/O APIC has %d)", i,
                              v->irq, IOAPIC_NUM_PINS);
    }
    return 0;
}

static size_t align(size_t off)
{
    return (off + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);
}

/* [build] */
long acpi__build(const struct acpi_config *cfg, uint64_t gpa, uint8_t *buf, size_t cap)
{
    if (check_config(cfg) < 0)
        return -1;
    /* RSDP, XSDT, FADT and MADT have sizes known in advance; the DSDT goes last. */
    size_t at_xsdt = align(ACPI_RSDP_SIZE);
    size_t at_fadt = align(at_xsdt + ACPI_HEADER_SIZE + 8 * XSDT_ENTRIES);
    size_t at_madt = align(at_fadt + ACPI_FADT_SIZE);
    size_t at_dsdt = align(at_madt + madt_length(cfg->ncpus));

    if (cap < at_dsdt)
        return error__set("ACPI tables: %zu bytes are too few (the DSDT alone starts at %zu)", cap,
                          at_dsdt);
    memset(buf, 0, cap);
    long dsdt_len = dsdt(buf + at_dsdt, cap - at_dsdt, cfg);
    if (dsdt_len < 0)
        return -1;
    madt(buf + at_madt, cfg->ncpus);
    fadt(buf + at_fadt, gpa + at_dsdt);
    xsdt(buf + at_xsdt, gpa + at_fadt, gpa + at_madt);
    rsdp(buf, gpa + at_xsdt);
    return (long)at_dsdt + dsdt_len;
}
/* [build] */
