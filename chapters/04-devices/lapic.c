/*
 * lapic.c - the local APIC model: registers, priorities, the timer and self-IPIs (see
 * lapic.h; chapter 4). References are to the Intel SDM, Vol. 3A, chapter "Advanced
 * Programmable Interrupt Controller (APIC)".
 */
#include "lapic.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------
 * The 256-bit registers: IRR, ISR and TMR hold vector v in bit v % 32 of word v / 32.
 * ------------------------------------------------------------------------------------- */

static void vec_set(uint32_t *reg, uint8_t v)
{
    reg[v / 32] |= 1u << (v % 32);
}

static void vec_clear(uint32_t *reg, uint8_t v)
{
    reg[v / 32] &= ~(1u << (v % 32));
}

static int vec_test(const uint32_t *reg, uint8_t v)
{
    return (reg[v / 32] >> (v % 32)) & 1;
}

/* Returns the highest vector set, or -1 when none is. */
static int vec_highest(const uint32_t *reg)
{
    for (int w = 7; w >= 0; w--)
        if (reg[w])
            return w * 32 + 31 - __builtin_clz(reg[w]);
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * Priorities, acceptance, acknowledge and EOI.
 * ------------------------------------------------------------------------------------- */

/* Tells the machine that what is deliverable, or whether ExtINT passes, may have changed. */
static void lapic_update(struct lapic *l)
{
    if (l->ops && l->ops->intr)
        l->ops->intr(l->ctx, l);
}

static int sw_enabled(const struct lapic *l)
{
    return (l->svr & APIC_SPIV_APIC_ENABLED) != 0;
}

/* [lapic-ppr] */
/* The processor priority (SDM "Processor Priority Register"): the TPR, or the class of
 * the highest vector in service when that class is higher. */
static uint32_t lapic_ppr(const struct lapic *l)
{
    int isrv = vec_highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}
/* [lapic-ppr] */

/* Records errors for the next write to ESR and raises the LVT error interrupt. An LVT
 * error vector below 16 is not delivered, so an error cannot cause another. */
static void lapic_error(struct lapic *l, uint32_t errors)
{
    uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];

    l->esr_pending |= errors;
    if (!(lvt & APIC_LVT_MASKED) && (lvt & APIC_VECTOR_MASK) >= 16)
        lapic__accept(l, lvt & APIC_VECTOR_MASK, 0);
}

