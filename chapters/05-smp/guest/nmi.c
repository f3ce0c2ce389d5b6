/*
 * nmi.c - an NMI between CPUs: CPU 1 sends one to the BSP, which waits in HLT with
 * interrupts off, where only an NMI (or INIT) can reach it. The runtime's exception
 * handler reports vector 2 and ends the machine with its status 255; a CPU that never
 * takes the NMI stays halted, and so does the machine.
 */
#include <atomic.h>
#include <lapic.h>
#include <smp.h>
#include <stdio.h>
#include <x86.h>

static volatile long ready;

static void ap_main(int cpu)
{
    if (cpu == 1) {
        while (!atomic_read(&ready))
            cpu_relax();
        for (int i = 0; i < 100000; i++) /* most likely the BSP is in HLT by now */
            cpu_relax();
        lapic_write(LAPIC_ICR_HIGH, 0u << 24);
        lapic_write(LAPIC_ICR_LOW, LAPIC_ICR_NMI | LAPIC_ICR_LEVEL_ASSERT);
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}

int main(void)
{
    int ncpus = smp_cpus();

    if (ncpus < 2 || smp_start(ap_main) != ncpus) {
        smp_printf("nmi: needs 2 cpus or more\n");
        return 1;
    }
    smp_printf("nmi: cpu 0 waits in hlt, interrupts off\n");
    atomic_write(&ready, 1);
    for (;;)
        __asm__ volatile("cli; hlt");
}
