/*
 * simd.c - the interpreter's SSE2 integer instructions (chapter 6): packed arithmetic,
 * comparisons, logic, shifts, packs and unpacks on XMM registers, and the integer moves
 * between XMM registers, general registers and memory (MOVD, MOVQ, MOVDQA, MOVDQU...).
 *
 * Most of them do one thing to every lane of a register: a table gives, for each opcode,
 * the lane width and the function of two lanes, and one routine runs it. Only the forms with
 * a mandatory prefix (66, or F3/F2 where the manual lists one) are executed: the MMX forms
 * without a prefix stay #UD (the decoder marks them unsupported), and the CPUID model does
 * not advertise MMX. As everywhere, memory is read and written before a register changes.
 */
#include "cpu.h"

/* ------------------------------------------------------------------------------------- */
/* Lanes                                                                                  */

/* Lane k of width w bytes (1, 2, 4 or 8) of x, zero-extended. */
static uint64_t lane(const tcg_xmm *x, unsigned w, unsigned k)
{
    switch (w) {
    case 1:
        return x->b[k];
    case 2:
        return x->w[k];
    case 4:
        return x->d[k];
    default:
        return x->q[k];
    }
}

/* Sets lane k of width w to the low w bytes of v. */
static void set_lane(tcg_xmm *x, unsigned w, unsigned k, uint64_t v)
{
    switch (w) {
    case 1:
        x->b[k] = (uint8_t)v;
        break;
    case 2:
        x->w[k] = (uint16_t)v;
        break;
    case 4:
        x->d[k] = (uint32_t)v;
        break;
    default:
        x->q[k] = v;
    }
}

/* v clamped to the signed range of w bytes (w <= 4): what the S-forms and packs store. */
static uint64_t sat_signed(int64_t v, unsigned w)
{
    int64_t max = (int64_t)(sign_bit(w) - 1), min = -max - 1;
    return (uint64_t)(v > max ? max : v < min ? min : v);
}

/* v clamped to the unsigned range of w bytes (w <= 4): the US-forms and PACKUSWB. */
static uint64_t sat_unsigned(int64_t v, unsigned w)
{
    int64_t max = (int64_t)size_mask(w);
    return (uint64_t)(v > max ? max : v < 0 ? 0 : v);
}

/* ------------------------------------------------------------------------------------- */
/* Lane functions: a is the destination's lane, b the source's, both zero-extended; the  */
/* result is cut to the lane's width when it is stored.                                  */

typedef uint64_t (*lane_fn)(uint64_t a, uint64_t b, unsigned w);

#define S(v) sign_extend(v, w) /* a lane read as signed */

static uint64_t add(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a + b;
}

static uint64_t sub(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a - b;
}

static uint64_t adds(uint64_t a, uint64_t b, unsigned w)
{
    return sat_signed(S(a) + S(b), w);
}

static uint64_t subs(uint64_t a, uint64_t b, unsigned w)
{
    return sat_signed(S(a) - S(b), w);
}

static uint64_t addus(uint64_t a, uint64_t b, unsigned w)
{
    return sat_unsigned((int64_t)(a + b), w);
}

static uint64_t subus(uint64_t a, uint64_t b, unsigned w)
{
    return sat_unsigned((int64_t)a - (int64_t)b, w);
}

static uint64_t cmpeq(uint64_t a, uint64_t b, unsigned w)
{
    return a == b ? size_mask(w) : 0;
}

static uint64_t cmpgt(uint64_t a, uint64_t b, unsigned w)
{
    return S(a) > S(b) ? size_mask(w) : 0;
}

static uint64_t bit_and(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a & b;
}

static uint64_t bit_andn(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return ~a & b;
}

static uint64_t bit_or(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a | b;
}

static uint64_t bit_xor(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a ^ b;
}

static uint64_t minu(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a < b ? a : b;
}

static uint64_t maxu(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a > b ? a : b;
}

static uint64_t mins(uint64_t a, uint64_t b, unsigned w)
{
    return S(a) < S(b) ? a : b;
}

