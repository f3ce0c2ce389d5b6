/*
 * mptable.c - the machine's MP tables (see mptable.h; chapter 5): the floating pointer, the
 * configuration table header and its entries, describing the machine acpi.c's MADT does.
 */
#include "mptable.h"
#include "acpi.h"
#include "error.h"
#include "ioapic.h"
#include "lapic.h"

#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the MP tables are little-endian");
_Static_assert(sizeof(struct mp_floating_pointer) == 16, "MP spec table 4-1");
_Static_assert(sizeof(struct mp_config_header) == 44, "MP spec table 4-2");
_Static_assert(sizeof(struct mp_processor) == MP_ENTRY_PROCESSOR_LENGTH, "MP spec table 4-4");
_Static_assert(sizeof(struct mp_bus) == MP_ENTRY_LENGTH, "MP spec table 4-6");
_Static_assert(sizeof(struct mp_ioapic) == MP_ENTRY_LENGTH, "MP spec table 4-8");
_Static_assert(sizeof(struct mp_interrupt) == MP_ENTRY_LENGTH, "MP spec tables 4-10, 4-12");

#define ISA_BUS_ID  0
#define ISA_IRQS    16
#define PIT_IRQ     0 /* ISA IRQ 0, the PIT, is on I/O APIC pin 2, as on PCs */
#define PIT_INTIN   2
#define CASCADE_IRQ 2 /* the second 8259's input on the first: no device interrupts there */
#define LAPIC_LINT0 0 /* where the 8259's output arrives (virtual wire) */
#define LAPIC_LINT1 1 /* where NMI arrives */

/*
 * What the processor entries say about each CPU. The spec asks for CPUID leaf 1's signature
 * (EAX) and feature flags (EDX), but the tables are built before any vCPU exists, and the
 * real values are the host's (under KVM) or the interpreter's. The OS does not need them
 * either: Linux takes only the APIC id, the APIC version and the EN and BP flags from a
 * processor entry, and asks each CPU's CPUID itself. So every entry claims a generic
 * family 6 processor with the two features the spec cares about and every CPU stepvm runs
 * on has: an on-chip FPU and an on-chip local APIC.
 */
#define CPU_SIGNATURE    0x600     /* family 6, model 0, stepping 0 */
#define CPU_FEATURE_FPU  (1u << 0) /* CPUID.1:EDX.FPU */
#define CPU_FEATURE_APIC (1u << 9) /* CPUID.1:EDX.APIC */
#define CPU_FEATURES     (CPU_FEATURE_FPU | CPU_FEATURE_APIC)

/* Entries: one processor entry per CPU, then the ISA bus, the I/O APIC, ISA IRQs 0-15 but
 * the cascade, and LINT0 and LINT1. */
static unsigned entry_count(unsigned ncpus)
{
    return ncpus + 1 + 1 + (ISA_IRQS - 1) + 2;
}

size_t mptable__size(unsigned ncpus)
{
    return sizeof(struct mp_floating_pointer) + sizeof(struct mp_config_header) +
           ncpus * (size_t)MP_ENTRY_PROCESSOR_LENGTH +
           (entry_count(ncpus) - ncpus) * (size_t)MP_ENTRY_LENGTH;
}

/* ======== Entries ======== */

static uint8_t *processor(uint8_t *e, unsigned cpu)
{
    struct mp_processor p = {
        .entry_type = MP_ENTRY_PROCESSOR,
        .local_apic_id = (uint8_t)cpu,
        .local_apic_version = LAPIC_VERSION,
        .cpu_flags = MP_CPU_EN | (cpu == 0 ? MP_CPU_BP : 0),
        .cpu_signature = CPU_SIGNATURE,
        .feature_flags = CPU_FEATURES,
    };
    memcpy(e, &p, sizeof(p));
    return e + sizeof(p);
}

static uint8_t *bus(uint8_t *e)
{
    struct mp_bus b = {.entry_type = MP_ENTRY_BUS, .bus_id = ISA_BUS_ID};

    memcpy(b.bus_type, MP_BUS_ISA, sizeof(b.bus_type));
    memcpy(e, &b, sizeof(b));
    return e + sizeof(b);
}

static uint8_t *ioapic(uint8_t *e)
{
    struct mp_ioapic io = {
        .entry_type = MP_ENTRY_IOAPIC,
        .ioapic_id = MPTABLE_IOAPIC_ID,
        .ioapic_version = IOAPIC_VERSION_ID,
        .ioapic_flags = MP_IOAPIC_EN,
        .ioapic_address = IOAPIC_BASE,
    };
    memcpy(e, &io, sizeof(io));
    return e + sizeof(io);
}

/* An interrupt assignment entry of type entry_type; flags 0: the ISA bus's own polarity and
 * trigger mode (active high, edge), which every interrupt here has, virtio's included. */
static uint8_t *interrupt(uint8_t *e, uint8_t entry_type, uint8_t type, uint8_t irq,
                          uint8_t apic_id, uint8_t intin)
{
    struct mp_interrupt i = {
        .entry_type = entry_type,
        .interrupt_type = type,
        .interrupt_flags = MP_POLARITY_CONFORMS | MP_TRIGGER_CONFORMS,
        .source_bus_id = ISA_BUS_ID,
        .source_bus_irq = irq,
        .destination_apic_id = apic_id,
        .destination_intin = intin,
    };
    memcpy(e, &i, sizeof(i));
    return e + sizeof(i);
}

