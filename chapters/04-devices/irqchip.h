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

/** The interrupt controllers and their wiring. */
struct irqchip {
    enum irqchip_kind kind;
    struct vmm *x;
    struct irq_sink sink; /* where device lines end */
    /* --irqchip=user only: */
    struct pic pic;
    struct ioapic ioapic;
    struct lapic lapic; /* one CPU (chapter 5 gives each its own) */
    struct lapic_ops lapic_ops;
    struct vcpu_intr intr;
    pthread_cond_t wake; /* signalled when the INTR pin rises: a halted CPU waits on it */
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
 * A CPU executed HLT with interrupts enabled: waits on the machine's lock (held) until
 * an interrupt is pending or the machine is ending (x->quit or the test exit device).
 */
void irqchip__wait(struct irqchip *c);

/** Wakes a CPU waiting in irqchip__wait (the machine is ending). Lock held. */
void irqchip__wake(struct irqchip *c);

/** Releases what irqchip__create made. */
void irqchip__exit(struct irqchip *c);

#endif
