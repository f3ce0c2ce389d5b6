/*
 * fw_cfg.c - reading QEMU's fw_cfg items from a guest (chapter 5), for the number of CPUs.
 */
#include <fw_cfg.h>
#include <x86.h>

uint64_t fw_cfg_read(uint16_t key, int len)
{
    uint64_t v = 0;

    outw(FW_CFG_PORT_SEL, key);
    for (int i = 0; i < len && i < 8; i++)
        v |= (uint64_t)inb(FW_CFG_PORT_DATA) << (8 * i);
    return v;
}

int fw_cfg_present(void)
{
    return fw_cfg_read(FW_CFG_SIGNATURE, 4) == ('Q' | 'E' << 8 | 'M' << 16 | (uint64_t)'U' << 24);
}
