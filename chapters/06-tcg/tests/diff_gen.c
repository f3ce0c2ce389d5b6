/*
 * diff_gen.c - the random cases of the differential test (chapter 6): instructions biased
 * towards the integer ones the interpreter executes, and registers and memory biased
 * towards the values where arithmetic goes wrong (0, -1, sign boundaries) and towards
 * addresses that land in mapped memory. See diff.h.
 */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

/* xorshift64*, seeded per case, so case n of a stream is the same case every time. */
struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return g->s * 0x2545F4914F6CDD1Dull;
}

/* A uniform number below n. */
static unsigned below(struct rng *g, unsigned n)
{
    return (unsigned)(next(g) % n);
}

/* splitmix64's finaliser: turns (seed, n) into a well-mixed starting state. */
static uint64_t mix(uint64_t seed, uint64_t n)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + n + 1;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z ? z : 1;
}

/* ------------------------------------------------------------------------------------- */
/* Values                                                                                 */

/* Where two's-complement arithmetic has its edges, at every operand size. */
static const uint64_t edges[] = {
    0,           1,      2,         0x7f,       0x80,       0xff,
    0x7fff,      0x8000, 0xffff,    0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000, ~0ull,  ~0ull - 1, 1ull << 63, ~0ull >> 1, 0xffffffff80000000,
    31,          32,     63,        64,         0x1f,       0x10,
};

/* A register or memory value: an edge, a small number, or random bits of some width. */
static uint64_t value(struct rng *g)
{
    switch (below(g, 8)) {
    case 0:
    case 1:
        return edges[below(g, sizeof(edges) / sizeof(edges[0]))];
    case 2:
        return below(g, 17);
    case 3:
        return (uint64_t) - (int64_t)below(g, 17);
    case 4:
        return next(g) & 0xffff;
    case 5:
        return next(g) & 0xffffffff;
    default:
        return next(g);
    }
}

/* An address inside the data region, mostly away from its edges so disp8 stays inside. */
static uint64_t data_pointer(struct rng *g, const struct diff_layout *l)
{
    uint64_t off = below(g, 4) ? 0x1000 + below(g, 0x2000) : below(g, DIFF_REGION);

    return l->data + off;
}

/* The registers: RSP in the stack region; some registers point into data, the rest hold
 * values. Outside 64-bit mode only 32 bits exist. */
static void registers(struct rng *g, struct diff_case *c, const struct diff_layout *l, int string)
{
    uint64_t width = c->mode == X86_MODE_64 ? ~0ull : 0xffffffffull;

    for (int n = 0; n < 16; n++) {
        c->r[n] = below(g, 3) == 0 ? data_pointer(g, l) : value(g);
        if (c->mode != X86_MODE_64 && n >= 8)
            c->r[n] = 0;
        c->r[n] &= width;
    }
    /* The stack: near the middle of its region, mostly aligned. */
    c->r[4] = l->stack + 0x2000 + below(g, 0x1000) * 8 + (below(g, 8) == 0 ? below(g, 8) : 0);
    /* A string instruction's count stays small, so a REP run ends within the regions. */
    if (string && below(g, 8))
        c->r[1] = below(g, 40) | (below(g, 4) ? 0 : c->r[1] & ~0xffffull & width);
    c->rflags = 0x2 | (next(g) & 0x8d5) | (below(g, 4) == 0 ? 0x400 : 0); /* arith, DF */
}

/* ------------------------------------------------------------------------------------- */
/* Instructions                                                                           */

/* Legacy prefixes: operand and address size, REP, segment overrides, rarely LOCK. */
static unsigned prefixes(struct rng *g, uint8_t *out, int string)
{
    static const uint8_t pool[] = {0x66, 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x36,
                                   0x3e, 0x26, 0x64, 0x65, 0x66, 0x67, 0xf0};
    unsigned n = 0, want = below(g, 4) == 0 ? 1 + below(g, 2) : 0;

    if (string && below(g, 2))
        out[n++] = below(g, 2) ? 0xf3 : 0xf2;
    while (want--)
        out[n++] = pool[below(g, sizeof(pool))];
    return n;
}

/* A ModRM byte: register forms and memory forms; SIB and disp32 forms common. */
static uint8_t modrm(struct rng *g, uint8_t op, int map0f)
{
    uint8_t m = (uint8_t)next(g);

    if (below(g, 5) < 2)
        m |= 0xc0;
    else if ((m & 0xc0) == 0xc0)
        m &= 0x7f;
    /* Groups whose other rows are #UD: mostly the defined row. */
    if (!map0f && (op == 0xc6 || op == 0xc7 || op == 0x8f) && below(g, 8))
        m &= 0xc7;
    if (map0f && op == 0xba && below(g, 8))
        m |= 0x20;
    return m;
}

