/*
 * mptable.c - tests of the MP tables (mptable.h), read back as an operating system reads
 * them: found by the floating pointer's signature, walked byte by byte with the offsets of
 * the MP specification 1.4, and compared with the MADT that acpi.h builds for the same
 * machine.
 */
#include "acpi.h"
#include "ch5_tests.h"
#include "error.h"
#include "mptable.h"

#include "hw/virtio.h"

#include <string.h>

#define ROM_ADDR 0xf0000u /* the F segment, where Linux scans for the floating pointer */

/* The spec's entry types and lengths, written out here so that the test does not read the
 * tables through the builder's own definitions. */
enum { PROCESSOR, BUS, IOAPIC, IO_INTERRUPT, LOCAL_INTERRUPT };
#define PROCESSOR_LEN 20
#define ENTRY_LEN     8
#define HEADER_LEN    44

static uint8_t rom[0x10000];
static long rom_len;

/* What the walk found. */
struct mp_view {
    unsigned nproc, nbus, nioapic, nio, nlocal, entries;
    uint8_t apic_id[256], cpu_flags[256], apic_version[256];
    uint8_t ioapic_id, ioapic_flags;
    uint32_t ioapic_addr, lapic_addr;
    int pin_of_irq[16]; /* -1: no entry */
    uint8_t irq_type[16], irq_apic[16];
    uint16_t irq_flags[16];
    int extint_on_pin0;
    uint8_t lint_type[2], lint_dest[2];
    int lint_seen[2];
};

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void build(unsigned ncpus)
{
    struct mptable_config cfg = {.ncpus = ncpus};

    memset(rom, 0xee, sizeof(rom));
    rom_len = mptable__build(&cfg, ROM_ADDR, rom, sizeof(rom));
    ck_assert_msg(rom_len > 0, "mptable__build: %s", error__get());
    ck_assert_uint_eq((size_t)rom_len, mptable__size(ncpus));
    for (size_t i = (size_t)rom_len; i < sizeof(rom); i++)
        ck_assert_msg(rom[i] == 0, "byte %zu after the tables is 0x%02x", i, rom[i]);
}

/* Finds the floating pointer as Linux's smp_scan_config does: on 16-byte boundaries, the
 * signature, a length of 1 paragraph, a checksum that sums to 0, revision 1 or 4. */
static const uint8_t *find_floating_pointer(void)
{
    for (size_t off = 0; off + 16 <= sizeof(rom); off += 16) {
        const uint8_t *p = rom + off;
        if (memcmp(p, "_MP_", 4) == 0 && p[8] == 1 && sum(p, 16) == 0 && (p[9] == 1 || p[9] == 4))
            return p;
    }
    ck_abort_msg("no MP floating pointer in the ROM");
    return NULL;
}

static const uint8_t *config_table(void)
{
    const uint8_t *f = find_floating_pointer();
    uint32_t at = get32(f + 4);

    ck_assert_uint_ge(at, ROM_ADDR);
    ck_assert_uint_le(at + HEADER_LEN, ROM_ADDR + (uint64_t)rom_len);
    const uint8_t *t = rom + (at - ROM_ADDR);
    ck_assert_mem_eq(t, "PCMP", 4);
    uint16_t length = get16(t + 4);
    ck_assert_uint_ge(length, HEADER_LEN);
    ck_assert_uint_le(at + length, ROM_ADDR + (uint64_t)rom_len);
    ck_assert_msg(sum(t, length) == 0, "the base table's checksum");
    return t;
}

static void entry_interrupt(struct mp_view *v, const uint8_t *e)
{
    uint8_t type = e[1], bus = e[4], irq = e[5], apic = e[6], pin = e[7];

    ck_assert_uint_eq(bus, 0); /* the ISA bus: the only one */
    if (e[0] == LOCAL_INTERRUPT) {
        ck_assert_uint_le(pin, 1);
        ck_assert_msg(!v->lint_seen[pin], "two entries for LINT%u", pin);
        v->lint_seen[pin] = 1;
        v->lint_type[pin] = type;
        v->lint_dest[pin] = apic;
        v->nlocal++;
        return;
    }
    v->nio++;
    if (type == 3 && pin == 0) { /* ExtINT on pin 0, the 8259 through the I/O APIC */
        v->extint_on_pin0 = 1;
        return;
    }
    ck_assert_uint_lt(irq, 16);
    ck_assert_msg(v->pin_of_irq[irq] < 0, "two entries for IRQ %u", irq);
    v->pin_of_irq[irq] = pin;
    v->irq_type[irq] = type;
    v->irq_apic[irq] = apic;
    v->irq_flags[irq] = get16(e + 2);
}

