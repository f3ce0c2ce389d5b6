/*
 * virtio_blk.c - tests of virtio-blk (virtio_blk.h) on a temporary image file with known
 * bytes, and of virtio-console (virtio_console.h), each driven through the virtio-mmio
 * transport by the test's own driver (virtio_driver.h).
 */
#include "ch4_tests.h"
#include "error.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_driver.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIT(n)  (1ull << (n))
#define SECTORS 16
#define NUM     8

#define HDR    (VT_BUFS)
#define STATUS (VT_BUFS + 0x100)
#define DATA   (VT_BUFS + 0x1000) /* two data buffers of up to 4 KiB: DATA and DATA2 */
#define DATA2  (VT_BUFS + 0x2000)

static char path[64];
static struct virtio_blk blk;
static struct vt v;

static void start(int read_only)
{
    vt__make_disk(path, SECTORS);
    ck_assert_msg(virtio_blk__open(&blk, path, read_only, NULL) == 0, "%s", error__get());
    vt__init(&v, "virtio-blk0", &virtio_blk_ops, &blk);
    vt__start(&v, 0, NUM);
}

static void setup(void)
{
    start(0);
}

static void teardown(void)
{
    vt__fini(&v);
    virtio_blk__close(&blk);
    unlink(path);
}

/* One request in descriptors 0..3: the header, data split over two buffers of len1 and len2
 * bytes (either may be 0: then it is left out), the status byte. Returns the status, after
 * checking the used entry. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len1, uint32_t len2)
{
    struct virtio_blk_req_hdr h = {.type = type, .sector = sector};
    uint16_t data = VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE);
    uint16_t used = vt__used_idx(&v, 0), i = 1;

    memcpy(vt__ram(&v, HDR), &h, sizeof h);
    *(uint8_t *)vt__ram(&v, STATUS) = 0xff;
    vt__desc(&v, 0, 0, HDR, sizeof h, VIRTQ_DESC_F_NEXT, 1);
    if (len1) {
        vt__desc(&v, 0, i, DATA, len1, data, i + 1);
        i++;
    }
    if (len2) {
        vt__desc(&v, 0, i, DATA2, len2, data, i + 1);
        i++;
    }
    vt__desc(&v, 0, i, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
    vt__avail(&v, 0, 0);
    vt__kick(&v, 0);
    ck_assert_uint_eq(vt__used_idx(&v, 0), (uint16_t)(used + 1));
    ck_assert_uint_eq(vt__used(&v, 0, used).id, 0);
    return *(uint8_t *)vt__ram(&v, STATUS);
}

static void read_file(uint8_t *buf, size_t len)
{
    int fd = open(path, O_RDONLY);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, buf, len, 0), (ssize_t)len);
    close(fd);
}

START_TEST(reads_into_guest_buffers)
{
    const uint8_t *d1 = vt__ram(&v, DATA), *d2 = vt__ram(&v, DATA2);

    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 3, 512, 1024), VIRTIO_BLK_S_OK);
    for (unsigned i = 0; i < 512; i++)
        ck_assert_uint_eq(d1[i], vt__disk_byte(3 * 512 + i));
    for (unsigned i = 0; i < 1024; i++)
        ck_assert_uint_eq(d2[i], vt__disk_byte(4 * 512 + i));
    ck_assert_uint_eq(vt__used(&v, 0, 0).len, 1536 + 1);
    ck_assert_uint_eq(blk.stats.reads, 1);
    ck_assert_uint_eq(blk.stats.bytes_read, 1536);
    /* The last sectors of the disk, and none at all. */
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, SECTORS - 2, 1024, 0), VIRTIO_BLK_S_OK);
    ck_assert_uint_eq(d1[1023], vt__disk_byte(SECTORS * 512 - 1));
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, SECTORS, 0, 0), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(writes_to_the_file)
{
    uint8_t file[SECTORS * 512];

    memset(vt__ram(&v, DATA), 0xa5, 512);
    memset(vt__ram(&v, DATA2), 0x5a, 512);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 5, 512, 512), VIRTIO_BLK_S_OK);
    ck_assert_uint_eq(vt__used(&v, 0, 0).len, 1); /* the status byte only */
    read_file(file, sizeof file);
    for (unsigned i = 0; i < sizeof file; i++)
        ck_assert_uint_eq(file[i], i >= 5 * 512 && i < 6 * 512   ? 0xa5
                                   : i >= 6 * 512 && i < 7 * 512 ? 0x5a
                                                                 : vt__disk_byte(i));
    ck_assert_uint_eq(blk.stats.bytes_written, 1024);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
    ck_assert_uint_eq(blk.stats.flushes, 1);
}
END_TEST

