/*
 * check_ch4.c - chapter 4's test suite: every device model against its datasheet, with a
 * fake clock and recorded interrupt lines; the chapter's guests on KVM (both irqchips)
 * and on the interpreter; and the labs' graders against their solutions.
 */
#include "ch4_tests.h"

int main(void)
{
    Suite *s = suite_create("ch4");

    suite_add_tcase(s, irq_tests());
    suite_add_tcase(s, console_tests());
    suite_add_tcase(s, lapic_tests());
    suite_add_tcase(s, ioapic_tests());
    suite_add_tcase(s, pic_tests());
    suite_add_tcase(s, uart_tests());
    suite_add_tcase(s, term_tests());
    suite_add_tcase(s, pit_tests());
    suite_add_tcase(s, rtc_tests());
    suite_add_tcase(s, qemu_tests());
    suite_add_tcase(s, aml_tests());
    suite_add_tcase(s, acpi_tests());
    suite_add_tcase(s, virtio_tests());
    suite_add_tcase(s, virtio_blk_tests());
    suite_add_tcase(s, virtio_console_tests());
    suite_add_tcase(s, bzimage_tests());
    suite_add_tcase(s, machine_tests());
    suite_add_tcase(s, lab_tests(4, 6));
    suite_add_tcase(s, vguest_tests());
    add_kvm_tests(s);
    add_kvm_virtio_tests(s);
    return run_suite(s);
}
