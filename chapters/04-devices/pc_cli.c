/*
 * pc_cli.c - chapter 4's options, and the PC as an extension of chapter 3's program
 * (see pc.h; chapter 4).
 */
#include "pc.h"

#include "error.h"

#include <string.h>

/* Options with no one-letter form: getopt values above every character. */
enum {
    PC_OPT_APPEND = 0x100,
    PC_OPT_INITRD,
    PC_OPT_DISK,
    PC_OPT_VIRTIO_CONSOLE,
    PC_OPT_NO_IOEVENTFD,
    PC_OPT_NO_IRQFD,
};

/* --disk FILE[,ro], --virtio-console, --no-ioeventfd, --no-irqfd. */
static int virtio_option(struct pc_virtio_config *vc, int opt, const char *arg)
{
    switch (opt) {
    case PC_OPT_DISK: {
        size_t len = strlen(arg);
        if (vc->ndisks == VIRTIO_MMIO_SLOTS)
            return error__set("--disk %s: at most %d disks", arg, VIRTIO_MMIO_SLOTS);
        int ro = len > 3 && !strcmp(arg + len - 3, ",ro");
        if (len - (ro ? 3 : 0) >= sizeof(vc->disk_path[0]))
            return error__set("--disk: the file name is too long");
        memcpy(vc->disk_path[vc->ndisks], arg, len - (ro ? 3 : 0));
        vc->disk_ro[vc->ndisks++] = ro;
        return 0;
    }
    case PC_OPT_VIRTIO_CONSOLE:
        vc->console = 1;
        return 0;
    case PC_OPT_NO_IOEVENTFD:
        vc->no_ioeventfd = 1;
        return 0;
    case PC_OPT_NO_IRQFD:
        vc->no_irqfd = 1;
        return 0;
    }
    return error__set("unknown option");
}

static int pc_option(void *ctx, int opt, const char *arg)
{
    struct pc *pc = ctx;

    if (opt == PC_OPT_APPEND) {
        pc->cfg.append = arg;
        return 0;
    }
    if (opt == PC_OPT_INITRD) {
        pc->cfg.initrd = arg;
        return 0;
    }
    if (opt == 'I') {
        if (strcmp(arg, "kernel") && strcmp(arg, "user"))
            return error__set("--irqchip %s: must be kernel or user", arg);
        pc->cfg.irqchip = strcmp(arg, "user") ? IRQCHIP_KERNEL : IRQCHIP_USER;
        pc->cfg.irqchip_asked = 1;
        return 0;
    }
    if (opt >= '2' && opt <= '4') {
        pc->cfg.com_path[opt - '1'] = arg; /* --com2..--com4 */
        return 0;
    }
    return virtio_option(&pc->virtio.cfg, opt, arg);
}

static int pc_configure(void *ctx, struct vmm_config *cfg)
{
    pc__configure(ctx, cfg);
    return 0;
}

static const struct option pc_options[] = {
    {"append", required_argument, NULL, PC_OPT_APPEND},
    {"initrd", required_argument, NULL, PC_OPT_INITRD},
    {"irqchip", required_argument, NULL, 'I'},
    {"com2", required_argument, NULL, '2'},
    {"com3", required_argument, NULL, '3'},
    {"com4", required_argument, NULL, '4'},
    {"disk", required_argument, NULL, PC_OPT_DISK},
    {"virtio-console", no_argument, NULL, PC_OPT_VIRTIO_CONSOLE},
    {"no-ioeventfd", no_argument, NULL, PC_OPT_NO_IOEVENTFD},
    {"no-irqfd", no_argument, NULL, PC_OPT_NO_IRQFD},
    {0},
};

static struct pc the_pc;

const struct cli_ext pc_cli_ext = {
    .options_help = "  --append TEXT       the command line of a Linux kernel (a bzImage GUEST)\n"
                    "  --initrd FILE       the initial ramdisk of a Linux kernel\n"
                    "  --irqchip WHERE     interrupt controllers: kernel (KVM's PIC, I/O APIC,\n"
                    "                      local APIC and PIT, the default on KVM) or user\n"
                    "                      (stepvm's own models; always on the interpreter)\n"
                    "  --com2 FILE         a second 16550 UART at 0x2f8 (IRQ 3), its output in\n"
                    "                      FILE (--com3 0x3e8 and --com4 0x2e8 likewise);\n"
                    "                      COM1 (0x3f8, IRQ 4) is the terminal: Ctrl-A x quits,\n"
                    "                      Ctrl-A h lists the keys\n"
                    "  --disk FILE[,ro]    a virtio-blk disk on the raw image FILE (',ro': the\n"
                    "                      guest's writes fail); repeatable, up to 6 devices\n"
                    "  --virtio-console    a virtio console (hvc0 under Linux): its output goes\n"
                    "                      to the terminal, and the terminal's input to it\n"
                    "  --no-ioeventfd      KVM: queue notifications as MMIO exits to stepvm\n"
                    "                      (default: an eventfd KVM signals in the kernel)\n"
                    "  --no-irqfd          KVM's irqchip: device interrupts by KVM_IRQ_LINE\n"
                    "                      (default: an eventfd KVM injects from)\n",
    .options = pc_options,
    .option = pc_option,
    .configure = pc_configure,
    .ctx = &the_pc,
};
