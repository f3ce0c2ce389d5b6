/*
 * fw_cfg.h - QEMU's firmware configuration interface as a guest reads it (chapter 5; chapter 3
 * teaches the device): select an item by its key, then read its bytes one at a time.
 * Keys are QEMU's (docs/specs/fw_cfg.rst).
 */
#ifndef GUEST_FW_CFG_H
#define GUEST_FW_CFG_H

#include <stdint.h>

#define FW_CFG_PORT_SEL  0x510 /* 16-bit write: select an item */
#define FW_CFG_PORT_DATA 0x511 /* 8-bit read: the item's next byte */

#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_NB_CPUS   0x0005 /* 2 bytes, little-endian */

/** Selects item @p key and returns its first @p len bytes (at most 8), little-endian. */
uint64_t fw_cfg_read(uint16_t key, int len);

/** Returns non-zero when the machine has fw_cfg: its signature reads "QEMU". */
int fw_cfg_present(void);

#endif
