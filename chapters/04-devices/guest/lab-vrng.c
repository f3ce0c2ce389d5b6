/*
 * lab-vrng.c - the test guest of lab "virtio-rng" (chapter 4).
 *
 * It looks for a virtio entropy device (device ID 4, spec 5.4) in stepvm's slots, brings
 * it up with VERSION_1 and its one queue, and asks it for bytes, waiting for its
 * interrupt: a 64-byte writable buffer twice (filled, not all zero, not the same twice), a
 * chain of two writable buffers, and chains the device must not write into: a readable
 * buffer holding a canary before a writable one, a readable buffer alone, and an empty
 * writable one. Then the device must still answer. Each step prints "vrng: WHAT: ok" or
 * "vrng: FAIL: WHAT" on the debug console, the first request's bytes in hex, and at the
 * end "vrng: N failed"; the verdict goes to port 0xf4: 0 when every step worked. Without
 * the device it prints "vrng: no virtio-rng device" and ends with 1.
 */
#include <intc.h>
#include <stdio.h>
#include <string.h>
#include <watchdog.h>
#include <virtio_drv.h>

#define PATIENCE 5 /* seconds without an answer before giving up */
#define BYTES    64
#define CANARY   0xa5

static struct virtio_dev rng;
static uint8_t first[BYTES], second[BYTES], canary[BYTES], out[BYTES], big[100];
static int failures;

static void report(int ok, const char *what)
{
    if (ok)
        printf("vrng: %s: ok\n", what);
    else
        printf("vrng: FAIL: %s\n", what);
    failures += !ok;
}

/* Submits the chain bufs[0..n-1] and waits for it. Returns the bytes the device said it
 * wrote, or -1 when it did not answer (it needs a reset). */
static long request(const struct virtio_buf *bufs, int n)
{
    uint32_t len;

    watchdog_pet();
    if (virtq_submit(&rng, bufs, n) < 0 || virtq_wait(&rng, VIRTIO_IRQ, &len) != 0)
        return -1;
    return len;
}

/* Asks for BYTES bytes into buf; reports whether all came. */
static void fill(uint8_t *buf, const char *what)
{
    struct virtio_buf b = {buf, BYTES, VIRTQ_DESC_F_WRITE};

    memset(buf, 0, BYTES);
    report(request(&b, 1) == BYTES, what);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int canary_intact(void)
{
    for (size_t i = 0; i < sizeof canary; i++)
        if (canary[i] != CANARY)
            return 0;
    return 1;
}

/* Chains with readable buffers, or nothing writable: the device writes only what is
 * writable (spec 5.4.6.1), and says so in the used length. */
static void readable_parts(void)
{
    struct virtio_buf two[2] = {{canary, BYTES, 0}, {out, BYTES, VIRTQ_DESC_F_WRITE}};
    struct virtio_buf alone = {canary, BYTES, 0};
    struct virtio_buf empty = {out, 0, VIRTQ_DESC_F_WRITE};

    memset(canary, CANARY, sizeof canary);
    memset(out, 0, sizeof out);
    report(request(two, 2) == BYTES && !all_zero(out, BYTES),
           "readable then writable: used length 64, the writable part filled");
    report(canary_intact(), "readable then writable: the readable canary untouched");
    report(request(&alone, 1) == 0, "a readable buffer alone: used length 0");
    report(canary_intact(), "a readable buffer alone: the canary untouched");
    report(request(&empty, 1) == 0, "an empty writable buffer: used length 0");
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    struct virtio_buf split[2] = {{out, 32, VIRTQ_DESC_F_WRITE},
                                  {big, sizeof big, VIRTQ_DESC_F_WRITE}};

    (void)magic;
    irq_init();
    intc_init(intc_mode_from_cmdline(mbi));
    watchdog_start("vrng", PATIENCE); /* a device that never answers must not hang us */
    irq_enable();
    if (virtio_find(&rng, VIRTIO_ID_RNG) < 0) {
        printf("vrng: no virtio-rng device\n");
        return 1;
    }
    printf("vrng: virtio-rng at 0x%lx, IRQ %d\n", (unsigned long)rng.base, rng.irq);
    if (virtio_negotiate(&rng, 0) < 0 || virtq_setup(&rng, 0) < 0) {
        printf("vrng: FAIL: the device did not accept VERSION_1 and its queue 0\n");
        return 1;
    }
    virtio_attach_irq(&rng);
    virtio_driver_ok(&rng);

    fill(first, "64 bytes: used length 64");
    printf("vrng: bytes");
    for (int i = 0; i < BYTES; i++)
        printf(" %02x", first[i]);
    printf("\n");
    report(!all_zero(first, BYTES), "64 bytes: not all zero");
    fill(second, "64 more bytes: used length 64");
    report(memcmp(first, second, BYTES) != 0, "64 more bytes: not the same as the first");
    memset(big, 0, sizeof big);
    report(request(split, 2) == 32 + sizeof big && !all_zero(big, sizeof big),
           "two writable buffers: used length 132, both filled");
    readable_parts();
    fill(second, "after all that: 64 bytes again");
    report(rng.interrupts > 0, "completions by interrupt");
    printf("vrng: %d failed\n", failures);
    return failures;
}
