/*
 * apicbus.h - the wires between the local APICs (chapter 5): interprocessor interrupts
 * from one CPU's ICR, and I/O APIC messages, delivered to the local APICs they address.
 * Used with stepvm's own interrupt controllers (--irqchip=user) and by the interpreter.
 *
 * The bus delivers at once, inside the write to the ICR or the I/O APIC's send, so a
 * sender never sees a message in flight: the ICR's delivery status (bit 12) reads idle.
 * Choices, where the SDM leaves them open or calls a combination invalid:
 *   - lowest priority compares the targets' task priority class (TPR bits 4-7), ties
 *     going round-robin; there is no focus processor (see apicbus.c);
 *   - the shorthands self and all-including-self with a mode other than fixed are
 *     invalid in the SDM; the bus delivers them as addressed, as KVM and QEMU do;
 *   - SMI is dropped (stepvm has no system-management mode), and so are the reserved
 *     delivery modes; INIT level de-assert is a no-op, as the SDM says of the Pentium 4 and
 *     later processors;
 *   - an APIC disabled in the APIC base MSR receives nothing (the CPU behaves as if it had
 *     no APIC); one disabled in software drops fixed and lowest-priority interrupts but
 *     still receives NMI, INIT and startup.
 */
#ifndef STEPVM_APICBUS_H
#define STEPVM_APICBUS_H

#include "ioapic.h"
#include "lapic.h"

#include <stdint.h>

#define APICBUS_MAX_CPUS 64 /* a destination set is one 64-bit mask */

/**
 * What the bus asks of the machine; cpu is the index apicbus__add returned. Every
 * function must be set. They are called from apicbus__send_ipi and apicbus__deliver, with
 * whatever lock their caller holds (the machine's lock).
 */
struct apicbus_ops {
    /** cpu's lapic may have accepted an interrupt: recompute its INTR pin and wake it. */
    void (*changed)(void *ctx, unsigned cpu);
    /** An NMI for cpu. */
    void (*nmi)(void *ctx, unsigned cpu);
    /**
     * An INIT reached cpu; its lapic is already back in its power-up state. The machine
     * stops the CPU and makes it wait for a startup IPI.
     */
    void (*init)(void *ctx, unsigned cpu);
    /**
     * A startup IPI reached cpu. If the CPU waits for one (after INIT), the machine starts
     * it in real mode at vector * 0x1000; otherwise it ignores the IPI, as the SDM says.
     */
    void (*startup)(void *ctx, unsigned cpu, uint8_t vector);
};

/** The local APICs on the bus, CPU i's at cpu[i]. */
struct apicbus {
    struct lapic *cpu[APICBUS_MAX_CPUS];
    unsigned n;           /* how many are on the bus */
    unsigned next_lowest; /* where lowest-priority arbitration starts looking for a tie */
    const struct apicbus_ops *ops;
    void *ctx;
};

/** Starts an empty bus that reports to ops with ctx. */
void apicbus__init(struct apicbus *b, const struct apicbus_ops *ops, void *ctx);

/**
 * Puts l on the bus. Returns its CPU index (0, 1, ... in the order of the calls), or -1
 * with the error set when the bus already holds APICBUS_MAX_CPUS.
 */
int apicbus__add(struct apicbus *b, struct lapic *l);

/**
 * An IPI from the lapic from, with lapic_ops.send_ipi's contract: icr_low is the ICR's
 * low word and dest its destination field. Delivers it to every lapic the ICR addresses.
 * For fixed delivery the sender has taken its own share already and is skipped here.
 */
void apicbus__send_ipi(struct apicbus *b, struct lapic *from, uint32_t icr_low, uint32_t dest);

/**
 * An I/O APIC message: to the local APICs its destination names; fixed delivery to all of
 * them, lowest priority to one. ExtINT only makes the addressed CPUs look at their INTR
 * pin again, as the PIC reaches them through LINT0 (lapic__extint).
 */
void apicbus__deliver(struct apicbus *b, const struct ioapic_msg *m);

#endif
