/*
 * test_diff.c - the interpreter against Unicorn (chapter 6): a fixed-seed slice of random
 * cases that must show no difference, and hand-written cases for the exceptions a reader
 * meets first (#UD, #DE, #GP, #SS, #PF), each checked against the manual as well.
 *
 * The slice is a fuzzer too. Environment:
 *   STEPVM_DIFF_CASES  how many cases (default: a slice of a few seconds)
 *   STEPVM_DIFF_SEED   which random stream (default 1)
 *   STEPVM_DIFF_FIRST  the first case number (a report names it, to replay one case)
 *   STEPVM_DIFF_REPORTS  how many differences to report in full (default 20)
 *   STEPVM_DIFF_UNICORN_VS_HOST  how many cases to judge Unicorn against the host CPU on
 *                      (x87/SSE register forms; default 0: not run), printing disagreements
 *   STEPVM_DIFF_OPCODE  0fXX: every case an instruction of the 0F map's row XX (diff_gen.c)
 * e.g. STEPVM_DIFF_CASES=5000000 STEPVM_DIFF_SEED=7 build/tests/check_ch6 diff
 * A third of the cases are x87 and SSE/SSE2 instructions; those with register operands in
 * 64-bit mode are judged by the host CPU itself (diff_native.c), the rest by Unicorn.
 */
#include "ch6_tests.h"
#include "diff.h"

#include <stdlib.h>
#include <string.h>

/* The slice 'make test' runs: a few seconds normally, fewer cases under the sanitizers. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_CASES 50000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_CASES 50000
#endif
#endif
#ifndef DEFAULT_CASES
#define DEFAULT_CASES 100000
#endif

/* Differences reported in full; the summary counts the rest. */
#define MAX_REPORTS 20

static uint64_t env_number(const char *name, uint64_t fallback)
{
    const char *s = getenv(name);

    return s && *s ? strtoull(s, NULL, 0) : fallback;
}

START_TEST(random_slice)
{
    uint64_t cases = env_number("STEPVM_DIFF_CASES", DEFAULT_CASES);
    uint64_t seed = env_number("STEPVM_DIFF_SEED", 1);
    uint64_t first = env_number("STEPVM_DIFF_FIRST", 0);
    struct diff_stats st;
    struct diff *d = diff__new();

    ck_assert_ptr_nonnull(d);
    memset(&st, 0, sizeof(st));
    unsigned reports = (unsigned)env_number("STEPVM_DIFF_REPORTS", MAX_REPORTS);
    unsigned long differences = diff__fuzz(d, seed, first, cases, reports, stdout, &st);
    diff__summary(stdout, &st);
    diff__free(d);
    unsigned long compared = st.by_verdict[DIFF_SAME] + st.by_verdict[DIFF_DIFFERENT];
    /* A slice that skips most of what it makes proves nothing (one case may be skipped).
     * What the decoder marks unsupported is not counted against it: until x87 and SSE
     * are executed, that is most of the third of the cases made for them, and the
     * summary says how many. */
    unsigned long judged = (unsigned long)cases - st.by_verdict[DIFF_SKIP_UNSUPPORTED];
    if (cases >= 100)
        ck_assert_msg(compared * 10 >= judged * 8, "only %lu of %lu cases were compared", compared,
                      judged);
    ck_assert_msg(differences == 0, "%lu differences in %lu compared cases (reports above)",
                  differences, compared);
}
END_TEST

/* STEPVM_DIFF_UNICORN_VS_HOST=N: Unicorn judged by the host CPU on the x87 and SSE
 * register forms among N cases; prints where they disagree (not an assertion: which of
 * the two is right is for a reader of the report to decide, see the book). */
START_TEST(unicorn_vs_host)
{
    uint64_t cases = env_number("STEPVM_DIFF_UNICORN_VS_HOST", 0);
    struct diff *d = diff__new();

    ck_assert_ptr_nonnull(d);
    diff__unicorn_vs_host(d, env_number("STEPVM_DIFF_SEED", 1), env_number("STEPVM_DIFF_FIRST", 0),
                          cases, MAX_REPORTS, stdout);
    diff__free(d);
}
END_TEST

/* ------------------------------------------------------------------------------------- */
/* Hand-written cases                                                                     */

/* A case in mode with bytes at the start of the code region, registers 0 but RSP in the
 * middle of the stack region, and only the always-one flag set. */
