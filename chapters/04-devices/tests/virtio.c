/*
 * virtio.c - tests of the virtio-mmio transport and the split virtqueue (virtio_mmio.h,
 * virtq.h) through a fake bus, with a virtio-blk behind it: the registers, the status
 * protocol, interrupts and their suppression, reset, and a driver that breaks the rings in
 * every way the device must survive.
 */
#include "ch4_tests.h"
#include "virtio_blk.h"
#include "virtio_driver.h"

#include <string.h>
#include <unistd.h>

#define BIT(n)  (1ull << (n))
#define SECTORS 16
#define NUM     8 /* the queue size the tests use */

static char path[64];
static struct virtio_blk blk;
static struct vt v;

static void setup(void)
{
    vt__make_disk(path, SECTORS);
    ck_assert_int_eq(virtio_blk__open(&blk, path, 0, NULL), 0);
    vt__init(&v, "virtio-blk0", &virtio_blk_ops, &blk);
}

static void teardown(void)
{
    vt__fini(&v);
    virtio_blk__close(&blk);
    unlink(path);
}

/* Where request slot s keeps its header, status byte and data. */
#define HDR(s)    (VT_BUFS + 0x4000ull * (s))
#define STATUS(s) (HDR(s) + 0x100)
#define DATA(s)   (HDR(s) + 0x1000)

/* Writes a request (header, len bytes of data, status) in descriptors head.. and makes it
 * available. The status byte starts at 0xff, which no answer is. */
static void post(uint16_t head, uint32_t type, uint64_t sector, uint32_t len)
{
    struct virtio_blk_req_hdr h = {.type = type, .sector = sector};
    unsigned s = head % 4;
    uint16_t data_flags = VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE);
    uint16_t last = len ? head + 2 : head + 1;

    memcpy(vt__ram(&v, HDR(s)), &h, sizeof h);
    *(uint8_t *)vt__ram(&v, STATUS(s)) = 0xff;
    vt__desc(&v, 0, head, HDR(s), sizeof h, VIRTQ_DESC_F_NEXT, head + 1);
    if (len)
        vt__desc(&v, 0, head + 1, DATA(s), len, data_flags, head + 2);
    vt__desc(&v, 0, last, STATUS(s), 1, VIRTQ_DESC_F_WRITE, 0);
    vt__avail(&v, 0, head);
}

static uint8_t status_of(uint16_t head)
{
    return *(uint8_t *)vt__ram(&v, STATUS(head % 4));
}

/* ---- Registers and the status protocol ---- */

START_TEST(identifies_itself)
{
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_VERSION), 2);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR_STEPVM);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_STATUS), 0);
    /* Unknown offsets read 0 and take writes without effect; registers are 32-bit only. */
    ck_assert_uint_eq(vt__read(&v, 0x0c0), 0);
    ck_assert_uint_eq(vt__read(&v, 0x0f8), 0);
    ck_assert_uint_eq(fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
    ck_assert_uint_eq(fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
    for (uint64_t off = 0; off < 0x100; off += 4)
        if (off != VIRTIO_MMIO_STATUS && off != VIRTIO_MMIO_QUEUE_NOTIFY)
            vt__write(&v, off, 0xffffffff);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    ck_assert_uint_eq(v.t.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(offers_features)
{
    vt__write(&v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t lo = vt__read(&v, VIRTIO_MMIO_DEVICE_FEATURES);
    vt__write(&v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint32_t hi = vt__read(&v, VIRTIO_MMIO_DEVICE_FEATURES);
    vt__write(&v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);

    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_DEVICE_FEATURES), 0);
    ck_assert_uint_eq(hi, 1); /* VIRTIO_F_VERSION_1, bit 32 */
    ck_assert(lo & BIT(VIRTIO_F_EVENT_IDX));
    ck_assert(lo & BIT(VIRTIO_BLK_F_FLUSH));
    ck_assert(lo & BIT(VIRTIO_BLK_F_BLK_SIZE));
    ck_assert(!(lo & BIT(VIRTIO_BLK_F_RO)));
    ck_assert(!(lo & BIT(VIRTIO_F_INDIRECT_DESC)));
}
END_TEST

START_TEST(features_ok_needs_version_1_and_only_offered_bits)
{
    ck_assert_uint_eq(vt__negotiate(&v, BIT(VIRTIO_BLK_F_FLUSH)) & VIRTIO_STATUS_FEATURES_OK, 0);
    ck_assert_uint_eq(vt__negotiate(&v, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC)) &
                          VIRTIO_STATUS_FEATURES_OK,
                      0);
    ck_assert_uint_eq(vt__negotiate(&v, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH)),
                      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    /* Once settled, the driver's features stay. */
    vt__write(&v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    vt__write(&v, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
    ck_assert_uint_eq(v.t.driver_features, BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BLK_F_FLUSH));
}
END_TEST

START_TEST(queue_registers)
{
    vt__negotiate(&v, BIT(VIRTIO_F_VERSION_1));
    vt__write(&v, VIRTIO_MMIO_QUEUE_SEL, 1); /* virtio-blk has one queue */
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
    vt__write(&v, VIRTIO_MMIO_QUEUE_READY, 1);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_READY), 0);
    vt__write(&v, VIRTIO_MMIO_QUEUE_SEL, 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_MAX);
    vt__write(&v, VIRTIO_MMIO_QUEUE_NUM, 16);
    vt__write(&v, VIRTIO_MMIO_QUEUE_NUM, 12); /* not a power of 2: refused */
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_NUM), 16);
    vt__write(&v, VIRTIO_MMIO_QUEUE_NUM, 2 * VIRTIO_BLK_QUEUE_MAX); /* over the max */
    vt__write(&v, VIRTIO_MMIO_QUEUE_NUM, 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_NUM), 16);
    vt__queue(&v, 0, NUM);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_READY), 1);
    /* A ready queue's registers are not the driver's to change. */
    vt__write(&v, VIRTIO_MMIO_QUEUE_NUM, 4);
    vt__write(&v, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
    ck_assert_uint_eq(v.t.queues[0].num, NUM);
    ck_assert_uint_eq(v.t.queues[0].desc_gpa, VT_DESC(0));
    vt__write(&v, VIRTIO_MMIO_QUEUE_READY, 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_READY), 0);
    ck_assert_int_eq(vt__diag_lines(&v), 0);
}
END_TEST