START_TEST(get_id_is_the_file_name)
{
    char id[VIRTIO_BLK_ID_BYTES + 1] = {0};

    ck_assert_uint_eq(request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, 0), VIRTIO_BLK_S_OK);
    memcpy(id, vt__ram(&v, DATA), VIRTIO_BLK_ID_BYTES);
    ck_assert_str_eq(id, strrchr(path, '/') + 1);
    ck_assert_uint_eq(vt__used(&v, 0, 0).len, VIRTIO_BLK_ID_BYTES + 1);
}
END_TEST

START_TEST(out_of_range_is_ioerr)
{
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, SECTORS - 1, 1024, 0), VIRTIO_BLK_S_IOERR);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, SECTORS, 512, 0), VIRTIO_BLK_S_IOERR);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, UINT64_MAX, 512, 0), VIRTIO_BLK_S_IOERR);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, UINT64_MAX / 512, 512, 0), VIRTIO_BLK_S_IOERR);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 100, 0), VIRTIO_BLK_S_IOERR); /* not sectors */
    ck_assert_uint_eq(vt__used(&v, 0, 0).len, 1);
    ck_assert_uint_eq(blk.stats.ioerrors, 5);
    ck_assert_uint_eq(v.t.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(unknown_type_is_unsupported)
{
    ck_assert_uint_eq(request(99, 0, 512, 0), VIRTIO_BLK_S_UNSUPP);
    ck_assert_uint_eq(blk.stats.unsupported, 1);
    ck_assert_uint_eq(v.t.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(read_only_disk_refuses_writes)
{
    uint8_t before[SECTORS * 512], after[SECTORS * 512];

    teardown();
    start(1);
    vt__write(&v, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    ck_assert(vt__read(&v, VIRTIO_MMIO_DEVICE_FEATURES) & BIT(VIRTIO_BLK_F_RO));
    read_file(before, sizeof before);
    memset(vt__ram(&v, DATA), 0xee, 512);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, 512, 0), VIRTIO_BLK_S_IOERR);
    read_file(after, sizeof after);
    ck_assert_mem_eq(before, after, sizeof before);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 1, 512, 0), VIRTIO_BLK_S_OK);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
}
END_TEST

/* The file shrank under the disk: a read past its new end is a host error, said in one line. */
START_TEST(short_read_is_ioerr)
{
    blk.diag = v.diag;
    ck_assert_int_eq(truncate(path, 8 * 512), 0);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 10, 512, 0), VIRTIO_BLK_S_IOERR);
    ck_assert_int_eq(vt__diag_lines(&v), 1);
    ck_assert_str_eq(v.diag_text, "virtio-blk0: read of 512 bytes at sector 10: end of file\n");
    ck_assert_uint_eq(v.t.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
    ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 7, 512, 0), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(open_errors_name_the_file)
{
    struct virtio_blk b;
    char odd[64];
    int fd;

    ck_assert_int_eq(virtio_blk__open(&b, "/nonexistent/disk.img", 0, NULL), -1);
    ck_assert_str_eq(error__get(), "open /nonexistent/disk.img: No such file or directory");
    strcpy(odd, "/tmp/stepvm-odd-XXXXXX");
    fd = mkstemp(odd);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "short", 5), 5);
    close(fd);
    ck_assert_int_eq(virtio_blk__open(&b, odd, 1, NULL), -1);
    ck_assert_ptr_nonnull(strstr(error__get(), ": 5 bytes is not a whole number of 512-byte"));
    ck_assert_int_eq(b.fd, -1);
    unlink(odd);
}
END_TEST

/* ---- virtio-console ---- */

static struct virtio_console con;
static uint8_t out[64];
static size_t nout;

static void tx(void *ctx, const uint8_t *buf, size_t len)
{
    ck_assert_ptr_eq(ctx, &con);
    ck_assert_uint_le(nout + len, sizeof out);
    memcpy(out + nout, buf, len);
    nout += len;
}

static void console_setup(void)
{
    nout = 0;
    virtio_console__init(&con, tx, &con);
    vt__init(&v, "virtio-console0", &virtio_console_ops, &con);
    vt__start(&v, 0, NUM);
}

