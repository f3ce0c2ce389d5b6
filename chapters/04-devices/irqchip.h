/*
 * irqchip.h - the machine's interrupt controllers, two ways (chapter 4).
 *
 * --irqchip=kernel: KVM's own 8259A pair, I/O APIC, local APIC and 8254 PIT, inside the
 * kernel (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2). A device's line becomes KVM_IRQ_LINE;
 * KVM delivers the vector and handles HLT, EOI and the timer without leaving the kernel.
 *
 * --irqchip=user: stepvm's models of the same chips (pic.c, ioapic.c, lapic.c), wired as
 * on a PC: ISA IRQ n goes to the PIC's input n and to the I/O APIC's pin n (IRQ 0 to pin
 * 2, the override every PC's firmware declares); the I/O APIC sends its messages to the
 * local APIC; the PIC's output reaches the CPU through the local APIC's LINT0 (the
 * "virtual wire"). The CPU sees one INTR pin (vcpu.h) and acknowledges through
 * irqchip's vcpu_intr. On KVM that is KVM_INTERRUPT; the interpreter always works so.
 */
#ifndef STEPVM_IRQCHIP_H
#define STEPVM_IRQCHIP_H

#include "ioapic.h"
#include "irq.h"
#include "lapic.h"
#include "pic.h"
#include "vmm.h"

#include <pthread.h>

#define IRQCHIP_LAPIC_SIZE 0x1000ull

enum irqchip_kind { IRQCHIP_KERNEL, IRQCHIP_USER };

/* [irqchip-bus] */
/**
 * How messages travel between the local APICs when there are several (chapter 5's APIC
 * bus): the IPIs a local APIC does not complete alone (lapic_ops.send_ipi's contract)
 * and the I/O APIC's messages. Without one, the machine has one CPU: the I/O APIC's
 * messages go to its local APIC and IPIs to other CPUs are dropped with a warning.
 */
struct irqchip_bus {
    void (*send_ipi)(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest);
    void (*deliver)(void *ctx, const struct ioapic_msg *m);
    void *ctx;
};
/* [irqchip-bus] */

/** The interrupt controllers and their wiring. */
struct irqchip {
    enum irqchip_kind kind;
    struct vmm *vmm;
    struct irq_sink sink; /* where device lines end */
    /* --irqchip=user only (all of it guarded by the machine's lock): */
    struct pic pic;
    struct ioapic ioapic;
    struct lapic lapic[VMM_MAX_CPUS]; /* one a CPU: lapic[i] is vCPU i's, APIC ID i */
    unsigned ncpus;
    struct lapic_ops lapic_ops;
    const struct irqchip_bus *bus; /* NULL: one CPU */
    struct vcpu_intr intr;
    /* Signalled when a CPU's INTR, NMI or INIT pin rises or the machine ends: a CPU in
     * HLT waits on it, with the machine's lock. */
    pthread_cond_t wake;
    unsigned long ipi_warnings;
};

/**
 * Creates the controllers of kind: KVM's in the kernel now (before any vCPU, as KVM
 * requires), or stepvm's models. Returns 0, or -1 with the error set.
 */
int irqchip__create(struct irqchip *c, struct vmm *x, enum irqchip_kind kind);

/** Connects the controllers to the vCPU and the buses, once both exist. Returns 0 or -1. */
int irqchip__attach(struct irqchip *c);

/** The local APIC timer's next deadline (user models), or VCLOCK_NEVER. */
uint64_t irqchip__deadline(const struct irqchip *c);

/** Lets the local APIC timer fire what is due by now (user models). */
void irqchip__advance(struct irqchip *c, uint64_t now);

/**
 * vCPU v executed HLT: waits on the machine's lock (held) until what can wake it comes,
 * or the machine ends. With interrupts enabled (intr = 1) an interrupt at its INTR pin
 * wakes it; with them off (intr = 0) only an NMI or an INIT does (chapter 5).
 */
void irqchip__wait(struct irqchip *c, struct vcpu *v, int intr);

/** Wakes every CPU waiting in irqchip__wait, to look again. Lock held. */
void irqchip__wake(struct irqchip *c);

/**
 * Recomputes CPU cpu's INTR pin from its local APIC and the PIC, and wakes it if it is
 * up (chapter 5's APIC bus, after a message reached that CPU). Lock held.
 */
void irqchip__update(struct irqchip *c, unsigned cpu);

/** Releases what irqchip__create made. */
void irqchip__exit(struct irqchip *c);

#endif