START_TEST(nothing_happens_before_driver_ok)
{
    vt__negotiate(&v, BIT(VIRTIO_F_VERSION_1));
    vt__queue(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 0);
    ck_assert_uint_eq(v.t.stats.ignored_notifies, 1);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 0);
    /* DRIVER_OK, and the same buffers are taken at the next notify. */
    vt__write(&v, VIRTIO_MMIO_STATUS, vt__read(&v, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
}
END_TEST

START_TEST(used_buffer_interrupts_and_ack)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 1, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
    ck_assert_uint_eq(vt__used(&v, 0, 0).id, 0);
    ck_assert_uint_eq(vt__used(&v, 0, 0).len, 513);
    ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
    ck_assert_int_eq(v.irq.level[VT_IRQ], 0); /* an edge */
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    vt__write(&v, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    /* A notify with nothing new: no interrupt. */
    vt__kick(&v, 0);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
    ck_assert_uint_eq(v.t.stats.notifications, 2);
    ck_assert_uint_eq(v.t.stats.interrupts, 1);
    ck_assert_uint_gt(v.nwritten, 0);
}
END_TEST

START_TEST(no_interrupt_flag_suppresses)
{
    uint16_t no_interrupt = VIRTQ_AVAIL_F_NO_INTERRUPT;

    vt__start(&v, 0, NUM);
    memcpy(vt__ram(&v, VT_AVAIL(0)), &no_interrupt, 2);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    ck_assert_uint_eq(v.t.stats.suppressed, 1);
}
END_TEST

START_TEST(event_idx_suppresses_until_used_event)
{
    uint16_t used_event = 1, avail_event; /* "interrupt me when entry 1 is used" */

    vt__start(&v, BIT(VIRTIO_F_EVENT_IDX), NUM);
    memcpy(vt__ram(&v, VT_AVAIL(0) + 4 + 2 * NUM), &used_event, 2);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 0);
    memcpy(&avail_event, vt__ram(&v, VT_USED(0) + 4 + 8 * NUM), 2);
    ck_assert_uint_eq(avail_event, 1);
    post(3, VIRTIO_BLK_T_IN, 1, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 2);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
}
END_TEST

START_TEST(reset_clears_everything)
{
    vt__start(&v, BIT(VIRTIO_F_EVENT_IDX), NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__kick(&v, 0);
    ck_assert_uint_ne(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    vt__write(&v, VIRTIO_MMIO_STATUS, 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_STATUS), 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_READY), 0);
    ck_assert_uint_eq(v.t.driver_features, 0);
    ck_assert_uint_eq(v.t.queues[0].desc_gpa, 0);
    ck_assert_uint_eq(v.t.queues[0].last_avail, 0);
    /* And the device starts again from the beginning. */
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
}
END_TEST

