/*
 * empty.c - the interpreter benchmark's empty guest (chapter 6): the same runtime as
 * bench-cpu (Multiboot entry, long mode, traps, one trip to CPL3 and back), and no work.
 * bench/run.sh times it to subtract what a run costs before and after the guest's work:
 * starting the VMM (or QEMU, its BIOS and its loader) and booting the runtime.
 */
#include <multiboot.h>
#include <stddef.h>
#include <stdint.h>
#include <user.h>

static long nothing(void *unused)
{
    (void)unused;
    return 0;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    return (int)user_call(nothing, NULL);
}
