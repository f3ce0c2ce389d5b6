/*
 * irq.c - the dispatcher of external interrupts (chapter 4): one handler a vector, and the
 * end-of-interrupt that the controller in use (intc.c) needs after it. From chapter 5 every
 * CPU runs it, on its own stack, with the one table of handlers.
 */
#include <intc.h>
#include <irq.h>

extern void (*const irq_stubs[IRQ_VECTORS])(void); /* irqvec.S */

static irq_handler handlers[IRQ_FIRST_VECTOR + IRQ_VECTORS];

volatile unsigned long irq_unexpected;

void irq_init(void)
{
    for (int v = IRQ_FIRST_VECTOR; v < IRQ_FIRST_VECTOR + IRQ_VECTORS; v++)
        if (v != TRAP_USER_RETURN)
            trap_set_gate(v, irq_stubs[v - IRQ_FIRST_VECTOR], 0);
}

void irq_set_handler(int vector, irq_handler fn)
{
    if (vector >= IRQ_FIRST_VECTOR && vector < IRQ_FIRST_VECTOR + IRQ_VECTORS)
        handlers[vector] = fn;
}

/* [irq-dispatch] */
void irq_dispatch(struct trapframe *tf)
{
    int vector = (int)tf->vector;

    /* A spurious interrupt is no interrupt: no handler and, mostly, no EOI. */
    if (intc_spurious(vector))
        return;
    if (handlers[vector])
        handlers[vector](vector);
    else
        __atomic_fetch_add(&irq_unexpected, 1, __ATOMIC_RELAXED); /* LOCK ADD: CPUs share it */
    intc_eoi(vector);
}
/* [irq-dispatch] */