/* Walks the configuration table's base entries, checking their order and lengths. */
static void walk(struct mp_view *v)
{
    const uint8_t *t = config_table(), *end = t + get16(t + 4);
    int last_type = 0;

    memset(v, 0, sizeof(*v));
    for (int i = 0; i < 16; i++)
        v->pin_of_irq[i] = -1;
    v->lapic_addr = get32(t + 36);
    for (const uint8_t *e = t + HEADER_LEN; e < end; v->entries++) {
        ck_assert_msg(e[0] >= last_type, "entry type %u after type %d", e[0], last_type);
        last_type = e[0];
        size_t len = e[0] == PROCESSOR ? PROCESSOR_LEN : ENTRY_LEN;
        ck_assert_int_le(e + len - t, end - t);
        switch (e[0]) {
        case PROCESSOR:
            v->apic_id[v->nproc] = e[1];
            v->apic_version[v->nproc] = e[2];
            v->cpu_flags[v->nproc] = e[3];
            v->nproc++;
            break;
        case BUS:
            ck_assert_uint_eq(e[1], 0);
            ck_assert_mem_eq(e + 2, "ISA   ", 6);
            v->nbus++;
            break;
        case IOAPIC:
            v->ioapic_id = e[1];
            ck_assert_uint_eq(e[2], 0x11); /* the version the model reports */
            v->ioapic_flags = e[3];
            v->ioapic_addr = get32(e + 4);
            v->nioapic++;
            break;
        case IO_INTERRUPT:
        case LOCAL_INTERRUPT:
            entry_interrupt(v, e);
            break;
        default:
            ck_abort_msg("entry of type %u", e[0]);
        }
        e += len;
        if (e == end)
            ck_assert_ptr_eq(e, rom + rom_len); /* the base table ends the tables */
    }
    ck_assert_uint_eq(v->entries, get16(t + 34));
}

START_TEST(floating_pointer)
{
    build(1);
    const uint8_t *f = find_floating_pointer();

    ck_assert_ptr_eq(f, rom); /* the ROM's first paragraph */
    ck_assert_uint_eq((ROM_ADDR + (uintptr_t)(f - rom)) % 16, 0);
    ck_assert_uint_eq(f[8], 1);         /* length: one paragraph */
    ck_assert_uint_eq(f[9], 4);         /* revision: 1.4 */
    ck_assert_uint_eq(f[11], 0);        /* feature byte 1: a configuration table follows */
    ck_assert_uint_eq(f[12] & 0x80, 0); /* IMCRP clear: virtual wire mode */
    ck_assert_uint_eq(f[13] | f[14] | f[15], 0);
    ck_assert_uint_eq(get32(f + 4), ROM_ADDR + 16);
}
END_TEST

START_TEST(config_table_header)
{
    build(2);
    const uint8_t *t = config_table();

    ck_assert_uint_eq(t[6], 4); /* revision 1.4 */
    ck_assert_mem_eq(t + 8, "STEPVM  ", 8);
    ck_assert_mem_eq(t + 16, "PC          ", 12);
    ck_assert_uint_eq(get32(t + 28), 0); /* no OEM table */
    ck_assert_uint_eq(get16(t + 32), 0);
    ck_assert_uint_eq(get32(t + 36), 0xfee00000);
    ck_assert_uint_eq(get16(t + 40), 0); /* no extended entries */
    ck_assert_uint_eq(t[42], 0);
    /* 2 processors, bus, I/O APIC, 15 ISA IRQs, 2 local: exactly the base length. */
    ck_assert_uint_eq(get16(t + 4), HEADER_LEN + 2 * PROCESSOR_LEN + 19 * ENTRY_LEN);
    ck_assert_uint_eq(get16(t + 34), 2 + 19);
}
END_TEST

static const unsigned cpu_counts[] = {1, 2, 4, 64};

