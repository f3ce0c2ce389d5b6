/*
 * check_x86.c - the test suite of the x86 decoder (chapter 6): tricky encodings one by
 * one, then a differential run against Zydis on random byte strings (x86_oracle.c).
 */
#include "check_helpers.h"
#include "x86/decode.h"
#include "x86_oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the bytes given as arguments in mode; returns x86__decode's result. */
#define DECODE(mode, insn, ...)                                                                    \
    decode_bytes((mode), (insn), (const uint8_t[]){__VA_ARGS__},                                   \
                 sizeof((const uint8_t[]){__VA_ARGS__}))

static int decode_bytes(enum x86_mode mode, struct x86_insn *insn, const uint8_t *bytes, size_t len)
{
    return x86__decode(bytes, len, mode, insn);
}

/* Asserts a memory operand: base, index, scale, displacement. */
static void assert_mem(const struct x86_insn *in, int base, int index, int scale, int64_t disp)
{
    ck_assert_int_eq(in->has_mem, 1);
    ck_assert_int_eq(in->mem.base, base);
    ck_assert_int_eq(in->mem.index, index);
    ck_assert_int_eq(in->mem.scale, scale);
    ck_assert_int_eq(in->mem.disp, disp);
}

/* mod = 00 rm = 101: [RIP + disp32] in 64-bit mode, a bare [disp32] in 32-bit mode. */
START_TEST(rip_relative_only_in_64_bit_mode)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x8B, 0x05, 0x10, 0, 0, 0), 6); /* mov eax,[rip+16] */
    assert_mem(&in, X86_REG_RIP, X86_REG_NONE, 1, 0x10);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x8B, 0x05, 0x10, 0, 0, 0), 6); /* mov eax,[16] */
    assert_mem(&in, X86_REG_NONE, X86_REG_NONE, 1, 0x10);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x48, 0x8B, 0x05, 0xF0, 0xFF, 0xFF, 0xFF), 7);
    assert_mem(&in, X86_REG_RIP, X86_REG_NONE, 1, -16); /* mov rax, [rip-16] */
    ck_assert_int_eq(in.opsize, 8);
}
END_TEST

/* SIB base = 101 with mod = 00: no base, a disp32 instead, REX.B or not. */
START_TEST(sib_without_base)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x8B, 0x04, 0x8D, 0, 0x10, 0, 0), 7);
    assert_mem(&in, X86_REG_NONE, 1, 4, 0x1000); /* mov eax, [ecx*4 + 0x1000] */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x41, 0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12), 8);
    assert_mem(&in, X86_REG_NONE, X86_REG_NONE, 1, 0x12345678); /* mov eax, [0x12345678] */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x8B, 0x44, 0x25, 0x08), 4);
    assert_mem(&in, 5, X86_REG_NONE, 1, 8); /* mod = 01: [ebp + 8] */
    ck_assert_int_eq(in.mem.segment, X86_SEG_SS);
}
END_TEST

START_TEST(rex_extends_base_and_index)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x41, 0x8B, 0x03), 3); /* mov eax, [r11] */
    assert_mem(&in, 11, X86_REG_NONE, 1, 0);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x49, 0x8B, 0x04, 0x24), 4); /* [r12] needs SIB */
    assert_mem(&in, 12, X86_REG_NONE, 1, 0);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x41, 0x8B, 0x45, 0x00), 4); /* [r13 + 0] */
    assert_mem(&in, 13, X86_REG_NONE, 1, 0);
    ck_assert_int_eq(in.mem.segment, X86_SEG_DS);                          /* r13 is not rBP */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x4E, 0x8B, 0x04, 0xE0), 4); /* [rax + r12*8] */
    assert_mem(&in, 0, 12, 8, 0);
    ck_assert_int_eq(in.reg, 8);                                           /* REX.R: r8 */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x40, 0x41, 0x8B, 0x03), 4); /* last REX counts */
    ck_assert_int_eq(in.rex_b, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x41, 0x66, 0x8B, 0x03), 4); /* REX, then 66 */
    ck_assert_int_eq(in.rex, 0);
    ck_assert_int_eq(in.mem.base, 3);
}
END_TEST

