/*
 * pc.h - chapter 4's machine: chapter 3's, plus the devices a PC operating system
 * expects: interrupt controllers (irqchip.h), the 8254 PIT, the CMOS RTC and 16550 UARTs,
 * and an event loop for what comes from outside the guest (chapter 4).
 *
 * It plugs into chapter 3's machine as a vmm_platform: the interrupt controllers before
 * the vCPU, the devices after it, a CPU that halts with interrupts enabled waits for one,
 * and after each exit the event loop is told when a device's deadline moved.
 */
#ifndef STEPVM_PC_H
#define STEPVM_PC_H

#include "acpi.h"
#include "acpi_pm.h"
#include "bzimage.h"
#include "cli.h"
#include "irqchip.h"
#include "pc_virtio.h"
#include "pit.h"
#include "rtc.h"
#include "term.h"
#include "uart.h"
#include "vmm.h"

#include <pthread.h>
#include <stdio.h>

#define PC_COMS 4 /* COM1 to COM4 */

/** What the command line says about the PC. */
struct pc_config {
    const char *append; /* --append: a Linux kernel's command line, or NULL */
    const char *initrd; /* --initrd: the file of a Linux kernel's initrd, or NULL */
    enum irqchip_kind irqchip;
    int irqchip_asked;             /* --irqchip was given (else: kernel on KVM) */
    const char *com_path[PC_COMS]; /* COM2-4: where their output goes (COM1: the console) */
};

#define PC_POLL_FDS (2 + VIRTIO_MMIO_SLOTS * PC_VIRTIO_QUEUES) /* wake-up, input, ioeventfds */

/** The PC's devices and the event loop that serves them. */
struct pc {
    struct pc_config cfg;
    struct vmm *vmm;
    struct vmm_platform platform;
    struct irqchip chip;
    struct pit pit;
    struct rtc rtc;
    struct uart com[PC_COMS];
    struct pc_virtio virtio;
    struct acpi_pm pm;      /* the ACPI sleep register: the guest's power-off */
    FILE *com_out[PC_COMS]; /* where each UART's bytes go; NULL: that UART is not there */
    struct term term;
    int term_open; /* stdin is the machine's terminal, in raw mode */
    /* The event loop: a thread that sleeps until the next device deadline or input. */
    pthread_t thread;
    int thread_started;
    int wake_fd; /* an eventfd: written to wake the loop early */
    int stop;    /* lock held: the loop ends */
    int in_fd;   /* where COM1's input comes from, or -1 */
    int in_eof;
    uint8_t in[256]; /* read from in_fd, not yet taken by COM1 */
    size_t in_len;
    uint64_t sleep_until; /* the deadline the loop sleeps toward */
    uint64_t idle_check;  /* kernel irqchip: when the loop last looked for a halted CPU */
    unsigned long idle_exits;
};

/** Chapter 4's addition to a program: --append, --initrd, --irqchip, --com2..4, and the PC. */
extern const struct cli_ext pc_cli_ext;

/** Makes cfg build a PC (the machine's platform is pc). */
void pc__configure(struct pc *pc, struct vmm_config *cfg);

#endif
