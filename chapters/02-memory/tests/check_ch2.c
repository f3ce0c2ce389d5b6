/*
 * check_ch2.c - chapter 2's test suite: sizes, guest memory, the ELF and Multiboot
 * loaders, where the boot structures go, and the program's refusals without KVM; the
 * guests on real KVM (on_kvm.c); the same guests under QEMU (qemu.c); the labs' graders
 * against their solutions.
 */
#include "check_helpers.h"
#include "ch2_tests.h"

int main(void)
{
    Suite *s = suite_create("ch2");

    suite_add_tcase(s, size_tests());
    suite_add_tcase(s, mem_tests());
    suite_add_tcase(s, elf_tests());
    suite_add_tcase(s, multiboot_tests());
    suite_add_tcase(s, boot_area_tests());
    suite_add_tcase(s, cli_tests());
    suite_add_tcase(s, qemu_tests());
    add_kvm_tests(s);
    suite_add_tcase(s, lab_tests(2, 4));
    return run_suite(s);
}
