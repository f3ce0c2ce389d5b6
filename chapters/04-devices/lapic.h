/*
 * lapic.h - the local APIC, in xAPIC mode, as stepvm models it for --irqchip=user and the
 * interpreter (chapter 4). One struct lapic a CPU; chapter 5 adds IPIs between them.
 *
 * The model is a register file at the SDM's offsets, an interrupt request/in-service
 * pipeline with priorities, and a timer counted from the machine's vclock. It delivers
 * nothing by itself: it tells the machine (ops->intr) that what is deliverable may have
 * changed, and the machine drives the CPU's INTR pin from lapic__pending, lapic__ack and
 * lapic__extint. The machine maps the registers at LAPIC_BASE and picks the lapic of the
 * vCPU that made the access; the lapic claims no bus range itself.
 *
 * Choices, where the SDM leaves them to the implementation:
 *   - version 0x14 with seven LVT entries, CMCI included (LAPIC_VERSION_VALUE);
 *   - the timer counts at 1 GHz before its divider (1 ns a tick at divide by 1), as KVM's
 *     in-kernel APIC does, so a guest calibrates the same on both irqchips; one-shot and
 *     periodic modes, no TSC-deadline;
 *   - no directed EOI (SVR bit 12 reads 0, version bit 24 is clear);
 *   - while the APIC is disabled, in software (SVR bit 8) or in the APIC base MSR, it
 *     accepts no fixed interrupt: they are dropped, as under KVM.
 */
#ifndef STEPVM_LAPIC_H
#define STEPVM_LAPIC_H

#include "irq.h"

#include <stdint.h>

#define LAPIC_BASE 0xfee00000u /* the default of the IA32_APIC_BASE MSR */
#define LAPIC_SIZE 0x1000u

/* Register offsets (SDM Vol. 3A, table "Local APIC Register Address Map"). */
#define APIC_ID      0x20
#define APIC_LVR     0x30 /* version */
#define APIC_TASKPRI 0x80 /* TPR */
#define APIC_ARBPRI  0x90 /* APR */
#define APIC_PROCPRI 0xa0 /* PPR */
#define APIC_EOI     0xb0
#define APIC_RRR     0xc0 /* remote read */
#define APIC_LDR     0xd0
#define APIC_DFR     0xe0
#define APIC_SPIV    0xf0 /* spurious-interrupt vector register, SVR */
#define APIC_ISR     0x100
#define APIC_TMR     0x180
#define APIC_IRR     0x200
#define APIC_ESR     0x280
#define APIC_LVTCMCI 0x2f0
#define APIC_ICR     0x300
#define APIC_ICR2    0x310
#define APIC_LVTT    0x320 /* LVT timer */
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC   0x340
#define APIC_LVT0    0x350
#define APIC_LVT1    0x360
#define APIC_LVTERR  0x370
#define APIC_TMICT   0x380 /* timer initial count */
#define APIC_TMCCT   0x390 /* timer current count */
#define APIC_TDCR    0x3e0 /* timer divide configuration */

#define LAPIC_VERSION       0x14
#define LAPIC_MAX_LVT       6 /* seven LVT entries: CMCI, timer, thermal, perf, LINT0/1, error */
#define LAPIC_VERSION_VALUE (LAPIC_VERSION | (LAPIC_MAX_LVT << 16))
#define LAPIC_TIMER_HZ      1000000000ull /* the timer's clock before the divider */

/* SVR bits. */
#define APIC_SPIV_VECTOR_MASK    0xff
#define APIC_SPIV_APIC_ENABLED   (1u << 8)
#define APIC_SPIV_FOCUS_DISABLED (1u << 9)

/* LVT entry bits. */
#define APIC_VECTOR_MASK        0xff
#define APIC_MODE_MASK          (7u << 8)
#define APIC_MODE_FIXED         (0u << 8)
#define APIC_MODE_NMI           (4u << 8)
#define APIC_MODE_EXTINT        (7u << 8)
#define APIC_SEND_PENDING       (1u << 12) /* delivery status */
#define APIC_INPUT_POLARITY     (1u << 13)
#define APIC_LVT_REMOTE_IRR     (1u << 14)
#define APIC_LVT_LEVEL_TRIGGER  (1u << 15)
#define APIC_LVT_MASKED         (1u << 16)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)

/* ESR bits. */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)

/* ICR low word. */
#define APIC_DM_FIXED       (0u << 8)
#define APIC_DM_LOWEST      (1u << 8)
#define APIC_DM_SMI         (2u << 8)
#define APIC_DM_NMI         (4u << 8)
#define APIC_DM_INIT        (5u << 8)
#define APIC_DM_STARTUP     (6u << 8)
#define APIC_DEST_LOGICAL   (1u << 11)
#define APIC_INT_ASSERT     (1u << 14)
#define APIC_INT_LEVELTRIG  (1u << 15)
#define APIC_SHORT_MASK     (3u << 18)
#define APIC_DEST_NOSHORT   (0u << 18)
#define APIC_DEST_SELF      (1u << 18)
#define APIC_DEST_ALLINC    (2u << 18)
#define APIC_DEST_ALLBUT    (3u << 18)
#define APIC_DEST_BROADCAST 0xff /* physical destination ID that means every CPU */

struct lapic;

