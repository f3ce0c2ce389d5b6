/*
 * bzimage.c - a Linux bzImage by the x86 boot protocol: the setup header checked, the
 * kernel, command line and initrd placed, the zero page built, the vCPU started at the
 * 64-bit entry point (see bzimage.h; chapter 4).
 */
#include "bzimage.h"

#include "acpi.h"

#include "error.h"
#include "load.h"

#include <string.h>

_Static_assert(GDT_SEL_DATA == BOOT_DS, "chapter 2's data selector is the protocol's __BOOT_DS");
_Static_assert(BZIMAGE_TABLES + MODES_LONG_SIZE <= BZIMAGE_CMDLINE, "tables below the cmdline");

/* Where everything goes, worked out from the header before anything is written. */
struct plan {
    uint64_t kernel_off, kernel_len; /* the protected-mode kernel in the file */
    uint64_t load, footprint;        /* where it goes, and the memory it needs there */
    uint64_t initrd_addr;
    size_t cmdline_len; /* without the NUL */
    size_t hdr_end;     /* the setup header is file[SETUP_HEADER_OFFSET, hdr_end) */
};

static uint32_t get8(const uint8_t *d, size_t off)
{
    return d[off];
}

static uint32_t get16(const uint8_t *d, size_t off)
{
    return (uint32_t)d[off] | (uint32_t)d[off + 1] << 8;
}

static uint32_t get32(const uint8_t *d, size_t off)
{
    return get16(d, off) | get16(d, off + 2) << 16;
}

static uint64_t get64(const uint8_t *d, size_t off)
{
    return get32(d, off) | (uint64_t)get32(d, off + 4) << 32;
}

static void put(uint8_t *d, size_t off, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        d[off + i] = (uint8_t)(v >> (8 * i));
}

int bzimage__is(const uint8_t *data, size_t len)
{
    return len >= SETUP_VERSION + 2 && get16(data, BOOT_FLAG) == BOOT_FLAG_MAGIC &&
           !memcmp(data + SETUP_HEADER_MAGIC, "HdrS", 4);
}

/* The setup header against the file: what it says is there must be, and the kernel must
 * offer what this loader uses (a 64-bit entry point, loading high). */
static int check_header(const char *name, const uint8_t *data, size_t len, struct plan *pl)
{
    if (!bzimage__is(data, len))
        return error__set("%s: not a bzImage (no boot_flag 0xaa55 at 0x1fe and \"HdrS\" at 0x202)",
                          name);
    uint32_t version = get16(data, SETUP_VERSION);
    if (version < BOOT_PROTOCOL_2_10)
        return error__set("%s: setup header version %u.%02u: stepvm needs boot protocol 2.10 "
                          "or later",
                          name, version >> 8, version & 0xff);
    pl->hdr_end = SETUP_HEADER_MAGIC + get8(data, SETUP_JUMP + 1);
    if (pl->hdr_end > BOOT_PARAMS_HDR_END || pl->hdr_end < INIT_SIZE + 4)
        return error__set("%s: the setup header's jump at 0x200 says it ends at 0x%zx; a 2.10 "
                          "header ends between 0x%x and 0x%x",
                          name, pl->hdr_end, INIT_SIZE + 4, BOOT_PARAMS_HDR_END);
    uint32_t sects = get8(data, SETUP_SECTS) ? get8(data, SETUP_SECTS) : 4;
    pl->kernel_off = (uint64_t)(sects + 1) * 512;
    if (pl->kernel_off < pl->hdr_end || len < pl->kernel_off)
        return error__set("%s: truncated: setup_sects %u says %llu bytes of setup code, the "
                          "file has %zu",
                          name, sects, (unsigned long long)pl->kernel_off, len);
    pl->kernel_len = (uint64_t)get32(data, SYSSIZE) * 16;
    if (pl->kernel_len == 0)
        return error__set("%s: setup header syssize 0: no protected-mode kernel", name);
    if (pl->kernel_len > len - pl->kernel_off)
        return error__set("%s: truncated: the setup header says %llu bytes of kernel (syssize), "
                          "the file has %llu",
                          name, (unsigned long long)pl->kernel_len,
                          (unsigned long long)(len - pl->kernel_off));
    if (!(get8(data, LOADFLAGS) & LOADED_HIGH))
        return error__set("%s: setup header loadflags 0x%02x lack LOADED_HIGH: a kernel "
                          "loaded at 0x10000 (zImage) is not supported",
                          name, get8(data, LOADFLAGS));
    if (!(get16(data, XLOADFLAGS) & XLF_KERNEL_64))
        return error__set("%s: setup header xloadflags 0x%04x lack XLF_KERNEL_64: the kernel "
                          "has no 64-bit entry point",
                          name, get16(data, XLOADFLAGS));
    return 0;
}