START_TEST(one_entry_per_cpu)
{
    unsigned n = cpu_counts[_i];
    struct mp_view v;

    build(n);
    walk(&v);
    ck_assert_uint_eq(v.nproc, n);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(v.apic_id[i], i);
        ck_assert_uint_eq(v.apic_version[i], 0x14);
        ck_assert_msg(v.cpu_flags[i] & 1, "CPU %u is not enabled (EN)", i);
        ck_assert_msg(!!(v.cpu_flags[i] & 2) == (i == 0), "CPU %u's BP flag", i);
    }
}
END_TEST

START_TEST(bus_ioapic_and_wiring)
{
    struct mp_view v;

    build(4);
    walk(&v);
    ck_assert_uint_eq(v.nbus, 1);
    ck_assert_uint_eq(v.nioapic, 1);
    ck_assert_uint_eq(v.ioapic_addr, 0xfec00000);
    ck_assert_uint_eq(v.ioapic_flags & 1, 1); /* EN */
    ck_assert_uint_eq(v.lapic_addr, 0xfee00000);
    /* ISA IRQs: 0 on pin 2, 2 (the cascade) absent, every other n on pin n; all INT,
     * conforming to the bus (ISA: edge, active high), to the one I/O APIC. */
    ck_assert_int_eq(v.pin_of_irq[0], 2);
    ck_assert_int_eq(v.pin_of_irq[2], -1);
    for (unsigned irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue;
        if (irq != 0)
            ck_assert_int_eq(v.pin_of_irq[irq], (int)irq);
        ck_assert_uint_eq(v.irq_type[irq], 0);
        ck_assert_uint_eq(v.irq_flags[irq], 0);
        ck_assert_uint_eq(v.irq_apic[irq], v.ioapic_id);
    }
    ck_assert_uint_eq(v.nio, 15);
    ck_assert(!v.extint_on_pin0); /* the machine has no such wire */
    /* The devices' lines: COM2 3, COM1 4, the RTC 8, and the virtio-mmio slots. */
    static const unsigned virtio_irqs[] = VIRTIO_MMIO_IRQ_LIST;
    for (unsigned i = 0; i < VIRTIO_MMIO_SLOTS; i++)
        ck_assert_int_eq(v.pin_of_irq[virtio_irqs[i]], (int)virtio_irqs[i]);
    ck_assert_int_eq(v.pin_of_irq[3], 3);
    ck_assert_int_eq(v.pin_of_irq[4], 4);
    ck_assert_int_eq(v.pin_of_irq[8], 8);
    /* Virtual wire: the 8259 on every CPU's LINT0, NMI on LINT1. */
    ck_assert_uint_eq(v.nlocal, 2);
    ck_assert(v.lint_seen[0] && v.lint_seen[1]);
    ck_assert_uint_eq(v.lint_type[0], 3); /* ExtINT */
    ck_assert_uint_eq(v.lint_type[1], 1); /* NMI */
    ck_assert_uint_eq(v.lint_dest[0], 0xff);
    ck_assert_uint_eq(v.lint_dest[1], 0xff);
}
END_TEST

/* ---- One machine, two descriptions: the MADT of acpi.h ---- */

/* What the MADT says, read from the tables acpi__build makes for ncpus CPUs. */
struct madt_view {
    unsigned nlapic;
    uint8_t apic_id[256];
    uint8_t ioapic_id;
    uint32_t ioapic_addr, lapic_addr;
    int irq0_gsi; /* -1: no override */
    int nmi_lint;
};

static void read_madt(unsigned ncpus, struct madt_view *m)
{
    static uint8_t blob[ACPI_TABLES_MAX];
    struct acpi_config cfg = {.ncpus = ncpus};

    memset(m, 0, sizeof(*m));
    m->irq0_gsi = m->nmi_lint = -1;
    ck_assert_msg(acpi__build(&cfg, ACPI_TABLES_ADDR, blob, sizeof(blob)) > 0, "acpi__build: %s",
                  error__get());
    const uint8_t *xsdt = blob + (get64(blob + 24) - ACPI_TABLES_ADDR), *madt = NULL;
    for (uint32_t off = 36; off < get32(xsdt + 4); off += 8) {
        const uint8_t *t = blob + (get64(xsdt + off) - ACPI_TABLES_ADDR);
        if (memcmp(t, "APIC", 4) == 0)
            madt = t;
    }
    ck_assert_ptr_nonnull(madt);
    m->lapic_addr = get32(madt + 36);
    for (const uint8_t *e = madt + 44; e < madt + get32(madt + 4); e += e[1]) {
        switch (e[0]) {
        case 0: /* Processor Local APIC */
            if (get32(e + 4) & 1)
                m->apic_id[m->nlapic++] = e[3];
            break;
        case 1: /* I/O APIC */
            m->ioapic_id = e[2];
            m->ioapic_addr = get32(e + 4);
            break;
        case 2: /* Interrupt Source Override */
            if (e[2] == 0 && e[3] == 0)
                m->irq0_gsi = (int)get32(e + 4);
            break;
        case 4: /* Local APIC NMI */
            m->nmi_lint = e[5];
            break;
        }
    }
}

