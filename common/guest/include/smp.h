/*
 * smp.h - several CPUs in one guest (chapter 5): how many the machine has (fw_cfg), starting
 * the application processors (APs) with INIT and two STARTUP IPIs into a real-mode
 * trampoline that takes them to long mode, and a console lock for whole lines.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define SMP_MAX_CPUS   64
#define SMP_STACK_SIZE 16384 /* each AP's stack */

/*
 * The trampoline's page. A STARTUP IPI names a 4 KiB page below 1 MiB by its number (the
 * vector); the AP starts there in real mode at CS = page << 8, IP = 0. 0x8000 is free
 * under both loaders: QEMU's Multiboot loader writes its boot information at 0x9000 and
 * the rest above the image, stepvm's after the image; the BIOS areas (IVT and BDA
 * 0-0x4ff, the EBDA from 0x9fc00) are far from it, and our images load at 1 MiB.
 */
#define AP_TRAMPOLINE 0x8000
#define AP_PARAMS     (AP_TRAMPOLINE + 0xf00) /* struct ap_params, at the page's end */

/* Offsets in struct ap_params, for ap.S. */
#define AP_PARAM_CR3   0x00
#define AP_PARAM_STACK 0x08
#define AP_PARAM_ENTRY 0x10
#define AP_PARAM_CPU   0x18
#define AP_PARAM_GDTR  0x20
#define AP_PARAM_IDTR  0x30

#ifndef __ASSEMBLER__
#include <stdint.h>

/** An operand of LGDT/LIDT and SGDT/SIDT: the table's limit, then its base. */
struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/** What the BSP leaves in the trampoline's page for the AP it starts next. */
struct ap_params {
    uint64_t cr3;         /* the BSP's page tables */
    uint64_t stack;       /* the top of this AP's stack */
    uint64_t entry;       /* the C function the AP calls, with its CPU index */
    uint64_t cpu;         /* the AP's CPU index */
    struct desc_ptr gdtr; /* the BSP's GDT, as SGDT stores it */
    uint8_t pad[6];
    struct desc_ptr idtr; /* the BSP's IDT, as SIDT stores it */
};

/** The code an AP runs once it is up; @p cpu is its index, 1 to smp_cpus() - 1. */
typedef void (*smp_ap_main)(int cpu);

/**
 * Returns the number of CPUs the machine has, from fw_cfg's FW_CFG_NB_CPUS: 1 when there
 * is no fw_cfg, at most SMP_MAX_CPUS. CPU i has the local APIC ID i (the machine's promise).
 */
int smp_cpus(void);

/**
 * Starts every AP, one at a time: INIT, 10 ms, STARTUP, 200 us, and a second STARTUP if
 * the AP has not checked in by then (the MP specification's sequence), each timed by the
 * PIT. Each AP loads the BSP's CR3, GDT and IDT, gets its own stack, enables its local
 * APIC (so it can take IPIs), and calls @p fn with its index, interrupts off; if @p fn
 * returns, the AP halts for good. An AP that has not checked in 1 s after its STARTUPs
 * is reported on the console ("smp: cpu N (apic id N) did not start") and left out.
 * Call it on the BSP, after trap_init() (the runtime does it) and irq_init() when the APs
 * are to take interrupts; it enables the BSP's local APIC if it is not. Not reentrant.
 * Returns the number of CPUs running, the BSP included.
 */
int smp_start(smp_ap_main fn);

/** Returns this CPU's index: its local APIC ID (0 on the BSP). */
int smp_cpu(void);

/** Returns non-zero once CPU @p cpu has checked in (the BSP always has). */
int smp_cpu_up(int cpu);

/**
 * printf under the console lock: a line printed by one call is never interleaved with
 * another CPU's. Not for interrupt handlers (the lock does not turn interrupts off).
 */
/**
 * Polls *@p p until it is at least @p want, pausing between reads. Returns 0, or -1 after
 * SMP_WAIT_SPINS reads (seconds on an interpreter, more on hardware): a CPU that never
 * came is reported, not waited for.
 */
int smp_wait_for(const volatile long *p, long want);
#define SMP_WAIT_SPINS 1000000000l

int smp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Take and release the console lock around several printf() calls that make one line. */
void console_lock(void);
void console_unlock(void);

#endif /* __ASSEMBLER__ */
#endif
