/*
 * pc.c - the PC's devices on chapter 3's machine, and the event loop (see pc.h;
 * chapter 4).
 */
#include "pc.h"

#include "cpuid.h"
#include "error.h"
#include "file.h"

#include <errno.h>
#include <linux/kvm_para.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define IRQ_PIT  0
#define IRQ_COM1 4 /* and COM3 */
#define IRQ_COM2 3 /* and COM4 */
#define IRQ_RTC  8
#define IDLE_NS  200000000ull /* the loop wakes at least this often */
/* ... and at most this often: a guest that programs a timer faster gets its interrupts at
 * this rate, and the loop still leaves the lock to the vCPU (KVM's in-kernel PIT puts a
 * floor under its period for the same reason). */
#define MIN_SLEEP_NS 50000ull
#define RFLAGS_IF    (1u << 9)

static const uint16_t com_base[PC_COMS] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
static const unsigned com_irq[PC_COMS] = {IRQ_COM1, IRQ_COM2, IRQ_COM1, IRQ_COM2};
static const char *const com_name[PC_COMS] = {"COM1", "COM2", "COM3", "COM4"};

/* ---- Building the PC ---- */

/* stepvm's local APIC model has neither the x2APIC's MSR interface nor the TSC-deadline
 * timer: a CPU must not claim what its APIC cannot do (KVM's own APIC has both). Nor may
 * KVM's leaf offer the paravirtual shortcuts that KVM serves from its in-kernel local APIC:
 * EOI by a flag in memory, waking a CPU halted in a spinlock by hypercall, IPIs by
 * hypercall, yielding to a preempted IPI target, and async page faults reported by
 * interrupt. Linux uses each that is offered, and without
 * KVM's APIC the hypercall fails (-EOPNOTSUPP) and the CPUs never start (chapter 5). */
static void no_kernel_apic_features(void *ctx, struct kvm_cpuid2 *table)
{
    (void)ctx;
    for (unsigned i = 0; i < table->nent; i++) {
        struct kvm_cpuid_entry2 *e = &table->entries[i];
        if (e->function == 1)
            e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
        else if (e->function == KVM_CPUID_FEATURES)
            e->eax &= ~((1u << KVM_FEATURE_PV_EOI) | (1u << KVM_FEATURE_PV_UNHALT) |
                        (1u << KVM_FEATURE_PV_SEND_IPI) | (1u << KVM_FEATURE_PV_SCHED_YIELD) |
                        (1u << KVM_FEATURE_ASYNC_PF_INT));
    }
}

static int pc_irqchip(void *ctx, struct vmm *x)
{
    struct pc *pc = ctx;
    enum irqchip_kind kind = pc->cfg.irqchip;

    pc->vmm = x;
    if (x->machine.vm.kvm.vm_fd < 0) { /* the interpreter: only stepvm's models */
        if (pc->cfg.irqchip_asked && kind == IRQCHIP_KERNEL)
            return error__set("--irqchip=kernel needs KVM: the interpreter takes interrupts "
                              "from stepvm's own models (--irqchip=user)");
        kind = IRQCHIP_USER;
    }
    if (kind == IRQCHIP_USER)
        x->machine.cpuid_adjust = no_kernel_apic_features;
    return irqchip__create(&pc->chip, x, kind);
}

/* A UART's byte for the host: straight out, flushed, so an interactive guest is seen. */
static void com_tx(void *ctx, uint8_t byte)
{
    FILE *out = ctx;

    fputc(byte, out);
    fflush(out);
}

/* The guest's power switch: ACPI's sleep control register, written with S5. */
static void quit(struct pc *pc, int status);

static void pc_poweroff(void *ctx)
{
    quit(ctx, 0);
}

/* [firmware] */
/* The tables an operating system reads to find the devices (acpi.h), in a ROM where a
 * PC's firmware leaves them, and the register through which it powers the machine off. */
static int pc_firmware(struct pc *pc, struct vmm *x)
{
    static uint8_t tables[ACPI_TABLES_MAX];
    struct acpi_config acpi = {.ncpus = x->ncpus};

    for (unsigned i = 0; i < pc->virtio.n; i++)
        acpi.virtio[acpi.nvirtio++] = (struct acpi_virtio){
            .base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE,
            .size = VIRTIO_MMIO_STRIDE,
            .irq = pc->virtio.slot[i].gsi,
        };
    long len = acpi__build(&acpi, ACPI_TABLES_ADDR, tables, sizeof(tables));
    if (len < 0 || guest_mem__add_rom(&x->machine.mem, ACPI_TABLES_ADDR, tables, (size_t)len) < 0)
        return -1;
    return acpi_pm__register(&pc->pm, &x->pio, pc_poweroff, pc);
}
/* [firmware] */

