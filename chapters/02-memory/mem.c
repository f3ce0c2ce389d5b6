/*
 * mem.c - guest RAM in KVM slots, translation of guest-physical addresses, ROM slots
 * and dirty-page logging (see mem.h; chapter 2).
 */
#include "mem.h"

#include "error.h"

#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* Registers host [host, host + size) as guest [gpa, gpa + size) in the next free slot. */
static int add_region(struct guest_mem *mem, uint64_t gpa, uint64_t size, uint8_t *host,
                      uint32_t flags)
{
    if (mem->nregions == MEM_MAX_REGIONS)
        return error__set("too many memory regions (at most %d)", MEM_MAX_REGIONS);
    struct mem_region *r = &mem->regions[mem->nregions];
    *r = (struct mem_region){
        .gpa = gpa, .size = size, .host = host, .slot = (uint32_t)mem->nregions, .flags = flags};
    /* Without KVM (the interpreter of chapter 6) the table is all there is: no slot. */
    if (mem->kvm && kvm__set_memory(mem->kvm, r->slot, gpa, host, size, flags) < 0)
        return -1;
    mem->nregions++;
    return 0;
}

/* [layout] */
int guest_mem__init(struct guest_mem *mem, struct kvm *kvm, uint64_t ram_size, int dirty_log)
{
    uint32_t flags = dirty_log ? KVM_MEM_LOG_DIRTY_PAGES : 0;
    uint64_t low_end = ram_size < MEM_GAP_START ? ram_size : MEM_GAP_START;

    memset(mem, 0, sizeof(*mem));
    mem->kvm = kvm;
    if (ram_size < MEM_MIN_SIZE || ram_size % MEM_PAGE_SIZE)
        return error__set("RAM size %llu: must be a multiple of 4 KiB and at least 2 MiB",
                          (unsigned long long)ram_size);
    /* MAP_NORESERVE: a 2 GiB guest costs the host only the pages the guest touches. */
    mem->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem->ram == MAP_FAILED) {
        mem->ram = NULL;
        return error__errno("mmap %llu MiB of guest RAM", (unsigned long long)(ram_size >> 20));
    }
    mem->ram_size = ram_size;
    if (add_region(mem, 0, MEM_HOLE_START, mem->ram, flags) < 0 ||
        add_region(mem, MEM_HOLE_END, low_end - MEM_HOLE_END, mem->ram + MEM_HOLE_END, flags) < 0)
        return -1;
    if (ram_size > MEM_GAP_START && add_region(mem, MEM_HIGH_START, ram_size - MEM_GAP_START,
                                               mem->ram + MEM_GAP_START, flags) < 0)
        return -1;
    return 0;
}
/* [layout] */

/* [translate] */
void *guest_mem__find(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        /* Written so that no sum can overflow: gpa + len might wrap around 2^64. */
        if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
            return r->host + (gpa - r->gpa);
    }
    return NULL;
}

void *guest_mem__translate(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    void *p = guest_mem__find(mem, gpa, len);

    if (!p)
        error__set("guest range 0x%llx+0x%llx is not inside guest memory", (unsigned long long)gpa,
                   (unsigned long long)len);
    return p;
}
/* [translate] */

int guest_mem__read(struct guest_mem *mem, uint64_t gpa, void *buf, size_t len)
{
    const void *p = guest_mem__translate(mem, gpa, len);

    if (!p)
        return -1;
    memcpy(buf, p, len);
    return 0;
}

int guest_mem__write(struct guest_mem *mem, uint64_t gpa, const void *buf, size_t len)
{
    void *p = guest_mem__translate(mem, gpa, len);

    if (!p)
        return -1;
    /* A ROM is read-only for the VMM's writes on the guest's behalf too. */
    if (guest_mem__is_rom(mem, gpa))
        return error__set("guest range 0x%llx+0x%zx is ROM", (unsigned long long)gpa, len);
    memcpy(p, buf, len);
    return 0;
}

int guest_mem__is_rom(const struct guest_mem *mem, uint64_t gpa)
{
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        if ((r->flags & KVM_MEM_READONLY) && gpa >= r->gpa && gpa - r->gpa < r->size)
            return 1;
    }
    return 0;
}

/* [rom] */
int guest_mem__add_rom(struct guest_mem *mem, uint64_t gpa, const void *data, size_t len)
{
    uint64_t size = (len + MEM_PAGE_SIZE - 1) & ~(MEM_PAGE_SIZE - 1);

    if (gpa % MEM_PAGE_SIZE || size == 0)
        return error__set("ROM at 0x%llx: must be page-aligned and not empty",
                          (unsigned long long)gpa);
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        if (gpa < r->gpa + r->size && r->gpa < gpa + size)
            return error__set("ROM at 0x%llx (%llu bytes) overlaps slot %u at 0x%llx",
                              (unsigned long long)gpa, (unsigned long long)size, r->slot,
                              (unsigned long long)r->gpa);
    }
    int ret = mem->kvm ? ioctl(mem->kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) : 1;
    if (ret < 0)
        return error__errno("KVM_CHECK_EXTENSION KVM_CAP_READONLY_MEM");
    if (ret == 0)
        return error__set("KVM lacks KVM_CAP_READONLY_MEM: read-only slots are not supported");
    uint8_t *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED)
        return error__errno("mmap %llu bytes of ROM", (unsigned long long)size);
    memcpy(host, data, len);
    if (add_region(mem, gpa, size, host, KVM_MEM_READONLY) < 0) {
        munmap(host, size);
        return -1;
    }
    return 0;
}
/* [rom] */

/* [dirty] */
long guest_mem__dirty_pages(struct guest_mem *mem, mem_dirty_fn fn, void *ctx)
{
    long total = 0;

    if (!mem->kvm)
        return error__set("dirty-page logging needs KVM");
    for (int i = 0; i < mem->nregions; i++) {
        const struct mem_region *r = &mem->regions[i];
        uint64_t pages = r->size / MEM_PAGE_SIZE, run = 0;
        if (!(r->flags & KVM_MEM_LOG_DIRTY_PAGES))
            continue;
        /* One bit a page, in 64-bit words, as KVM_GET_DIRTY_LOG fills it. */
        uint64_t *bitmap = calloc((pages + 63) / 64, sizeof(uint64_t));
        if (!bitmap)
            return error__set("out of memory for a dirty bitmap");
        struct kvm_dirty_log log = {.slot = r->slot, .dirty_bitmap = bitmap};
        if (ioctl(mem->kvm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
            free(bitmap);
            return error__errno("KVM_GET_DIRTY_LOG slot %u", r->slot);
        }
        for (uint64_t p = 0; p <= pages; p++) {
            int dirty = p < pages && (bitmap[p / 64] >> (p % 64) & 1);
            if (dirty) {
                run++;
                total++;
            } else if (run) {
                fn(ctx, r->gpa + (p - run) * MEM_PAGE_SIZE, run * MEM_PAGE_SIZE);
                run = 0;
            }
        }
        free(bitmap);
    }
    return total;
}
/* [dirty] */

void guest_mem__exit(struct guest_mem *mem)
{
    for (int i = 0; i < mem->nregions; i++)
        if (mem->regions[i].flags & KVM_MEM_READONLY)
            munmap(mem->regions[i].host, mem->regions[i].size);
    if (mem->ram)
        munmap(mem->ram, mem->ram_size);
    mem->ram = NULL;
    mem->nregions = 0;
}