START_TEST(agrees_with_the_madt)
{
    unsigned n = cpu_counts[_i];
    struct mp_view v;
    struct madt_view m;

    build(n);
    walk(&v);
    read_madt(n, &m);
    ck_assert_uint_eq(v.nproc, m.nlapic);
    for (unsigned i = 0; i < n; i++)
        ck_assert_uint_eq(v.apic_id[i], m.apic_id[i]);
    ck_assert_uint_eq(v.ioapic_id, m.ioapic_id);
    ck_assert_uint_eq(v.ioapic_addr, m.ioapic_addr);
    ck_assert_uint_eq(v.lapic_addr, m.lapic_addr);
    ck_assert_int_eq(v.pin_of_irq[0], m.irq0_gsi); /* the I/O APIC's first pin is GSI 0 */
    ck_assert_int_eq(v.lint_type[m.nmi_lint], 1);
}
END_TEST

/* ---- What it refuses ---- */

static void refused(unsigned ncpus, uint64_t addr, size_t size, const char *why)
{
    struct mptable_config cfg = {.ncpus = ncpus};

    error__set("(none)");
    ck_assert_int_eq(mptable__build(&cfg, addr, rom, size), -1);
    ck_assert_str_eq(error__get(), why);
}

START_TEST(refuses_what_it_cannot_describe)
{
    refused(0, ROM_ADDR, sizeof(rom), "MP table: 0 CPUs (1 to 64 can be described)");
    refused(65, ROM_ADDR, sizeof(rom), "MP table: 65 CPUs (1 to 64 can be described)");
    refused(1, ROM_ADDR + 8, sizeof(rom),
            "MP table: address 0xf0008 is not 16-byte aligned (the floating pointer must be)");
    refused(1, 1ull << 32, sizeof(rom),
            "MP table: address 0x100000000 is not below 4 GiB (its pointers have 32 bits)");
    refused(1, 0xfffffff0, sizeof(rom),
            "MP table: address 0xfffffff0 is not below 4 GiB (its pointers have 32 bits)");
}
END_TEST

START_TEST(refuses_a_buffer_too_small)
{
    size_t need = mptable__size(4);

    ck_assert_uint_eq(need, 16 + HEADER_LEN + 4 * PROCESSOR_LEN + 19 * ENTRY_LEN);
    refused(4, ROM_ADDR, need - 1, "MP table: 291 bytes are too few (4 CPUs need 292)");
    refused(4, ROM_ADDR, 0, "MP table: 0 bytes are too few (4 CPUs need 292)");
    struct mptable_config cfg = {.ncpus = 4};
    memset(rom, 0xee, sizeof(rom));
    ck_assert_int_eq(mptable__build(&cfg, ROM_ADDR, rom, need), (long)need);
}
END_TEST

TCase *mptable_tests(void)
{
    TCase *tc = tcase_create("mptable");

    tcase_add_test(tc, floating_pointer);
    tcase_add_test(tc, config_table_header);
    tcase_add_loop_test(tc, one_entry_per_cpu, 0, sizeof(cpu_counts) / sizeof(cpu_counts[0]));
    tcase_add_test(tc, bus_ioapic_and_wiring);
    tcase_add_loop_test(tc, agrees_with_the_madt, 0, sizeof(cpu_counts) / sizeof(cpu_counts[0]));
    tcase_add_test(tc, refuses_what_it_cannot_describe);
    tcase_add_test(tc, refuses_a_buffer_too_small);
    return tc;
}