static uint64_t maxs(uint64_t a, uint64_t b, unsigned w)
{
    return S(a) > S(b) ? a : b;
}

/* PAVGB, PAVGW: the unsigned average, rounded up. */
static uint64_t avg(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return (a + b + 1) >> 1;
}

/* PMULLW: the low half of the product. */
static uint64_t mullo(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return a * b;
}

/* PMULHUW, PMULHW: the high half of the unsigned or signed product. */
static uint64_t mulhu(uint64_t a, uint64_t b, unsigned w)
{
    return (a * b) >> (w * 8);
}

static uint64_t mulhs(uint64_t a, uint64_t b, unsigned w)
{
    return (uint64_t)(S(a) * S(b)) >> (w * 8);
}

/* PMULUDQ: each quadword's low doublewords multiplied into a 64-bit product. */
static uint64_t muludq(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return (a & 0xffffffffu) * (b & 0xffffffffu);
}

/* PMADDWD: in each doubleword, the two signed word products added (0x8000 * 0x8000 twice
 * gives 0x80000000, as the manual says). */
static uint64_t maddwd(uint64_t a, uint64_t b, unsigned w)
{
    (void)w;
    return (uint64_t)(sign_extend(a, 2) * sign_extend(b, 2) +
                      sign_extend(a >> 16, 2) * sign_extend(b >> 16, 2));
}

/* PSADBW: in each quadword, the sum of the absolute differences of its eight bytes. */
static uint64_t sadbw(uint64_t a, uint64_t b, unsigned w)
{
    uint64_t sum = 0;

    for (unsigned k = 0; k < w; k++) {
        unsigned x = (a >> (k * 8)) & 0xff, y = (b >> (k * 8)) & 0xff;
        sum += x > y ? x - y : y - x;
    }
    return sum;
}

#undef S

/* The instructions that are one lane function: opcode (0F xx) -> lane width, function. */
static const struct {
    uint8_t w;
    lane_fn fn;
} lane_ops[256] = {
    [0x64] = {1, cmpgt},    [0x65] = {2, cmpgt},  [0x66] = {4, cmpgt}, /* PCMPGTB/W/D */
    [0x74] = {1, cmpeq},    [0x75] = {2, cmpeq},  [0x76] = {4, cmpeq}, /* PCMPEQB/W/D */
    [0xD4] = {8, add},                                                 /* PADDQ */
    [0xD5] = {2, mullo},                                               /* PMULLW */
    [0xD8] = {1, subus},    [0xD9] = {2, subus},                       /* PSUBUSB/W */
    [0xDA] = {1, minu},                                                /* PMINUB */
    [0xDB] = {8, bit_and},                                             /* PAND */
    [0xDC] = {1, addus},    [0xDD] = {2, addus},                       /* PADDUSB/W */
    [0xDE] = {1, maxu},                                                /* PMAXUB */
    [0xDF] = {8, bit_andn},                                            /* PANDN */
    [0xE0] = {1, avg},      [0xE3] = {2, avg},                         /* PAVGB/W */
    [0xE4] = {2, mulhu},    [0xE5] = {2, mulhs},                       /* PMULHUW, PMULHW */
    [0xE8] = {1, subs},     [0xE9] = {2, subs},                        /* PSUBSB/W */
    [0xEA] = {2, mins},                                                /* PMINSW */
    [0xEB] = {8, bit_or},                                              /* POR */
    [0xEC] = {1, adds},     [0xED] = {2, adds},                        /* PADDSB/W */
    [0xEE] = {2, maxs},                                                /* PMAXSW */
    [0xEF] = {8, bit_xor},                                             /* PXOR */
    [0xF4] = {8, muludq},   [0xF5] = {4, maddwd}, [0xF6] = {8, sadbw}, /* PMULUDQ... */
    [0xF8] = {1, sub},      [0xF9] = {2, sub},    [0xFA] = {4, sub},   /* PSUBB/W/D */
    [0xFB] = {8, sub},                                                 /* PSUBQ */
    [0xFC] = {1, add},      [0xFD] = {2, add},    [0xFE] = {4, add},   /* PADDB/W/D */
};