static void make_case(struct diff_case *c, enum x86_mode mode, const uint8_t *bytes, size_t len)
{
    struct diff_layout l = diff__layout(mode);

    memset(c, 0, sizeof(*c));
    c->mode = mode;
    memcpy(c->code, bytes, len);
    memset(c->code + len, 0x90, X86_MAX_LENGTH - len); /* NOPs after it */
    c->rip = l.code;
    c->r[4] = l.stack + 0x2000;
    c->rflags = 0x2;
    c->mem_seed = 1;
}

/* Runs c in both engines and asserts that they agree; returns the interpreter's result. */
static struct diff_result run_both(const struct diff_case *c)
{
    struct diff *d = diff__new();
    struct diff_result tcg, ref;
    char why[256] = "";

    ck_assert_ptr_nonnull(d);
    enum diff_verdict v = diff__run(d, c, &tcg, &ref, why, sizeof(why));
    if (v != DIFF_SAME)
        diff__report(stdout, c, &tcg, &ref, why);
    ck_assert_msg(v == DIFF_SAME, "verdict %d: %s", v, why);
    diff__free(d);
    tcg.mem = NULL; /* it pointed into the engine just freed */
    return tcg;
}

/* Asserts that c raised vector in the interpreter and left RIP on the instruction. */
static void assert_fault(const struct diff_case *c, const struct diff_result *r, int vector)
{
    ck_assert_int_eq(r->end, DIFF_END_EXCEPTION);
    ck_assert_int_eq(r->vector, vector);
    ck_assert_uint_eq(r->rip, c->rip);
}

/* UD2 exists to raise #UD, in every mode. */
START_TEST(ud2_raises_ud)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    struct diff_case c;

    make_case(&c, modes[_i], (const uint8_t[]){0x0f, 0x0b}, 2);
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 6);
}
END_TEST

/* LOCK is allowed only on a read-modify-write of memory: LOCK ADD EAX, EAX is #UD. */
START_TEST(lock_on_register_raises_ud)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0xf0, 0x01, 0xc0}, 3);
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 6);
}
END_TEST

/* Far CALL with a register operand (FF /3, mod = 3) and LOCK CMP are #UD. Unicorn dies on
 * both, so the manual answers for it (diff_rules.c). */
START_TEST(far_call_register_and_lock_cmp_raise_ud)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0xff, 0xd8}, 2);
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 6);
    make_case(&c, X86_MODE_64, (const uint8_t[]){0xf0, 0x39, 0x03}, 3); /* lock cmp %eax, (%rbx) */
    c.r[3] = diff__layout(X86_MODE_64).data;
    r = run_both(&c);
    assert_fault(&c, &r, 6);
}
END_TEST

/* DIV ECX with ECX = 0: #DE, and EAX/EDX as they were. */
START_TEST(div_by_zero_raises_de)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    struct diff_case c;

    make_case(&c, modes[_i], (const uint8_t[]){0xf7, 0xf1}, 2);
    c.r[0] = 1234;
    c.r[2] = 5;
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 0);
    ck_assert_uint_eq(r.r[0], 1234);
    ck_assert_uint_eq(r.r[2], 5);
}
END_TEST

/* A quotient that does not fit is #DE too: EDX:EAX = 2:0 divided by 1, and IDIV of
 * INT_MIN by -1. */
START_TEST(quotient_overflow_raises_de)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0xf7, 0xf1}, 2); /* div ecx */
    c.r[2] = 2;
    c.r[1] = 1;
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 0);
    make_case(&c, X86_MODE_64, (const uint8_t[]){0xf7, 0xf9}, 2); /* idiv ecx */
    c.r[0] = 0x80000000;
    c.r[2] = 0xffffffff;
    c.r[1] = 0xffffffff;
    r = run_both(&c);
    assert_fault(&c, &r, 0);
}
END_TEST

/* A non-canonical address: #GP(0) for a data access, #SS(0) for a stack access. Unicorn
 * has no such check without paging (it reports an unmapped access), so the vector is
 * asserted from the manual. */
