/*
 * vguests.c - chapter 4's virtio guests on the whole machine: vblk.elf reads a disk whose
 * checksum the test computed and writes a sector the test reads back; vhostile.elf breaks
 * every rule of the ring and the device must refuse each time; and Debian's kernel boots
 * on the machine, finds its devices through the ACPI tables, and reads and writes the
 * disk. On the interpreter always (but Linux), on KVM with both irqchips and with and
 * without ioeventfd and irqfd (here or in the nested machine), and under QEMU.
 */
#include "ch4_tests.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DISK_BYTES        (3u * 1024 * 1024 + 7 * 512) /* not a round number of anything */
#define VBLK_READ_SECTORS 131072u                      /* vblk.elf sums at most this many */
#define SECTOR            512u

/* Writes a disk image of pseudo-random bytes to path; returns its FNV-1a 64 over the part
 * vblk.elf reads. */
static uint64_t make_disk(const char *path)
{
    uint8_t *d = malloc(DISK_BYTES);
    uint64_t x = 0x9e3779b97f4a7c15ull, h = 0xcbf29ce484222325ull;

    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < DISK_BYTES; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        d[i] = (uint8_t)(x >> 24);
    }
    size_t summed =
        DISK_BYTES < VBLK_READ_SECTORS * SECTOR ? DISK_BYTES : VBLK_READ_SECTORS * SECTOR;
    for (size_t i = 0; i < summed; i++)
        h = (h ^ d[i]) * 0x100000001b3ull;
    write_file(path, d, DISK_BYTES);
    free(d);
    return h;
}

/* The last sector as vblk.elf writes it. */
static int has_vblk_sector(const uint8_t *s)
{
    static const char text[] = "stepvm vblk wrote this sector";

    if (memcmp(s, text, sizeof(text) - 1))
        return 0;
    for (unsigned i = sizeof(text) - 1; i < SECTOR; i++)
        if (s[i] != (uint8_t)i)
            return 0;
    return 1;
}

/* vblk.elf on program (with its options, up to 3, NULL-padded) over a fresh disk: it sums
 * what the test summed, writes its sector (or, with ro, is refused and the file stays). */
static void vblk(const char *program, const char *o1, const char *o2, const char *o3,
                 const char *cmdline, int ro)
{
    char disk[] = "/tmp/stepvm-vblk-XXXXXX", arg[64], want[64];
    int fd = mkstemp(disk);
    struct run_result r;

    ck_assert_int_ge(fd, 0);
    close(fd);
    uint64_t sum = make_disk(disk);
    size_t len0, len1;
    uint8_t *before = (uint8_t *)read_whole_file(disk, &len0);
    snprintf(arg, sizeof(arg), "%s%s", disk, ro ? ",ro" : "");
    const char *argv[RUN_MAX_ARGS] = {"--disk", arg, "--cmdline", cmdline}, *opts[] = {o1, o2, o3};
    int n = 4;
    for (int i = 0; i < 3; i++)
        if (opts[i])
            argv[n++] = opts[i];
    argv[n] = "guests/ch4/vblk.elf";
    run_built(&r, program, argv);
    uint8_t *after = (uint8_t *)read_whole_file(disk, &len1);
    unlink(disk);

    snprintf(want, sizeof(want), "checksum %016llx", (unsigned long long)sum);
    ck_assert_msg(r.status == 1, "vblk %s %s: status %d\n%s%s", cmdline, o1 ? o1 : "", r.status,
                  r.out, r.err);
    ck_assert_msg(strstr(r.out, want), "want '%s':\n%s", want, r.out);
    ck_assert_msg(!strstr(r.out, "FAIL"), "%s", r.out);
    ck_assert_uint_eq(len0, len1);
    if (ro)
        ck_assert_msg(!memcmp(before, after, len0), "a read-only disk changed");
    else
        ck_assert_msg(has_vblk_sector(after + len1 - SECTOR) &&
                          !memcmp(before, after, len1 - SECTOR),
                      "the disk does not hold vblk.elf's sector, or more changed");
    free(before);
    free(after);
    run_free(&r);
}

/* vhostile.elf: every offence puts the device in NEEDS_RESET with one line of reason, and
 * after a reset the device serves again. */