/* xmm1 = op(xmm1, xmm2/m128), lane by lane. */
static void exec_packed(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned w = lane_ops[i->opcode].w;
    lane_fn fn = lane_ops[i->opcode].fn;
    tcg_xmm src, res;

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &src, 1);
    res = c->xmm[i->reg];
    for (unsigned k = 0; k < 16 / w; k++)
        set_lane(&res, w, k, fn(lane(&res, w, k), lane(&src, w, k), w));
    c->xmm[i->reg] = res;
}

/* ------------------------------------------------------------------------------------- */
/* Shifts                                                                                 */

enum shift_kind { SHIFT_NONE, SRL, SRA, SLL };

/* Shifts every lane of x by n: counts past the width give 0, or the sign for SRA. */
static void shift_lanes(tcg_xmm *x, unsigned w, enum shift_kind kind, uint64_t n)
{
    unsigned bits = w * 8;

    for (unsigned k = 0; k < 16 / w; k++) {
        uint64_t v = lane(x, w, k);
        if (kind == SRA)
            v = (uint64_t)(sign_extend(v, w) >> (n < bits ? n : bits - 1));
        else if (n >= bits)
            v = 0;
        else
            v = kind == SRL ? v >> n : v << n;
        set_lane(x, w, k, v);
    }
}

/* PSRLDQ, PSLLDQ: the whole register by n bytes (16 or more clears it). */
static void shift_bytes(tcg_xmm *x, unsigned n, enum shift_kind kind)
{
    tcg_xmm r = {0};

    for (int k = 0; k < 16; k++) {
        int from = kind == SLL ? k - (int)n : k + (int)n;
        if (from >= 0 && from < 16)
            r.b[k] = x->b[from];
    }
    *x = r;
}

/* The shifts whose count is xmm2/m128 (its low quadword): opcode -> width, kind. */
static const struct {
    uint8_t w, kind;
} shift_ops[256] = {
    [0xD1] = {2, SRL}, [0xD2] = {4, SRL}, [0xD3] = {8, SRL}, /* PSRLW/D/Q */
    [0xE1] = {2, SRA}, [0xE2] = {4, SRA},                    /* PSRAW/D */
    [0xF1] = {2, SLL}, [0xF2] = {4, SLL}, [0xF3] = {8, SLL}, /* PSLLW/D/Q */
};

static void exec_shift_xmm(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm count, res;

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &count, 1);
    res = c->xmm[i->reg];
    shift_lanes(&res, shift_ops[i->opcode].w, shift_ops[i->opcode].kind, count.q[0]);
    c->xmm[i->reg] = res;
}

/* 66 0F 71, 72, 73 /r ib (groups 12-14): the xmm in ModRM.rm shifted by ib. ModRM.reg
 * chooses the kind; the decoder has refused the rows that do not exist. */
static void exec_shift_imm(struct tcg_cpu *c, const struct x86_insn *i)
{
    static const uint8_t kinds[8] = {[2] = SRL, [3] = SRL, [4] = SRA, [6] = SLL, [7] = SLL};
    unsigned w = 1u << (i->opcode - 0x70); /* 71: words, 72: doublewords, 73: quadwords */
    unsigned op = i->reg & 7;
    tcg_xmm *x = &c->xmm[i->rm_reg];

    tcg__sse_check(c, i);
    if (i->opcode == 0x73 && (op == 3 || op == 7))
        shift_bytes(x, (unsigned)i->imm, kinds[op]); /* PSRLDQ, PSLLDQ */
    else
        shift_lanes(x, w, kinds[op], i->imm);
}

/* ------------------------------------------------------------------------------------- */
/* Packs, unpacks, shuffles                                                               */

/* PUNPCKL*, PUNPCKH*: the lanes of one half (low or high) of xmm1 and xmm2/m128,
 * interleaved, xmm1's first. opcode -> lane width, half. */