/* The RAM slot that holds gpa, or NULL. */
static const struct mem_region *ram_at(const struct guest_mem *mem, uint64_t gpa)
{
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        if (!(r->flags & KVM_MEM_READONLY) && gpa >= r->gpa && gpa - r->gpa < r->size)
            return r;
    }
    return NULL;
}

/* The kernel at its preferred address (aligned as it asks), or at 1 MiB when it cannot
 * move; init_size bytes from there must be RAM: the kernel decompresses itself in them. */
static int place_kernel(struct machine *m, const char *name, const uint8_t *data, struct plan *pl)
{
    uint64_t align = get32(data, KERNEL_ALIGNMENT);
    uint64_t pref = get64(data, PREF_ADDRESS);

    pl->load = DEFAULT_LOAD_ADDRESS;
    if (get8(data, RELOCATABLE_KERNEL)) {
        if (align == 0 || (align & (align - 1)))
            return error__set("%s: setup header kernel_alignment 0x%llx: not a power of two", name,
                              (unsigned long long)align);
        if (pref >= MEM_HIGH_START)
            return error__set("%s: setup header pref_address 0x%llx: above 4 GiB", name,
                              (unsigned long long)pref);
        pl->load = (pref > DEFAULT_LOAD_ADDRESS ? pref : DEFAULT_LOAD_ADDRESS) + align - 1;
        pl->load &= ~(align - 1);
    }
    pl->footprint = get32(data, INIT_SIZE);
    if (pl->footprint < pl->kernel_len)
        pl->footprint = pl->kernel_len;
    const struct mem_region *r = ram_at(&m->mem, pl->load);
    if (!r || pl->footprint > r->gpa + r->size - pl->load)
        return error__set("%s: the kernel needs %llu MiB of RAM at 0x%llx (setup header "
                          "init_size 0x%llx), more than guest RAM has there",
                          name, (unsigned long long)(pl->footprint + (1 << 20) - 1) >> 20,
                          (unsigned long long)pl->load, (unsigned long long)pl->footprint);
    return 0;
}

/* The initrd as high as it may go, as the protocol advises: below initrd_addr_max and the
 * end of the RAM that holds the kernel (which ends below 4 GiB), page-aligned, above the
 * kernel's init_size. */
static int place_initrd(struct machine *m, const char *name, const uint8_t *data,
                        const struct bzimage_params *p, struct plan *pl)
{
    uint64_t top = (uint64_t)get32(data, INITRD_ADDR_MAX) + 1;
    const struct mem_region *r = ram_at(&m->mem, pl->load);
    uint64_t kernel_end = pl->load + pl->footprint;

    pl->initrd_addr = 0;
    if (!p->initrd_len)
        return 0;
    if (r->gpa + r->size < top)
        top = r->gpa + r->size;
    if (top <= kernel_end || p->initrd_len > top - kernel_end ||
        ((top - p->initrd_len) & ~(MEM_PAGE_SIZE - 1)) < kernel_end)
        return error__set("%s: the initrd (%zu bytes) does not fit in guest RAM between the "
                          "kernel's end 0x%llx and 0x%llx (the end of RAM below 4 GiB, or the "
                          "setup header's initrd_addr_max)",
                          name, p->initrd_len, (unsigned long long)kernel_end,
                          (unsigned long long)top);
    pl->initrd_addr = (top - p->initrd_len) & ~(MEM_PAGE_SIZE - 1);
    return 0;
}

/* [e820] */
/* The memory map, as a BIOS would report it through INT 15h E820: each RAM slot usable,
 * and the top of the hole, where the ACPI tables and the ROM are, reserved. The rest of
 * the hole (VGA, 0xa0000-0xdffff) and the gap below 4 GiB are not listed: Linux treats an
 * address that no entry covers as no RAM. Returns the number of entries. */
static int build_e820(const struct guest_mem *mem, uint8_t *zp)
{
    uint64_t addr[MEM_MAX_REGIONS + 1], size[MEM_MAX_REGIONS + 1];
    uint32_t type[MEM_MAX_REGIONS + 1];
    int n = 0;

    addr[n] = ACPI_TABLES_ADDR, size[n] = MEM_HOLE_END - ACPI_TABLES_ADDR;
    type[n++] = E820_TYPE_RESERVED;
    for (int i = 0; i < mem->nregions; i++)
        if (!(mem->regions[i].flags & KVM_MEM_READONLY)) {
            addr[n] = mem->regions[i].gpa, size[n] = mem->regions[i].size;
            type[n++] = E820_TYPE_RAM;
        }
    for (int i = 0; i < n; i++) { /* in address order, as the table is read */
        int low = i;
        for (int j = i + 1; j < n; j++)
            if (addr[j] < addr[low])
                low = j;
        uint8_t *e = zp + BOOT_PARAMS_E820_TABLE + i * E820_ENTRY_SIZE;
        put(e, 0, addr[low], 8), put(e, 8, size[low], 8), put(e, 16, type[low], 4);
        addr[low] = addr[i], size[low] = size[i], type[low] = type[i];
    }
    return n;
}
/* [e820] */