static void vhostile(const char *program, const char *opt)
{
    char disk[] = "/tmp/stepvm-vhostile-XXXXXX";
    int fd = mkstemp(disk);
    struct run_result r;

    ck_assert_int_ge(fd, 0);
    close(fd);
    make_disk(disk);
    run_builtv(&r, program, opt, "--disk", disk, "guests/ch4/vhostile.elf", NULL);
    unlink(disk);
    ck_assert_msg(r.status == 1, "status %d\n%s%s", r.status, r.out, r.err);
    int cases = 0, reasons = 0;
    for (const char *p = r.out; (p = strstr(p, ": needs-reset ok")); p++)
        cases++;
    for (const char *p = r.err; (p = strstr(p, "virtio-blk0: queue 0: ")); p++)
        reasons++;
    ck_assert_int_eq(cases, 10);
    ck_assert_int_eq(reasons, 10);
    run_free(&r);
}

START_TEST(tcg_vblk_pics)
{
    vblk("bin/stepvm", "--accel=tcg", NULL, NULL, "irq=pic", 0);
}
END_TEST

START_TEST(tcg_vblk_apics_read_only)
{
    vblk("bin/stepvm", "--accel=tcg", NULL, NULL, "irq=apic", 0);
    vblk("bin/stepvm", "--accel=tcg", NULL, NULL, "ro", 1);
}
END_TEST

START_TEST(tcg_vhostile)
{
    vhostile("bin/stepvm", "--accel=tcg");
}
END_TEST

/* The same guest file under QEMU's microvm, the reference: the same checksum, the same
 * sector written (microvm's firmware leaves LINT0 masked: the APICs, see vblk.c). */
START_TEST(qemu_vblk)
{
    char disk[] = "/tmp/stepvm-qvblk-XXXXXX", want[64], guest[4096];
    int fd = mkstemp(disk);
    struct run_result r;
    size_t len;

    ck_assert_int_ge(fd, 0);
    close(fd);
    uint64_t sum = make_disk(disk);
    run_shell(&r,
              "timeout 60 qemu-system-x86_64 -M microvm,acpi=off,ioapic2=off -accel tcg -m 128 "
              "-display none -monitor none -no-reboot -kernel %s -append irq=apic "
              "-drive id=d0,file=%s,format=raw,if=none -device virtio-blk-device,drive=d0 "
              "-global virtio-mmio.force-legacy=false -debugcon stdio -serial none "
              "-device isa-debug-exit,iobase=0xf4,iosize=4",
              build_path(guest, sizeof(guest), "guests/ch4/vblk.elf"), disk);
    uint8_t *after = (uint8_t *)read_whole_file(disk, &len);
    unlink(disk);
    snprintf(want, sizeof(want), "checksum %016llx", (unsigned long long)sum);
    ck_assert_msg(r.status == 1, "QEMU: status %d\n%s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, want), "want '%s':\n%s", want, r.out);
    ck_assert_msg(has_vblk_sector(after + len - SECTOR), "QEMU's disk lacks vblk's sector");
    free(after);
    run_free(&r);
}
END_TEST

/* A disk that cannot be opened, or is not whole sectors, is refused in one line. */
START_TEST(bad_disks_are_refused)
{
    struct run_result r;
    char odd[] = "/tmp/stepvm-odd-XXXXXX";
    int fd = mkstemp(odd);

    ck_assert_int_eq(write(fd, "abc", 3), 3);
    close(fd);
    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--disk", "/nonexistent/disk.img",
               "guests/ch4/vblk.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "/nonexistent/disk.img") &&
                      strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
                  "%s", r.err);
    run_free(&r);
    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--disk", odd, "guests/ch4/vblk.elf", NULL);
    unlink(odd);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "512-byte sectors"), "%s", r.err);
    run_free(&r);
}
END_TEST

/* ---- Linux ---- */

#define LINUX_WROTE_SECTOR 8184 /* linux/init writes here: the disk's size / 512 - 8 */

/* Debian's kernel boots on ch4 with irqchip: it prints its banner on COM1, finds the
 * virtio devices through ACPI, checks the disk's file against the sha256 the host
 * computed, writes its sector, greets hvc0 and powers off through ACPI (status 0). */
