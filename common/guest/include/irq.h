/*
 * irq.h - external interrupts in the guest (chapter 4): IDT entries for vectors 32 to 255,
 * one C handler a vector, and the instructions that turn interrupts on and off and wait
 * for one. Which controller delivers them (the 8259A PICs or the APICs) is intc.h's choice.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#define IRQ_FIRST_VECTOR 32  /* the first vector after the CPU's exceptions */
#define IRQ_VECTORS      224 /* vectors 32 to 255 */

#ifndef __ASSEMBLER__
#include <trap.h>

/**
 * A handler for one vector; it runs with interrupts off, before the EOI, on whichever CPU
 * took the interrupt (smp_cpu() says which): what it updates must be per CPU or atomic.
 */
typedef void (*irq_handler)(int vector);

/**
 * Points vectors 32 to 255 at the dispatcher (all but INT 0x80, which ends a user_call).
 * Interrupts stay off until irq_enable().
 */
void irq_init(void);

/**
 * Makes @p fn the handler of @p vector (NULL: the vector counts as unexpected), on every
 * CPU: the table is shared, so set handlers before smp_start() or while no CPU can take
 * the vector.
 */
void irq_set_handler(int vector, irq_handler fn);

/** Called by irqvec.S for every interrupt: runs the handler, then the controller's EOI. */
void irq_dispatch(struct trapframe *tf);

/** The number of interrupts that arrived on a vector with no handler. */
extern volatile unsigned long irq_unexpected;

/** STI: lets interrupts in. */
static inline void irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

/** CLI: keeps interrupts out. */
static inline void irq_disable(void)
{
    __asm__ volatile("cli" : : : "memory");
}

/** Returns non-zero when interrupts are enabled (RFLAGS.IF). */
static inline int irq_enabled(void)
{
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return (flags >> 9) & 1;
}

/**
 * STI; HLT: waits for the next interrupt and returns after its handler, with interrupts
 * on. STI takes effect only after the next instruction, so an interrupt that is already
 * pending is taken at the HLT, never lost between a test with interrupts off and the wait.
 */
static inline void wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