/*
 * ISA IRQ n on I/O APIC pin n, but the PIT's IRQ 0 on pin 2, and no entry for IRQ 2, the
 * cascade, as PC firmware lists them. Many real BIOSes add an ExtINT entry for the 8259's
 * output on pin 0; this machine has no such wire (neither KVM's in-kernel I/O APIC nor
 * stepvm's model drives pin 0), so the table does not claim it. A kernel that believed it
 * would route the 8259 through pin 0 in "virtual wire via the I/O APIC" mode (Linux does, at
 * shutdown and when the timer does not tick on pin 2) and hear nothing. The 8259 reaches
 * the CPUs through LINT0 alone, and that is what the local entries say.
 */
static uint8_t *io_interrupts(uint8_t *e)
{
    for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
        if (irq == CASCADE_IRQ)
            continue;
        uint8_t intin = (uint8_t)(irq == PIT_IRQ ? PIT_INTIN : irq);
        e = interrupt(e, MP_ENTRY_IO_INTERRUPT, MP_INT, (uint8_t)irq, MPTABLE_IOAPIC_ID, intin);
    }
    return e;
}

/* Virtual wire mode: the 8259 on every local APIC's LINT0, NMI on LINT1 (the bus IRQ of a
 * local entry does not apply; 0). */
static uint8_t *local_interrupts(uint8_t *e)
{
    e = interrupt(e, MP_ENTRY_LOCAL_INTERRUPT, MP_EXTINT, 0, MP_ALL_LOCAL_APICS, LAPIC_LINT0);
    return interrupt(e, MP_ENTRY_LOCAL_INTERRUPT, MP_NMI, 0, MP_ALL_LOCAL_APICS, LAPIC_LINT1);
}

/* ======== The tables ======== */

static int check(const struct mptable_config *cfg, uint64_t addr, size_t size)
{
    if (cfg->ncpus < 1 || cfg->ncpus > MPTABLE_MAX_CPUS)
        return error__set("MP table: %u CPUs (1 to %d can be described)", cfg->ncpus,
                          MPTABLE_MAX_CPUS);
    if (addr % 16 != 0)
        return error__set("MP table: address 0x%llx is not 16-byte aligned (the floating "
                          "pointer must be)",
                          (unsigned long long)addr);
    size_t need = mptable__size(cfg->ncpus);
    if (size < need)
        return error__set("MP table: %zu bytes are too few (%u CPUs need %zu)", size, cfg->ncpus,
                          need);
    if (addr > UINT32_MAX || need > UINT32_MAX - addr + 1)
        return error__set("MP table: address 0x%llx is not below 4 GiB (its pointers have 32 bits)",
                          (unsigned long long)addr);
    return 0;
}

/* [mptable-build] */
long mptable__build(const struct mptable_config *cfg, uint64_t addr, uint8_t *buf, size_t size)
{
    if (check(cfg, addr, size) < 0)
        return -1;
    memset(buf, 0, size);

    /* The base table: its entries after the header, in the order of their types. */
    uint8_t *table = buf + sizeof(struct mp_floating_pointer);
    uint8_t *e = table + sizeof(struct mp_config_header);
    for (unsigned cpu = 0; cpu < cfg->ncpus; cpu++)
        e = processor(e, cpu);
    e = bus(e);
    e = ioapic(e);
    e = io_interrupts(e);
    e = local_interrupts(e);

    struct mp_config_header h = {
        .base_table_length = (uint16_t)(e - table),
        .spec_rev = MP_SPEC_REV,
        .entry_count = (uint16_t)entry_count(cfg->ncpus),
        .local_apic_address = LAPIC_BASE,
    }; /* no OEM table, no extended entries */
    memcpy(h.signature, MP_CONFIG_SIGNATURE, 4);
    memcpy(h.oem_id, MP_OEM_ID, sizeof(h.oem_id));
    memcpy(h.product_id, MP_PRODUCT_ID, sizeof(h.product_id));
    memcpy(table, &h, sizeof(h));
    /* The checksum: the 8-bit sum ACPI uses too, over the whole base table. */
    table[offsetof(struct mp_config_header, checksum)] = (uint8_t)-acpi__sum(table, e - table);

    /* The floating pointer, which the OS finds by its signature, at the ROM's first byte. */
    struct mp_floating_pointer f = {
        .physical_address_pointer = (uint32_t)(addr + sizeof(f)),
        .length = MP_FLOATING_LENGTH,
        .spec_rev = MP_SPEC_REV,
        .feature1 = MP_FEATURE1_TABLE,
        .feature2 = 0, /* IMCRP clear: virtual wire mode, no IMCR to switch */
    };
    memcpy(f.signature, MP_FLOATING_SIGNATURE, 4);
    f.checksum = (uint8_t)-acpi__sum((const uint8_t *)&f, sizeof(f));
    memcpy(buf, &f, sizeof(f));
    return (long)(e - buf);
}
/* [mptable-build] */
