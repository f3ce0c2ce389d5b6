/*
 * acpi_pm.h - the sleep control and sleep status registers of a hardware-reduced ACPI
 * machine (chapter 4), at the ports the FADT names (acpi.h): how the guest powers it off.
 *
 * The OS reads the SLP_TYPx value for S5 from the DSDT's \_S5_ package and writes
 * SLP_TYPx | SLP_EN to the control register. Only that state exists here: other sleep
 * states are not offered (the DSDT has no \_S1_ to \_S4_), and writes asking for them
 * are ignored. No wake event ever happens, so the status register reads 0.
 */
#ifndef STEPVM_ACPI_PM_H
#define STEPVM_ACPI_PM_H

#include "bus.h"

#include <stdint.h>

/** The two registers and whom to tell when the guest turns the machine off. */
struct acpi_pm {
    void (*poweroff)(void *ctx);
    void *ctx;
    uint8_t slp_typ; /* the SLP_TYPx bits last written, as the control register reads */
};

/**
 * Claims ACPI_SLEEP_CONTROL_PORT and ACPI_SLEEP_STATUS_PORT on pio for pm. A write of
 * SLP_EN with SLP_TYPx = ACPI_S5_SLP_TYP calls poweroff(ctx), on the vCPU's thread, which
 * must stop the machine. Returns 0, or -1 with the error set.
 */
int acpi_pm__register(struct acpi_pm *pm, struct bus *pio, void (*poweroff)(void *ctx), void *ctx);

#endif