/* [devices] */
static int pc_devices(void *ctx, struct vmm *x)
{
    struct pc *pc = ctx;
    const struct vclock *clock = &vclock_host;

    if (irqchip__attach(&pc->chip) < 0)
        return -1;
    if (pc->chip.kind == IRQCHIP_USER) { /* else KVM's own PIT serves ports 0x40-0x43, 0x61 */
        pit__init(&pc->pit, clock, (struct irq_line){&pc->chip.sink, IRQ_PIT});
        if (pit__register(&pc->pit, &x->pio) < 0)
            return -1;
    }
    rtc__init(&pc->rtc, clock, (struct irq_line){&pc->chip.sink, IRQ_RTC}, x->cfg.machine.ram_size);
    if (rtc__register(&pc->rtc, &x->pio) < 0)
        return -1;
    pc->com_out[0] = x->cfg.machine.console;
    for (int i = 0; i < PC_COMS; i++) {
        if (i > 0 && pc->cfg.com_path[i] && !(pc->com_out[i] = fopen(pc->cfg.com_path[i], "w")))
            return error__errno("open %s for %s", pc->cfg.com_path[i], com_name[i]);
        if (!pc->com_out[i])
            continue;
        uart__init(&pc->com[i], com_name[i], clock, (struct irq_line){&pc->chip.sink, com_irq[i]},
                   com_tx, pc->com_out[i]);
        if (uart__register(&pc->com[i], &x->pio, com_base[i]) < 0)
            return -1;
    }
    if (pc_virtio__create(&pc->virtio, x, &pc->chip.sink, pc->chip.kind == IRQCHIP_KERNEL,
                          x->cfg.machine.console) < 0)
        return -1;
    return pc_firmware(pc, x);
}
/* [devices] */

/* ---- The event loop ---- */

/* The earliest time a device needs its advance. Lock held. */
static uint64_t next_deadline(struct pc *pc)
{
    uint64_t d = irqchip__deadline(&pc->chip), t;

    if (pc->chip.kind == IRQCHIP_USER && (t = pit__deadline(&pc->pit)) < d)
        d = t;
    if ((t = rtc__deadline(&pc->rtc)) < d)
        d = t;
    for (int i = 0; i < PC_COMS; i++)
        if (pc->com_out[i] && (t = uart__deadline(&pc->com[i])) < d)
            d = t;
    return d;
}

/* Fires what is due. Lock held. */
static void advance(struct pc *pc, uint64_t now)
{
    irqchip__advance(&pc->chip, now);
    if (pc->chip.kind == IRQCHIP_USER)
        pit__advance(&pc->pit, now);
    rtc__advance(&pc->rtc, now);
    for (int i = 0; i < PC_COMS; i++)
        if (pc->com_out[i])
            uart__advance(&pc->com[i], now);
}

/* Gives COM1 what the host typed, as much as its receiver takes. Lock held. */
static void feed_input(struct pc *pc)
{
    struct pc_virtio_slot *con = pc->virtio.console;
    size_t n;

    while (pc->in_len &&
           (n = con ? virtio_console__receive(&con->console, &con->t, pc->in, pc->in_len)
                    : uart__receive(&pc->com[0], pc->in, pc->in_len)) > 0) {
        memmove(pc->in, pc->in + n, pc->in_len - n);
        pc->in_len -= n;
    }
}

