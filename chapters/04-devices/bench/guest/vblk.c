/*
 * vblk.c - the virtio-blk benchmark's guest (chapter 4): with the Multiboot command line
 * "irq=apic passes=P" it reads the whole disk P times from start to end, in requests of
 * REQUEST_BYTES (fewer bytes if virtio_blk_max_request() says the driver cannot make them
 * that large), each waited for by the device's interrupt. The data goes into one static
 * buffer and is not looked at: what is measured is the device, its exits and its
 * interrupts, not the guest's CPU.
 *
 * "bytes=B" makes the requests smaller, B at most, to see what one request costs.
 * passes=0 opens the device and reads nothing, so the difference between a run of P
 * passes and one of 0 passes is the reading alone. The guest prints one line,
 *   bench-vblk: P passes, R requests of up to B bytes: N bytes read, all OK
 * and ends with status 0 (stepvm's and QEMU's exit status 1) when every request came back
 * with VIRTIO_BLK_S_OK, and 1 otherwise. On QEMU, as chapters/04-devices/guest/vblk.c says:
 *   qemu-system-x86_64 -M microvm,acpi=off,ioapic2=off -m 128 -display none
 *     -kernel bench-vblk.elf -append "irq=apic passes=4" -global virtio-mmio.force-legacy=false
 *     -drive id=d0,file=disk.img,format=raw,if=none -device virtio-blk-device,drive=d0
 *     -debugcon stdio -serial none -device isa-debug-exit,iobase=0xf4,iosize=4
 */
#include <intc.h>
#include <multiboot.h>
#include <stdio.h>
#include <virtio_blk_drv.h>

/*
 * 1 MiB a request: the size of a large request from an operating system's block layer,
 * and one size_max segment of stepvm's disk. The driver could make far larger ones (up to
 * seg_max segments of size_max), but a pass over the 64 MiB image in a few such requests
 * would time the set-up of a few requests, not a disk being read.
 */
#define REQUEST_BYTES (1u << 20)

static struct virtio_blk blk;
static uint8_t buf[REQUEST_BYTES] __attribute__((aligned(4096)));

/* Returns the number after @p word ("passes=") in cmdline; -1 when there is none. */
static long number_from(const char *cmdline, const char *word)
{
    long n = -1;

    for (const char *p = cmdline; *p; p++) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        size_t i = 0;
        while (word[i] && p[i] == word[i])
            i++;
        if (word[i])
            continue;
        for (n = 0, p += i; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (*p - '0');
        break;
    }
    return n;
}

/* [pass] */
/* One pass over the disk, one request of @p per bytes after another (the last may be
 * shorter). Returns the number of requests, or -1 after printing the first bad status. */
static long read_disk(size_t per)
{
    uint64_t per_sectors = per / VIRTIO_BLK_SECTOR_SIZE;
    long requests = 0;

    for (uint64_t s = 0; s < blk.capacity; s += per_sectors) {
        uint64_t n = blk.capacity - s < per_sectors ? blk.capacity - s : per_sectors;
        int status = virtio_blk_read(&blk, s, buf, n * VIRTIO_BLK_SECTOR_SIZE);
        if (status != VIRTIO_BLK_S_OK) {
            printf("bench-vblk: FAIL: read of %lu sectors at sector %lu: status %d\n",
                   (unsigned long)n, (unsigned long)s, status);
            return -1;
        }
        requests++;
    }
    return requests;
}
/* [pass] */

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    const char *cmdline = "";

    if (magic == MULTIBOOT_BOOT_MAGIC && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
        cmdline = (const char *)(uintptr_t)mbi->cmdline;
    long passes = number_from(cmdline, "passes=");
    long cap = number_from(cmdline, "bytes=");
    if (passes < 0) {
        printf("bench-vblk: command line '%s': want 'irq=apic passes=P'\n", cmdline);
        return 1;
    }
    irq_init();
    intc_init(intc_mode_from_cmdline(mbi));
    irq_enable();
    if (virtio_blk_open(&blk, VIRTIO_IRQ) < 0)
        return 1;
    size_t per = virtio_blk_max_request(&blk);
    if (per > REQUEST_BYTES)
        per = REQUEST_BYTES;
    if (cap > 0 && (size_t)cap < per)
        per = (size_t)cap;
    per -= per % VIRTIO_BLK_SECTOR_SIZE;
    if (blk.capacity == 0 || per == 0) {
        printf("bench-vblk: FAIL: %lu sectors, requests of %lu bytes\n",
               (unsigned long)blk.capacity, (unsigned long)per);
        return 1;
    }

    long requests = 0;
    for (long p = 0; p < passes; p++) {
        long r = read_disk(per);
        if (r < 0)
            return 1;
        requests += r;
    }
    printf("bench-vblk: %ld passes, %ld requests of up to %lu bytes: %lu bytes read, all OK\n",
           passes, requests, (unsigned long)per,
           (unsigned long)(passes * blk.capacity * VIRTIO_BLK_SECTOR_SIZE));
    return 0;
}