/* Writes the displacement and immediates of the decoded instruction with biased values. */
static void shape_operands(struct rng *g, uint8_t *code, const struct x86_insn *i)
{
    unsigned end = i->length - i->imm2_size, imm = end - i->imm_size;
    unsigned disp = imm - i->mem.disp_size;
    uint64_t v;

    if (i->has_mem && i->mem.disp_size && i->mem.disp_size <= 4) {
        v = below(g, 4) ? (uint64_t)(int64_t)(int)below(g, 256) - 128 : next(g);
        if (i->mem.disp_size == 4 && i->mem.base == X86_REG_NONE && i->mem.index == X86_REG_NONE)
            v = 0x10000 + below(g, 3 * 0x4000); /* an absolute address that may hit */
        memcpy(code + disp, &v, i->mem.disp_size);
    }
    if (i->imm_size && below(g, 2)) {
        v = value(g);
        if (i->imm_size == 1 && below(g, 2))
            v = below(g, 70); /* shift counts and bit numbers */
        memcpy(code + imm, &v, i->imm_size);
    }
}

/* The low bytes of an address of size bytes. */
static uint64_t size_mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* The bytes of one instruction: prefixes, REX, an opcode of the tables, ModRM, then
 * random bytes with the displacement and immediate reshaped once the decoder knows where
 * they are. One case in 32 is plain random bytes. */
static void instruction(struct rng *g, struct diff_case *c, int *string)
{
    uint8_t *b = c->code;
    unsigned n = 0;
    int map0f = below(g, 5) < 2;
    uint8_t op = diff__pick_opcode(map0f, next(g));

    for (unsigned k = 0; k < X86_MAX_LENGTH; k++)
        b[k] = (uint8_t)next(g);
    *string = !map0f && op >= 0xa4 && op <= 0xaf && op != 0xa8 && op != 0xa9;
    if (below(g, 32) == 0)
        return;
    n = prefixes(g, b, *string);
    if (c->mode == X86_MODE_64 && below(g, 2))
        b[n++] = (uint8_t)(0x40 | below(g, 16));
    if (map0f)
        b[n++] = 0x0f;
    b[n++] = op;
    b[n] = modrm(g, op, map0f);

    struct x86_insn i;
    if (x86__decode(b, X86_MAX_LENGTH, c->mode, &i) > 0)
        shape_operands(g, b, &i);
}

/* ------------------------------------------------------------------------------------- */
/* x87 and SSE                                                                            */

/* Single-precision values where floating point has its edges: zeros, denormals, the
 * smallest and largest normals, infinities, quiet and signalling NaNs, 1.0, and the
 * integer conversion limits (2^31, 2^63). */
static const uint32_t edges_ps[] = {
    0x00000000, 0x80000000, 0x00000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff,
    0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0x3f800000,
    0xbf800000, 0x4f000000, 0xcf000000, 0x4effffff, 0x5f000000, 0x3effffff, 0x3f000000, 0x40490fdb,
};
static const uint64_t edges_pd[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x000fffffffffffff,
    0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000,
    0x7ff0000000000001, 0x7ff4000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffc00000, 0x43e0000000000000,
    0xc3e0000000000000, 0x3fe0000000000000, 0x3fdfffffffffffff, 0x400921fb54442d18,
};
/* Integer lanes at the saturation edges of bytes, words, doublewords. */
static const uint16_t edges_w[] = {0x0000, 0x0001, 0x007f, 0x0080, 0x00ff, 0x0100, 0x7fff,
                                   0x8000, 0x8001, 0xff80, 0xff7f, 0xffff, 0x7f80, 0x807f};

/* One XMM register: float lanes, double lanes, integer edges or random bits. */
static void xmm_value(struct rng *g, uint64_t q[2])
{
    switch (below(g, 5)) {
    case 0:
    case 1:
        for (int k = 0; k < 2; k++) {
            uint64_t lo = below(g, 3) ? edges_ps[below(g, 24)] : (uint32_t)next(g);
            uint64_t hi = below(g, 3) ? edges_ps[below(g, 24)] : (uint32_t)next(g);
            q[k] = lo | hi << 32;
        }
        break;
    case 2:
        for (int k = 0; k < 2; k++)
            q[k] = below(g, 3) ? edges_pd[below(g, 24)] : next(g);
        break;
    case 3:
        for (int k = 0; k < 2; k++) {
            q[k] = 0;
            for (int w = 0; w < 4; w++)
                q[k] |= (uint64_t)(below(g, 3) ? edges_w[below(g, 14)] : (uint16_t)next(g))
                        << (16 * w);
        }
        break;
    default:
        q[0] = next(g);
        q[1] = next(g);
    }
}

