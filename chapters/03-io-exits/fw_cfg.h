/*
 * fw_cfg.h - QEMU's firmware configuration device, the I/O port interface (chapter 3).
 *
 * QEMU tells its firmware about the machine through fw_cfg: write a key to the selector
 * port, then read the item's bytes one at a time from the data port. stepvm answers the
 * keys a small guest needs, the same way, so one guest file reads the same answers under
 * stepvm and under QEMU.
 */
#ifndef STEPVM_FW_CFG_H
#define STEPVM_FW_CFG_H

#include "bus.h"

#include <stdint.h>

#define FW_CFG_PORT_SEL  0x510 /* 16-bit write: select an item */
#define FW_CFG_PORT_DATA 0x511 /* 8-bit read: the item's next byte */

#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_ID        0x0001 /* feature bits: 1 = the traditional port interface */
#define FW_CFG_RAM_SIZE  0x0003 /* 8 bytes, little-endian */
#define FW_CFG_NB_CPUS   0x0005 /* 2 bytes, little-endian */

/** The device: the selected item and how far it has been read. */
struct fw_cfg {
    uint64_t ram_size;
    uint16_t ncpus;
    uint16_t key;
    uint32_t offset;
};

/** Puts fw_cfg's two ports (one 2-byte range) on the port bus. */
int fw_cfg__register(struct fw_cfg *f, struct bus *pio, uint64_t ram_size, uint16_t ncpus);

#endif