START_TEST(non_canonical_raises_gp_or_ss)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0x48, 0x8b, 0x03}, 3); /* mov (%rbx), %rax */
    c.r[3] = 0x8000000000000000ull;
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 13);
    ck_assert_uint_eq(r.error, 0);
    make_case(&c, X86_MODE_64, (const uint8_t[]){0x50}, 1); /* push %rax */
    c.r[4] = 0x8000000000000008ull;
    r = run_both(&c);
    assert_fault(&c, &r, 12);
    ck_assert_uint_eq(r.error, 0);
}
END_TEST

/* A write to a page the tables do not map: #PF with the error code of a write to a page
 * not present (bit 1 set, bit 0 clear), RSP and memory untouched. */
START_TEST(unmapped_write_raises_pf)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0x89, 0x03}, 2); /* mov %eax, (%rbx) */
    c.r[3] = 0x200000;
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 14);
    ck_assert_uint_eq(r.error & 3, 2);
}
END_TEST

/* In real mode a word read at offset 0xffff runs past the segment's limit: #GP(0). */
START_TEST(real_mode_limit_raises_gp)
{
    struct diff_case c;

    make_case(&c, X86_MODE_16, (const uint8_t[]){0x8b, 0x07}, 2); /* mov (%bx), %ax */
    c.r[3] = 0xffff;
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 13);
}
END_TEST

/* An instruction longer than 15 bytes: #GP(0). */
START_TEST(too_long_raises_gp)
{
    struct diff_case c;
    uint8_t bytes[X86_MAX_LENGTH];

    memset(bytes, 0x66, sizeof(bytes));
    make_case(&c, X86_MODE_64, bytes, sizeof(bytes));
    struct diff_result r = run_both(&c);
    assert_fault(&c, &r, 13);
}
END_TEST

/* REP MOVSB copies RCX bytes and leaves RCX at 0, RSI and RDI past the strings. */
START_TEST(rep_movsb_copies)
{
    struct diff_case c;
    struct diff_layout l = diff__layout(X86_MODE_64);

    make_case(&c, X86_MODE_64, (const uint8_t[]){0xf3, 0xa4}, 2);
    c.r[1] = 5;
    c.r[6] = l.data;
    c.r[7] = l.data + 0x100;
    struct diff_result r = run_both(&c);
    ck_assert_int_eq(r.end, DIFF_END_STEP);
    ck_assert_uint_eq(r.r[1], 0);
    ck_assert_uint_eq(r.r[6], l.data + 5);
    ck_assert_uint_eq(r.r[7], l.data + 0x105);
    ck_assert_uint_eq(r.rip, c.rip + 2);
}
END_TEST

/* ADD AL, 1 with AL = 0xff: AL = 0 with CF, PF, AF and ZF set, SF and OF clear. */
START_TEST(add_flags)
{
    struct diff_case c;

    make_case(&c, X86_MODE_64, (const uint8_t[]){0x04, 0x01}, 2);
    c.r[0] = 0xff;
    struct diff_result r = run_both(&c);
    ck_assert_int_eq(r.end, DIFF_END_STEP);
    ck_assert_uint_eq(r.r[0], 0);
    ck_assert_uint_eq(r.rflags & 0x8d5, 0x55);
}
END_TEST

TCase *diff_tests(void)
{
    TCase *tc = tcase_create("diff");
    uint64_t cases = env_number("STEPVM_DIFF_CASES", DEFAULT_CASES);

    /* A long run is asked for on purpose: give it about a millisecond a case. */
    tcase_set_timeout(tc, 60.0 + (double)cases / 1000.0);
    tcase_add_test(tc, random_slice);
    if (env_number("STEPVM_DIFF_UNICORN_VS_HOST", 0))
        tcase_add_test(tc, unicorn_vs_host);
    tcase_add_loop_test(tc, ud2_raises_ud, 0, 3);
    tcase_add_test(tc, lock_on_register_raises_ud);
    tcase_add_test(tc, far_call_register_and_lock_cmp_raise_ud);
    tcase_add_loop_test(tc, div_by_zero_raises_de, 0, 3);
    tcase_add_test(tc, quotient_overflow_raises_de);
    tcase_add_test(tc, non_canonical_raises_gp_or_ss);
    tcase_add_test(tc, unmapped_write_raises_pf);
    tcase_add_test(tc, real_mode_limit_raises_gp);
    tcase_add_test(tc, too_long_raises_gp);
    tcase_add_test(tc, rep_movsb_copies);
    tcase_add_test(tc, add_flags);
    return tc;
}