/* 66 asks for 16 bits, REX.W for 64: REX.W wins. */
START_TEST(rex_w_wins_over_66)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8), 11);
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq(in.imm_size, 8);
    ck_assert_uint_eq(in.imm, 0x0807060504030201ULL);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0xB8, 0x34, 0x12), 4);
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x48, 0x05, 0xFF, 0xFF, 0xFF, 0xFF), 6);
    ck_assert_int_eq(in.imm_size, 4); /* iz stays 32 bits: add rax, -1 */
    ck_assert_int_eq(x86__imm_signed(&in), -1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x50), 2); /* push ax */
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x50), 1); /* push rax */
    ck_assert_int_eq(in.opsize, 8);
}
END_TEST

/* The eight 16-bit forms: [bx+si] [bx+di] [bp+si] [bp+di] [si] [di] [bp]/disp16 [bx]. */
START_TEST(addressing_16_bit)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x8B, 0x00), 2); /* mov ax, [bx+si] */
    assert_mem(&in, 3, 6, 1, 0);
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x8B, 0x46, 0xFE), 3); /* mov ax, [bp-2] */
    assert_mem(&in, 5, X86_REG_NONE, 1, -2);
    ck_assert_int_eq(in.mem.segment, X86_SEG_SS);
    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x8B, 0x06, 0x34, 0x12), 4); /* mov ax, [0x1234] */
    assert_mem(&in, X86_REG_NONE, X86_REG_NONE, 1, 0x1234);
    ck_assert_int_eq(in.mem.segment, X86_SEG_DS);
    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x26, 0x8B, 0x87, 0x00, 0x80),
                     5); /* es:[bx-0x8000] */
    assert_mem(&in, 3, X86_REG_NONE, 1, -0x8000);
    ck_assert_int_eq(in.mem.segment, X86_SEG_ES);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x67, 0x8B, 0x00), 3); /* 67: [bx+si] in 32-bit */
    assert_mem(&in, 3, 6, 1, 0);
    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x66, 0x67, 0x8B, 0x04, 0x24), 5); /* mov eax,[esp] */
    assert_mem(&in, 4, X86_REG_NONE, 1, 0);
    ck_assert_int_eq(in.opsize, 4);
}
END_TEST

/* MOV A1: the offset has the address size, 67 switches it, 64-bit mode has 8 bytes. */
START_TEST(moffs_has_the_address_size)
{
    static const uint8_t a1[] = {0x67, 0xA1, 1, 2, 3, 4, 5, 6, 7, 8};
    static const struct {
        enum x86_mode mode;
        int prefix, length;
        uint64_t offset;
    } cases[] = {
        {X86_MODE_16, 0, 3, 0x0201},
        {X86_MODE_16, 1, 6, 0x04030201},
        {X86_MODE_32, 0, 5, 0x04030201},
        {X86_MODE_32, 1, 4, 0x0201},
        {X86_MODE_64, 0, 9, 0x0807060504030201ULL},
        {X86_MODE_64, 1, 6, 0x04030201},
    };
    struct x86_insn in;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint8_t *b = cases[i].prefix ? a1 : a1 + 1;
        ck_assert_int_eq(
            x86__decode(b, sizeof(a1) - 1 + (size_t)cases[i].prefix, cases[i].mode, &in),
            cases[i].length);
        assert_mem(&in, X86_REG_NONE, X86_REG_NONE, 1, (int64_t)cases[i].offset);
        ck_assert_int_eq(in.imm_size, 0);
    }
}
END_TEST

START_TEST(enter_has_two_immediates)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xC8, 0x10, 0x00, 0x01), 4); /* enter 16, 1 */
    ck_assert_int_eq(in.imm_size, 2);
    ck_assert_uint_eq(in.imm, 16);
    ck_assert_int_eq(in.imm2_size, 1);
    ck_assert_uint_eq(in.imm2, 1);
}
END_TEST

/* JMP ptr16:16 / ptr16:32: offset then selector; gone from 64-bit mode. */
START_TEST(far_jump_only_outside_64_bit_mode)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0xEA, 0x00, 0x10, 0x00, 0xF0), 5);
    ck_assert_uint_eq(in.imm, 0x1000);
    ck_assert_uint_eq(in.imm2, 0xF000);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00), 7);
    ck_assert_uint_eq(in.imm, 0x12345678);
    ck_assert_uint_eq(in.imm2, 8);
    ck_assert_int_eq(DECODE(X86_MODE_16, &in, 0x66, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00), 8);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00), -1);
    ck_assert_int_eq(in.undefined, 1);
}
END_TEST

