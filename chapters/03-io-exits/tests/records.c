/*
 * records.c - chapter 3's trace lines, JSON lines and statistics table, fed by hand.
 */
#include "ch3_tests.h"
#include "stats.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

/* An exit as the KVM backend would describe it. */
static struct trace_record io_record(unsigned long seq, uint16_t port, int write, uint8_t byte,
                                     uint64_t guest_ns, uint64_t vmm_ns)
{
    struct vcpu_exit e = {.kind = VCPU_EXIT_IO};
    uint8_t data[4] = {byte};
    struct trace_record r = {
        .seq = seq, .rip = 0x100a3, .t_ns = 1500000 * seq, .guest_ns = guest_ns, .vmm_ns = vmm_ns};

    e.io.port = port;
    e.io.size = 1;
    e.io.count = 1;
    e.io.write = (uint8_t)write;
    e.io.data = data;
    trace__from_exit(&r, &e);
    return r;
}

START_TEST(trace_text_and_json_layouts)
{
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    struct trace_record r = io_record(1, 0xe9, 1, 'H', 2500, 1200);
    struct vcpu_exit mmio = {.kind = VCPU_EXIT_MMIO};
    uint8_t bytes[8] = {0x78, 0x56, 0x34, 0x12};

    trace__print_text(out, &r);
    trace__print_json(out, &r);
    mmio.mmio.addr = 0xd0000000;
    mmio.mmio.size = 4;
    mmio.mmio.data = bytes;
    trace__from_exit(&r, &mmio);
    r.seq = 2;
    trace__print_text(out, &r);
    trace__print_json(out, &r);
    struct vcpu_exit hlt = {.kind = VCPU_EXIT_HLT};
    trace__from_exit(&r, &hlt);
    r.seq = 3;
    trace__print_text(out, &r);
    fclose(out);
    ck_assert_lines_eq(
        text, "exit     1  cpu0 IO       out port 0x00e9 size 1 data 0x48 'H'  rip 0x100a3  "
              "t 1.500 ms  guest 2.5 us  vmm 1.2 us\n"
              "{\"seq\":1,\"vcpu\":0,\"reason\":\"IO\",\"port\":233,\"dir\":\"out\",\"size\":1,"
              "\"count\":1,\"data\":72,\"rip\":65699,\"t_ns\":1500000,\"guest_ns\":2500,"
              "\"vmm_ns\":1200}\n"
              "exit     2  cpu0 MMIO     in  addr 0xd0000000 size 4 data 0x12345678  rip 0x100a3  "
              "t 1.500 ms  guest 2.5 us  vmm 1.2 us\n"
              "{\"seq\":2,\"vcpu\":0,\"reason\":\"MMIO\",\"addr\":3489660928,\"dir\":\"in\","
              "\"size\":4,\"count\":1,\"data\":305419896,\"rip\":65699,\"t_ns\":1500000,"
              "\"guest_ns\":2500,\"vmm_ns\":1200}\n"
              "exit     3  cpu0 HLT       rip 0x100a3  t 1.500 ms  guest 2.5 us  vmm 1.2 us\n");
    free(text);
}
END_TEST

/* [stats-test] */
START_TEST(stats_count_sum_and_p99)
{
    struct stats s = {0};
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    /* 100 writes to 0xe9: round trips 1..100 us (guest + VMM); the p99 is 99 us. */
    for (unsigned long i = 1; i <= 100; i++) {
        struct trace_record r = io_record(i, 0xe9, 1, 'x', i * 1000 - 500, 500);
        ck_assert_int_eq(stats__add(&s, &r), 0);
    }
    struct trace_record post = io_record(101, 0x80, 1, 1, 3000, 1000);
    ck_assert_int_eq(stats__add(&s, &post), 0);
    stats__print(out, &s);
    fclose(out);
    ck_assert_lines_eq(
        text, "exit statistics:\n"
              "  reason   where             count    vmm total     rtt mean      rtt p99\n"
              "  IO       port 0x00e9         100      50.0 us     50.50 us     99.00 us\n"
              "  IO       port 0x0080           1       1.0 us      4.00 us      4.00 us\n");
    stats__free(&s);
    free(text);
}
END_TEST
/* [stats-test] */

TCase *record_tests(void)
{
    TCase *tc = tcase_create("records");

    tcase_add_test(tc, trace_text_and_json_layouts);
    tcase_add_test(tc, stats_count_sum_and_p99);
    return tc;
}
