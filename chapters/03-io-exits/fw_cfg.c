/*
 * fw_cfg.c - select an item, read it byte by byte (see fw_cfg.h; chapter 3).
 */
#include "fw_cfg.h"

#include <string.h>

/* Fills item with the bytes of key; returns their number (0: no such item). */
static uint32_t item_bytes(const struct fw_cfg *f, uint16_t key, uint8_t item[8])
{
    uint32_t id = 1; /* the port interface only: no DMA */

    switch (key) {
    case FW_CFG_SIGNATURE:
        memcpy(item, "QEMU", 4);
        return 4;
    case FW_CFG_ID:
        memcpy(item, &id, 4);
        return 4;
    case FW_CFG_RAM_SIZE:
        memcpy(item, &f->ram_size, 8);
        return 8;
    case FW_CFG_NB_CPUS:
        memcpy(item, &f->ncpus, 2);
        return 2;
    }
    return 0;
}

/* [fw-cfg] */
/* One range covers both ports, as in QEMU: a 16-bit write at 0x510 selects an item, an
 * 8-bit read at 0x511 returns its next byte, or 0 past its end or for an item stepvm does
 * not have. Everything else is ignored and reads as 0. */
static int fw_cfg_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value, uint32_t size)
{
    struct fw_cfg *f = dev;

    (void)v;
    if (offset == 0 && size == 2) {
        f->key = (uint16_t)value;
        f->offset = 0;
    }
    return 0;
}

static uint64_t fw_cfg_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    struct fw_cfg *f = dev;
    uint8_t item[8];
    uint32_t len = item_bytes(f, f->key, item);

    (void)v;
    if (offset != 1 || size != 1)
        return 0;
    return f->offset < len ? item[f->offset++] : 0;
}
/* [fw-cfg] */

int fw_cfg__register(struct fw_cfg *f, struct bus *pio, uint64_t ram_size, uint16_t ncpus)
{
    *f = (struct fw_cfg){.ram_size = ram_size, .ncpus = ncpus};
    return bus__register(pio, FW_CFG_PORT_SEL, 2, "fw_cfg", fw_cfg_read, fw_cfg_write, f);
}
