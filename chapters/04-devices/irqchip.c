/*
 * irqchip.c - KVM's in-kernel interrupt controllers, or stepvm's models wired as a PC
 * wires them (see irqchip.h; chapter 4).
 */
#include "irqchip.h"

#include "error.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define ISA_IRQS    16
#define IOAPIC_PINS 24

/* The I/O APIC pin of ISA IRQ n: n, but the PIT's IRQ 0 is on pin 2 (pin 0 carries the
 * PIC's output), as on every PC; firmware tells the OS with an interrupt source override. */
static unsigned ioapic_pin(unsigned gsi)
{
    return gsi == 0 ? 2 : gsi;
}

/* ---- --irqchip=kernel ---- */

/* [kernel-line] */
/* A device's line, straight to KVM's controllers: KVM_IRQ_LINE takes the GSI and a level,
 * and the routing below sends it to the PIC and the I/O APIC. */
static void kernel_set(void *ctx, unsigned gsi, int level)
{
    struct irqchip *c = ctx;
    struct kvm_irq_level irq = {.irq = gsi, .level = (uint32_t)level};

    if (ioctl(c->vmm->machine.vm.kvm.vm_fd, KVM_IRQ_LINE, &irq) < 0)
        fprintf(c->vmm->cfg.machine.diag, "warning: KVM_IRQ_LINE %u level %d: %s\n", gsi, level,
                strerror(errno));
}
/* [kernel-line] */

/* [kernel-routing] */
/* KVM's default routing sends GSI n to PIC input n and I/O APIC pin n. A PC wires the
 * PIT's IRQ 0 to pin 2 instead, and the in-kernel PIT raises GSI 0: route it so, as QEMU
 * does, so a guest that follows the firmware's override finds its timer on pin 2. */
static int kernel_routing(struct irqchip *c)
{
    size_t n = 0, max = ISA_IRQS + IOAPIC_PINS;
    struct kvm_irq_routing *r = calloc(1, sizeof(*r) + max * sizeof(r->entries[0]));

    if (!r)
        return error__set("out of memory for the interrupt routing table");
    for (unsigned gsi = 0; gsi < IOAPIC_PINS; gsi++) {
        if (gsi < ISA_IRQS && gsi != 2)
            r->entries[n++] = (struct kvm_irq_routing_entry){
                .gsi = gsi,
                .type = KVM_IRQ_ROUTING_IRQCHIP,
                .u.irqchip = {gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi % 8}};
        if (gsi != 2)
            r->entries[n++] =
                (struct kvm_irq_routing_entry){.gsi = gsi,
                                               .type = KVM_IRQ_ROUTING_IRQCHIP,
                                               .u.irqchip = {KVM_IRQCHIP_IOAPIC, ioapic_pin(gsi)}};
    }
    r->nr = (uint32_t)n;
    int ret = ioctl(c->vmm->machine.vm.kvm.vm_fd, KVM_SET_GSI_ROUTING, r);
    free(r);
    return ret < 0 ? error__errno("KVM_SET_GSI_ROUTING") : 0;
}
/* [kernel-routing] */

/* [kernel-create] */
static int kernel_create(struct irqchip *c)
{
    int vm = c->vmm->machine.vm.kvm.vm_fd;
    /* KVM_PIT_SPEAKER_DUMMY: KVM also serves port 0x61, with channel 2's gate and OUT
     * (its name undersells it), which guests poll to calibrate their clocks. */
    struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};

    if (vm < 0)
        return error__set("--irqchip=kernel needs KVM; the interpreter has only "
                          "--irqchip=user");
    if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
        return error__errno("KVM_CREATE_IRQCHIP");
    if (kernel_routing(c) < 0)
        return -1;
    if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
        return error__errno("KVM_CREATE_PIT2");
    return 0;
}
/* [kernel-create] */

/* ---- --irqchip=user ---- */

/* [user-pin] */
/* CPU i's INTR pin: up while its local APIC has a vector to deliver, or while the PIC
 * asks and its output reaches the CPU through LINT0. A CPU waiting in HLT is woken. */
void irqchip__update(struct irqchip *c, unsigned i)
{
    struct lapic *l = &c->lapic[i];
    int up = lapic__pending(l) || (lapic__extint(l) && pic__output(&c->pic));
    struct vcpu *v = i < c->vmm->ncpus ? c->vmm->cpu[i].vcpu : NULL;

    if (!v)
        return; /* not built yet */
    vcpu__set_intr_pin(v, up);
    if (up)
        pthread_cond_broadcast(&c->wake);
}

static void update_pins(struct irqchip *c)
{
    for (unsigned i = 0; i < c->ncpus; i++)
        irqchip__update(c, i);
}

/* The acknowledge cycle, from vCPU v's thread as it takes the interrupt. */
static int user_ack(void *ctx, struct vcpu *v)
{
    struct irqchip *c = ctx;
    struct lapic *l = &c->lapic[v->id];
    int vector = -1;

    pthread_mutex_lock(&c->vmm->lock);
    if (lapic__pending(l))
        vector = lapic__ack(l);
    else if (lapic__extint(l) && pic__output(&c->pic))
        vector = pic__ack(&c->pic);
    update_pins(c); /* the PIC's output may have fallen for every CPU */
    pthread_mutex_unlock(&c->vmm->lock);
    return vector;
}
/* [user-pin] */