/* 15 bytes is the limit: 14 prefixes and a NOP pass, 15 prefixes and a NOP do not. */
START_TEST(fifteen_bytes_at_most)
{
    uint8_t bytes[16];
    struct x86_insn in;

    memset(bytes, 0x66, sizeof(bytes));
    bytes[14] = 0x90;
    ck_assert_int_eq(x86__decode(bytes, 15, X86_MODE_32, &in), 15);
    bytes[14] = 0x66;
    bytes[15] = 0x90;
    ck_assert_int_eq(x86__decode(bytes, 16, X86_MODE_32, &in), -1);
    ck_assert_int_eq(in.too_long, 1);
    /* Too long is found even when the bytes run out later: length, not input, decides. */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xB8, 1, 2,
                            3, 4, 5, 6, 7, 8, 9),
                     -1);
    ck_assert_int_eq(in.too_long, 1);
}
END_TEST

START_TEST(truncated_input)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xB8, 0x01, 0x02), -1); /* mov eax, imm32 */
    ck_assert_int_eq(in.truncated, 1);
    ck_assert_int_eq(x86__decode(NULL, 0, X86_MODE_64, &in), -1);
    ck_assert_int_eq(in.truncated, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x0F), -1);
    ck_assert_int_eq(in.truncated, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x8B, 0x04), -1); /* SIB missing */
    ck_assert_int_eq(in.truncated, 1);
}
END_TEST

START_TEST(lock_needs_a_memory_destination)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF0, 0x01, 0x00), 3); /* lock add [eax], eax */
    ck_assert_int_eq(in.lock, 1);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF0, 0x01, 0xC0), -1); /* lock add eax, eax */
    ck_assert_int_eq(in.undefined, 1);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF0, 0x89, 0x00), -1); /* lock mov */
    ck_assert_int_eq(in.undefined, 1);
}
END_TEST

START_TEST(groups_and_vector_prefixes)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0xFF, 0xF8), -1); /* FF /7 */
    ck_assert_int_eq(in.undefined, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0xFF, 0xD0), 2); /* call rax: 64-bit always */
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x0F, 0x01, 0x15, 0, 0x10, 0, 0), 7); /* lgdt */
    ck_assert_int_eq(in.map, X86_MAP_0F);
    ck_assert_int_eq(in.reg, 2);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF6, 0x00, 0x7F), 3); /* test byte [eax], 0x7f */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF6, 0x18), 2);       /* neg byte [eax] */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x0F, 0x22, 0xC0), 3); /* mov cr0, eax */
    ck_assert_int_eq(in.has_mem, 0);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x0F, 0x22, 0x08), -1); /* cr1 */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0xC5, 0xF8, 0x77), -1); /* vzeroupper */
    ck_assert_int_eq(in.unsupported, 1);
    ck_assert_int_eq(in.length, 0);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xC5, 0x00), 2);              /* lds eax, [eax] */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x0F, 0x58, 0xC1), 3);        /* addps: executed */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF3, 0x0F, 0x12, 0xC1), -1); /* movsldup: SSE3 */
    ck_assert_int_eq(in.unsupported, 1);
    ck_assert_int_eq(in.length, 4);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x0F, 0x2B, 0xC1), -1); /* movntps: memory only */
    ck_assert_int_eq(in.unsupported, 1);
}
END_TEST

/* SSE2 integer rows run with their mandatory prefix only: the MMX forms (no prefix) and
 * prefixes no form has are length-only; the shift groups 0F 71-73 take registers only. */
