/*
 * intc.h - the interrupt controller a guest chooses (chapter 4): the two 8259A PICs, as
 * a PC starts, or the I/O APIC and the local APIC. Either way, ISA IRQ n arrives on
 * vector INTC_ISA_VECTOR(n), so drivers need not know which controller is in use.
 */
#ifndef GUEST_INTC_H
#define GUEST_INTC_H

#include <irq.h>
#include <multiboot.h>

#define INTC_ISA_VECTOR(irq) (0x20 + (irq)) /* IRQ 0-15 on vectors 0x20-0x2f */

enum intc_mode {
    INTC_PIC,  /* the 8259A pair; the local APIC is left as the machine set it */
    INTC_APIC, /* the I/O APIC and the local APIC; the PICs fully masked */
};

/** The mode in use, once intc_init() has run. */
extern enum intc_mode intc_mode;

/**
 * Returns the mode that the Multiboot command line asks for with the word irq=pic or
 * irq=apic; INTC_PIC when it names neither.
 */
enum intc_mode intc_mode_from_cmdline(const struct multiboot_info *mbi);

/** Returns "pic" or "apic". */
const char *intc_mode_name(enum intc_mode mode);

/**
 * Sets up the controllers for @p mode with every ISA IRQ masked. Always remaps the PICs
 * first, so that even a masked-off PIC can never raise an exception vector.
 */
void intc_init(enum intc_mode mode);

/** Makes @p fn the handler of ISA @p irq, routes the IRQ to its vector and unmasks it. */
void intc_attach(int irq, irq_handler fn);

/** Masks ISA @p irq at the controller in use. */
void intc_mask(int irq);

/** Unmasks ISA @p irq at the controller in use. */
void intc_unmask(int irq);

/** Returns non-zero when @p vector is in service at the controller in use. */
int intc_in_service(int vector);

/**
 * Returns non-zero when @p vector is a spurious interrupt: the local APIC's spurious vector,
 * or an IRQ 7 or 15 that the PIC raised but then found nothing in service for. It also
 * does what such an interrupt needs (for a spurious IRQ 15, the master's EOI).
 */
int intc_spurious(int vector);

/** Sends the end of interrupt that @p vector needs at the controller in use. */
void intc_eoi(int vector);

#endif
