/*
 * ch4_tests.h - the parts of chapter 4's test suite, one file each.
 */
#ifndef STEPVM_CH4_TESTS_H
#define STEPVM_CH4_TESTS_H

#include "check_helpers.h"

TCase *irq_tests(void);
TCase *console_tests(void);
TCase *lapic_tests(void);
TCase *ioapic_tests(void);
TCase *pic_tests(void);
TCase *uart_tests(void);
TCase *term_tests(void);
TCase *pit_tests(void);
TCase *rtc_tests(void);
TCase *qemu_tests(void);
TCase *aml_tests(void);
TCase *acpi_tests(void);
TCase *virtio_tests(void);
TCase *virtio_blk_tests(void);
TCase *virtio_console_tests(void);
TCase *bzimage_tests(void);

/** Asserts that irqtest.elf's output (irq=MODE) passed every check it makes in that mode. */
void assert_irqtest_passed(const char *out, const char *mode);
/*
 * Whether irqtest's output out failed only checks that count interrupts against the
 * host's clock (rates, and a one-shot's delay): a host too busy to run the guest for
 * whole periods loses ticks there, whatever the devices do. Such a run is made once more.
 */
int irqtest_only_rates_failed(const char *out);

/** Adds the chapter's guests on KVM (both irqchips), or reports them skipped. */
void add_kvm_tests(Suite *s);
TCase *machine_tests(void);
TCase *vguest_tests(void);

/** Adds the virtio guests and Linux on KVM, or reports them skipped. */
void add_kvm_virtio_tests(Suite *s);

#endif
