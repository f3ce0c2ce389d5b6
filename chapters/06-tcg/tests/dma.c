/*
 * dma.c - a device's write to guest memory reaches code the interpreter has already
 * decoded (vmm__dma_write, chapter 4): the interpreter must run the new bytes, as a CPU
 * whose caches snoop the device's write does.
 */
#include "ch6_tests.h"
#include "tcg.h"
#include "vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(dma_write_replaces_decoded_code)
{
    /* Real mode at 0x10000: OUT 0x80 (an exit), two NOPs, JMP back to the OUT. */
    static const uint8_t loop[] = {0xe6, 0x80, 0x90, 0x90, 0xeb, 0xfa};
    /* What the "device" writes over the NOPs: MOV AL,'A'; OUT 0xE9,AL; HLT. */
    static const uint8_t patch[] = {0xb0, 'A', 0xe6, 0xe9, 0xf4};
    static struct vmm x;
    struct vcpu *v = NULL;
    struct vmm_config cfg = {0};
    struct vcpu_exit e;
    char *text = NULL;
    size_t len = 0;
    FILE *console = open_memstream(&text, &len);

    cfg.machine.ram_size = 16 << 20;
    cfg.machine.console = cfg.machine.diag = console;
    cfg.backend = tcg_vcpu__backend;
    cfg.backend_ctx = &v;
    struct machine_image img = {.name = "loop",
                                .data = loop,
                                .len = sizeof(loop),
                                .cmdline = "",
                                .flat_mode = MODE_REAL,
                                .flat_addr = 0x10000};
    ck_assert_int_eq(vmm__init(&x, &cfg), 0);
    ck_assert_int_eq(vmm__load(&x, &img), 0);
    for (int i = 0; i < 3; i++) { /* the loop runs, decoded once, exiting at each OUT */
        ck_assert_int_eq(vmm__step(&x, &e), 0);
        ck_assert_int_eq(e.kind, VCPU_EXIT_IO);
        ck_assert_int_eq(e.io.port, 0x80);
    }
    ck_assert_int_eq(vmm__dma_write(&x, 0x10002, patch, sizeof(patch)), 0);
    ck_assert_int_eq(vmm__step(&x, &e), 0);
    ck_assert_msg(e.kind == VCPU_EXIT_IO && e.io.port == 0xe9,
                  "the interpreter ran the old code: exit %d at port 0x%x", e.kind, e.io.port);
    ck_assert_int_eq(vmm__run(&x), 0);
    fflush(console);
    ck_assert_str_eq(text, "A");
    /* A write that runs outside RAM is refused whole. */
    ck_assert_int_eq(vmm__dma_write(&x, (16 << 20) - 2, patch, sizeof(patch)), -1);
    vmm__exit(&x);
    tcg_vcpu__free(v);
    fclose(console);
    free(text);
}
END_TEST

TCase *dma_tests(void)
{
    TCase *tc = tcase_create("dma");

    tcase_add_test(tc, dma_write_replaces_decoded_code);
    return tc;
}