static void console_teardown(void)
{
    vt__fini(&v);
}

START_TEST(console_transmits)
{
    memcpy(vt__ram(&v, DATA), "hello, ", 7);
    memcpy(vt__ram(&v, DATA2), "world", 5);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
    vt__desc(&v, VIRTIO_CONSOLE_TX, 0, DATA, 7, VIRTQ_DESC_F_NEXT, 1);
    vt__desc(&v, VIRTIO_CONSOLE_TX, 1, DATA2, 5, 0, 0);
    vt__avail(&v, VIRTIO_CONSOLE_TX, 0);
    vt__kick(&v, VIRTIO_CONSOLE_TX);
    ck_assert_uint_eq(nout, 12);
    ck_assert_mem_eq(out, "hello, world", 12);
    ck_assert_uint_eq(vt__used_idx(&v, VIRTIO_CONSOLE_TX), 1);
    ck_assert_uint_eq(vt__used(&v, VIRTIO_CONSOLE_TX, 0).len, 0);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
    ck_assert_uint_eq(con.stats.tx_bytes, 12);
}
END_TEST

START_TEST(console_receives_into_posted_buffers)
{
    const uint8_t *in = (const uint8_t *)"hello world";

    ck_assert_uint_eq(virtio_console__receive(&con, &v.t, in, 11), 0);
    vt__desc(&v, VIRTIO_CONSOLE_RX, 0, DATA, 4, VIRTQ_DESC_F_WRITE, 0);
    vt__desc(&v, VIRTIO_CONSOLE_RX, 1, DATA2, 4, VIRTQ_DESC_F_WRITE, 0);
    vt__avail(&v, VIRTIO_CONSOLE_RX, 0);
    vt__avail(&v, VIRTIO_CONSOLE_RX, 1);
    vt__kick(&v, VIRTIO_CONSOLE_RX); /* says buffers are there: nothing to send yet */
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 0);
    ck_assert_uint_eq(virtio_console__receive(&con, &v.t, in, 11), 8);
    ck_assert_mem_eq(vt__ram(&v, DATA), "hell", 4);
    ck_assert_mem_eq(vt__ram(&v, DATA2), "o wo", 4);
    ck_assert_uint_eq(vt__used_idx(&v, VIRTIO_CONSOLE_RX), 2);
    ck_assert_uint_eq(vt__used(&v, VIRTIO_CONSOLE_RX, 1).len, 4);
    ck_assert_int_eq(v.irq.rises[VT_IRQ], 1);
    ck_assert_uint_eq(vt__read(&v, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    ck_assert_uint_eq(virtio_console__receive(&con, &v.t, in + 8, 3), 0);
    ck_assert_uint_eq(con.stats.rx_bytes, 8);
}
END_TEST

START_TEST(console_receive_buffer_must_be_writable)
{
    vt__desc(&v, VIRTIO_CONSOLE_RX, 0, DATA, 4, 0, 0);
    vt__avail(&v, VIRTIO_CONSOLE_RX, 0);
    ck_assert_uint_eq(virtio_console__receive(&con, &v.t, (const uint8_t *)"x", 1), 0);
    ck_assert(vt__read(&v, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    ck_assert_int_eq(vt__diag_lines(&v), 1);
    ck_assert_ptr_nonnull(strstr(v.diag_text, "virtio-console0: queue 0: receive buffer 0"));
}
END_TEST

TCase *virtio_blk_tests(void)
{
    TCase *tc = tcase_create("virtio_blk");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reads_into_guest_buffers);
    tcase_add_test(tc, writes_to_the_file);
    tcase_add_test(tc, get_id_is_the_file_name);
    tcase_add_test(tc, out_of_range_is_ioerr);
    tcase_add_test(tc, unknown_type_is_unsupported);
    tcase_add_test(tc, read_only_disk_refuses_writes);
    tcase_add_test(tc, short_read_is_ioerr);
    tcase_add_test(tc, open_errors_name_the_file);
    return tc;
}

TCase *virtio_console_tests(void)
{
    TCase *tc = tcase_create("virtio_console");

    tcase_add_checked_fixture(tc, console_setup, console_teardown);
    tcase_add_test(tc, console_transmits);
    tcase_add_test(tc, console_receives_into_posted_buffers);
    tcase_add_test(tc, console_receive_buffer_must_be_writable);
    return tc;
}
