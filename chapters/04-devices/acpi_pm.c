/*
 * acpi_pm.c - the hardware-reduced sleep registers (see acpi_pm.h; chapter 4): the guest's
 * way to switch the machine off.
 */
#include "acpi_pm.h"
#include "acpi.h"

#define SLEEP_CONTROL 0 /* offsets in the claimed range */
#define SLEEP_STATUS  1
#define SLEEP_PORTS   2

/* The control register reads back SLP_TYPx (SLP_EN is write-only); the status register
 * reads 0: no wake event has happened. A wider access sees both. */
static uint64_t sleep_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct acpi_pm *pm = dev;

    (void)v;
    (void)size;
    return offset == SLEEP_CONTROL ? pm->slp_typ : 0;
}

/* [sleep-write] */
static int sleep_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct acpi_pm *pm = dev;

    (void)v;
    (void)size;
    if (offset != SLEEP_CONTROL)
        return 0; /* the status register: writing 1 to WAK_STS clears a bit that is 0 */
    pm->slp_typ = value & ACPI_SLP_TYP_MASK;
    if ((value & ACPI_SLP_EN) && pm->slp_typ >> ACPI_SLP_TYP_SHIFT == ACPI_S5_SLP_TYP)
        pm->poweroff(pm->ctx);
    return 0;
}
/* [sleep-write] */

int acpi_pm__register(struct acpi_pm *pm, struct bus *pio, void (*poweroff)(void *ctx), void *ctx)
{
    pm->poweroff = poweroff;
    pm->ctx = ctx;
    pm->slp_typ = 0;
    return bus__register(pio, ACPI_SLEEP_CONTROL_PORT, SLEEP_PORTS, "acpi-sleep", sleep_read,
                         sleep_write, pm);
}