/** What a lapic asks of the machine around it. */
struct lapic_ops {
    /** What is deliverable may have changed: the machine recomputes the CPU's INTR pin. */
    void (*intr)(void *ctx, struct lapic *l);
    /** A level-triggered vector ended (EOI): the machine tells the I/O APIC. */
    void (*eoi)(void *ctx, uint8_t vector);
    /**
     * An IPI this lapic does not complete alone (see lapic__write's ICR rules): icr_low is
     * the ICR's low word, dest its destination field (ICR bits 56-63). For fixed delivery
     * the sender has already taken its own share; for every other delivery mode it has
     * taken nothing and the message is delivered in full. May be NULL (one CPU).
     */
    void (*send_ipi)(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest);
};

/** The LVT entries, in the order of LAPIC_VERSION's count. */
enum lapic_lvt {
    LAPIC_LVT_CMCI,
    LAPIC_LVT_TIMER,
    LAPIC_LVT_THERMAL,
    LAPIC_LVT_PERF,
    LAPIC_LVT_LINT0,
    LAPIC_LVT_LINT1,
    LAPIC_LVT_ERROR,
    LAPIC_NR_LVT,
};

/** One CPU's local APIC: everything per CPU lives here. */
struct lapic {
    uint32_t id; /* the ID register as read: the APIC ID in bits 24-31 */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t isr[8], tmr[8], irr[8]; /* 256 bits each, vector v in word v / 32 */
    uint32_t esr;                    /* the errors latched by the last write to ESR */
    uint32_t esr_pending;            /* errors found since */
    uint32_t icr_low, icr_high;
    uint32_t lvt[LAPIC_NR_LVT];
    int hw_enabled; /* IA32_APIC_BASE bit 11 */

    /* The timer: counting from base_count at base_ns, one tick every divide ns. */
    uint32_t timer_initial, timer_dcr;
    int timer_running;
    uint64_t timer_base_ns;
    uint32_t timer_base_count;

    const struct vclock *clock;
    const struct lapic_ops *ops;
    void *ctx;
};

/** Puts l in its power-up state, with APIC ID id, enabled in the APIC base MSR. */
void lapic__init(struct lapic *l, uint32_t id, const struct vclock *clock,
                 const struct lapic_ops *ops, void *ctx);

/**
 * Sets LINT0 to ExtINT, unmasked, even though the APIC is still software-disabled, as
 * firmware leaves it and as QEMU and KVM set it for the boot CPU at reset: a guest that
 * programs only the PIC then gets its interrupts through the virtual wire. The machine
 * calls it for CPU 0 after lapic__init.
 */
void lapic__set_virtual_wire(struct lapic *l);

/**
 * Reads the register at offset (from LAPIC_BASE). Only 32-bit reads at 16-byte aligned
 * offsets are registers; every other access, and reserved offsets, read 0.
 */
uint64_t lapic__read(struct lapic *l, uint64_t offset, uint32_t size);

/**
 * Writes a register; accesses that are not 32-bit at a 16-byte aligned offset, read-only
 * registers and reserved bits are ignored. A write to the ICR's low word sends the IPI:
 * a fixed IPI to this CPU (shorthand self or all-including-self, or a destination this
 * APIC matches) is accepted at once; anything addressed to another CPU, and every IPI
 * whose delivery mode is not fixed, goes to ops->send_ipi. Delivery status reads idle.
 */
void lapic__write(struct lapic *l, uint64_t offset, uint64_t value, uint32_t size);

/**
 * Accepts a fixed interrupt: sets its IRR bit, and its TMR bit when level_triggered
 * (clears it when edge). Vectors 0-15 are illegal: they set ESR's receive-illegal-vector
 * error and are dropped; so is everything while the APIC is disabled.
 */
void lapic__accept(struct lapic *l, uint8_t vector, int level_triggered);

/** Returns 1 when an interrupt is deliverable now: the highest IRR vector's class is above PPR's.
 */
int lapic__pending(const struct lapic *l);

/**
 * The acknowledge cycle: moves the deliverable vector from IRR to ISR and returns it, or
 * returns the spurious vector (SVR bits 0-7) when nothing is deliverable at this moment.
 */
int lapic__ack(struct lapic *l);

/**
 * Returns 1 when the PIC's INTR reaches the CPU: LINT0 is unmasked with delivery mode
 * ExtINT, or the APIC is disabled in the APIC base MSR.
 */
int lapic__extint(const struct lapic *l);

/**
 * The APIC base MSR's enable bit changed. Disabling puts the registers back in their
 * power-up state (the SDM allows it; the APIC ID stays); while disabled the APIC delivers
 * nothing and the PIC's INTR goes straight to the CPU.
 */
void lapic__set_enabled(struct lapic *l, int enabled);

/**
 * An INIT reached this APIC (SDM "Local APIC State After an INIT Reset"): every register
 * goes back to its power-up state except the APIC ID; the enable bit of the APIC base MSR
 * and the connections to the machine stay. Chapter 5's APIC bus calls it.
 */
void lapic__init_reset(struct lapic *l);

/**
 * Returns 1 when this APIC is among those an IPI or I/O APIC message addresses with dest
 * in logical (logical != 0) or physical destination mode. The one place destinations are
 * matched, so chapter 5 extends it rather than repeating it.
 */
int lapic__match_dest(const struct lapic *l, uint32_t dest, int logical);

/** The timer's next expiry in ns, or VCLOCK_NEVER (see irq.h). */
uint64_t lapic__deadline(const struct lapic *l);

/** Does what the timer has due by now: expiry sets the LVT timer vector (unless masked). */
void lapic__advance(struct lapic *l, uint64_t now);

#endif
