/*
 * smp.c - starting the application processors (chapter 5): the BSP copies the trampoline
 * (ap.S) below 1 MiB and wakes each AP with INIT and STARTUP IPIs; each AP checks in from
 * ap_entry(). Also the console lock that keeps lines from different CPUs whole.
 */
#include <fw_cfg.h>
#include <lapic.h>
#include <pit.h>
#include <smp.h>
#include <spinlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86.h>

#define INIT_DELAY_US    10000 /* INIT to the first STARTUP */
#define STARTUP_DELAY_US 200   /* after each STARTUP */
#define CHECK_IN_MS      1000  /* how long an AP may take to reach ap_entry() */

extern const char ap_trampoline[], ap_trampoline_end[]; /* ap.S */

_Static_assert(__builtin_offsetof(struct ap_params, cpu) == AP_PARAM_CPU, "ap.S's offsets");
_Static_assert(__builtin_offsetof(struct ap_params, gdtr) == AP_PARAM_GDTR, "ap.S's offsets");
_Static_assert(__builtin_offsetof(struct ap_params, idtr) == AP_PARAM_IDTR, "ap.S's offsets");

/* The APs' stacks; the BSP keeps boot.S's. Entry 0 is unused. */
static uint8_t stacks[SMP_MAX_CPUS][SMP_STACK_SIZE] __attribute__((aligned(16)));

static volatile int checked_in[SMP_MAX_CPUS];
static smp_ap_main ap_main;
static struct spinlock console = SPINLOCK_INIT;

int smp_cpus(void)
{
    if (!fw_cfg_present())
        return 1;
    int n = (int)fw_cfg_read(FW_CFG_NB_CPUS, 2);
    if (n < 1)
        return 1;
    return n > SMP_MAX_CPUS ? SMP_MAX_CPUS : n;
}

int smp_cpu(void)
{
    return lapic_id();
}

int smp_cpu_up(int cpu)
{
    return cpu == 0 || (cpu > 0 && cpu < SMP_MAX_CPUS && checked_in[cpu]);
}

/*
 * The first C an AP runs, on its own stack, interrupts off. It has the runtime's GDT and
 * IDT but no task register: the TSS only matters for interrupts that arrive at CPL3, and
 * the APs never go there (the BSP's TSS descriptor is busy and cannot be loaded twice).
 */
static void ap_entry(int cpu)
{
    lapic_enable();
    checked_in[cpu] = 1;
    ap_main(cpu);
    halt();
}

/* Waits up to @p ms milliseconds for @p cpu to check in. Returns non-zero if it did. */
static int wait_check_in(int cpu, unsigned ms)
{
    for (unsigned t = 0; t < ms * 10 && !checked_in[cpu]; t++)
        pit_delay_us(100);
    return checked_in[cpu];
}

/* [smp-start-ap] */
/*
 * INIT, then STARTUP with the trampoline's page number as the vector. No INIT de-assert:
 * Intel's processors since the Pentium 4 do not support it. A STARTUP reaches only a CPU
 * waiting for one after an INIT, so the second one is harmless if the first worked.
 */
static int start_ap(int cpu)
{
    uint8_t id = (uint8_t)cpu;

    __asm__ volatile("" : : : "memory"); /* the trampoline and its parameters are written */
    lapic_send_ipi(id, LAPIC_ICR_INIT | LAPIC_ICR_LEVEL_ASSERT);
    lapic_ipi_wait();
    pit_delay_us(INIT_DELAY_US);
    for (int i = 0; i < 2 && !checked_in[cpu]; i++) {
        lapic_send_ipi(id, LAPIC_ICR_STARTUP | (AP_TRAMPOLINE >> 12));
        lapic_ipi_wait();
        pit_delay_us(STARTUP_DELAY_US);
    }
    return wait_check_in(cpu, CHECK_IN_MS);
}
/* [smp-start-ap] */

int smp_start(smp_ap_main fn)
{
    struct ap_params *p = (struct ap_params *)AP_PARAMS;
    size_t len = (size_t)(ap_trampoline_end - ap_trampoline);
    int n = smp_cpus(), running = 1;

    if (n == 1)
        return 1;
    if (len > AP_PARAMS - AP_TRAMPOLINE) {
        smp_printf("smp: the trampoline (%zu bytes) would overlap its parameters\n", len);
        return 1;
    }
    if (!(lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE))
        lapic_enable();
    ap_main = fn;
    memcpy((void *)AP_TRAMPOLINE, ap_trampoline, len);
    p->cr3 = read_cr3();
    p->entry = (uint64_t)ap_entry;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(p->gdtr), "=m"(p->idtr));
    /* One AP at a time: the parameters are rewritten for each, once the last is in. */
    for (int cpu = 1; cpu < n; cpu++) {
        p->stack = (uint64_t)&stacks[cpu][SMP_STACK_SIZE];
        p->cpu = (uint64_t)cpu;
        if (start_ap(cpu))
            running++;
        else
            smp_printf("smp: cpu %d (apic id %d) did not start\n", cpu, cpu);
    }
    return running;
}

int smp_wait_for(const volatile long *p, long want)
{
    for (long n = 0; n < SMP_WAIT_SPINS; n++) {
        if (*p >= want)
            return 0;
        cpu_relax();
    }
    return -1;
}

void console_lock(void)
{
    spin_lock(&console);
}

void console_unlock(void)
{
    spin_unlock(&console);
}

int smp_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    console_lock();
    int n = vprintf(fmt, ap);
    console_unlock();
    va_end(ap);
    return n;
}
