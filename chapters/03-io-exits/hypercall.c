/*
 * hypercall.c - read, check and serve a guest's argument block (see hypercall.h;
 * chapter 3).
 */
#include "hypercall.h"

#include <stdarg.h>
#include <time.h>

/* [serve] */
/* Does the work of one well-formed block; returns the result the guest will see. */
static int32_t serve(struct hypercall *hc, struct vcpu *v, struct hypercall_block *b)
{
    char text[HC_PRINT_MAX];
    struct timespec ts;

    switch (b->nr) {
    case HC_PRINT:
        if (b->arg[1] > HC_PRINT_MAX)
            return HC_EINVAL;
        /* The string's address is the guest's too: read it through the same check. */
        if (vcpu__read_mem(v, b->arg[0], text, b->arg[1]) < 0)
            return HC_EFAULT;
        fwrite(text, 1, b->arg[1], hc->console);
        return (int32_t)b->arg[1];
    case HC_MEMSIZE:
        b->arg[0] = hc->ram_size;
        return 0;
    case HC_NOW:
        clock_gettime(CLOCK_MONOTONIC, &ts);
        b->arg[0] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        return 0;
    }
    return HC_ENOSYS;
}
/* [serve] */

#define HC_WARNINGS_MAX 16 /* a hostile guest must not flood the terminal */

/* Reports a refused call; after HC_WARNINGS_MAX of them, says so once and goes quiet. */
static void __attribute__((format(printf, 2, 3))) warn(struct hypercall *hc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (hc->warnings++ < HC_WARNINGS_MAX)
        vfprintf(hc->diag, fmt, ap);
    va_end(ap);
    if (hc->warnings == HC_WARNINGS_MAX)
        fprintf(hc->diag, "warning: hypercall: further refused calls are not reported\n");
}

/* [hypercall] */
static int hypercall_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                           uint32_t size)
{
    struct hypercall *hc = dev;
    struct hypercall_block b;
    uint64_t gpa = value;

    hc->calls++;
    if (offset != 0 || size != 4 || gpa % 8) {
        warn(hc,
             "warning: hypercall: a %u-byte write at +%llu of 0x%llx: want one 32-bit "
             "write of an 8-byte aligned address (ignored)\n",
             size, (unsigned long long)offset, (unsigned long long)gpa);
        return 0;
    }
    /* The block itself must lie in RAM; a guest pointing elsewhere gets no answer. */
    if (vcpu__read_mem(v, gpa, &b, sizeof(b)) < 0) {
        warn(hc, "warning: hypercall: argument block at 0x%llx is not in guest RAM (ignored)\n",
             (unsigned long long)gpa);
        return 0;
    }
    /* ... and must be writable RAM (not the ROM): tried before any work is done. */
    if (vcpu__write_mem(v, gpa, &b, sizeof(b)) < 0) {
        warn(hc, "warning: hypercall: argument block at 0x%llx is read-only (ignored)\n",
             (unsigned long long)gpa);
        return 0;
    }
    b.result = serve(hc, v, &b);
    return vcpu__write_mem(v, gpa, &b, sizeof(b));
}
/* [hypercall] */

int hypercall__register(struct hypercall *hc, struct bus *pio, uint64_t ram_size, FILE *console,
                        FILE *diag)
{
    *hc = (struct hypercall){.ram_size = ram_size, .console = console, .diag = diag};
    return bus__register(pio, HYPERCALL_PORT, 4, "hypercall", NULL, hypercall_write, hc);
}