void lapic__accept(struct lapic *l, uint8_t vector, int level_triggered)
{
    if (!l->hw_enabled || !sw_enabled(l))
        return;
    if (vector < 16) {
        lapic_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(l->irr, vector);
    if (level_triggered)
        vec_set(l->tmr, vector);
    else
        vec_clear(l->tmr, vector);
    lapic_update(l);
}

/* [lapic-ack-eoi] */
/* Returns the vector the CPU would take now, or -1. */
static int lapic_deliverable(const struct lapic *l)
{
    int v = vec_highest(l->irr);

    if (!l->hw_enabled || v < 0)
        return -1;
    return ((uint32_t)v & 0xf0) > (lapic_ppr(l) & 0xf0) ? v : -1;
}

int lapic__pending(const struct lapic *l)
{
    return lapic_deliverable(l) >= 0;
}

int lapic__ack(struct lapic *l)
{
    int v = lapic_deliverable(l);

    if (v < 0)
        return (int)(l->svr & APIC_SPIV_VECTOR_MASK);
    vec_clear(l->irr, (uint8_t)v);
    vec_set(l->isr, (uint8_t)v);
    lapic_update(l);
    return v;
}

/* An EOI ends the highest-priority interrupt in service; a level-triggered one is also
 * ended at its source, through the machine. */
static void lapic_eoi(struct lapic *l)
{
    int v = vec_highest(l->isr);

    if (v < 0)
        return;
    vec_clear(l->isr, (uint8_t)v);
    if (vec_test(l->tmr, (uint8_t)v) && l->ops && l->ops->eoi)
        l->ops->eoi(l->ctx, (uint8_t)v);
    lapic_update(l);
}
/* [lapic-ack-eoi] */

int lapic__extint(const struct lapic *l)
{
    uint32_t lint0 = l->lvt[LAPIC_LVT_LINT0];

    if (!l->hw_enabled)
        return 1;
    return !(lint0 & APIC_LVT_MASKED) && (lint0 & APIC_MODE_MASK) == APIC_MODE_EXTINT;
}

/* ---------------------------------------------------------------------------------------
 * The timer. It counts down from base_count, which it held at base_ns, one tick every
 * "divide" ns; the divider's code is in bits 0, 1 and 3 of the divide configuration
 * register, 0b0000 for 2 up to 0b1010 for 128, and 0b1011 for 1.
 * ------------------------------------------------------------------------------------- */

static uint32_t timer_divide(const struct lapic *l)
{
    uint32_t code = (l->timer_dcr & 3) | ((l->timer_dcr & 8) >> 1);

    return 1u << ((code + 1) & 7);
}

static int timer_periodic(const struct lapic *l)
{
    return (l->lvt[LAPIC_LVT_TIMER] & APIC_LVT_TIMER_PERIODIC) != 0;
}

static void timer_start(struct lapic *l, uint64_t now)
{
    l->timer_base_ns = now;
    l->timer_base_count = l->timer_initial;
    l->timer_running = l->timer_initial != 0;
}

/* The current count at now: 0 once a one-shot count has run out; a periodic count
 * reloads from the initial count each time it reaches 0. */
static uint32_t timer_current(const struct lapic *l, uint64_t now)
{
    uint64_t elapsed, past;

    if (!l->timer_running)
        return 0;
    elapsed = now > l->timer_base_ns ? (now - l->timer_base_ns) / timer_divide(l) : 0;
    if (elapsed < l->timer_base_count)
        return l->timer_base_count - (uint32_t)elapsed;
    if (!timer_periodic(l))
        return 0;
    past = elapsed - l->timer_base_count;
    return l->timer_initial - (uint32_t)(past % l->timer_initial);
}

uint64_t lapic__deadline(const struct lapic *l)
{
    if (!l->timer_running)
        return VCLOCK_NEVER;
    return l->timer_base_ns + (uint64_t)l->timer_base_count * timer_divide(l);
}

void lapic__advance(struct lapic *l, uint64_t now)
{
    uint64_t due = lapic__deadline(l), period;
    uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];

    if (due == VCLOCK_NEVER || now < due)
        return;
    if (!(lvt & APIC_LVT_MASKED))
        lapic__accept(l, lvt & APIC_VECTOR_MASK, 0);
    if (!timer_periodic(l)) {
        l->timer_running = 0;
        return;
    }
    /* Periods that passed unseen are one interrupt, as the IRR holds one bit a vector. */
    period = (uint64_t)l->timer_initial * timer_divide(l);
    l->timer_base_ns = due + (now - due) / period * period;
    l->timer_base_count = l->timer_initial;
}

/* A new divider counts from the current count on; the part of a tick already counted
 * at the old rate is lost. */
static void timer_set_divide(struct lapic *l, uint32_t dcr)
{
    uint64_t now = vclock__now(l->clock);

    lapic__advance(l, now);
    if (l->timer_running) {
        l->timer_base_count = timer_current(l, now);
        l->timer_base_ns = now;
    }
    l->timer_dcr = dcr;
}

/* ---------------------------------------------------------------------------------------
 * Interprocessor interrupts.
 * ------------------------------------------------------------------------------------- */

int lapic__match_dest(const struct lapic *l, uint32_t dest, int logical)
{
    uint32_t ldr_id = l->ldr >> 24;

    dest &= 0xff;
    if (!logical)
        return dest == APIC_DEST_BROADCAST || dest == l->id >> 24;
    if ((l->dfr >> 28) == 0xf) /* flat model: one bit a CPU */
        return (dest & ldr_id) != 0;
    /* Cluster model: the cluster in bits 4-7 (15 for all), one bit a CPU in bits 0-3. */
    return ((dest >> 4) == 0xf || (dest >> 4) == (ldr_id >> 4)) && (dest & ldr_id & 0xf) != 0;
}

static void send_to_others(struct lapic *l, uint32_t icr_low, uint32_t dest)
{
    if (l->ops && l->ops->send_ipi)
        l->ops->send_ipi(l->ctx, l, icr_low, dest);
}

/* Sends the IPI the ICR describes. A fixed IPI's share for this CPU is taken here, as an
 * edge (level is meaningful only for INIT); the rest goes to the machine. */
