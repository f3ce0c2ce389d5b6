/*
 * diff_gen.c - the random cases of the differential test (chapter 6): instructions biased
 * towards the integer ones the interpreter executes, and registers and memory biased
 * towards the values where arithmetic goes wrong (0, -1, sign boundaries) and towards
 * addresses that land in mapped memory. See diff.h.
 */
#include "diff.h"

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
    if (x86_decode(b, X86_MAX_LENGTH, c->mode, &i) > 0)
        shape_operands(g, b, &i);
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
    int string;

    memset(c, 0, sizeof(*c));
    c->mode = modes[below(&g, 8)];
    struct diff_layout l = diff__layout(c->mode);
    instruction(&g, c, &string);
    registers(&g, c, &l, string);
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
        /* Some words are pointers into the data region (for indirect branches, POP). */
        if (below(&g, 16) == 0)
            v = data_pointer(&g, &l);
        memcpy(mem + off, &v, 8);
    }
    defuse(mem, size);
}
