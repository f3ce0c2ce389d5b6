/*
 * apicbus.c - the wires between the local APICs: who an IPI or an I/O APIC message
 * addresses, and what each delivery mode does there (see apicbus.h; chapter 5).
 * References are to the Intel SDM, Vol. 3A, chapter "Advanced Programmable Interrupt
 * Controller (APIC)".
 */
#include "apicbus.h"

#include "error.h"

void apicbus__init(struct apicbus *b, const struct apicbus_ops *ops, void *ctx)
{
    *b = (struct apicbus){.ops = ops, .ctx = ctx};
}

int apicbus__add(struct apicbus *b, struct lapic *l)
{
    if (b->n == APICBUS_MAX_CPUS)
        return error__set("apicbus: cannot add CPU %u: the bus holds at most %d local APICs", b->n,
                          APICBUS_MAX_CPUS);
    b->cpu[b->n] = l;
    return (int)b->n++;
}

/* Returns the bit of from in a destination set, or 0 when from is not on the bus (a
 * message from the I/O APIC has no sender). */
static uint64_t cpu_bit(const struct apicbus *b, const struct lapic *from)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->cpu[i] == from)
            return 1ull << i;
    return 0;
}

/* [apicbus-dest] */
/* The set of CPUs a message addresses (SDM "Determining IPI Destination"), bit i for CPU
 * i: the shorthand when there is one, else the destination field, physical or logical,
 * as each APIC matches it. An APIC disabled in the base MSR is not on the bus at all. */
static uint64_t apicbus_dest(const struct apicbus *b, const struct lapic *from, uint32_t icr_low,
                             uint32_t dest)
{
    int logical = (icr_low & APIC_DEST_LOGICAL) != 0;
    uint64_t set = 0;

    for (unsigned i = 0; i < b->n; i++) {
        const struct lapic *l = b->cpu[i];
        int hit;

        switch (icr_low & APIC_SHORT_MASK) {
        case APIC_DEST_SELF:
            hit = l == from;
            break;
        case APIC_DEST_ALLINC:
            hit = 1;
            break;
        case APIC_DEST_ALLBUT:
            hit = l != from;
            break;
        default:
            hit = lapic__match_dest(l, dest, logical);
            break;
        }
        if (hit && l->hw_enabled)
            set |= 1ull << i;
    }
    return set;
}
/* [apicbus-dest] */

/*
 * Lowest-priority arbitration (SDM "Lowest Priority Delivery Mode"): returns the CPU in
 * set whose TPR holds the lowest priority class, or -1 when none can take the interrupt.
 * The SDM leaves the choice to the implementation: the P6 family compared arbitration
 * priorities, and on the Pentium 4 and later the chipset chooses from the TPRs it is told.
 * We compare the TPR's class because it is what the guest sets to say "not now", and
 * because a CPU's in-service interrupts (which the PPR would add) change on every
 * interrupt. KVM, for comparison, looks at no priority at all: it spreads these
 * interrupts over the candidates by vector. Ties go round-robin from next_lowest. APICs
 * disabled in software would drop the interrupt, so they do not compete; no focus
 * processor is looked for (SVR bit 9 is kept but has no effect).
 */
static int apicbus_lowest(struct apicbus *b, uint64_t set)
{
    uint32_t best_class = 0;
    int best = -1;

    for (unsigned k = 0; k < b->n; k++) {
        unsigned i = (b->next_lowest + k) % b->n;
        const struct lapic *l = b->cpu[i];
        uint32_t class = l->tpr & 0xf0;

        if (!((set >> i) & 1) || !(l->svr & APIC_SPIV_APIC_ENABLED))
            continue;
        if (best < 0 || class < best_class) {
            best = (int)i;
            best_class = class;
        }
    }
    if (best >= 0)
        b->next_lowest = ((unsigned)best + 1) % b->n;
    return best;
}

/* A fixed interrupt for CPU i: its lapic drops it when disabled, or records an illegal
 * vector in its ESR; either way the machine looks at the CPU's INTR pin again. */
static void apicbus_accept(struct apicbus *b, unsigned i, uint8_t vector, int level_triggered)
{
    lapic__accept(b->cpu[i], vector, level_triggered);
    b->ops->changed(b->ctx, i);
}

/* [apicbus-send] */
/* Delivers a message, written in the ICR's low word (mode, vector, destination mode,
 * shorthand, level and trigger), to the CPUs it addresses. from is the sending lapic, or
 * NULL for the I/O APIC. */
static void apicbus_dispatch(struct apicbus *b, struct lapic *from, uint32_t icr_low, uint32_t dest,
                             int level_triggered)
{
    uint64_t set = apicbus_dest(b, from, icr_low, dest);
    uint8_t vector = icr_low & APIC_VECTOR_MASK;
    int lowest;

    switch (icr_low & APIC_MODE_MASK) {
    case APIC_DM_FIXED:
        set &= ~cpu_bit(b, from); /* the sender has taken its own share */
        for (unsigned i = 0; i < b->n; i++)
            if ((set >> i) & 1)
                apicbus_accept(b, i, vector, level_triggered);
        break;
    case APIC_DM_LOWEST:
        lowest = apicbus_lowest(b, set);
        if (lowest >= 0)
            apicbus_accept(b, (unsigned)lowest, vector, level_triggered);
        break;
    case APIC_DM_NMI:
        for (unsigned i = 0; i < b->n; i++)
            if ((set >> i) & 1)
                b->ops->nmi(b->ctx, i);
        break;
    case APIC_DM_INIT:
        /* Level de-assert (trigger level, level 0) only synchronised arbitration IDs on
         * older processors; since the Pentium 4 it does nothing. */
        if ((icr_low & APIC_INT_LEVELTRIG) && !(icr_low & APIC_INT_ASSERT))
            break;
        for (unsigned i = 0; i < b->n; i++)
            if ((set >> i) & 1) {
                lapic__init_reset(b->cpu[i]);
                b->ops->init(b->ctx, i);
            }
        break;
    case APIC_DM_STARTUP:
        for (unsigned i = 0; i < b->n; i++)
            if ((set >> i) & 1)
                b->ops->startup(b->ctx, i, vector);
        break;
    case APIC_MODE_EXTINT:
        /* From the I/O APIC only (the ICR reserves this mode): the PIC answers the
         * CPU's acknowledge, through LINT0. */
        if (from)
            break;
        for (unsigned i = 0; i < b->n; i++)
            if ((set >> i) & 1)
                b->ops->changed(b->ctx, i);
        break;
    default: /* SMI (stepvm has no SMM) and the reserved mode 3: dropped */
        break;
    }
}
/* [apicbus-send] */

void apicbus__send_ipi(struct apicbus *b, struct lapic *from, uint32_t icr_low, uint32_t dest)
{
    /* An IPI's vector is taken as an edge; the ICR's trigger bit matters only for INIT. */
    apicbus_dispatch(b, from, icr_low, dest, 0);
}

void apicbus__deliver(struct apicbus *b, const struct ioapic_msg *m)
{
    uint32_t icr_low = m->vector | ((uint32_t)(m->delivery_mode & 7) << 8) | APIC_INT_ASSERT;

    if (m->dest_mode)
        icr_low |= APIC_DEST_LOGICAL;
    if (m->level_triggered)
        icr_low |= APIC_INT_LEVELTRIG;
    apicbus_dispatch(b, NULL, icr_low, m->dest, m->level_triggered);
}