/* [user-line] */
/* A device's line into the models: the PIC for the ISA IRQs, the I/O APIC for all. */
static void user_set(void *ctx, unsigned gsi, int level)
{
    struct irqchip *c = ctx;

    if (gsi < ISA_IRQS)
        pic__set_irq(&c->pic, gsi, level);
    if (gsi != 2 && ioapic_pin(gsi) < IOAPIC_PINS)
        ioapic__set_irq(&c->ioapic, ioapic_pin(gsi), level);
    update_pins(c);
}
/* [user-line] */

static void pic_intr(void *ctx, int level)
{
    (void)level;
    update_pins(ctx);
}

static void lapic_intr(void *ctx, struct lapic *l)
{
    struct irqchip *c = ctx;

    irqchip__update(c, (unsigned)(l - c->lapic));
}

/* An EOI for a level-triggered vector: the I/O APIC clears remote IRR and looks again. */
static void lapic_eoi(void *ctx, uint8_t vector)
{
    struct irqchip *c = ctx;

    ioapic__eoi(&c->ioapic, vector);
    update_pins(c);
}

/* An IPI for other CPUs: chapter 5's APIC bus carries it; one CPU has no one to send to. */
static void lapic_send_ipi(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest)
{
    struct irqchip *c = ctx;

    if (c->bus) {
        c->bus->send_ipi(c->bus->ctx, from, icr_low, dest);
        return;
    }
    if (c->ipi_warnings++ < 4)
        fprintf(c->vmm->cfg.machine.diag,
                "warning: IPI 0x%08x to APIC %u: this machine has one CPU (dropped)\n", icr_low,
                dest);
}

/* [user-deliver] */
/* An I/O APIC message: with one CPU, fixed and lowest-priority delivery reach its local
 * APIC whatever the destination, and ExtINT means "ask the PIC", which LINT0 already
 * does; with several, chapter 5's APIC bus matches destinations. */
static void ioapic_deliver(void *ctx, const struct ioapic_msg *m)
{
    struct irqchip *c = ctx;

    if (c->bus)
        c->bus->deliver(c->bus->ctx, m);
    else if (m->delivery_mode == 0 || m->delivery_mode == 1)
        lapic__accept(&c->lapic[0], m->vector, m->level_triggered);
    update_pins(c);
}
/* [user-deliver] */

/* The local APIC page: every CPU sees its own APIC at the same address. */
static uint64_t lapic_mmio_read(void *dev, struct vcpu *v, uint64_t offset, uint32_t size)
{
    return lapic__read(&((struct irqchip *)dev)->lapic[v->id], offset, size);
}

static int lapic_mmio_write(void *dev, struct vcpu *v, uint64_t offset, uint64_t value,
                            uint32_t size)
{
    lapic__write(&((struct irqchip *)dev)->lapic[v->id], offset, value, size);
    return 0;
}

/* ---- Both ---- */

int irqchip__create(struct irqchip *c, struct vmm *x, enum irqchip_kind kind)
{
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->vmm = x;
    pthread_cond_init(&c->wake, NULL);
    if (kind == IRQCHIP_KERNEL) {
        c->sink = (struct irq_sink){kernel_set, c};
        return kernel_create(c);
    }
    c->sink = (struct irq_sink){user_set, c};
    c->lapic_ops = (struct lapic_ops){lapic_intr, lapic_eoi, lapic_send_ipi};
    pic__init(&c->pic, pic_intr, c);
    ioapic__init(&c->ioapic, ioapic_deliver, c);
    c->ncpus = x->ncpus;
    for (unsigned i = 0; i < c->ncpus; i++)
        lapic__init(&c->lapic[i], i, &vclock_host, &c->lapic_ops, c);
    lapic__set_virtual_wire(&c->lapic[0]); /* the PIC reaches the boot CPU, as after reset */
    c->intr = (struct vcpu_intr){user_ack, c};
    return 0;
}

int irqchip__attach(struct irqchip *c)
{
    if (c->kind == IRQCHIP_KERNEL)
        return 0;
    for (unsigned i = 0; i < c->ncpus; i++)
        c->vmm->cpu[i].vcpu->intr = &c->intr;
    if (pic__register(&c->pic, &c->vmm->pio) < 0 || ioapic__register(&c->ioapic, &c->vmm->mmio) < 0)
        return -1;
    return bus__register(&c->vmm->mmio, LAPIC_BASE, IRQCHIP_LAPIC_SIZE, "lapic", lapic_mmio_read,
                         lapic_mmio_write, c);
}

uint64_t irqchip__deadline(const struct irqchip *c)
{
    uint64_t d = VCLOCK_NEVER, t;

    for (unsigned i = 0; c->kind == IRQCHIP_USER && i < c->ncpus; i++)
        if ((t = lapic__deadline(&c->lapic[i])) < d)
            d = t;
    return d;
}

void irqchip__advance(struct irqchip *c, uint64_t now)
{
    for (unsigned i = 0; c->kind == IRQCHIP_USER && i < c->ncpus; i++)
        lapic__advance(&c->lapic[i], now);
}

void irqchip__wait(struct irqchip *c, struct vcpu *v, int intr)
{
    while (!(intr && atomic_load(&v->intr_pin)) && !atomic_load(&v->nmi_pin) &&
           !atomic_load(&v->init_pin) && !c->vmm->done)
        pthread_cond_wait(&c->wake, &c->vmm->lock);
}

void irqchip__wake(struct irqchip *c)
{
    pthread_cond_broadcast(&c->wake);
}

void irqchip__exit(struct irqchip *c)
{
    pthread_cond_destroy(&c->wake);
}