/* [zero-page] */
/* The zero page: the file's setup header, with the fields a boot loader fills in, and
 * what the setup code would have gathered from the BIOS (the memory map). */
static void build_zero_page(const struct guest_mem *mem, const uint8_t *data,
                            const struct bzimage_params *p, const struct plan *pl, uint8_t *zp)
{
    memset(zp, 0, BOOT_PARAMS_SIZE);
    memcpy(zp + SETUP_HEADER_OFFSET, data + SETUP_HEADER_OFFSET, pl->hdr_end - SETUP_HEADER_OFFSET);
    put(zp, TYPE_OF_LOADER, LOADER_TYPE_UNKNOWN, 1);
    put(zp, LOADFLAGS, LOADED_HIGH | CAN_USE_HEAP, 1);
    /* Read only by the 16-bit setup code, which does not run here: the end of its heap in
     * a 64 KiB real-mode segment, as loaders that do run it set it. */
    put(zp, HEAP_END_PTR, 0xfe00, 2);
    put(zp, CMD_LINE_PTR, BZIMAGE_CMDLINE, 4);
    put(zp, RAMDISK_IMAGE, pl->initrd_addr, 4);
    put(zp, RAMDISK_SIZE, p->initrd_len, 4);
    put(zp, BOOT_PARAMS_ACPI_RSDP, p->rsdp, 8);
    put(zp, BOOT_PARAMS_E820_ENTRIES, (uint64_t)build_e820(mem, zp), 1);
}
/* [zero-page] */

/* [entry] */
/* Chapter 2's long mode, then what the 64-bit protocol asks beyond it: CS = __BOOT_CS
 * (0x10), where chapter 2's GDT has a 32-bit code segment, so the loader copies the
 * 64-bit one (0x08) there; DS, ES and SS are chapter 2's data selector, __BOOT_DS
 * already; RSI = the zero page. */
static int start(struct machine *m, const struct plan *pl)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    uint64_t code64;

    if (machine__start(m, MODE_LONG, BZIMAGE_TABLES, pl->load + STARTUP_64_OFFSET,
                       BZIMAGE_ZERO_PAGE) < 0 ||
        guest_mem__read(&m->mem, BZIMAGE_TABLES + MODES_GDT_OFFSET + GDT_SEL_CODE64, &code64, 8) <
            0 ||
        guest_mem__write(&m->mem, BZIMAGE_TABLES + MODES_GDT_OFFSET + BOOT_CS, &code64, 8) < 0 ||
        machine__get_state(m, &regs, &sregs) < 0)
        return -1;
    sregs.cs.selector = BOOT_CS;
    regs.rsi = BZIMAGE_ZERO_PAGE;
    return machine__set_state(m, &regs, &sregs);
}
/* [entry] */

int bzimage__load(struct machine *m, const char *name, const uint8_t *data, size_t len,
                  const struct bzimage_params *p)
{
    uint8_t zp[BOOT_PARAMS_SIZE];
    struct plan pl = {0};
    const char *cmdline = p->cmdline ? p->cmdline : "";

    if (check_header(name, data, len, &pl) < 0)
        return -1;
    pl.cmdline_len = strlen(cmdline);
    if (pl.cmdline_len > get32(data, CMDLINE_SIZE) || pl.cmdline_len >= BZIMAGE_CMDLINE_MAX)
        return error__set("%s: the command line is %zu bytes, the setup header's cmdline_size "
                          "allows %u",
                          name, pl.cmdline_len, get32(data, CMDLINE_SIZE));
    if (!guest_mem__find(&m->mem, 0, MEM_HOLE_START))
        return error__set("%s: no low RAM for the zero page and the command line", name);
    if (place_kernel(m, name, data, &pl) < 0 || place_initrd(m, name, data, p, &pl) < 0)
        return -1;
    /* Every check has passed: from here on, only writes into checked RAM. */
    build_zero_page(&m->mem, data, p, &pl, zp);
    if (guest_mem__write(&m->mem, BZIMAGE_ZERO_PAGE, zp, sizeof(zp)) < 0 ||
        guest_mem__write(&m->mem, BZIMAGE_CMDLINE, cmdline, pl.cmdline_len + 1) < 0 ||
        guest_mem__write(&m->mem, pl.load, data + pl.kernel_off, pl.kernel_len) < 0 ||
        (p->initrd_len && guest_mem__write(&m->mem, pl.initrd_addr, p->initrd, p->initrd_len) < 0))
        return -1;
    m->format = "bzImage";
    return start(m, &pl);
}