static const struct {
    uint8_t w, high;
} unpacks[256] = {
    [0x60] = {1, 0}, [0x61] = {2, 0}, [0x62] = {4, 0}, [0x6C] = {8, 0}, /* PUNPCKL BW..QDQ */
    [0x68] = {1, 1}, [0x69] = {2, 1}, [0x6A] = {4, 1}, [0x6D] = {8, 1}, /* PUNPCKH BW..QDQ */
};

static void exec_unpack(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned w = unpacks[i->opcode].w, half = 8 / w, from = unpacks[i->opcode].high ? half : 0;
    tcg_xmm src, dst = c->xmm[i->reg], res = {0};

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &src, 1);
    for (unsigned k = 0; k < half; k++) {
        set_lane(&res, w, 2 * k, lane(&dst, w, from + k));
        set_lane(&res, w, 2 * k + 1, lane(&src, w, from + k));
    }
    c->xmm[i->reg] = res;
}

/* PACKSSWB, PACKUSWB, PACKSSDW: the signed lanes of xmm1 then xmm2/m128, each narrowed to
 * half its width with signed or unsigned saturation. */
static void exec_pack(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned w = i->opcode == 0x6B ? 4 : 2, n = 16 / w;
    int to_unsigned = i->opcode == 0x67;
    tcg_xmm src[2], res = {0};

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &src[1], 1);
    src[0] = c->xmm[i->reg];
    for (unsigned k = 0; k < 2 * n; k++) {
        int64_t v = sign_extend(lane(&src[k / n], w, k % n), w);
        set_lane(&res, w / 2, k, to_unsigned ? sat_unsigned(v, 1) : sat_signed(v, w / 2));
    }
    c->xmm[i->reg] = res;
}

/* PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2): lanes of xmm2/m128 picked by the pairs of bits
 * of ib. PSHUFHW and PSHUFLW shuffle the words of one half and copy the other. */
static void exec_pshuf(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned w = i->rep ? 2 : 4, first = i->rep == 0xF3 ? 4 : 0;
    tcg_xmm src, res;

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &src, 1);
    res = src;
    for (unsigned k = 0; k < 4; k++)
        set_lane(&res, w, first + k, lane(&src, w, first + ((i->imm >> (2 * k)) & 3)));
    c->xmm[i->reg] = res;
}

/* ------------------------------------------------------------------------------------- */
/* Moves and the rest                                                                     */

/* 66 0F 6E: MOVD xmm, r/m32 (MOVQ xmm, r/m64 with REX.W), zero-extended to 128 bits. */
static void exec_movd_to_xmm(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm res = {0};

    tcg__sse_check(c, i);
    res.q[0] = rm_read(c, i, i->rex_w ? 8 : 4);
    c->xmm[i->reg] = res;
}

/* The low quadword of the r/m operand, xmm or m64. */
static uint64_t rm_read_q(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->rm_reg != X86_REG_NONE)
        return c->xmm[i->rm_reg].q[0];
    return mmu__read(c, i->mem.segment, tcg__ea(c, i), 8);
}

/* 66 0F 7E: MOVD r/m32, xmm (MOVQ r/m64 with REX.W). F3 0F 7E: MOVQ xmm, xmm/m64, the
 * upper quadword cleared. */
static void exec_movd_from_xmm(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__sse_check(c, i);
    if (i->rep == 0xF3) {
        tcg_xmm res = {.q = {rm_read_q(c, i), 0}};
        c->xmm[i->reg] = res;
        return;
    }
    unsigned size = i->rex_w ? 8 : 4;
    rm_write(c, i, size, c->xmm[i->reg].q[0] & size_mask(size));
}

/* 66 0F D6: MOVQ xmm/m64, xmm; a register destination gets its upper quadword cleared. */
static void exec_movq_store(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint64_t v = c->xmm[i->reg].q[0];

    tcg__sse_check(c, i);
    if (i->rm_reg == X86_REG_NONE) {
        mmu__write(c, i->mem.segment, tcg__ea(c, i), 8, v);
        return;
    }
    tcg_xmm res = {.q = {v, 0}};
    c->xmm[i->rm_reg] = res;
}

