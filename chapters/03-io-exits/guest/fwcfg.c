/*
 * fwcfg.c - a guest that asks the machine about itself through fw_cfg, as firmware does
 * under QEMU (chapter 3). Its output is the same under stepvm and QEMU (-m 128).
 */
#include <stdio.h>
#include <x86.h>

#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511

/* [fw-cfg-guest] */
/* Selects item key and reads its first len bytes, little-endian. */
static uint64_t fw_cfg_read(uint16_t key, int len)
{
    uint64_t v = 0;

    outw(FW_CFG_PORT_SEL, key);
    for (int i = 0; i < len; i++)
        v |= (uint64_t)inb(FW_CFG_PORT_DATA) << (8 * i);
    return v;
}
/* [fw-cfg-guest] */

int main(void)
{
    uint64_t sig = fw_cfg_read(0x0000, 4);

    printf("fw_cfg signature: %c%c%c%c\n", (int)(sig & 0xff), (int)(sig >> 8 & 0xff),
           (int)(sig >> 16 & 0xff), (int)(sig >> 24));
    printf("fw_cfg port interface: %s\n", fw_cfg_read(0x0001, 4) & 1 ? "yes" : "no");
    printf("RAM: %llu MiB\n", (unsigned long long)(fw_cfg_read(0x0003, 8) >> 20));
    printf("CPUs: %llu\n", (unsigned long long)fw_cfg_read(0x0005, 2));
    return 0;
}
