/*
 * linux.c - Debian's Linux on the interpreter (chapter 6): chapter 4's guest (the kernel,
 * its busybox initramfs and a virtio disk) boots on stepvm --accel=tcg with 1 and 2 vCPUs,
 * reads and writes its disk, finds every CPU, computes with doubles as it does under
 * QEMU, and powers off. Before it, the idle guest: HLT sleeps, and the TSC keeps the
 * PIT's time.
 */
#include "check_helpers.h"
#include "ch6_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SECTOR             512
#define LINUX_WROTE_SECTOR 8184 /* linux/init writes here: the disk's size / 512 - 8 */

/* The CPU time (user + system, in seconds) the finished children have used so far. */
static double children_cpu(void)
{
    struct rusage u;

    ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &u), 0);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

/* idle.elf waits in HLT for two seconds while the PIT ticks at 250 Hz: the host core
 * must be free meanwhile (a spinning vCPU would use the whole two seconds), and the TSC
 * must have counted 1 GHz of the PIT's time. */
START_TEST(an_idle_guest_leaves_the_host_idle)
{
    struct run_result r;
    double before = children_cpu();

    run_builtv(&r, "bin/stepvm", "--accel=tcg", "guests/ch6/idle.elf", NULL);
    double used = children_cpu() - before;
    ck_assert_msg(r.status == 1, "status %d: %s%s", r.status, r.out, r.err);
    ck_assert_msg(strstr(r.out, "idle: 500 ticks in HLT"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "tsc agrees with the pit: yes"), "%s", r.out);
    ck_assert_msg(used < 0.4, "2 s of HLT took %.2f s of host CPU", used);
    run_free(&r);
}
END_TEST

/* The lines of text that start with prefix, in order, as one new string. */
static char *lines_with(const char *text, const char *prefix)
{
    size_t n = strlen(text), len = 0;
    char *out = calloc(1, n + 1);

    ck_assert_ptr_nonnull(out);
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        if (!strncmp(p, prefix, strlen(prefix))) {
            memcpy(out + len, p, l);
            len += l;
            while (len && out[len - 1] == '\r')
                len--;
            out[len++] = '\n';
        }
        p += l + (end ? 1 : 0);
    }
    return out;
}

/* The end of a long console log: Check's messages have a size limit, and a boot's last
 * lines say what went wrong. */
static const char *tail(const char *log)
{
    size_t n = strlen(log);

    return n > 3000 ? log + n - 3000 : log;
}

/* What fpdemo printed under QEMU (qemu-boot.sh, the reference machine). */
static char *qemu_fp_lines(void)
{
    struct run_result r;
    char top[4096], out[4096];

    run_shell(&r, "sh %s/chapters/04-devices/linux/qemu-boot.sh %s 2>&1",
              source_top(top, sizeof(top)), build_path(out, sizeof(out), "guests/linux"));
    ck_assert_msg(r.status == 0, "Linux under QEMU: status %d\n%s", r.status, tail(r.out));
    char *fp = lines_with(r.out, "FP-");
    run_free(&r);
    return fp;
}

/* Debian's kernel on the interpreter with ncpus vCPUs: the same checks as chapter 4's on
 * KVM, every CPU found, and fpdemo's output as under QEMU. */
static void linux_boots_on_tcg(int ncpus)
{
    char disk[] = "/tmp/stepvm-linux-tcg-XXXXXX", want[128], sha[65], smp[16];
    struct run_result r;
    size_t len;

    linux_guest_disk(disk, sha);
    snprintf(smp, sizeof(smp), "%d", ncpus);
    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--smp", smp, "--virtio-console", "--mem", "256M",
               "--disk", disk, "--initrd", "guests/linux/initramfs.cpio.gz", "--append",
               "console=ttyS0", "guests/linux/vmlinuz", NULL);
    uint8_t *after = (uint8_t *)read_whole_file(disk, &len);
    unlink(disk);

    ck_assert_msg(r.status == 0, "--smp %d: status %d\n%s\n%s", ncpus, r.status, tail(r.out),
                  tail(r.err));
    ck_assert_msg(strstr(r.out, "Linux version 6."), "no banner:\n%s", tail(r.out));
    snprintf(want, sizeof(want), "LINUX-CPUS %d ", ncpus);
    ck_assert_msg(strstr(r.out, want), "want '%s':\n%s", want, tail(r.out));
    snprintf(want, sizeof(want), "LINUX-READ %s", sha);
    ck_assert_msg(strstr(r.out, want), "want '%s':\n%s", want, tail(r.out));
    ck_assert_msg(strstr(r.out, "hello from hvc0"), "nothing on hvc0:\n%s", tail(r.out));
    ck_assert_msg(strstr(r.out, "LINUX-FP ok"), "fpdemo did not run:\n%s", tail(r.out));
    ck_assert_msg(strstr(r.out, "LINUX-OK") && !strstr(r.out, "LINUX-FAIL"), "%s", tail(r.out));
    snprintf(want, sizeof(want), "STEPVM-LINUX-WROTE sector %d", LINUX_WROTE_SECTOR);
    ck_assert_uint_gt(len, (LINUX_WROTE_SECTOR + 1) * SECTOR);
    ck_assert_msg(!memcmp(after + LINUX_WROTE_SECTOR * SECTOR, want, strlen(want)),
                  "the disk does not hold Linux's sector");
    if (ncpus == 1) { /* floating point in user mode, as QEMU computes it */
        char *got = lines_with(r.out, "FP-"), *ref = qemu_fp_lines();
        ck_assert_msg(*ref, "QEMU's run printed no FP- line");
        ck_assert_str_eq(got, ref);
        free(got);
        free(ref);
    }
    free(after);
    run_free(&r);
}

START_TEST(linux_boots_on_the_interpreter)
{
    linux_boots_on_tcg(1);
}
END_TEST

START_TEST(linux_boots_on_two_interpreted_cpus)
{
    linux_boots_on_tcg(2);
}
END_TEST

TCase *linux_tcg_tests(void)
{
    TCase *tc = tcase_create("linux on the interpreter");

    tcase_set_timeout(tc, 400);
    tcase_add_test(tc, an_idle_guest_leaves_the_host_idle);
#ifdef __SANITIZE_ADDRESS__
    /* Under AddressSanitizer the interpreter runs 2.6 times slower (bench-cpu.elf): boots of
     * several minutes each. The plain build's suite (make test) boots them. */
    printf("SKIPPED: 2 test(s) in test case linux on the interpreter: AddressSanitizer build "
           "(make test without SAN boots Linux on the interpreter)\n");
    fflush(stdout);
    (void)linux_boots_on_the_interpreter;
    (void)linux_boots_on_two_interpreted_cpus;
#else
    if (have_linux_guest()) {
        tcase_add_test(tc, linux_boots_on_the_interpreter);
        tcase_add_test(tc, linux_boots_on_two_interpreted_cpus);
    } else {
        printf("SKIPPED: 2 test(s) in test case linux on the interpreter: no guests/linux in "
               "the build (Debian's kernel package could not be fetched)\n");
        fflush(stdout);
    }
#endif
    return tc;
}
