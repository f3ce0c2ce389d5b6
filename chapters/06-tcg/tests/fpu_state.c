/*
 * fpu_state.c - the FPU state through the vCPU interface on the interpreter (chapter 6):
 * the reset values, a get_fpu/set_fpu round trip, a refused MXCSR, and the state an x87
 * program leaves, as lockstep and the inspector read it.
 */
#include "ch6_tests.h"
#include "modes.h"
#include "tcg.h"

#include <string.h>

#define CODE 0x10000

/* A vCPU in real mode at CODE with code there. */
static struct vcpu *vcpu_with(struct guest_mem *mem, const uint8_t *code, size_t len)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    ck_assert_int_eq(guest_mem__init(mem, NULL, MEM_MIN_SIZE, 0), 0);
    struct vcpu *v = tcg_vcpu__new(mem);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(vcpu__get_sregs(v, &s), 0);
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(mode__real(&r, &s, CODE, 0xfff0), 0);
    ck_assert_int_eq(guest_mem__write(mem, CODE, code, len), 0);
    ck_assert_int_eq(vcpu__set_sregs(v, &s), 0);
    r.rflags = 0x2;
    ck_assert_int_eq(vcpu__set_regs(v, &r), 0);
    return v;
}

START_TEST(fpu_reset_state)
{
    static const uint8_t hlt[] = {0xf4};
    struct guest_mem mem;
    struct vcpu *v = vcpu_with(&mem, hlt, sizeof(hlt));
    struct kvm_fpu f;

    ck_assert_int_eq(vcpu__get_fpu(v, &f), 0);
    ck_assert_uint_eq(f.fcw, 0x037f);
    ck_assert_uint_eq(f.fsw, 0);
    ck_assert_uint_eq(f.ftwx, 0);
    ck_assert_uint_eq(f.mxcsr, 0x1f80);
    tcg_vcpu__free(v);
    guest_mem__exit(&mem);
}
END_TEST

START_TEST(fpu_get_set_round_trip)
{
    static const uint8_t hlt[] = {0xf4};
    struct guest_mem mem;
    struct vcpu *v = vcpu_with(&mem, hlt, sizeof(hlt));
    struct kvm_fpu in, out, bad;

    memset(&in, 0, sizeof(in));
    for (int k = 0; k < 8; k++)
        for (int b = 0; b < 10; b++)
            in.fpr[k][b] = (uint8_t)(k * 16 + b + 1);
    for (int k = 0; k < 16; k++)
        for (int b = 0; b < 16; b++)
            in.xmm[k][b] = (uint8_t)(k ^ (b << 4));
    in.fcw = 0x0b72;
    in.fsw = 0x2c01; /* TOP 5: ST(0) is R5 */
    in.ftwx = 0xa5;
    in.last_opcode = 0x1e9;
    in.last_ip = 0x123456789ull;
    in.last_dp = 0xfedcba98ull;
    in.mxcsr = 0x1fa0;
    ck_assert_int_eq(vcpu__set_fpu(v, &in), 0);
    ck_assert_int_eq(vcpu__get_fpu(v, &out), 0);
    for (int k = 0; k < 8; k++)
        ck_assert_mem_eq(out.fpr[k], in.fpr[k], 10);
    ck_assert_mem_eq(out.xmm, in.xmm, sizeof(in.xmm));
    ck_assert_uint_eq(out.fcw, in.fcw);
    ck_assert_uint_eq(out.fsw, in.fsw);
    ck_assert_uint_eq(out.ftwx, in.ftwx);
    ck_assert_uint_eq(out.last_opcode, in.last_opcode);
    ck_assert_uint_eq(out.last_ip, in.last_ip);
    ck_assert_uint_eq(out.last_dp, in.last_dp);
    ck_assert_uint_eq(out.mxcsr, in.mxcsr);
    /* A reserved MXCSR bit is refused and changes nothing. */
    bad = in;
    bad.mxcsr = 0x10000;
    bad.fcw = 0x037f;
    ck_assert_int_eq(vcpu__set_fpu(v, &bad), -1);
    ck_assert_int_eq(vcpu__get_fpu(v, &out), 0);
    ck_assert_uint_eq(out.fcw, in.fcw);
    ck_assert_uint_eq(out.mxcsr, in.mxcsr);
    tcg_vcpu__free(v);
    guest_mem__exit(&mem);
}
END_TEST

/* FLD1; FLDPI; FADDP; HLT: ST(0) = 1 + pi, ST(1) empty, TOP 7; the host's own FPU
 * control word is as it was. */
START_TEST(fpu_state_after_x87_code)
{
    static const uint8_t code[] = {0xd9, 0xe8, 0xd9, 0xeb, 0xde, 0xc1, 0xf4};
    static const uint8_t one_plus_pi[10] = {0x1a, 0x61, 0xb4, 0x10, 0x51,
                                            0xed, 0x87, 0x84, 0x01, 0x40};
    struct guest_mem mem;
    struct vcpu *v = vcpu_with(&mem, code, sizeof(code));
    struct vcpu_exit e;
    struct kvm_fpu f;
    uint16_t host_cw;

    ck_assert_int_eq(vcpu__run(v, &e), 0);
    ck_assert_int_eq(e.kind, VCPU_EXIT_HLT);
    ck_assert_int_eq(vcpu__get_fpu(v, &f), 0);
    ck_assert_uint_eq(f.fsw & 0x3800, 7u << 11);
    ck_assert_uint_eq(f.ftwx, 0x80);
    ck_assert_mem_eq(f.fpr[0], one_plus_pi, 10);
    ck_assert_uint_eq(f.last_opcode, 0x6c1); /* DE C1 */
    ck_assert_uint_eq(f.last_ip, 4);
    __asm__ volatile("fnstcw %0" : "=m"(host_cw));
    ck_assert_uint_eq(host_cw, 0x037f);
    tcg_vcpu__free(v);
    guest_mem__exit(&mem);
}
END_TEST

TCase *fpu_tests(void)
{
    TCase *tc = tcase_create("fpu");

    tcase_add_test(tc, fpu_reset_state);
    tcase_add_test(tc, fpu_get_set_round_trip);
    tcase_add_test(tc, fpu_state_after_x87_code);
    return tc;
}