/* 0F 6F: MOVDQA (66, m128 aligned) and MOVDQU (F3) xmm, xmm/m128. */
static void exec_movdq_load(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm v;

    tcg__sse_check(c, i);
    xmm_rm_read(c, i, &v, i->rep != 0xF3);
    c->xmm[i->reg] = v;
}

/* 0F 7F: MOVDQA, MOVDQU xmm/m128, xmm; 66 0F E7: MOVNTDQ m128, xmm (aligned; the
 * non-temporal hint means nothing here). */
static void exec_movdq_store(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg_xmm v = c->xmm[i->reg];

    tcg__sse_check(c, i);
    xmm_rm_write(c, i, &v, i->rep != 0xF3);
}

/* 0F C3: MOVNTI m32/m64, r. A general-register store: like MOV, it needs neither CR4.OSFXSR
 * nor a clear CR0.TS or CR0.EM, so it makes no SSE check. */
static void exec_movnti(struct tcg_cpu *c, const struct x86_insn *i)
{
    rm_write(c, i, i->opsize, reg_read(c, i, i->reg, i->opsize));
}

/* 66 0F C4: PINSRW xmm, r32/m16, ib: the word goes to lane ib mod 8. */
static void exec_pinsrw(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__sse_check(c, i);
    uint64_t v = rm_read(c, i, 2);
    c->xmm[i->reg].w[i->imm & 7] = (uint16_t)v;
}

/* 66 0F C5: PEXTRW r32/r64, xmm, ib: word ib mod 8, zero-extended. */
static void exec_pextrw(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__sse_check(c, i);
    reg_write(c, i, i->reg, 4, c->xmm[i->rm_reg].w[i->imm & 7]);
}

/* 66 0F D7: PMOVMSKB r32/r64, xmm: the sign bits of the 16 bytes. */
static void exec_pmovmskb(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned mask = 0;

    tcg__sse_check(c, i);
    for (unsigned k = 0; k < 16; k++)
        mask |= (unsigned)(c->xmm[i->rm_reg].b[k] >> 7) << k;
    reg_write(c, i, i->reg, 4, mask);
}

/* 66 0F F7: MASKMOVDQU xmm1, xmm2: the bytes of xmm1 whose byte of xmm2 has its top bit
 * set are written at DS:rDI (a segment prefix may replace DS). No alignment. A fault
 * part-way leaves the bytes before it written; run again, the instruction writes the same. */
static void exec_maskmovdqu(struct tcg_cpu *c, const struct x86_insn *i)
{
    int seg = i->seg != X86_SEG_NONE ? i->seg : X86_SEG_DS;
    uint64_t di = c->r[R_DI];
    const tcg_xmm *data = &c->xmm[i->reg], *mask = &c->xmm[i->rm_reg];

    tcg__sse_check(c, i);
    for (unsigned k = 0; k < 16; k++)
        if (mask->b[k] & 0x80)
            mmu__write(c, seg, (di + k) & size_mask(i->addrsize), 1, data->b[k]);
}

/* ------------------------------------------------------------------------------------- */

void simd__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    (void)one;
    for (int op = 0; op < 256; op++) {
        if (lane_ops[op].fn)
            two[op] = exec_packed;
        if (shift_ops[op].w)
            two[op] = exec_shift_xmm;
        if (unpacks[op].w)
            two[op] = exec_unpack;
    }
    two[0x63] = two[0x67] = two[0x6B] = exec_pack;
    two[0x6E] = exec_movd_to_xmm;
    two[0x6F] = exec_movdq_load;
    two[0x70] = exec_pshuf;
    two[0x71] = two[0x72] = two[0x73] = exec_shift_imm;
    two[0x7E] = exec_movd_from_xmm;
    two[0x7F] = two[0xE7] = exec_movdq_store;
    two[0xC3] = exec_movnti;
    two[0xC4] = exec_pinsrw;
    two[0xC5] = exec_pextrw;
    two[0xD6] = exec_movq_store;
    two[0xD7] = exec_pmovmskb;
    two[0xF7] = exec_maskmovdqu;
}