START_TEST(config_space)
{
    uint64_t capacity = fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_CONFIG, 8);
    uint32_t gen = vt__read(&v, VIRTIO_MMIO_CONFIG_GENERATION);

    ck_assert_uint_eq(capacity, SECTORS);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG), SECTORS);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG + 4), 0);
    ck_assert_uint_eq(fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_CONFIG, 1), SECTORS);
    ck_assert_uint_eq(fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_CONFIG + 20, 4), 512);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG + 12), VIRTIO_BLK_SEG_MAX);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG + 8), VIRTIO_BLK_SIZE_MAX);
    ck_assert_uint_eq(fake_bus__read(&v.bus, VT_BASE + VIRTIO_MMIO_CONFIG + 22, 4), 0);
    ck_assert_uint_eq(vt__read(&v, 0xffc), 0);
    fake_bus__write(&v.bus, VT_BASE + VIRTIO_MMIO_CONFIG, 8, 0);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG), SECTORS);
    virtio_mmio__config_changed(&v.t);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
}
END_TEST

/* A notify for a queue the device does not have is ignored and counted: not a failure. */
START_TEST(notify_for_missing_queue_is_ignored)
{
    vt__start(&v, 0, NUM);
    vt__kick(&v, 1);
    vt__kick(&v, 0xffff);
    virtio_mmio__notify(&v.t, 7);
    ck_assert_uint_eq(v.t.stats.ignored_notifies, 3);
    ck_assert_uint_eq(v.t.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
    ck_assert_int_eq(vt__diag_lines(&v), 0);
}
END_TEST

/* ---- A hostile driver ---- */

/* The device is in NEEDS_RESET, said so in exactly one line naming itself, and sent a
 * configuration interrupt; after a reset it serves a good request again. */
static void assert_failed_then_recovers(const char *reason)
{
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET,
                      VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    ck_assert_int_eq(vt__diag_lines(&v), 1);
    ck_assert_msg(strncmp(v.diag_text, "virtio-blk0: queue 0: ", 22) == 0, "%s", v.diag_text);
    ck_assert_msg(strstr(v.diag_text, reason), "'%s' does not say '%s'", v.diag_text, reason);
    ck_assert(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
    ck_assert_int_ge(v.irq.rises[VT_IRQ], 1);
    /* Failed: a notify does nothing, and a second failure is not reported again. */
    vt__kick(&v, 0);
    virtio_mmio__fail(&v.t, "again");
    ck_assert_int_eq(vt__diag_lines(&v), 1);

    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 2, 512);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 1);
    ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
    ck_assert_uint_eq(*(uint8_t *)vt__ram(&v, DATA(0) + 5), vt__disk_byte(2 * 512 + 5));
}

START_TEST(avail_idx_jumps_past_size)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__set_avail_idx(&v, 0, NUM + 1);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 0);
    assert_failed_then_recovers("moved by 9");
}
END_TEST

START_TEST(head_outside_table)
{
    vt__start(&v, 0, NUM);
    vt__avail(&v, 0, NUM);
    vt__kick(&v, 0);
    assert_failed_then_recovers("names descriptor 8");
}
END_TEST

START_TEST(descriptor_loop)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 2, STATUS(0), 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    vt__kick(&v, 0);
    assert_failed_then_recovers("a loop");
}
END_TEST

/* Every descriptor of the table in one chain, the last pointing back to the first. */
START_TEST(chain_longer_than_queue)
{
    vt__start(&v, 0, NUM);
    for (uint16_t i = 0; i < NUM; i++)
        vt__desc(&v, 0, i, DATA(0) + 16 * i, 16, VIRTQ_DESC_F_NEXT, (i + 1) % NUM);
    vt__avail(&v, 0, 0);
    vt__kick(&v, 0);
    assert_failed_then_recovers("longer than the queue (8)");
}
END_TEST

START_TEST(next_outside_table)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 1, DATA(0), 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 200);
    vt__kick(&v, 0);
    assert_failed_then_recovers("next 200 is outside");
}
END_TEST

START_TEST(buffer_outside_ram)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    /* One byte past the end of RAM: map() refuses, nothing is read or written there. */
    vt__desc(&v, 0, 1, VT_RAM_SIZE - 511, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    vt__kick(&v, 0);
    ck_assert_uint_eq(v.refused, 1);
    ck_assert_uint_eq(vt__used_idx(&v, 0), 0);
    assert_failed_then_recovers("descriptor 1 points outside guest RAM (0x3fe01, 512 bytes)");
}
END_TEST

START_TEST(buffer_wraps_around)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 1, 0xfffffffffffffe00ull, 0x400, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    vt__kick(&v, 0);
    ck_assert_uint_eq(v.refused, 0);
    assert_failed_then_recovers("descriptor 1 wraps around");
}
END_TEST

