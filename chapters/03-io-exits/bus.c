/*
 * bus.c - claim ranges, find them by binary search, dispatch accesses (see bus.h;
 * chapter 3).
 */
#include "bus.h"

#include "error.h"

#include <string.h>

void bus__init(struct bus *bus, const char *name, FILE *diag, int strict)
{
    memset(bus, 0, sizeof(*bus));
    bus->name = name;
    bus->diag = diag;
    bus->strict = strict;
}

int bus__register(struct bus *bus, uint64_t base, uint64_t len, const char *name, bus_read_fn read,
                  bus_write_fn write, void *dev)
{
    int at = 0;

    if (len == 0 || base + len - 1 < base)
        return error__set("%s bus: %s at 0x%llx: empty or wrapping range", bus->name, name,
                          (unsigned long long)base);
    if (bus->nranges == BUS_MAX_RANGES)
        return error__set("%s bus: no room for %s (at most %d devices)", bus->name, name,
                          BUS_MAX_RANGES);
    while (at < bus->nranges && bus->ranges[at].base < base)
        at++;
    /* Sorted and disjoint: only the neighbours can overlap the new range. */
    const struct bus_range *prev = at > 0 ? &bus->ranges[at - 1] : NULL;
    const struct bus_range *next = at < bus->nranges ? &bus->ranges[at] : NULL;
    if ((prev && prev->base + prev->len > base) || (next && base + len > next->base))
        return error__set("%s bus: %s at 0x%llx+0x%llx overlaps %s", bus->name, name,
                          (unsigned long long)base, (unsigned long long)len,
                          prev && prev->base + prev->len > base ? prev->name : next->name);
    memmove(&bus->ranges[at + 1], &bus->ranges[at],
            (size_t)(bus->nranges - at) * sizeof(bus->ranges[0]));
    bus->ranges[at] = (struct bus_range){
        .base = base, .len = len, .name = name, .read = read, .write = write, .dev = dev};
    bus->nranges++;
    return 0;
}

/* [find] */
const struct bus_range *bus__find(const struct bus *bus, uint64_t addr)
{
    int lo = 0, hi = bus->nranges - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const struct bus_range *r = &bus->ranges[mid];
        if (addr < r->base)
            hi = mid - 1;
        else if (addr - r->base >= r->len)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}
/* [find] */

/* Reports an access nobody claims, once per address (the first BUS_MAX_REPORTED). */
static void report_unclaimed(struct bus *bus, uint64_t addr, uint32_t size, int write)
{
    for (int i = 0; i < bus->nreported; i++)
        if (bus->reported[i] == addr)
            return;
    if (bus->nreported == BUS_MAX_REPORTED)
        return;
    bus->reported[bus->nreported++] = addr;
    fprintf(bus->diag, "warning: guest %s %u byte%s at %s 0x%llx: no device there (%s)\n",
            write ? "wrote" : "read", size, size == 1 ? "" : "s", bus->name,
            (unsigned long long)addr, write ? "write ignored" : "reads as all ones");
}

/* [access] */
int bus__access(struct bus *bus, struct vcpu *v, uint64_t addr, uint32_t size, int write,
                uint64_t *value)
{
    const struct bus_range *r = bus__find(bus, addr);

    /* The whole access must lie in one device's range; a straddling one is unclaimed. */
    if (!r || size > r->len - (addr - r->base)) {
        if (bus->strict)
            return error__set("guest %s %u byte%s at %s 0x%llx, where no device is (--strict)",
                              write ? "wrote" : "read", size, size == 1 ? "" : "s", bus->name,
                              (unsigned long long)addr);
        report_unclaimed(bus, addr, size, write);
        if (!write)
            *value = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
        return 0;
    }
    if (write)
        return r->write ? r->write(r->dev, v, addr - r->base, *value, size) : 0;
    *value = r->read ? r->read(r->dev, v, addr - r->base, size) : ~0ull;
    if (size < 8)
        *value &= (1ull << (8 * size)) - 1;
    return 0;
}
/* [access] */