/* One 80-bit register: zeros, denormals, infinities, NaNs, 1.0, extremes, normals with
 * random significands, and now and then an unnormal (integer bit clear), which the CPU
 * refuses as an invalid operand. */
static void x87_value(struct rng *g, uint8_t v[10])
{
    static const uint16_t exps[] = {0x0000, 0x0001, 0x3fff, 0x7ffe, 0x7fff, 0x3ffe,
                                    0x401e, 0x403e, 0x400d, 0x3c00, 0x4400};
    uint64_t mant = next(g) | 1ull << 63;
    uint16_t se = exps[below(g, 11)];

    switch (below(g, 8)) {
    case 0: /* zero */
        mant = 0;
        se = 0;
        break;
    case 1: /* 1.0, or an integer */
        se = below(g, 2) ? 0x3fff : (uint16_t)(0x3fff + below(g, 64));
        mant = below(g, 2) ? 1ull << 63 : mant & ~((1ull << below(g, 63)) - 1);
        break;
    case 2: /* infinity, or a quiet or signalling NaN */
        se = 0x7fff;
        mant = below(g, 3) == 0   ? 1ull << 63
               : below(g, 2) == 0 ? 3ull << 62 | (next(g) & 0xfff)
                                  : (1ull << 63) | (1 + (next(g) & 0xffff));
        break;
    case 3: /* denormal */
        se = 0;
        mant = next(g) >> 1 >> below(g, 60);
        break;
    default:
        if (below(g, 32) == 0)
            mant &= ~(1ull << 63); /* an unnormal */
    }
    if (below(g, 2))
        se |= 0x8000;
    memcpy(v, &mant, 8);
    memcpy(v + 8, &se, 2);
}

/* The x87 and SSE state: a stack with some registers valid and some empty, precision
 * and rounding varied, exceptions mostly masked; MXCSR with a random rounding mode,
 * FTZ and DAZ, all exceptions masked in most cases and some unmasked in a few. */
static void fpu_state(struct rng *g, struct diff_fpu *f)
{
    unsigned top = below(g, 8);

    for (int k = 0; k < 8; k++)
        x87_value(g, f->st[k]);
    switch (below(g, 4)) {
    case 0: /* an empty stack */
        f->ftw = 0;
        break;
    case 1: /* a full one */
        f->ftw = 0xff;
        break;
    default: /* ST(0) .. ST(n-1) valid, as after n loads, now and then with holes */
        f->ftw = 0;
        for (unsigned n = below(g, 8), k = 0; k < n; k++)
            f->ftw |= (uint8_t)(1u << ((top + k) & 7));
        if (below(g, 4) == 0)
            f->ftw ^= (uint8_t)next(g);
    }
    /* FCW: bit 6 reads as one; PC 00, 10 or 11; RC random; masks mostly all set. */
    unsigned pc = (unsigned[]){0, 2, 3, 3}[below(g, 4)];
    unsigned masks = below(g, 8) ? 0x3f : (unsigned)(next(g) & 0x3f);
    f->fcw = (uint16_t)(0x40 | masks | pc << 8 | below(g, 4) << 10);
    /* FSW: TOP and random condition codes; rarely an exception flag already raised (with
     * ES and B when it is unmasked, as the CPU keeps them). */
    f->fsw = (uint16_t)(top << 11 | (next(g) & 0x4700));
    if (below(g, 16) == 0) {
        unsigned flags = (unsigned)(next(g) & 0x3f);
        f->fsw |= (uint16_t)flags;
        if (flags & ~masks & 0x3f)
            f->fsw |= 0x8080;
    }
    for (int k = 0; k < 16; k++)
        xmm_value(g, f->xmm[k]);
    f->mxcsr = below(g, 8) ? 0x1f80 : (uint32_t)(next(g) & 0x1f80);
    f->mxcsr |= (uint32_t)below(g, 4) << 13;
    if (below(g, 4) == 0)
        f->mxcsr |= 0x8000; /* FTZ */
    if (below(g, 4) == 0)
        f->mxcsr |= 0x40; /* DAZ */
    if (below(g, 8) == 0)
        f->mxcsr |= (uint32_t)(next(g) & 0x3f); /* flags already raised */
}

/* 0F opcodes that take an immediate byte: the shuffles, compares, inserts and the
 * shift groups 71-73. */
