/*
 * lapic.h - the local APIC of the CPU the guest runs on (chapter 4), at its default
 * physical address: software enable, end of interrupt, the in-service bits, and the APIC
 * timer, one-shot or periodic, calibrated against the PIT. Register names and offsets are
 * those of the Intel SDM, volume 3, chapter "APIC".
 */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include <stdint.h>

#define LAPIC_BASE 0xfee00000ul /* the default base of IA32_APIC_BASE */

#define LAPIC_ID        0x020 /* bits 31:24, the local APIC ID */
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080 /* task priority */
#define LAPIC_EOI       0x0b0 /* write 0: end of interrupt */
#define LAPIC_SVR       0x0f0 /* spurious-interrupt vector */
#define LAPIC_ISR       0x100 /* in-service: eight registers, 0x10 apart, 32 vectors each */
#define LAPIC_ICR_LOW   0x300 /* interrupt command: writing it sends the IPI */
#define LAPIC_ICR_HIGH  0x310 /* bits 31:24, the destination field */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380 /* initial count */
#define LAPIC_TIMER_CCR 0x390 /* current count */
#define LAPIC_TIMER_DCR 0x3e0 /* divide configuration */

#define LAPIC_SVR_ENABLE         (1u << 8) /* APIC software enable */
#define LAPIC_LVT_MASKED         (1u << 16)
#define LAPIC_LVT_TIMER_PERIODIC (1u << 17) /* timer mode 01; 00 is one-shot */
#define LAPIC_DCR_DIVIDE_16      0x3        /* divide the bus clock by 16 */

/* Fields of the interrupt command register's low half (Intel SDM, "Issuing Interprocessor
 * Interrupts"). Delivery mode is bits 10:8, destination shorthand bits 19:18. */
#define LAPIC_ICR_FIXED           (0u << 8)
#define LAPIC_ICR_NMI             (4u << 8)
#define LAPIC_ICR_INIT            (5u << 8)
#define LAPIC_ICR_STARTUP         (6u << 8)
#define LAPIC_ICR_DEST_LOGICAL    (1u << 11) /* clear: physical, the destination is an ID */
#define LAPIC_ICR_DELIVERY_STATUS (1u << 12) /* read only: 1 while the IPI is send pending */
#define LAPIC_ICR_LEVEL_ASSERT    (1u << 14)
#define LAPIC_ICR_TRIGGER_LEVEL   (1u << 15)
#define LAPIC_ICR_SELF            (1u << 18)
#define LAPIC_ICR_ALL_INCLUDING   (2u << 18)
#define LAPIC_ICR_ALL_EXCLUDING   (3u << 18)
#define LAPIC_ICR_DEST_SHIFT      24 /* in LAPIC_ICR_HIGH */

#define LAPIC_SPURIOUS_VECTOR 0xff /* low four bits all ones, as the P6 family needed */

/** Reads the local APIC register at offset @p reg. */
static inline uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

/** Writes @p value to the local APIC register at offset @p reg. */
static inline void lapic_write(uint32_t reg, uint32_t value)
{
    *(volatile uint32_t *)(LAPIC_BASE + reg) = value;
}

/**
 * Software-enables the local APIC, with LAPIC_SPURIOUS_VECTOR as its spurious vector,
 * task priority 0 (every vector gets through), and LINT0, LINT1, the timer and the error
 * entry masked.
 */
void lapic_enable(void);

/** Returns this CPU's local APIC ID, the destination an I/O APIC entry names. */
uint8_t lapic_id(void);

/** Ends the interrupt in service with the highest priority. */
void lapic_eoi(void);

/** Returns non-zero when @p vector is in service (its ISR bit is set). */
int lapic_in_service(int vector);

/**
 * Measures the timer: the number of counts, at divide-by-16, in @p ms milliseconds
 * (at most 50) of the PIT's channel 2. Returns the counts a millisecond.
 */
uint32_t lapic_timer_calibrate(unsigned ms);

/** Starts the timer: one interrupt on @p vector after @p count counts (divide by 16). */
void lapic_timer_oneshot(int vector, uint32_t count);

/** Starts the timer: an interrupt on @p vector every @p count counts (divide by 16). */
void lapic_timer_periodic(int vector, uint32_t count);

/** Stops the timer and masks its entry. */
void lapic_timer_stop(void);

/**
 * Sends an IPI: @p icr_low (vector, delivery mode, shorthand...) to the APIC whose ID is
 * @p dest (ignored with a shorthand). It writes the high half, then the low half, which
 * sends; interrupts are off in between, so a handler that sends an IPI of its own cannot
 * come between the two writes. It does not wait for the delivery (lapic_ipi_wait).
 */
void lapic_send_ipi(uint8_t dest, uint32_t icr_low);

/**
 * Waits until the last IPI this CPU sent has left (the delivery status reads idle).
 * Returns 0, or -1 when it is still pending after about a million polls.
 */
int lapic_ipi_wait(void);

/** Sends a fixed IPI on @p vector to the APIC with ID @p dest (physical mode) and waits
 *  for its delivery. Returns lapic_ipi_wait()'s result. */
int lapic_send_fixed(uint8_t dest, int vector);

/** Sends a fixed IPI on @p vector with the shorthand @p shorthand (LAPIC_ICR_SELF,
 *  LAPIC_ICR_ALL_EXCLUDING, LAPIC_ICR_ALL_INCLUDING) and waits for its delivery. */
int lapic_send_shorthand(uint32_t shorthand, int vector);

#endif