static void lapic_send_ipi(struct lapic *l)
{
    uint32_t low = l->icr_low, dest = l->icr_high >> 24;
    uint8_t vector = low & APIC_VECTOR_MASK;
    int logical = (low & APIC_DEST_LOGICAL) != 0;

    if ((low & APIC_MODE_MASK) <= APIC_DM_LOWEST && vector < 16) {
        lapic_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if ((low & APIC_MODE_MASK) != APIC_DM_FIXED) {
        send_to_others(l, low, dest);
        return;
    }
    switch (low & APIC_SHORT_MASK) {
    case APIC_DEST_SELF:
        lapic__accept(l, vector, 0);
        break;
    case APIC_DEST_ALLINC:
        lapic__accept(l, vector, 0);
        send_to_others(l, low, dest);
        break;
    case APIC_DEST_ALLBUT:
        send_to_others(l, low, dest);
        break;
    default:
        if (lapic__match_dest(l, dest, logical))
            lapic__accept(l, vector, 0);
        if (logical || dest != l->id >> 24 || dest == APIC_DEST_BROADCAST)
            send_to_others(l, low, dest);
        break;
    }
}

/* ---------------------------------------------------------------------------------------
 * The register file.
 * ------------------------------------------------------------------------------------- */

/* Returns which LVT entry offset is, or -1. */
static int lvt_index(uint64_t offset)
{
    if (offset == APIC_LVTCMCI)
        return LAPIC_LVT_CMCI;
    if (offset >= APIC_LVTT && offset <= APIC_LVTERR)
        return LAPIC_LVT_TIMER + (int)((offset - APIC_LVTT) >> 4);
    return -1;
}

/* The bits software may write in each LVT entry (the SDM's "Local Vector Table" figure). */
static const uint32_t lvt_writable[LAPIC_NR_LVT] = {
    [LAPIC_LVT_CMCI] = APIC_LVT_MASKED | APIC_MODE_MASK | APIC_VECTOR_MASK,
    [LAPIC_LVT_TIMER] = APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED | APIC_VECTOR_MASK,
    [LAPIC_LVT_THERMAL] = APIC_LVT_MASKED | APIC_MODE_MASK | APIC_VECTOR_MASK,
    [LAPIC_LVT_PERF] = APIC_LVT_MASKED | APIC_MODE_MASK | APIC_VECTOR_MASK,
    [LAPIC_LVT_LINT0] = APIC_LVT_MASKED | APIC_LVT_LEVEL_TRIGGER | APIC_INPUT_POLARITY |
                        APIC_MODE_MASK | APIC_VECTOR_MASK,
    [LAPIC_LVT_LINT1] = APIC_LVT_MASKED | APIC_LVT_LEVEL_TRIGGER | APIC_INPUT_POLARITY |
                        APIC_MODE_MASK | APIC_VECTOR_MASK,
    [LAPIC_LVT_ERROR] = APIC_LVT_MASKED | APIC_VECTOR_MASK,
};

/* A disabled APIC keeps every LVT entry masked (SDM "Local APIC State After It Has Been
 * Software Disabled"). */
static void lvt_write(struct lapic *l, int i, uint32_t value)
{
    uint32_t keep = l->lvt[i] & APIC_LVT_REMOTE_IRR;

    l->lvt[i] = (value & lvt_writable[i]) | keep;
    if (!sw_enabled(l))
        l->lvt[i] |= APIC_LVT_MASKED;
    lapic_update(l);
}

static void svr_write(struct lapic *l, uint32_t value)
{
    l->svr = value & (APIC_SPIV_FOCUS_DISABLED | APIC_SPIV_APIC_ENABLED | APIC_SPIV_VECTOR_MASK);
    if (!sw_enabled(l))
        for (int i = 0; i < LAPIC_NR_LVT; i++)
            l->lvt[i] |= APIC_LVT_MASKED;
    lapic_update(l);
}

static int is_register(uint64_t offset, uint32_t size)
{
    return size == 4 && offset < LAPIC_SIZE && (offset & 0xf) == 0;
}

uint64_t lapic__read(struct lapic *l, uint64_t offset, uint32_t size)
{
    int lvt = lvt_index(offset);

    if (!is_register(offset, size))
        return 0;
    if (lvt >= 0)
        return l->lvt[lvt];
    if (offset >= APIC_ISR && offset < APIC_ESR) {
        unsigned word = (unsigned)((offset - APIC_ISR) >> 4);
        const uint32_t *reg = word < 8 ? l->isr : word < 16 ? l->tmr : l->irr;

        return reg[word % 8];
    }
    switch (offset) {
    case APIC_ID:
        return l->id;
    case APIC_LVR:
        return LAPIC_VERSION_VALUE;
    case APIC_TASKPRI:
        return l->tpr;
    case APIC_PROCPRI:
        return lapic_ppr(l);
    case APIC_LDR:
        return l->ldr;
    case APIC_DFR:
        return l->dfr;
    case APIC_SPIV:
        return l->svr;
    case APIC_ESR:
        return l->esr;
    case APIC_ICR:
        return l->icr_low;
    case APIC_ICR2:
        return l->icr_high;
    case APIC_TMICT:
        return l->timer_initial;
    case APIC_TMCCT:
        return timer_current(l, vclock__now(l->clock));
    case APIC_TDCR:
        return l->timer_dcr;
    default: /* APR, EOI, RRD and the reserved offsets */
        return 0;
    }
}

void lapic__write(struct lapic *l, uint64_t offset, uint64_t value, uint32_t size)
{
    uint32_t v = (uint32_t)value;
    int lvt = lvt_index(offset);

    if (!is_register(offset, size))
        return;
    if (lvt >= 0) {
        lvt_write(l, lvt, v);
        return;
    }
    switch (offset) {
    case APIC_ID:
        l->id = v & 0xff000000;
        break;
    case APIC_TASKPRI:
        l->tpr = v & 0xff;
        lapic_update(l);
        break;
    case APIC_EOI:
        lapic_eoi(l);
        break;
    case APIC_LDR:
        l->ldr = v & 0xff000000;
        break;
    case APIC_DFR:
        l->dfr = (v & 0xf0000000) | 0x0fffffff;
        break;
    case APIC_SPIV:
        svr_write(l, v);
        break;
    case APIC_ESR: /* latches what was found since the last write */
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        break;
    case APIC_ICR:
        l->icr_low = v & (APIC_SHORT_MASK | APIC_INT_LEVELTRIG | APIC_INT_ASSERT |
                          APIC_DEST_LOGICAL | APIC_MODE_MASK | APIC_VECTOR_MASK);
        lapic_send_ipi(l);
        break;
    case APIC_ICR2:
        l->icr_high = v & 0xff000000;
        break;
    case APIC_TMICT:
        l->timer_initial = v;
        timer_start(l, vclock__now(l->clock));
        break;
    case APIC_TDCR:
        timer_set_divide(l, v & 0xb);
        break;
    default: /* read-only and reserved */
        break;
    }
}

/* ---------------------------------------------------------------------------------------
 * Power-up and the APIC base MSR.
 * ------------------------------------------------------------------------------------- */

/* The state after power-up or reset (SDM "Local APIC State After Power-Up or Reset"),
 * keeping the ID, the enable bit of the base MSR and the connections to the machine. */
static void lapic_reset(struct lapic *l)
{
    memset(l->isr, 0, sizeof(l->isr));
    memset(l->tmr, 0, sizeof(l->tmr));
    memset(l->irr, 0, sizeof(l->irr));
    l->tpr = l->ldr = l->esr = l->esr_pending = 0;
    l->icr_low = l->icr_high = 0;
    l->dfr = 0xffffffff;
    l->svr = 0xff;
    for (int i = 0; i < LAPIC_NR_LVT; i++)
        l->lvt[i] = APIC_LVT_MASKED;
    l->timer_initial = l->timer_dcr = l->timer_base_count = 0;
    l->timer_running = 0;
    l->timer_base_ns = 0;
}

void lapic__init(struct lapic *l, uint32_t id, const struct vclock *clock,
                 const struct lapic_ops *ops, void *ctx)
{
    *l = (struct lapic){.id = id << 24, .hw_enabled = 1, .clock = clock, .ops = ops, .ctx = ctx};
    lapic_reset(l);
}

void lapic__set_virtual_wire(struct lapic *l)
{
    l->lvt[LAPIC_LVT_LINT0] = APIC_MODE_EXTINT;
    lapic_update(l);
}

void lapic__init_reset(struct lapic *l)
{
    lapic_reset(l);
    lapic_update(l);
}

void lapic__set_enabled(struct lapic *l, int enabled)
{
    if (!enabled && l->hw_enabled)
        lapic_reset(l);
    l->hw_enabled = enabled != 0;
    lapic_update(l);
}