static int sse_imm(uint8_t op)
{
    return op == 0x70 || op == 0x71 || op == 0x72 || op == 0x73 || op == 0xc2 || op == 0xc4 ||
           op == 0xc5 || op == 0xc6;
}

/* The mandatory prefix of an SSE instruction: none, 66, F3 or F2, as its row has them;
 * the integer rows mostly 66 (their unprefixed forms are MMX), but for SSE3's 7C and 7D
 * (HADD, HSUB: 66 and F2). */
static uint8_t sse_prefix(struct rng *g, uint8_t op)
{
    static const uint8_t any[] = {0, 0x66, 0xf3, 0xf2};
    int integer = ((op >= 0x60 && op <= 0x7f) || op >= 0xd0) && op != 0x7c && op != 0x7d;

    if (op == 0xae || op == 0xc3)
        return below(g, 8) ? 0 : any[below(g, 4)];
    if (integer && op != 0xe6 && op != 0x6f && op != 0x7f && op != 0x70 && op != 0x7e && op != 0xd6)
        return below(g, 16) ? 0x66 : any[below(g, 4)];
    return any[below(g, 4)];
}

/*
 * STEPVM_DIFF_OPCODE=0fXX (or XX, hex) makes every case an instruction of the 0F map's row
 * XX in 64-bit mode, with the prefixes, operands and state the SSE cases have: a slice of
 * one opcode that the host CPU judges (diff_native.c), to test a new instruction quickly.
 * Returns the row, or -1 when the variable is not set.
 */
static int forced_opcode(void)
{
    const char *s = getenv("STEPVM_DIFF_OPCODE");

    if (!s || !*s)
        return -1;
    unsigned long op = strtoul(s, NULL, 16);
    return (int)(op & 0xff);
}

/* An x87 or SSE instruction: the mandatory prefix, sometimes REX (and others rarely),
 * the opcode, a ModRM with register forms and memory forms, the immediate. forced: the 0F
 * opcode to make, or -1 for any. */
static void fp_instruction(struct rng *g, struct diff_case *c, int forced)
{
    uint8_t *b = c->code;
    unsigned n = 0;

    if (below(g, 64) == 0 && forced < 0) { /* FWAIT alone */
        b[0] = 0x9b;
        return;
    }
    if (below(g, 5) < 2 && forced < 0) { /* x87 */
        if (below(g, 16) == 0)
            n = prefixes(g, b, 0);
        if (c->mode == X86_MODE_64 && below(g, 4) == 0)
            b[n++] = (uint8_t)(0x40 | below(g, 16));
        b[n++] = (uint8_t)(0xd8 + below(g, 8));
        b[n] = (uint8_t)next(g);
        if (below(g, 2))
            b[n] |= 0xc0;
        else if ((b[n] & 0xc0) == 0xc0)
            b[n] &= 0x7f;
        return;
    }
    uint8_t op = diff__pick_sse_opcode(next(g));
    if (forced >= 0)
        op = (uint8_t)forced;
    uint8_t pfx = sse_prefix(g, op);
    if (below(g, 16) == 0)
        n = prefixes(g, b, 0); /* other prefixes before the mandatory one */
    if (pfx)
        b[n++] = pfx;
    if (c->mode == X86_MODE_64 && below(g, 2))
        b[n++] = (uint8_t)(0x40 | below(g, 16));
    b[n++] = 0x0f;
    b[n++] = op;
    uint8_t m = (uint8_t)next(g);
    if (below(g, 2))
        m |= 0xc0;
    else if ((m & 0xc0) == 0xc0)
        m &= 0x7f;
    if (op == 0xae && (m & 0xc0) == 0xc0)
        m |= 0x28; /* the fences: /5, /6, /7 */
    if ((op == 0x71 || op == 0x72 || op == 0x73) && below(g, 8))
        m |= 0xc0; /* the shift groups take registers */
    b[n] = m;
    struct x86_insn i;
    if (x86__decode(b, X86_MAX_LENGTH, c->mode, &i) != 0 && i.length && sse_imm(op))
        b[i.length - 1] = (uint8_t)(below(g, 2)   ? below(g, 8)
                                    : below(g, 2) ? below(g, 70)
                                                  : next(g));
}

/* A memory operand of an x87 or SSE instruction points into the data region: 16-byte
 * aligned in most cases (MOVAPS and the packed operations need it), misaligned in some. */