START_TEST(sse2_integer_rows_need_their_prefix)
{
    struct x86_insn in;

    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x0F, 0xFC, 0xC1), 4); /* paddb xmm0, xmm1 */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x0F, 0xFC, 0xC1), -1);      /* paddb mm0, mm1 */
    ck_assert_int_eq(in.unsupported, 1);
    ck_assert_int_eq(in.length, 3);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF3, 0x0F, 0x6F, 0x00), 4); /* movdqu */
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0xF2, 0x0F, 0x6F, 0x00), -1);
    ck_assert_int_eq(in.unsupported, 1);
    ck_assert_int_eq(DECODE(X86_MODE_32, &in, 0x66, 0xF3, 0x0F, 0x7E, 0xC1), 5); /* F3 wins */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x0F, 0x73, 0xDA, 0x04), 5); /* psrldq */
    ck_assert_int_eq(in.imm, 4);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x0F, 0x73, 0x1A, 0x04), -1); /* memory */
    ck_assert_int_eq(in.undefined, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x66, 0x0F, 0x71, 0xC0, 0x04), -1); /* /0 */
    ck_assert_int_eq(in.undefined, 1);
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x0F, 0xC3, 0x00), 3); /* movnti [rax], eax */
    ck_assert_int_eq(DECODE(X86_MODE_64, &in, 0x0F, 0xC3, 0xC0), -1);
    ck_assert_int_eq(in.undefined, 1);
}
END_TEST

/* Runs n corpus strings in each mode against Zydis; prints the counts. */
static void differential(unsigned long n, uint64_t seed, const char *what)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    struct x86_oracle oracle;
    char why[256];
    uint8_t bytes[X86_CORPUS_LEN];

    x86_oracle_init(&oracle);
    for (int m = 0; m < 3; m++) {
        struct x86_oracle_stats st = {0};
        struct x86_corpus corpus;

        x86_corpus_init(&corpus, seed + (uint64_t)m);
        for (unsigned long i = 0; i < n; i++) {
            size_t len = x86_corpus_next(&corpus, bytes);
            if (x86_oracle_check(&oracle, bytes, len, modes[m], &st, why, sizeof(why)) < 0 &&
                st.mismatches <= 10)
                printf("x86 vs Zydis: %s\n", why);
        }
        printf("x86 vs Zydis, %s, mode %d: %lu compared, %lu refused by both, %lu lengths of "
               "unsupported compared; excluded: %lu VEX/EVEX/XOP, %lu unsupported and "
               "invalid for Zydis; %lu differ\n",
               what, (int)modes[m], st.compared, st.both_invalid, st.length_only, st.excluded_vex,
               st.excluded_unsupported, st.mismatches);
        ck_assert_msg(st.mismatches == 0, "mode %d: %lu differences with Zydis, first: %s",
                      (int)modes[m], st.mismatches, why);
    }
}

/* Every x87 and SSE/SSE2 encoding against Zydis, in each mode: D8-DF and 0F 10-17, 28-2F,
 * 50-7F, AE, C2-C6, D0-FF, under no prefix, 66, F3 and F2, with every ModRM byte (so the
 * register and memory forms, the groups 0F 71-73 and 0F AE), followed by bytes that give
 * SIB and displacements something to read. Lengths always; operands once supported. */
START_TEST(fp_encodings_agree_with_zydis)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    static const uint8_t pfx[] = {0, 0x66, 0xf3, 0xf2};
    static const uint8_t sse[][2] = {{0x10, 0x17}, {0x28, 0x2f}, {0x50, 0x7f},
                                     {0xae, 0xae}, {0xc2, 0xc6}, {0xd0, 0xff}};
    struct x86_oracle oracle;
    char why[256], first[256] = "";
    uint8_t b[X86_CORPUS_LEN];

    x86_oracle_init(&oracle);
    for (int m = 0; m < 3; m++) {
        struct x86_oracle_stats st = {0};
        for (unsigned op = 0xd8; op <= 0xdf; op++)
            for (unsigned modrm = 0; modrm < 256; modrm++) {
                memset(b, 0x25, sizeof(b));
                b[0] = (uint8_t)op;
                b[1] = (uint8_t)modrm;
                if (x86_oracle_check(&oracle, b, sizeof(b), modes[m], &st, why, sizeof(why)) < 0 &&
                    !first[0])
                    snprintf(first, sizeof(first), "%s", why);
            }
        for (unsigned p = 0; p < 4; p++)
            for (unsigned r = 0; r < sizeof(sse) / sizeof(sse[0]); r++)
                for (unsigned op = sse[r][0]; op <= sse[r][1]; op++)
                    for (unsigned modrm = 0; modrm < 256; modrm++) {
                        unsigned n = 0;
                        memset(b, 0x25, sizeof(b));
                        if (pfx[p])
                            b[n++] = pfx[p];
                        b[n++] = 0x0f;
                        b[n++] = (uint8_t)op;
                        b[n] = (uint8_t)modrm;
                        if (x86_oracle_check(&oracle, b, sizeof(b), modes[m], &st, why,
                                             sizeof(why)) < 0 &&
                            !first[0])
                            snprintf(first, sizeof(first), "%s", why);
                    }
        printf("x86 vs Zydis, x87/SSE encodings, mode %d: %lu compared, %lu refused by both, %lu "
               "lengths of unsupported compared, %lu unsupported and invalid for Zydis; %lu "
               "differ\n",
               (int)modes[m], st.compared, st.both_invalid, st.length_only, st.excluded_unsupported,
               st.mismatches);
        ck_assert_msg(st.mismatches == 0, "mode %d: %lu differences with Zydis, first: %s",
                      (int)modes[m], st.mismatches, first);
    }
}
END_TEST