static void linux_boots(const char *irqchip)
{
    char disk[] = "/tmp/stepvm-linux-XXXXXX", want[128], sha[65];
    struct run_result r;
    size_t len;

    linux_guest_disk(disk, sha);
    run_builtv(&r, "bin/ch4", irqchip, "--virtio-console", "--mem", "256M", "--disk", disk,
               "--initrd", "guests/linux/initramfs.cpio.gz", "--append", "console=ttyS0",
               "guests/linux/vmlinuz", NULL);
    uint8_t *after = (uint8_t *)read_whole_file(disk, &len);
    unlink(disk);

    snprintf(want, sizeof(want), "LINUX-READ %s", sha);
    ck_assert_msg(r.status == 0, "%s: status %d\n%s\n%s", irqchip, r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "Linux version 6."), "no banner:\n%s", r.out);
    ck_assert_msg(strstr(r.out, want), "want '%s':\n%s", want, r.out);
    ck_assert_msg(strstr(r.out, "hello from hvc0"), "nothing on hvc0:\n%s", r.out);
    ck_assert_msg(strstr(r.out, "LINUX-OK") && !strstr(r.out, "LINUX-FAIL"), "%s", r.out);
    snprintf(want, sizeof(want), "STEPVM-LINUX-WROTE sector %d", LINUX_WROTE_SECTOR);
    ck_assert_uint_gt(len, (LINUX_WROTE_SECTOR + 1) * SECTOR);
    ck_assert_msg(!memcmp(after + LINUX_WROTE_SECTOR * SECTOR, want, strlen(want)),
                  "the disk does not hold Linux's sector");
    free(after);
    run_free(&r);
}

/* The same files under QEMU's microvm (the reference): the guest side is right. */
START_TEST(qemu_linux_boots)
{
    struct run_result r;
    char top[4096], out[4096];

    run_shell(&r, "sh %s/chapters/04-devices/linux/qemu-boot.sh %s 2>&1",
              source_top(top, sizeof(top)), build_path(out, sizeof(out), "guests/linux"));
    ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.out);
    run_free(&r);
}
END_TEST

/* Says loudly that n Linux tests of the test case name were left out. */
static void skip_linux(int n, const char *name)
{
    printf("SKIPPED: %d test(s) in test case %s: no guests/linux in the build (Debian's kernel "
           "package could not be fetched; try make -C chapters/04-devices linux)\n",
           n, name);
    fflush(stdout);
}

TCase *vguest_tests(void)
{
    TCase *tc = tcase_create("virtio guests on the interpreter");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tcg_vblk_pics);
    tcase_add_test(tc, tcg_vblk_apics_read_only);
    tcase_add_test(tc, tcg_vhostile);
    tcase_add_test(tc, bad_disks_are_refused);
    tcase_add_test(tc, qemu_vblk);
    if (have_linux_guest())
        tcase_add_test(tc, qemu_linux_boots);
    else
        skip_linux(1, "virtio guests on the interpreter");
    return tc;
}

/* ---- On KVM ---- */

/* KVM's irqchip with both shortcuts (the default), with neither, and stepvm's irqchip
 * (where irqfd cannot be: KVM injects nothing then). */
START_TEST(kvm_vblk_kernel_irqchip)
{
    vblk("bin/ch4", "--irqchip=kernel", NULL, NULL, "irq=apic", 0);
    vblk("bin/ch4", "--irqchip=kernel", "--no-ioeventfd", "--no-irqfd", "irq=pic", 0);
}
END_TEST

START_TEST(kvm_vblk_user_irqchip)
{
    vblk("bin/ch4", "--irqchip=user", NULL, NULL, "irq=apic", 0);
    vblk("bin/ch4", "--irqchip=user", "--no-ioeventfd", NULL, "ro", 1);
}
END_TEST

START_TEST(kvm_vhostile)
{
    vhostile("bin/ch4", "--irqchip=kernel");
}
END_TEST

START_TEST(kvm_linux_kernel_irqchip)
{
    linux_boots("--irqchip=kernel");
}
END_TEST

START_TEST(kvm_linux_user_irqchip)
{
    linux_boots("--irqchip=user");
}
END_TEST

void add_kvm_virtio_tests(Suite *s)
{
    const TTest *const tests[] = {kvm_vblk_kernel_irqchip, kvm_vblk_user_irqchip, kvm_vhostile,
                                  kvm_linux_kernel_irqchip, kvm_linux_user_irqchip};
    int n = sizeof(tests) / sizeof(tests[0]);

    if (!have_linux_guest()) {
        skip_linux(2, "kvm virtio");
        n -= 2;
    }
    suite_add_kvm_tests(s, "kvm virtio", tests, n);
}
