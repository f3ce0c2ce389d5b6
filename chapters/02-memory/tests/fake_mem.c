/*
 * fake_mem.c - a struct guest_mem laid out as guest_mem__init lays it out, without KVM,
 * so that translation and the loaders can be tested on any host (see ch2_tests.h).
 */
#include "ch2_tests.h"

#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Maps size bytes of anonymous memory that costs only the pages touched. */
static uint8_t *map_sparse(uint64_t size)
{
    uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    ck_assert_msg(p != MAP_FAILED, "mmap %llu bytes failed", (unsigned long long)size);
    return p;
}

static void add(struct guest_mem *mem, uint64_t gpa, uint64_t size, uint8_t *host, uint32_t flags)
{
    ck_assert_int_lt(mem->nregions, MEM_MAX_REGIONS);
    mem->regions[mem->nregions] =
        (struct mem_region){gpa, size, host, (uint32_t)mem->nregions, flags};
    mem->nregions++;
}

/* The layout of mem.h: low RAM, the hole, RAM up to 3G, the PCI gap, the rest above 4G. */
void fake_mem_init(struct guest_mem *mem, uint64_t ram_size)
{
    uint64_t low_end = ram_size < MEM_GAP_START ? ram_size : MEM_GAP_START;

    memset(mem, 0, sizeof(*mem));
    mem->ram = map_sparse(ram_size);
    mem->ram_size = ram_size;
    memset(mem->ram, RAM_FILL, ram_size < RAM_SNAP ? ram_size : RAM_SNAP);
    add(mem, 0, MEM_HOLE_START, mem->ram, 0);
    add(mem, MEM_HOLE_END, low_end - MEM_HOLE_END, mem->ram + MEM_HOLE_END, 0);
    if (ram_size > MEM_GAP_START)
        add(mem, MEM_HIGH_START, ram_size - MEM_GAP_START, mem->ram + MEM_GAP_START, 0);
}

void fake_mem_add_rom(struct guest_mem *mem)
{
    uint8_t *rom = map_sparse(FAKE_ROM_SIZE);

    memset(rom, 0xee, FAKE_ROM_SIZE);
    add(mem, FAKE_ROM_ADDR, FAKE_ROM_SIZE, rom, KVM_MEM_READONLY);
}

void fake_mem_exit(struct guest_mem *mem)
{
    for (int i = 0; i < mem->nregions; i++)
        if (mem->regions[i].flags & KVM_MEM_READONLY)
            munmap(mem->regions[i].host, mem->regions[i].size);
    munmap(mem->ram, mem->ram_size);
    memset(mem, 0, sizeof(*mem));
}

static size_t snap_size(const struct guest_mem *mem)
{
    return mem->ram_size < RAM_SNAP ? mem->ram_size : RAM_SNAP;
}

uint8_t *mem_snapshot(const struct guest_mem *mem)
{
    uint8_t *snap = malloc(snap_size(mem));

    ck_assert_ptr_nonnull(snap);
    memcpy(snap, mem->ram, snap_size(mem));
    return snap;
}

void assert_mem_unchanged(const struct guest_mem *mem, uint8_t *snap, const char *what)
{
    size_t n = snap_size(mem), i = 0;

    while (i < n && mem->ram[i] == snap[i])
        i++;
    free(snap);
    ck_assert_msg(i == n, "%s: guest RAM changed at 0x%zx although the load was refused", what, i);
}

uint8_t *ram_at(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    uint8_t *p = guest_mem__translate(mem, gpa, len);

    ck_assert_msg(p != NULL, "0x%llx+0x%llx is not RAM", (unsigned long long)gpa,
                  (unsigned long long)len);
    return p;
}

void assert_loaded(struct guest_mem *mem, uint64_t gpa, const uint8_t *file, uint64_t filesz,
                   uint64_t memsz)
{
    const uint8_t *p = ram_at(mem, gpa, memsz + 1);

    ck_assert_msg(memcmp(p, file, filesz) == 0, "0x%llx: the file's bytes are not there",
                  (unsigned long long)gpa);
    for (uint64_t i = filesz; i < memsz; i++)
        ck_assert_msg(p[i] == 0, "bss byte at 0x%llx is 0x%02x, not 0",
                      (unsigned long long)(gpa + i), p[i]);
    ck_assert_msg(p[memsz] == RAM_FILL, "0x%llx, past the load, was written",
                  (unsigned long long)(gpa + memsz));
}

struct guest_mem test_mem;
struct image test_img, test_data;

void loader_setup(void)
{
    fake_mem_init(&test_mem, 16ull << 20);
}

void loader_teardown(void)
{
    image_free(&test_img);
    image_free(&test_data);
    fake_mem_exit(&test_mem);
}