static void wake_loop(struct pc *pc)
{
    uint64_t one = 1;

    if (write(pc->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        fprintf(pc->vmm->cfg.machine.diag, "warning: waking the event loop: %s\n", strerror(errno));
}

/* Ends the machine from outside the guest. Lock held. */
static void quit(struct pc *pc, int status)
{
    vmm__end(pc->vmm, status);
}

/* [halt-for-good] */
/* With KVM's in-kernel irqchip, HLT never leaves the kernel, so "halted with interrupts
 * off" (the end of a guest, DESIGN.md) is not seen as an exit. When the guest has made no
 * exit for a while, the loop kicks every vCPU; the exit that follows looks at its state. */
static void idle_check(struct pc *pc, uint64_t now)
{
    struct vmm *x = pc->vmm;

    if (pc->chip.kind != IRQCHIP_KERNEL || now - pc->idle_check < IDLE_NS)
        return;
    if (x->exits == pc->idle_exits)
        for (unsigned i = 0; i < x->ncpus; i++)
            vcpu__kick(x->cpu[i].vcpu);
    pc->idle_exits = x->exits;
    pc->idle_check = now;
}

/* Whether KVM holds v where no interrupt can wake it: in HLT with interrupts off, or (an
 * AP, chapter 5) waiting for INIT and a startup IPI. */
static int halted_for_good(struct vcpu *v)
{
    uint32_t state;
    struct kvm_regs regs;

    if (vcpu__get_mp_state(v, &state) < 0)
        return 0;
    if (state == KVM_MP_STATE_UNINITIALIZED || state == KVM_MP_STATE_INIT_RECEIVED)
        return 1;
    if (state != KVM_MP_STATE_HALTED || vcpu__get_regs(v, &regs) < 0)
        return 0;
    return !(regs.rflags & RFLAGS_IF);
}
/* [halt-for-good] */

/* Reads what the host typed into pc->in (lock not held: read may block briefly). */
static void read_input(struct pc *pc)
{
    uint8_t raw[sizeof(pc->in)], cooked[sizeof(pc->in)];
    int want_quit = 0;

    pthread_mutex_lock(&pc->vmm->lock);
    size_t room = sizeof(pc->in) - pc->in_len;
    pthread_mutex_unlock(&pc->vmm->lock);
    ssize_t n = read(pc->in_fd, raw, room);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    pthread_mutex_lock(&pc->vmm->lock);
    if (n <= 0) {
        pc->in_eof = 1; /* the end of a file or pipe: nothing more will come */
    } else {
        size_t len =
            pc->term_open ? term__filter(&pc->term, raw, (size_t)n, cooked, &want_quit) : (size_t)n;
        memcpy(pc->in + pc->in_len, pc->term_open ? cooked : raw, len);
        pc->in_len += len;
        if (want_quit)
            quit(pc, 0);
        feed_input(pc);
    }
    pthread_mutex_unlock(&pc->vmm->lock);
}

/* [event-loop] */
/* The loop: fire the timers that are due, hand input to COM1, then sleep until the next
 * deadline, input, or a wake-up from the vCPU's thread (which moved a deadline). Devices
 * are touched only with the machine's lock held, as the vCPU's thread does. */
static void *event_loop(void *arg)
{
    struct pc *pc = arg;
    struct vmm *x = pc->vmm;

    pthread_mutex_lock(&x->lock);
    while (!pc->stop) {
        uint64_t now = vclock__now(&vclock_host);
        advance(pc, now);
        feed_input(pc);
        idle_check(pc, now);
        uint64_t deadline = next_deadline(pc);
        uint64_t wait = deadline > now ? deadline - now : 0;
        if (wait > IDLE_NS)
            wait = IDLE_NS;
        if (wait < MIN_SLEEP_NS)
            wait = MIN_SLEEP_NS;
        pc->sleep_until = now + wait;
        int want_input = pc->in_fd >= 0 && !pc->in_eof && pc->in_len < sizeof(pc->in);
        pthread_mutex_unlock(&x->lock);

        /* The wake-up, the input (its fd is -1 when not wanted: poll skips it), and
         * every queue's ioeventfd. */
        struct pollfd fds[PC_POLL_FDS] = {{pc->wake_fd, POLLIN, 0},
                                          {want_input ? pc->in_fd : -1, POLLIN, 0}};
        int nvirtio = pc_virtio__pollfds(&pc->virtio, fds + 2, PC_POLL_FDS - 2);
        struct timespec ts = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
        int ready = ppoll(fds, (nfds_t)(2 + nvirtio), &ts, NULL);
        if (ready > 0) {
            uint64_t drained;
            if ((fds[0].revents & POLLIN) && read(pc->wake_fd, &drained, sizeof(drained)) < 0)
                drained = 0;
            if (want_input && (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                read_input(pc);
        }
        pthread_mutex_lock(&x->lock);
        if (ready > 0)
            pc_virtio__serve(&pc->virtio, fds + 2, nvirtio);
    }
    pthread_mutex_unlock(&x->lock);
    return NULL;
}
/* [event-loop] */

static int pc_start(void *ctx, struct vmm *x)
{
    struct pc *pc = ctx;

    pc->in_fd = -1;
    if (!x->cfg.inspect) { /* the inspector owns the terminal */
        pc->in_fd = 0;
        if (isatty(0)) {
            if (term__open(&pc->term, 0, 1) < 0)
                return -1;
            pc->term_open = 1;
            term__install_restore(&pc->term);
        }
    }
    if ((pc->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return error__errno("eventfd for the event loop");
    pc->idle_check = vclock__now(&vclock_host);
    int err = pthread_create(&pc->thread, NULL, event_loop, pc);
    if (err)
        return error__set("starting the event loop: %s", strerror(err));
    pc->thread_started = 1;
    return 0;
}

/* [halt] */
/* HLT: with interrupts on, the CPU waits for an interrupt; with them off only an NMI or
 * an INIT from another CPU can wake it, and when every CPU is so the guest has ended.
 * (KVM's in-kernel irqchip waits in the kernel.) Returns 1 when v has stopped for good
 * with nothing left to wait for, else 0 once it is woken. */
static int pc_halt(void *ctx, struct vmm *x, struct vcpu *v)
{
    struct pc *pc = ctx;
    struct kvm_regs regs;

    if (vcpu__get_regs(v, &regs) < 0)
        return 1;
    if (pc->chip.kind == IRQCHIP_KERNEL)
        return !(regs.rflags & RFLAGS_IF); /* KVM waits in the kernel: this exit is not one */
    int intr = (regs.rflags & RFLAGS_IF) != 0;
    if (!intr) {
        vmm__set_stopped(x, (unsigned)v->id, 1); /* the last one to stop ends the machine */
    }
    feed_input(pc);
    if (next_deadline(pc) < pc->sleep_until)
        wake_loop(pc);
    irqchip__wait(&pc->chip, v, intr);
    if (!intr)
        vmm__set_stopped(x, (unsigned)v->id, 0);
    return 0;
}
/* [halt] */

/* After each exit: COM1 may take more input, a deadline may have moved earlier, and with
 * KVM's irqchip a kick may have found the CPU halted for good. */
static int pc_after_exit(void *ctx, struct vmm *x, struct vcpu *v, const struct vcpu_exit *e)
{
    struct pc *pc = ctx;

    feed_input(pc);
    if (pc->thread_started && next_deadline(pc) < pc->sleep_until)
        wake_loop(pc);
    if (pc->chip.kind == IRQCHIP_KERNEL)
        vmm__set_stopped(x, (unsigned)v->id, e->kind == VCPU_EXIT_INTR && halted_for_good(v));
    return 0;
}

/* The machine has ended: a CPU waiting in HLT looks again, and goes. */
static void pc_ended(void *ctx, struct vmm *x)
{
    struct pc *pc = ctx;

    (void)x;
    if (pc->chip.kind == IRQCHIP_USER)
        irqchip__wake(&pc->chip);
}

static void pc_stop(void *ctx, struct vmm *x)
{
    struct pc *pc = ctx;

    if (pc->thread_started) {
        pthread_mutex_lock(&x->lock);
        pc->stop = 1;
        pthread_mutex_unlock(&x->lock);
        wake_loop(pc);
        pthread_join(pc->thread, NULL);
        pc->thread_started = 0;
    }
    if (pc->wake_fd > 0)
        close(pc->wake_fd);
    if (pc->term_open)
        term__restore(&pc->term);
    for (int i = 1; i < PC_COMS; i++)
        if (pc->com_out[i])
            fclose(pc->com_out[i]);
    pc_virtio__exit(&pc->virtio);
    irqchip__exit(&pc->chip);
}

#define PC_INITRD_MAX (1ull << 30)

/* [load] */
/* A Linux kernel is the PC's to load (chapter 2 knows no bzImage); any other image is
 * chapter 2's. Returns 1 when it loaded one, 0 when img is not a bzImage, or -1. */
static int pc_load(void *ctx, struct vmm *x, const struct machine_image *img)
{
    struct pc *pc = ctx;
    struct bzimage_params p = {.cmdline = pc->cfg.append, .rsdp = ACPI_TABLES_ADDR};
    unsigned char *initrd = NULL;

    if (!bzimage__is(img->data, img->len)) {
        if (pc->cfg.append || pc->cfg.initrd)
            return error__set("--append and --initrd are for a Linux kernel (a bzImage), and "
                              "%s is not one (a Multiboot kernel takes --cmdline and --module)",
                              img->name);
        return 0;
    }
    if (pc->cfg.initrd && file__read_all(pc->cfg.initrd, PC_INITRD_MAX, &initrd, &p.initrd_len) < 0)
        return -1;
    p.initrd = initrd;
    int ret = bzimage__load(&x->machine, img->name, img->data, img->len, &p);
    free(initrd);
    return ret < 0 ? -1 : 1;
}
/* [load] */

void pc__configure(struct pc *pc, struct vmm_config *cfg)
{
    pc->platform = (struct vmm_platform){
        .irqchip = pc_irqchip,
        .devices = pc_devices,
        .load = pc_load,
        .start = pc_start,
        .halt = pc_halt,
        .after_exit = pc_after_exit,
        .ended = pc_ended,
        .stop = pc_stop,
        .ctx = pc,
    };
    cfg->platform = &pc->platform;
}
