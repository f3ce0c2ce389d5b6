/*
 * vblk.c - chapter 4's virtio-blk guest: reads the disk in large requests and prints its
 * checksum, writes its last sector and reads it back, flushes, and prints the disk's id,
 * waiting for the device's interrupt (one read is polled). The verdict goes to port 0xf4:
 * 0 when every step worked. Lines go to the debug console.
 *
 * The checksum is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over
 * the first min(capacity, CHECKSUM_SECTORS) sectors, as read before anything is written:
 *   vblk: capacity <sectors> sectors, checksum <16 hex digits>
 * The last sector is written with PATTERN_TEXT and then, at each later offset i of the
 * sector, the byte i & 0xff. The word "ro" on the command line expects a read-only disk
 * (VIRTIO_BLK_F_RO) whose write fails with VIRTIO_BLK_S_IOERR and changes nothing;
 * irq=apic as irqtest.elf. QEMU's microvm machine has virtio-mmio devices (without ACPI,
 * on GSIs 5 to 12); its firmware leaves the local APIC's LINT0 masked, so the PICs'
 * interrupts never reach the CPU: use irq=apic there:
 *   qemu-system-x86_64 -M microvm,acpi=off,ioapic2=off -m 128 -display none -kernel vblk.elf
 *     -drive id=d0,file=disk.img,format=raw,if=none -device virtio-blk-device,drive=d0
 *     -append irq=apic -global virtio-mmio.force-legacy=false -debugcon stdio -serial none
 *     -device isa-debug-exit,iobase=0xf4,iosize=4
 */
#include <intc.h>
#include <stdio.h>
#include <string.h>
#include <watchdog.h>
#include <virtio_blk_drv.h>

#define CHECKSUM_SECTORS 131072 /* 64 MiB: enough for any test disk */
#define CHUNK            65536  /* bytes a read request asks for */
#define PATIENCE         10     /* seconds without an answer before giving up */
#define PATTERN_TEXT     "stepvm vblk wrote this sector"
#define NO_STATUS        0x100 /* report()'s status for a check that is no request */

static struct virtio_blk blk;
static uint8_t chunk[CHUNK] __attribute__((aligned(4096)));
static uint8_t sector_out[VIRTIO_BLK_SECTOR_SIZE], sector_in[VIRTIO_BLK_SECTOR_SIZE];
static int failures;

/*
 * Prints "vblk: <what>: ok" or "vblk: FAIL: <what>", with the request's status (-1: no
 * answer, the device needs a reset) unless it is NO_STATUS. A failure counts.
 */
static void report(int ok, const char *what, int status)
{
    watchdog_pet();
    if (ok)
        printf("vblk: %s: ok\n", what);
    else if (status == NO_STATUS)
        printf("vblk: FAIL: %s\n", what);
    else
        printf("vblk: FAIL: %s: status %d\n", what, status);
    failures += !ok;
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Reads the first sectors of @p b in CHUNK-byte requests (the first by polling) and sums
 * them. */
static void checksum_disk(struct virtio_blk *b)
{
    uint64_t sectors = b->capacity;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t per = virtio_blk_max_request(b) < CHUNK ? virtio_blk_max_request(b) : CHUNK;
    uint64_t per_sectors = per / VIRTIO_BLK_SECTOR_SIZE;
    int status = VIRTIO_BLK_S_OK;

    if (sectors > CHECKSUM_SECTORS)
        sectors = CHECKSUM_SECTORS;
    for (uint64_t s = 0; s < sectors && status == VIRTIO_BLK_S_OK; s += per_sectors) {
        uint64_t n = sectors - s < per_sectors ? sectors - s : per_sectors;
        b->wait = s == 0 ? VIRTIO_POLL : VIRTIO_IRQ;
        status = virtio_blk_read(b, s, chunk, n * VIRTIO_BLK_SECTOR_SIZE);
        h = fnv1a(h, chunk, n * VIRTIO_BLK_SECTOR_SIZE);
        watchdog_pet();
    }
    b->wait = VIRTIO_IRQ;
    report(status == VIRTIO_BLK_S_OK, "read the disk", status);
    printf("vblk: capacity %lu sectors, checksum %016lx\n", (unsigned long)b->capacity,
           (unsigned long)h);
}

/* Writes the pattern to the last sector and reads it back (read-write disks). */
static void write_last_sector(uint64_t last)
{
    int status;

    status = virtio_blk_write(&blk, last, sector_out, sizeof sector_out);
    report(status == VIRTIO_BLK_S_OK, "write the last sector", status);
    status = virtio_blk_read(&blk, last, sector_in, sizeof sector_in);
    report(status == VIRTIO_BLK_S_OK && memcmp(sector_in, sector_out, sizeof sector_in) == 0,
           "read it back", status);
    status = virtio_blk_flush(&blk);
    report(status == VIRTIO_BLK_S_OK, "flush", status);
}

/* A read-only disk must refuse the write with IOERR and keep its old bytes. */
static void refuse_write(uint64_t last)
{
    static uint8_t before[VIRTIO_BLK_SECTOR_SIZE];
    int status;

    report(virtio_blk_readonly(&blk), "the device offers VIRTIO_BLK_F_RO", NO_STATUS);
    status = virtio_blk_read(&blk, last, before, sizeof before);
    report(status == VIRTIO_BLK_S_OK, "read the last sector", status);
    status = virtio_blk_write(&blk, last, sector_out, sizeof sector_out);
    report(status == VIRTIO_BLK_S_IOERR, "the write fails with VIRTIO_BLK_S_IOERR", status);
    status = virtio_blk_read(&blk, last, sector_in, sizeof sector_in);
    report(status == VIRTIO_BLK_S_OK && memcmp(sector_in, before, sizeof before) == 0,
           "the sector is unchanged", status);
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    int readonly = multiboot_cmdline_has(mbi, "ro");
    char id[VIRTIO_BLK_ID_BYTES + 1];
    int status;

    (void)magic;
    irq_init();
    intc_init(intc_mode_from_cmdline(mbi));
    watchdog_start("vblk", PATIENCE); /* a device that never answers must not hang us */
    irq_enable();
    if (virtio_blk_open(&blk, VIRTIO_IRQ) < 0)
        return 1;
    printf("vblk: virtio-blk at 0x%lx, IRQ %d, queue size %u, %s\n", (unsigned long)blk.dev.base,
           blk.dev.irq, blk.dev.vq.num, readonly ? "read-only expected" : "read-write");
    if (blk.capacity == 0) {
        printf("vblk: FAIL: the disk is empty\n");
        return 1;
    }

    checksum_disk(&blk);
    memcpy(sector_out, PATTERN_TEXT, sizeof PATTERN_TEXT - 1);
    for (size_t i = sizeof PATTERN_TEXT - 1; i < sizeof sector_out; i++)
        sector_out[i] = (uint8_t)i;
    if (readonly)
        refuse_write(blk.capacity - 1);
    else
        write_last_sector(blk.capacity - 1);

    status = virtio_blk_get_id(&blk, id);
    report(status == VIRTIO_BLK_S_OK, "get-id", status);
    printf("vblk: id \"%s\"\n", id);
    report(blk.dev.interrupts > 0, "completions by interrupt", NO_STATUS);
    printf("vblk: %lu interrupts; %d failed\n", blk.dev.interrupts, failures);
    return failures;
}