static void fp_operand(struct rng *g, struct diff_case *c, const struct diff_layout *l)
{
    struct x86_insn i;

    x86__decode(c->code, X86_MAX_LENGTH, c->mode, &i);
    if (!i.has_mem || i.length == 0 || below(g, 8) == 0)
        return;
    uint64_t target = l->data + 0x1000 + 16 * (uint64_t)below(g, 0x100);
    if (below(g, 4) == 0)
        target += 1 + below(g, 15);
    if (i.mem.index != X86_REG_NONE && i.mem.index != i.mem.base)
        c->r[i.mem.index] = 0;
    if (i.mem.base != X86_REG_NONE && i.mem.base != X86_REG_RIP && i.mem.base != 4)
        c->r[i.mem.base] = (target - (uint64_t)i.mem.disp) & size_mask_of(i.addrsize);
}

/* ------------------------------------------------------------------------------------- */
/* Cases and memory                                                                       */

/* Is b a legacy or REX prefix (as far as the scan in defuse cares)? */
static int prefix_byte(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e ||
           b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || (b & 0xf0) == 0x40;
}

/* Unicorn 2.0.1 aborts the process ("tcg fatal error") when it translates the register
 * forms of far CALL and JMP (FF /3, FF /5 with mod = 3), and LOCK before CMP r/m, r (38,
 * 39) or CMPS (A6, A7). It translates past the one instruction it runs: the bytes at a
 * branch target too. So no byte string the test makes holds these; the CPU's #UD for
 * them is checked by hand-written cases instead. */
static void defuse(uint8_t *b, size_t n)
{
    for (size_t k = 0; k + 1 < n; k++) {
        if (b[k] == 0xff && ((b[k + 1] & 0xf8) == 0xd8 || (b[k + 1] & 0xf8) == 0xe8))
            b[k + 1] ^= 0x40; /* into the memory forms of the same rows */
        if (b[k] == 0xf0) {
            size_t j = k + 1;
            while (j < n && prefix_byte(b[j]))
                j++;
            if (j < n && (b[j] == 0x38 || b[j] == 0x39 || b[j] == 0xa6 || b[j] == 0xa7))
                b[k] = 0x3e; /* a DS prefix instead */
        }
    }
}

void diff__generate(uint64_t seed, uint64_t n, struct diff_case *c)
{
    struct rng g = {mix(seed, n)};
    static const enum x86_mode modes[8] = {X86_MODE_64, X86_MODE_64, X86_MODE_64, X86_MODE_64,
                                           X86_MODE_64, X86_MODE_32, X86_MODE_32, X86_MODE_16};
    int string, forced = forced_opcode();

    memset(c, 0, sizeof(*c));
    c->mode = modes[below(&g, 8)];
    if (forced >= 0)
        c->mode = X86_MODE_64; /* where the host CPU judges every case, memory forms too */
    struct diff_layout l = diff__layout(c->mode);
    /* A third of the cases are x87 and SSE instructions, from their own state. */
    int fp = below(&g, 3) == 0 || forced >= 0;
    if (fp) {
        for (unsigned k = 0; k < X86_MAX_LENGTH; k++)
            c->code[k] = (uint8_t)next(&g);
        fp_instruction(&g, c, forced);
        string = 0;
    } else {
        instruction(&g, c, &string);
    }
    registers(&g, c, &l, string);
    fpu_state(&g, &c->fpu);
    if (fp)
        fp_operand(&g, c, &l);
    if (c->mode != X86_MODE_64)
        memset(c->fpu.xmm[8], 0, 8 * sizeof(c->fpu.xmm[0])); /* no XMM8-15 there */
    /* Memory changes every 64 cases: filling it is slower than running one case. */
    defuse(c->code, X86_MAX_LENGTH);
    c->mem_seed = mix(seed ^ 0x6d656d, n / 64);
    /* Mostly at the start of the code region; sometimes where the instruction runs off
     * the mapped range, so fetching it faults. */
    c->rip = l.code + below(&g, 0x100);
    if (c->mode != X86_MODE_16 && below(&g, 64) == 0)
        c->rip = l.base + l.size - 1 - below(&g, X86_MAX_LENGTH - 1);
}

void diff__fill_memory(uint64_t seed, enum x86_mode mode, uint8_t *mem, uint64_t size)
{
    struct rng g = {mix(seed, (uint64_t)mode)};
    struct diff_layout l = diff__layout(mode);

    for (uint64_t off = 0; off + 8 <= size; off += 8) {
        uint64_t v = below(&g, 4) == 0 ? value(&g) : next(&g);
        if (below(&g, 4) == 0) { /* floating-point values at their edges */
            uint64_t q[2];
            xmm_value(&g, q);
            v = q[below(&g, 2)];
        }
        /* Some words are pointers into the data region (for indirect branches, POP). */
        if (below(&g, 16) == 0)
            v = data_pointer(&g, &l);
        memcpy(mem + off, &v, 8);
    }
    defuse(mem, size);
}
