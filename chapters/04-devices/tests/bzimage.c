/*
 * bzimage.c - the Linux loader against synthetic bzImages made here (the zero page's
 * fields, the e820 table, the kernel and initrd bytes, the 64-bit entry state, and one
 * refusal per wrong field, each leaving guest RAM untouched), and against Debian's kernel
 * when the nested machine's download is there (chapter 4).
 */
#include "ch4_tests.h"

#include "bzimage.h"
#include "error.h"
#include "file.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB          (1ull << 20)
#define GiB          (1ull << 30)
#define SETUP_LEN    (5 * 512) /* setup_sects 4, plus the boot sector */
#define KERNEL_LEN   0x3000ull
#define PREF_ADDR    0x1000000ull /* 16 MiB, as Debian's kernel */
#define TEST_INIT    0x400000ull
#define CODE64_L_BIT (1ull << 53) /* a descriptor's L bit: 64-bit code */

static const char *const name = "vmlinuz-test";

static void put(uint8_t *d, size_t off, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        d[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *d, size_t off, int bytes)
{
    uint64_t v = 0;

    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | d[off + i];
    return v;
}

/* A bzImage with a 2.15 header, a 64-bit entry, relocatable to 16 MiB, and KERNEL_LEN
 * bytes of payload that are never zero. The caller frees it. */
static uint8_t *make_image(size_t *len)
{
    uint8_t *d = calloc(1, SETUP_LEN + KERNEL_LEN);

    ck_assert_ptr_nonnull(d);
    put(d, SETUP_SECTS, 4, 1);
    put(d, SYSSIZE, KERNEL_LEN / 16, 4);
    put(d, BOOT_FLAG, BOOT_FLAG_MAGIC, 2);
    put(d, SETUP_JUMP, 0x6aeb, 2); /* jmp short over the header, to 0x26c */
    memcpy(d + SETUP_HEADER_MAGIC, "HdrS", 4);
    put(d, SETUP_VERSION, 0x020f, 2);
    put(d, LOADFLAGS, LOADED_HIGH, 1);
    put(d, INITRD_ADDR_MAX, 0x7fffffff, 4);
    put(d, KERNEL_ALIGNMENT, 0x200000, 4);
    put(d, RELOCATABLE_KERNEL, 1, 1);
    put(d, XLOADFLAGS, XLF_KERNEL_64, 2);
    put(d, CMDLINE_SIZE, 2047, 4);
    put(d, PREF_ADDRESS, PREF_ADDR, 8);
    put(d, INIT_SIZE, TEST_INIT, 4);
    for (size_t i = 0; i < KERNEL_LEN; i++)
        d[SETUP_LEN + i] = (uint8_t)(i * 7 + 1) | 1;
    *len = SETUP_LEN + KERNEL_LEN;
    return d;
}

/* A machine without KVM, as the interpreter has it: RAM, the ROM, a state in m->regs. */
static void new_machine(struct machine *m, uint64_t ram)
{
    struct machine_config cfg = {.ram_size = ram, .console = stderr, .diag = stderr};

    ck_assert_msg(machine__init(m, &cfg) == 0, "%s", error__get());
}

static uint8_t *ram(struct machine *m, uint64_t gpa, uint64_t len)
{
    uint8_t *p = guest_mem__translate(&m->mem, gpa, len);

    ck_assert_msg(p != NULL, "0x%llx: %s", (unsigned long long)gpa, error__get());
    return p;
}

/* Guest-physical address of virtual va through the 4-level tables at cr3 (2 MiB pages). */
static uint64_t walk(struct machine *m, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3;

    for (int level = 3; level >= 1; level--) {
        uint64_t e = get(ram(m, table, 4096), ((va >> (12 + 9 * level)) & 511) * 8, 8);
        ck_assert_msg(e & 1, "va 0x%llx: not present at level %d", (unsigned long long)va, level);
        if (level == 1) {
            ck_assert_msg(e & (1 << 7), "va 0x%llx: not a 2 MiB page", (unsigned long long)va);
            return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
        }
        table = e & 0xffffffffff000ull;
    }
    return 0;
}

static void check_e820(const uint8_t *zp, int i, uint64_t addr, uint64_t size, uint32_t type)
{
    const uint8_t *e = zp + BOOT_PARAMS_E820_TABLE + i * E820_ENTRY_SIZE;

    ck_assert_msg(get(e, 0, 8) == addr && get(e, 8, 8) == size && get(e, 16, 4) == type,
                  "e820[%d] = 0x%llx + 0x%llx type %u, want 0x%llx + 0x%llx type %u", i,
                  (unsigned long long)get(e, 0, 8), (unsigned long long)get(e, 8, 8),
                  (unsigned)get(e, 16, 4), (unsigned long long)addr, (unsigned long long)size,
                  type);
}

START_TEST(loads_kernel_cmdline_initrd_and_zero_page)
{
    static struct machine m;
    size_t len, initrd_len = 10000;
    uint8_t *img = make_image(&len), *initrd = malloc(initrd_len);
    const char *cmdline = "console=ttyS0 root=/dev/vda quiet";

    for (size_t i = 0; i < initrd_len; i++)
        initrd[i] = (uint8_t)(i * 13 + 5);
    new_machine(&m, 128 * MiB);
    struct bzimage_params p = {cmdline, initrd, initrd_len, 0xe0000};
    ck_assert_msg(bzimage__load(&m, name, img, len, &p) == 0, "%s", error__get());
    const uint8_t *zp = ram(&m, BZIMAGE_ZERO_PAGE, BOOT_PARAMS_SIZE);

    /* The setup header comes from the file; the loader's fields are filled in. */
    ck_assert(!memcmp(zp + SETUP_HEADER_MAGIC, "HdrS", 4));
    ck_assert_uint_eq(get(zp, SETUP_VERSION, 2), 0x020f);
    ck_assert_uint_eq(get(zp, PREF_ADDRESS, 8), PREF_ADDR);
    ck_assert_uint_eq(get(zp, TYPE_OF_LOADER, 1), 0xff);
    ck_assert_uint_eq(get(zp, LOADFLAGS, 1), LOADED_HIGH | CAN_USE_HEAP);
    ck_assert_uint_ne(get(zp, HEAP_END_PTR, 2), 0);
    ck_assert_uint_eq(get(zp, BOOT_PARAMS_ACPI_RSDP, 8), 0xe0000);
    ck_assert_str_eq((const char *)ram(&m, get(zp, CMD_LINE_PTR, 4), strlen(cmdline) + 1), cmdline);
    /* The initrd: at the top of RAM, page-aligned, above the kernel's init_size. */
    uint64_t rd = get(zp, RAMDISK_IMAGE, 4);
    ck_assert_uint_eq(get(zp, RAMDISK_SIZE, 4), initrd_len);
    ck_assert_uint_eq(rd % 4096, 0);
    ck_assert_uint_eq(rd, (128 * MiB - initrd_len) & ~0xfffull);
    ck_assert_uint_ge(rd, PREF_ADDR + TEST_INIT);
    ck_assert_uint_le(rd + initrd_len - 1, get(zp, INITRD_ADDR_MAX, 4));
    ck_assert(!memcmp(ram(&m, rd, initrd_len), initrd, initrd_len));
    /* The kernel at its preferred address. */
    ck_assert(!memcmp(ram(&m, PREF_ADDR, KERNEL_LEN), img + SETUP_LEN, KERNEL_LEN));
    /* The memory map: low RAM, the ACPI/ROM area reserved, RAM from 1 MiB. */
    ck_assert_uint_eq(get(zp, BOOT_PARAMS_E820_ENTRIES, 1), 3);
    check_e820(zp, 0, 0, 0xa0000, E820_TYPE_RAM);
    check_e820(zp, 1, 0xe0000, 0x20000, E820_TYPE_RESERVED);
    check_e820(zp, 2, 0x100000, 127 * MiB, E820_TYPE_RAM);
    ck_assert_str_eq(m.format, "bzImage");
    machine__exit(&m);
    free(img);
    free(initrd);
}
END_TEST

START_TEST(enters_startup_64_as_the_protocol_says)
{
    static struct machine m;
    size_t len;
    uint8_t *img = make_image(&len);
    struct bzimage_params p = {0};

    new_machine(&m, 128 * MiB);
    ck_assert_msg(bzimage__load(&m, name, img, len, &p) == 0, "%s", error__get());
    ck_assert_uint_eq(m.regs.rip, PREF_ADDR + STARTUP_64_OFFSET);
    ck_assert_uint_eq(m.regs.rsi, BZIMAGE_ZERO_PAGE);
    ck_assert_uint_eq(m.regs.rflags & (1u << 9), 0); /* IF: interrupts off */
    ck_assert_uint_eq(m.sregs.cs.selector, BOOT_CS);
    ck_assert_uint_eq(m.sregs.cs.l, 1);
    ck_assert_uint_eq(m.sregs.ds.selector, BOOT_DS);
    ck_assert_uint_eq(m.sregs.es.selector, BOOT_DS);
    ck_assert_uint_eq(m.sregs.ss.selector, BOOT_DS);
    ck_assert_uint_ne(m.sregs.efer & (1u << 10), 0); /* EFER.LMA */
    ck_assert_uint_ne(m.sregs.cr0 & (1u << 31), 0);  /* CR0.PG */
    /* The GDT has a flat 64-bit code segment at __BOOT_CS and a writable data one at
     * __BOOT_DS. */
    const uint8_t *gdt = ram(&m, m.sregs.gdt.base, 0x20);
    ck_assert_uint_ge(m.sregs.gdt.limit, BOOT_DS + 7);
    ck_assert_uint_eq(get(gdt, BOOT_CS, 8), 0x00af9b000000ffffull);
    ck_assert_uint_ne(get(gdt, BOOT_CS, 8) & CODE64_L_BIT, 0);
    ck_assert_uint_eq(get(gdt, BOOT_DS, 8), 0x00cf93000000ffffull);
    /* Identity-mapped: the kernel's init_size, the zero page, the command line. */
    uint64_t probes[] = {PREF_ADDR, PREF_ADDR + TEST_INIT - 1, BZIMAGE_ZERO_PAGE, BZIMAGE_CMDLINE,
                         128 * MiB - 1};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        ck_assert_uint_eq(walk(&m, m.sregs.cr3, probes[i]), probes[i]);
    machine__exit(&m);
    free(img);
}
END_TEST

START_TEST(lists_ram_above_4g_and_keeps_the_initrd_below_its_max)
{
    static struct machine m;
    size_t len, initrd_len = 3 * 4096 + 1;
    uint8_t *img = make_image(&len), *initrd = calloc(1, initrd_len);

    new_machine(&m, 4 * GiB);
    struct bzimage_params p = {"", initrd, initrd_len, 0};
    ck_assert_msg(bzimage__load(&m, name, img, len, &p) == 0, "%s", error__get());
    const uint8_t *zp = ram(&m, BZIMAGE_ZERO_PAGE, BOOT_PARAMS_SIZE);
    ck_assert_uint_eq(get(zp, BOOT_PARAMS_E820_ENTRIES, 1), 4);
    check_e820(zp, 0, 0, 0xa0000, E820_TYPE_RAM);
    check_e820(zp, 1, 0xe0000, 0x20000, E820_TYPE_RESERVED);
    check_e820(zp, 2, 0x100000, 3 * GiB - MiB, E820_TYPE_RAM);
    check_e820(zp, 3, 4 * GiB, 1 * GiB, E820_TYPE_RAM);
    /* initrd_addr_max 0x7fffffff: the initrd's last byte at or below it. */
    uint64_t rd = get(zp, RAMDISK_IMAGE, 4);
    ck_assert_uint_eq(rd, (0x80000000ull - initrd_len) & ~0xfffull);
    ck_assert_uint_eq(get(zp, BOOT_PARAMS_ACPI_RSDP, 8), 0);
    machine__exit(&m);
    free(img);
    free(initrd);
}
END_TEST

START_TEST(loads_a_fixed_kernel_at_1m)
{
    static struct machine m;
    size_t len;
    uint8_t *img = make_image(&len);
    struct bzimage_params p = {0};

    put(img, RELOCATABLE_KERNEL, 0, 1);
    new_machine(&m, 64 * MiB);
    ck_assert_msg(bzimage__load(&m, name, img, len, &p) == 0, "%s", error__get());
    ck_assert(!memcmp(ram(&m, DEFAULT_LOAD_ADDRESS, KERNEL_LEN), img + SETUP_LEN, KERNEL_LEN));
    ck_assert_uint_eq(m.regs.rip, DEFAULT_LOAD_ADDRESS + STARTUP_64_OFFSET);
    machine__exit(&m);
    free(img);
}
END_TEST

START_TEST(knows_a_bzimage)
{
    size_t len;
    uint8_t *img = make_image(&len);

    ck_assert(bzimage__is(img, len));
    ck_assert(!bzimage__is(img, 0x207));
    put(img, BOOT_FLAG, 0, 2);
    ck_assert(!bzimage__is(img, len));
    ck_assert(!bzimage__is((const uint8_t *)"\x7f"
                                            "ELF",
                           4));
    free(img);
}
END_TEST

/* One wrong thing about an image, and the words its refusal must contain. */
struct refusal {
    const char *what;
    size_t off;
    uint64_t value;
    int bytes;    /* 0: no field changed */
    size_t cut;   /* bytes cut off the end of the file */
    size_t extra; /* characters of command line beyond the header's cmdline_size */
    uint64_t initrd_len;
    const char *message;
};

static const struct refusal refusals[] = {
    {"not a bzImage", BOOT_FLAG, 0x1234, 2, 0, 0, 0, "vmlinuz-test: not a bzImage"},
    {"truncated kernel", 0, 0, 0, 100, 0, 0,
     "vmlinuz-test: truncated: the setup header says 12288 bytes of kernel (syssize), the "
     "file has 12188"},
    {"truncated setup", 0, 0, 0, KERNEL_LEN + 0x100, 0, 0, "truncated: setup_sects 4"},
    {"protocol too old", SETUP_VERSION, 0x0204, 2, 0, 0, 0,
     "vmlinuz-test: setup header version 2.04: stepvm needs boot protocol 2.10 or later"},
    {"no 64-bit entry", XLOADFLAGS, 0, 2, 0, 0, 0, "xloadflags 0x0000 lack XLF_KERNEL_64"},
    {"not loaded high", LOADFLAGS, 0, 1, 0, 0, 0, "loadflags 0x00 lack LOADED_HIGH"},
    {"no kernel", SYSSIZE, 0, 4, 0, 0, 0, "syssize 0"},
    {"odd alignment", KERNEL_ALIGNMENT, 0x300000, 4, 0, 0, 0, "kernel_alignment 0x300000"},
    {"pref_address above 4G", PREF_ADDRESS, 5 * GiB, 8, 0, 0, 0, "pref_address 0x140000000"},
    {"cmdline too long", 0, 0, 0, 0, 1, 0, "cmdline_size allows 2047"},
    {"initrd too big", 0, 0, 0, 0, 0, 120 * MiB, "vmlinuz-test: the initrd (125829120 bytes)"},
    {"kernel too big", INIT_SIZE, 256 * MiB, 4, 0, 0, 0, "init_size 0x10000000"},
};

/* Whether none of guest RAM was written. */
static int ram_untouched(const struct machine *m)
{
    for (uint64_t i = 0; i < m->mem.ram_size; i += 8) {
        uint64_t v;
        memcpy(&v, m->mem.ram + i, 8);
        if (v)
            return 0;
    }
    return 1;
}

START_TEST(refuses_each_wrong_field_and_writes_nothing)
{
    static struct machine m;
    const struct refusal *r = &refusals[_i];
    size_t len;
    uint8_t *img = make_image(&len);
    char *cmdline = calloc(1, 2047 + r->extra + 1);
    uint8_t *initrd = r->initrd_len ? calloc(1, r->initrd_len) : NULL;

    if (r->bytes)
        put(img, r->off, r->value, r->bytes);
    memset(cmdline, 'x', r->extra ? 2047 + r->extra : 10);
    new_machine(&m, 128 * MiB);
    struct bzimage_params p = {cmdline, initrd, r->initrd_len, 0xe0000};
    ck_assert_msg(bzimage__load(&m, name, img, len - r->cut, &p) == -1, "%s: loaded", r->what);
    ck_assert_msg(strstr(error__get(), r->message), "%s: \"%s\" lacks \"%s\"", r->what,
                  error__get(), r->message);
    ck_assert_msg(ram_untouched(&m), "%s: guest RAM was written", r->what);
    machine__exit(&m);
    free(img);
    free(cmdline);
    free(initrd);
}
END_TEST

/* Debian's kernel, where common/scripts/nested-kvm.sh downloads it; NULL (with the reason
 * printed) when it is not there. The caller frees the path. */
static char *debian_kernel(void)
{
    char pattern[4400];
    const char *cache = getenv("STEPVM_NESTED_CACHE");
    glob_t g;

    if (!cache) {
        char top[4096];
        source_top(top, sizeof(top));
        snprintf(pattern, sizeof(pattern), "%s/build/nested/pkg/boot/vmlinuz-*", top);
    } else
        snprintf(pattern, sizeof(pattern), "%s/pkg/boot/vmlinuz-*", cache);
    if (glob(pattern, 0, NULL, &g) != 0) {
        printf("SKIPPED: Debian's kernel: no %s (common/scripts/nested-kvm.sh downloads it)\n",
               pattern);
        return NULL;
    }
    char *path = strdup(g.gl_pathv[0]);
    globfree(&g);
    return path;
}

START_TEST(accepts_debians_kernel)
{
    static struct machine m;
    char *path = debian_kernel();
    unsigned char *data;
    size_t len;

    if (!path)
        return;
    ck_assert_msg(file__read_all(path, 1ull << 30, &data, &len) == 0, "%s", error__get());
    ck_assert(bzimage__is(data, len));
    ck_assert_uint_ge(get(data, SETUP_VERSION, 2), 0x020f);
    new_machine(&m, 256 * MiB);
    struct bzimage_params p = {"console=ttyS0", NULL, 0, 0xe0000};
    ck_assert_msg(bzimage__load(&m, path, data, len, &p) == 0, "%s", error__get());
    ck_assert_uint_eq(m.regs.rip, get(data, PREF_ADDRESS, 8) + STARTUP_64_OFFSET);
    machine__exit(&m);
    free(data);
    free(path);
}
END_TEST

TCase *bzimage_tests(void)
{
    TCase *tc = tcase_create("bzimage");

    tcase_add_test(tc, loads_kernel_cmdline_initrd_and_zero_page);
    tcase_add_test(tc, enters_startup_64_as_the_protocol_says);
    tcase_add_test(tc, lists_ram_above_4g_and_keeps_the_initrd_below_its_max);
    tcase_add_test(tc, loads_a_fixed_kernel_at_1m);
    tcase_add_test(tc, knows_a_bzimage);
    tcase_add_loop_test(tc, refuses_each_wrong_field_and_writes_nothing, 0,
                        (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(tc, accepts_debians_kernel);
    return tc;
}