START_TEST(buffer_length_huge)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 1, DATA(0), 0xffffffff, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    vt__kick(&v, 0);
    assert_failed_then_recovers("descriptor 1 points outside guest RAM");
}
END_TEST

START_TEST(writable_before_readable)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_OUT, 0, 512);
    vt__desc(&v, 0, 0, HDR(0), 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
    vt__kick(&v, 0);
    assert_failed_then_recovers("descriptor 1 is device-readable after a device-writable one");
}
END_TEST

START_TEST(indirect_not_offered)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 0, HDR(0), 16, VIRTQ_DESC_F_INDIRECT, 0);
    vt__kick(&v, 0);
    assert_failed_then_recovers("indirect");
}
END_TEST

/* The rings are checked when the queue is made ready. */
static void ready_with(uint64_t desc, uint64_t avail, uint64_t used)
{
    vt__negotiate(&v, BIT(VIRTIO_F_VERSION_1));
    vt__queue(&v, 0, NUM);
    vt__write(&v, VIRTIO_MMIO_QUEUE_READY, 0);
    vt__write(&v, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    vt__write(&v, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    vt__write(&v, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
    vt__write(&v, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
    vt__write(&v, VIRTIO_MMIO_QUEUE_READY, 1);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_QUEUE_READY), 0);
}

START_TEST(ring_outside_ram)
{
    ready_with(VT_DESC(0), VT_AVAIL(0), VT_RAM_SIZE - 8);
    assert_failed_then_recovers("the used ring at 0x3fff8 (70 bytes) is outside guest RAM");
}
END_TEST

START_TEST(ring_far_outside_ram)
{
    ready_with(0xfffffffffffffff0ull, VT_AVAIL(0), VT_USED(0));
    assert_failed_then_recovers("the descriptor ring at 0xfffffffffffffff0");
}
END_TEST

START_TEST(ring_misaligned)
{
    ready_with(VT_DESC(0) + 8, VT_AVAIL(0), VT_USED(0));
    assert_failed_then_recovers("not aligned to 16 bytes");
}
END_TEST

START_TEST(used_ring_misaligned)
{
    ready_with(VT_DESC(0), VT_AVAIL(0), VT_USED(0) + 2);
    assert_failed_then_recovers("the used ring at 0x3002 is not aligned to 4 bytes");
}
END_TEST

START_TEST(request_without_header)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_IN, 0, 512);
    vt__desc(&v, 0, 0, HDR(0), 8, VIRTQ_DESC_F_NEXT, 1);
    vt__kick(&v, 0);
    assert_failed_then_recovers("request 0 has a header of 8 bytes, not 16");
}
END_TEST

START_TEST(request_without_status)
{
    vt__start(&v, 0, NUM);
    post(0, VIRTIO_BLK_T_OUT, 0, 512);
    vt__desc(&v, 0, 2, STATUS(0), 1, 0, 0);
    vt__kick(&v, 0);
    assert_failed_then_recovers("request 0 has no device-writable status byte");
}
END_TEST

TCase *virtio_tests(void)
{
    TCase *tc = tcase_create("virtio");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, identifies_itself);
    tcase_add_test(tc, offers_features);
    tcase_add_test(tc, features_ok_needs_version_1_and_only_offered_bits);
    tcase_add_test(tc, queue_registers);
    tcase_add_test(tc, nothing_happens_before_driver_ok);
    tcase_add_test(tc, used_buffer_interrupts_and_ack);
    tcase_add_test(tc, no_interrupt_flag_suppresses);
    tcase_add_test(tc, event_idx_suppresses_until_used_event);
    tcase_add_test(tc, reset_clears_everything);
    tcase_add_test(tc, config_space);
    tcase_add_test(tc, notify_for_missing_queue_is_ignored);
    tcase_add_test(tc, avail_idx_jumps_past_size);
    tcase_add_test(tc, head_outside_table);
    tcase_add_test(tc, descriptor_loop);
    tcase_add_test(tc, chain_longer_than_queue);
    tcase_add_test(tc, next_outside_table);
    tcase_add_test(tc, buffer_outside_ram);
    tcase_add_test(tc, buffer_wraps_around);
    tcase_add_test(tc, buffer_length_huge);
    tcase_add_test(tc, writable_before_readable);
    tcase_add_test(tc, indirect_not_offered);
    tcase_add_test(tc, ring_outside_ram);
    tcase_add_test(tc, ring_far_outside_ram);
    tcase_add_test(tc, ring_misaligned);
    tcase_add_test(tc, used_ring_misaligned);
    tcase_add_test(tc, request_without_header);
    tcase_add_test(tc, request_without_status);
    return tc;
}