START_TEST(agrees_with_zydis)
{
    differential(200000, 0x5EED, "fixed slice");
}
END_TEST

/* Real code: libc's, decoded in order as a disassembler would, stepping by the length. */
START_TEST(agrees_with_zydis_on_real_code)
{
    struct x86_oracle oracle;
    struct x86_oracle_stats st = {0};
    const uint8_t *code;
    size_t size, pos = 0;
    char why[256];
    struct x86_insn in;

    ck_assert_int_eq(x86_host_code(&code, &size), 0);
    x86_oracle_init(&oracle);
    while (pos + X86_CORPUS_LEN <= size) {
        if (x86_oracle_check(&oracle, code + pos, X86_CORPUS_LEN, X86_MODE_64, &st, why,
                             sizeof(why)) < 0 &&
            st.mismatches <= 10)
            printf("x86 vs Zydis: %s\n", why);
        int len = x86__decode(code + pos, X86_CORPUS_LEN, X86_MODE_64, &in);
        pos += len > 0 ? (size_t)len : in.length > 0 ? in.length : 1;
    }
    printf("x86 vs Zydis, libc's code: %lu compared, %lu refused by both, %lu lengths of "
           "unsupported compared; excluded: %lu VEX/EVEX/XOP, %lu unsupported and invalid for "
           "Zydis; %lu differ\n",
           st.compared, st.both_invalid, st.length_only, st.excluded_vex, st.excluded_unsupported,
           st.mismatches);
    ck_assert_msg(st.mismatches == 0, "%lu differences with Zydis, first: %s", st.mismatches, why);
}
END_TEST

/* STEPVM_X86_FUZZ=N: N more strings a mode, from a seed that changes with N. */
START_TEST(fuzz_against_zydis)
{
    unsigned long n = strtoul(getenv("STEPVM_X86_FUZZ"), NULL, 0);

    differential(n, 0xF022 + n, "fuzz");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x86");
    TCase *unit = tcase_create("decode");
    TCase *diff = tcase_create("zydis");

    tcase_add_test(unit, rip_relative_only_in_64_bit_mode);
    tcase_add_test(unit, sib_without_base);
    tcase_add_test(unit, rex_extends_base_and_index);
    tcase_add_test(unit, rex_w_wins_over_66);
    tcase_add_test(unit, addressing_16_bit);
    tcase_add_test(unit, moffs_has_the_address_size);
    tcase_add_test(unit, enter_has_two_immediates);
    tcase_add_test(unit, far_jump_only_outside_64_bit_mode);
    tcase_add_test(unit, fifteen_bytes_at_most);
    tcase_add_test(unit, truncated_input);
    tcase_add_test(unit, lock_needs_a_memory_destination);
    tcase_add_test(unit, groups_and_vector_prefixes);
    tcase_add_test(unit, sse2_integer_rows_need_their_prefix);
    suite_add_tcase(s, unit);
    tcase_add_test(diff, agrees_with_zydis);
    tcase_add_test(diff, agrees_with_zydis_on_real_code);
    tcase_add_test(diff, fp_encodings_agree_with_zydis);
    if (getenv("STEPVM_X86_FUZZ")) {
        tcase_add_test(diff, fuzz_against_zydis);
        tcase_set_timeout(diff, 0); /* a fuzz run takes as long as it is asked to */
    } else {
        tcase_set_timeout(diff, 60); /* seconds under the sanitizers; about 1 s without */
    }
    suite_add_tcase(s, diff);
    return run_suite(s);
}
