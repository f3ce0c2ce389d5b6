/*
 * diff_rules.c - what the differential test compares, and where it believes the manual
 * rather than Unicorn (chapter 6). See diff.h.
 *
 * Unicorn 2.0.1 is QEMU 5.0's CPU. Where QEMU is known to part from the Intel manual, a
 * case is either not compared (diff__unicorn_deviates) or compared with the manual's
 * answer (diff__manual_ud, diff__bad_target, diff__cs_write): every rule here names the
 * behaviour, so a reader can check it against the manual and against QEMU's source.
 */
#include "cpu.h"
#include "diff.h"
#include "tcg.h"

#include <string.h>

/* The opcodes generated and compared: one-byte map, then 0F map, as ranges. */
static const uint8_t one_byte[][2] = {
    {0x00, 0x05}, {0x08, 0x0d}, {0x10, 0x15}, {0x18, 0x1d}, {0x20, 0x25}, {0x28, 0x2d},
    {0x30, 0x35}, {0x38, 0x3d}, {0x40, 0x4f}, {0x50, 0x5f}, {0x63, 0x63}, {0x68, 0x6b},
    {0x70, 0x7f}, {0x80, 0x8b}, {0x8d, 0x8d}, {0x8f, 0x8f}, {0x90, 0x99}, {0x9c, 0x9f},
    {0xa0, 0xaf}, {0xb0, 0xbf}, {0xc0, 0xc3}, {0xc6, 0xc7}, {0xc9, 0xc9}, {0xd0, 0xd3},
    {0xe8, 0xe9}, {0xeb, 0xeb}, {0xf5, 0xf7}, {0xf8, 0xff},
};
static const uint8_t two_byte[][2] = {
    {0x0b, 0x0b}, {0x40, 0x4f}, {0x80, 0x8f}, {0x90, 0x9f}, {0xa3, 0xa5},
    {0xab, 0xad}, {0xaf, 0xaf}, {0xb0, 0xb1}, {0xb3, 0xb3}, {0xb6, 0xb7},
    {0xba, 0xbf}, {0xc0, 0xc1}, {0xc8, 0xcf},
};

#define NRANGES(t) (sizeof(t) / sizeof(t[0]))

/* Is op in one of the n ranges of t? */
static int in_ranges(const uint8_t (*t)[2], size_t n, uint8_t op)
{
    for (size_t k = 0; k < n; k++)
        if (op >= t[k][0] && op <= t[k][1])
            return 1;
    return 0;
}

/* Picks an opcode of t (n > 0 ranges), every opcode equally likely, from the random r. */
static uint8_t pick(const uint8_t (*t)[2], size_t n, uint64_t r)
{
    unsigned total = t[0][1] - t[0][0] + 1u, k;

    for (k = 1; k < n; k++)
        total += t[k][1] - t[k][0] + 1u;
    unsigned i = (unsigned)(r % total);
    for (k = 0; i > (unsigned)(t[k][1] - t[k][0]); k++)
        i -= t[k][1] - t[k][0] + 1u;
    return (uint8_t)(t[k][0] + i);
}

uint8_t diff__pick_opcode(int map0f, uint64_t r)
{
    return map0f ? pick(two_byte, NRANGES(two_byte), r) : pick(one_byte, NRANGES(one_byte), r);
}

int diff__compared(const struct x86_insn *i)
{
    unsigned digit = i->reg & 7;

    if (diff__fp_insn(i)) /* x87 and SSE: all of it, but MMX on a CPU without MMX */
        return !diff__mmx_skipped(i);
    if (i->map == X86_MAP_0F)
        return in_ranges(two_byte, NRANGES(two_byte), i->opcode);
    if (i->map != X86_MAP_ONE_BYTE || !in_ranges(one_byte, NRANGES(one_byte), i->opcode))
        return 0;
    if (i->opcode == 0x63) /* ARPL outside 64-bit mode: a segment instruction */
        return i->mode == X86_MODE_64;
    if (i->opcode == 0xff) /* far CALL and JMP need descriptor tables */
        return digit != 3 && digit != 5;
    return 1;
}

int diff__rep_string(const struct x86_insn *i)
{
    return i->rep && i->map == X86_MAP_ONE_BYTE && i->opcode >= 0xa4 && i->opcode <= 0xaf &&
           i->opcode != 0xa8 && i->opcode != 0xa9;
}

int diff__undefined_result(const struct x86_insn *i, const struct diff_case *c)
{
    /* D9 D8+i, an alias of FSTP ST(i) that Intel's manual leaves out of its opcode map,
     * with ST(0) empty: an AMD part pops without a stack fault and stores nothing, the
     * documented FSTP stores the QNaN indefinite with IE and SF. No one answer. */
    if (i->map == X86_MAP_ONE_BYTE && i->opcode == 0xd9 && i->has_modrm && i->mod == 3 &&
        (i->reg & 7) == 3 && !(c->fpu.ftw >> ((c->fpu.fsw >> 11) & 7) & 1))
        return 1;
    if (i->map != X86_MAP_0F)
        return 0;
    if (i->opcode >= 0xc8 && i->opcode <= 0xcf && i->opsize == 2)
        return 1; /* BSWAP of a 16-bit register */
    if ((i->opcode == 0xa4 || i->opcode == 0xa5 || i->opcode == 0xac || i->opcode == 0xad) &&
        i->opsize == 2) {
        unsigned count = (i->opcode & 1 ? c->r[1] : i->imm) & 31;
        return count > 16; /* SHLD/SHRD of 16 bits by more than 16 */
    }
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* Where QEMU parts from the manual                                                       */

/* What the prefixes of code hold that QEMU reads differently. */
struct prefix_scan {
    int both_reps;  /* F2 and F3 both */
    int f3;         /* F3, whichever came last */
    int stale_rex;  /* a REX prefix followed by a legacy prefix: the CPU ignores it */
    int fs_gs_null; /* 64-bit: FS or GS, then ES, CS, SS or DS, which the CPU ignores */
};

static struct prefix_scan scan_prefixes(const uint8_t *code, enum x86_mode mode)
{
    static const uint8_t legacy[] = {0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26,
                                     0x2e, 0x36, 0x3e, 0x64, 0x65};
    struct prefix_scan p = {0, 0, 0, 0};
    int f2 = 0, f3 = 0, rex = 0, fs_gs = 0;

    for (unsigned k = 0; k < X86_MAX_LENGTH; k++) {
        uint8_t b = code[k];
        if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
            rex = 1;
            continue;
        }
        if (!memchr(legacy, b, sizeof(legacy)))
            break;
        p.stale_rex |= rex;
        f2 |= b == 0xf2;
        f3 |= b == 0xf3;
        if (mode == X86_MODE_64 && (b == 0x64 || b == 0x65))
            fs_gs = 1;
        else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
            p.fs_gs_null |= fs_gs;
    }
    p.both_reps = f2 && f3;
    p.f3 = f3;
    return p;
}

/* Is i a near branch whose 66 prefix Intel ignores in 64-bit mode? */
static int near_branch(const struct x86_insn *i)
{
    unsigned op = i->opcode, digit = i->reg & 7;

    if (i->map == X86_MAP_0F)
        return op >= 0x80 && op <= 0x8f;
    return i->map == X86_MAP_ONE_BYTE &&
           ((op >= 0x70 && op <= 0x7f) || op == 0xe8 || op == 0xe9 || op == 0xeb || op == 0xc2 ||
            op == 0xc3 || (op == 0xff && (digit == 2 || digit == 4)));
}

/*
 * The cases where QEMU 5.0 is known to differ from the manual (and from the interpreter):
 *  - a REX prefix followed by a legacy prefix: the CPU ignores it, QEMU applies it;
 *  - in 64-bit mode, FS or GS followed by a null segment override (ES, CS, SS, DS): the
 *    CPU ignores the null one and uses FS or GS, QEMU uses no segment;
 *  - LAHF and SAHF with a REX prefix: QEMU uses SPL instead of AH;
 *  - F2 and F3 both before a string instruction: the CPU obeys the last, QEMU F2;
 *  - 66 before a near branch in 64-bit mode: Intel ignores it (as the project does), QEMU
 *    follows AMD and truncates the target to 16 bits;
 *  - MOV r/m, imm (C6/C7 /0) with REX.R: QEMU raises #UD;
 *  - TEST r/m, imm as F6/F7 /1: CPUs execute it as /0, QEMU raises #UD;
 *  - RET imm16 (C2) with bit 15 set, on a 32 or 64-bit stack: QEMU sign-extends it;
 *  - F3 0F BC/BD: QEMU's CPU runs them as TZCNT/LZCNT (even when F2 comes after F3); the
 *    interpreter's CPUID advertises neither, so it runs BSF/BSR, as CPUs without BMI1 and
 *    ABM do;
 *  - LOCK NEG: QEMU computes SF and PF from the wrong value;
 *  - SHLD/SHRD imm8 with a RIP-relative operand: QEMU leaves the immediate out of the
 *    instruction's end, so its address is one byte short;
 *  - CMPXCHG with a 32-bit operand in 64-bit mode: QEMU zero-extends EAX when the
 *    comparison succeeds and a register destination when it fails, where the CPU leaves
 *    each unchanged.
 */
int diff__unicorn_deviates(const struct x86_insn *i, const uint8_t *code)
{
    struct prefix_scan p = scan_prefixes(code, (enum x86_mode)i->mode);
    unsigned op = i->opcode, digit = i->reg & 7;
    int one = i->map == X86_MAP_ONE_BYTE;

    if (p.stale_rex || p.fs_gs_null || (p.both_reps && diff__rep_string(i)))
        return 1;
    if (one && (op == 0x9e || op == 0x9f) && i->rex)
        return 1;
    if (one && (op == 0xc6 || op == 0xc7) && digit == 0 && i->rex_r)
        return 1;
    if (one && (op == 0xf6 || op == 0xf7) && digit == 1)
        return 1;
    if (one && op == 0xc2 && (i->imm & 0x8000) && i->mode != X86_MODE_16)
        return 1;
    if (i->map == X86_MAP_0F && (op == 0xbc || op == 0xbd) && p.f3)
        return 1;
    if (one && (op == 0xf6 || op == 0xf7) && digit == 3 && i->lock)
        return 1;
    if (i->map == X86_MAP_0F && (op == 0xa4 || op == 0xac) && i->mem.base == X86_REG_RIP &&
        i->has_mem)
        return 1;
    if (i->map == X86_MAP_0F && op == 0xb1 && i->opsize == 4 && i->mode == X86_MODE_64)
        return 1;
    return i->mode == X86_MODE_64 && i->opsize_pfx && !i->rex_w && near_branch(i);
}

/* Does LOCK make sense on i: a read-modify-write with a memory destination? */
static int lockable(const struct x86_insn *i)
{
    unsigned op = i->opcode, digit = i->reg & 7;

    if (!i->has_mem)
        return 0;
    if (i->map == X86_MAP_0F)
        return op == 0xab || op == 0xb3 || op == 0xbb || (op == 0xba && digit >= 5) || op == 0xb0 ||
               op == 0xb1 || op == 0xc0 || op == 0xc1 || (op == 0xc7 && digit == 1);
    if (i->map != X86_MAP_ONE_BYTE)
        return 0;
    if (op < 0x38 && (op & 7) < 2) /* ADD, OR, ADC, SBB, AND, SUB, XOR to memory */
        return 1;
    if (op >= 0x80 && op <= 0x83)
        return digit != 7; /* not CMP */
    if (op == 0xf6 || op == 0xf7)
        return digit == 2 || digit == 3; /* NOT, NEG */
    if (op == 0xfe || op == 0xff)
        return digit <= 1; /* INC, DEC */
    return op == 0x86 || op == 0x87;
}

/*
 * #UD by the manual where QEMU runs the instruction, reads its operand first, or dies:
 * LOCK on what is not a read-modify-write of memory (QEMU checks LOCK on few
 * instructions, and aborts on LOCK CMP and LOCK CMPS), the undefined rows of groups (POP
 * r/m (8F), MOV r/m, imm (C6/C7) other than /0, FE /2-/7, FF /7, 0F BA /0-/3), and far
 * CALL and JMP with a register operand (FF /3, FF /5 with mod = 3: QEMU aborts), and the
 * memory forms of the SSE shift groups (0F 71-73) and of MASKMOVDQU (0F F7), which QEMU
 * runs on memory, and group 15 (0F AE) with a 66, F2 or F3 prefix: FXSAVE, FXRSTOR,
 * LDMXCSR, STMXCSR, CLFLUSH and the fences are NP (no such prefix) in the manual, and
 * the prefixed rows (CLWB, CLFLUSHOPT, RDFSBASE..., PTWRITE, INCSSP, UMWAIT...) are
 * features the interpreter's CPUID does not offer; QEMU 5.0 ignores the prefix. This
 * AMD host raises #UD for 66 with FXSAVE, FXRSTOR, LDMXCSR, STMXCSR and the fences.
 * The undefined rows of the shift groups 0F 71-73 (/0, /1, /3, /5, /7; 0F 73 /3 and /7
 * need 66): QEMU switches the x87 to MMX (TOP = 0, all tags valid) before its #UD.
 */
int diff__manual_ud(const struct x86_insn *i)
{
    unsigned digit = i->reg & 7, op = i->opcode;

    if (i->lock && !lockable(i))
        return 1;
    if (i->map == X86_MAP_0F && op == 0xae && (i->opsize_pfx || i->rep))
        return 1; /* group 15 with a mandatory prefix: see above */
    if (i->map == X86_MAP_0F && op >= 0x71 && op <= 0x73 && i->has_modrm && i->mod == 3)
        return op == 0x73 ? !(digit == 2 || digit == 6 || (i->opsize_pfx && (digit & 3) == 3))
                          : !(digit == 2 || digit == 4 || digit == 6); /* undefined rows */
    if (i->map == X86_MAP_0F)
        return (op == 0xba && digit < 4) ||
               (((op >= 0x71 && op <= 0x73) || op == 0xf7) && i->has_modrm && i->mod != 3);
    if (i->map != X86_MAP_ONE_BYTE)
        return 0;
    if (op == 0xff && i->has_modrm && i->mod == 3 && (digit == 3 || digit == 5))
        return 1;
    return ((op == 0x8f || op == 0xc6 || op == 0xc7) && digit != 0) || (op == 0xfe && digit >= 2) ||
           (op == 0xff && digit == 7);
}

/* A non-canonical RIP (64-bit mode), or beyond CS's limit of 0xffff (real mode): the CPU
 * raises #GP(0) at the branch itself; QEMU moves RIP and faults only when it fetches. */
int diff__bad_target(enum x86_mode mode, uint64_t rip)
{
    if (mode == X86_MODE_64)
        return !tcg__canonical(rip);
    return mode == X86_MODE_16 && rip > 0xffff;
}

/* In protected mode a write through CS raises #GP(0): a code segment is never writable.
 * QEMU does not check segment types. (A string instruction writes through ES.) */
int diff__cs_write(const struct x86_insn *i, int writes_mem)
{
    int string = i->map == X86_MAP_ONE_BYTE && i->opcode >= 0xa4 && i->opcode <= 0xaf;

    return i->mode == X86_MODE_32 && !string && i->has_mem && i->mem.segment == X86_SEG_CS &&
           writes_mem;
}

uint64_t diff__operand_address(const struct diff_case *c, const struct x86_insn *i)
{
    const struct x86_mem *mem = &i->mem;
    uint64_t a = (uint64_t)mem->disp;

    if (mem->base == X86_REG_RIP)
        a += c->rip + i->length;
    else if (mem->base != X86_REG_NONE)
        a += c->r[mem->base];
    if (mem->index != X86_REG_NONE)
        a += c->r[mem->index] * mem->scale;
    if (i->addrsize < 8)
        a &= (1ull << (i->addrsize * 8)) - 1;
    return a + (c->mode == X86_MODE_64 && mem->segment == X86_SEG_GS ? DIFF_GS_BASE : 0);
}

/* Does i write over its own bytes (its operand, or a string's destination, near RIP)?
 * QEMU restarts a block whose code is written, and Unicorn's one-instruction run then
 * stops before the write: not the CPU's answer, so such a case is skipped. */
int diff__writes_own_bytes(const struct diff_case *c, const struct x86_insn *i, int writes_mem)
{
    unsigned op = i->opcode;

    if (i->map == X86_MAP_ONE_BYTE && (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab)) {
        uint64_t di = c->r[7] & (i->addrsize < 8 ? (1ull << (i->addrsize * 8)) - 1 : ~0ull);
        return di + 512 > c->rip && di < c->rip + 512; /* REP moves it up to a few hundred */
    }
    if (!writes_mem || !i->has_mem)
        return 0;
    uint64_t a = diff__operand_address(c, i);
    return a + 16 > c->rip && a < c->rip + i->length;
}

/* ------------------------------------------------------------------------------------- */
/* x87 and SSE                                                                            */

/* The 0F opcodes of SSE and SSE2 (fpu.c, sse.c, simd.c): moves and floating point, the
 * MXCSR/FXSAVE group AE, and the integer rows 60-7F and D0-FF. */
static const uint8_t sse_ops[][2] = {
    {0x10, 0x17}, {0x28, 0x2f}, {0x50, 0x7f}, {0xae, 0xae}, {0xc2, 0xc6}, {0xd0, 0xff},
};

uint8_t diff__pick_sse_opcode(uint64_t r)
{
    return pick(sse_ops, NRANGES(sse_ops), r);
}

int diff__fp_insn(const struct x86_insn *i)
{
    if (i->map == X86_MAP_ONE_BYTE)
        return (i->opcode >= 0xd8 && i->opcode <= 0xdf) || i->opcode == 0x9b;
    return i->map == X86_MAP_0F && in_ranges(sse_ops, NRANGES(sse_ops), i->opcode);
}

/* Is i an MMX form: an integer row (60-7F, D0-FF, 0F 2A/2C/2D with no or a 66 prefix)
 * that works on MMX registers rather than XMM ones? */
static int mmx_form(const struct x86_insn *i)
{
    unsigned op = i->opcode;

    if (i->map != X86_MAP_0F)
        return 0;
    if (op == 0x2a || op == 0x2c || op == 0x2d)
        return !i->rep;
    if ((op >= 0x60 && op <= 0x7f) || op >= 0xd0)
        return !i->opsize_pfx && !i->rep && op != 0xd6 && op != 0xe6 && op != 0xff && op != 0x77 &&
               op != 0x78 && op != 0x79 && op != 0x7a && op != 0x7b;
    return op == 0xc4 || op == 0xc5 ? !i->opsize_pfx : 0;
}

/* MMX forms are compared when the interpreter's CPUID says it has MMX (leaf 1, EDX bit
 * 23): a CPU without MMX raises #UD for them, which QEMU's CPU (with MMX) does not. */
int diff__mmx_skipped(const struct x86_insn *i)
{
    uint32_t a, b, c, d;

    if (!mmx_form(i))
        return 0;
    system__cpuid(1, 0, &a, &b, &c, &d);
    return !(d & (1u << 23));
}

/*
 * The host runs i as the interpreter would when it is an x87 or SSE instruction of 64-bit
 * mode (the test runs on x86-64) whose outcome depends only on the case's registers and
 * memory, which diff_native.c gives it, or a register form of 16 or 32-bit mode (which
 * computes the same in 64-bit mode). Not:
 *  - LOCK (the host's #UD is the interpreter's too, but the forms are few: Unicorn's);
 *  - MMX forms (the host has MMX; the interpreter's CPUID may not);
 *  - an FS or GS override: the host's FS and GS bases are its own (thread data), not the
 *    case's;
 *  - the 0F AE rows beyond FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, CLFLUSH and the fences
 *    (XSAVE and friends, RDFSBASE and friends, CLWB, ...): the host has extensions the
 *    interpreter's CPUID does not advertise.
 * 0F 12/13/16/17 with mod = 3 are MOVHLPS/MOVLHPS (13/17: #UD); 0F 2B, E7, C3 store to
 * memory only (#UD with mod = 3): the host agrees with the manual there.
 */
int diff__native_ok(const struct x86_insn *i)
{
    if (i->lock || !diff__fp_insn(i) || mmx_form(i))
        return 0;
    if (i->map == X86_MAP_ONE_BYTE && i->opcode == 0x9b)
        return 1;
    if (!i->has_modrm)
        return 0;
    /* Outside 64-bit mode, register forms: the same operation, no address to translate
     * (MASKMOVDQU excepted: it writes DS:rDI). */
    if (i->mode != X86_MODE_64 &&
        (i->has_mem || (i->map == X86_MAP_0F && i->opcode == 0xf7) || i->mod != 3))
        return 0;
    /* FS and GS bases are the host's own: no memory operand through them (MASKMOVDQU's
     * DS:rDI included). On a register form the prefix changes nothing. */
    if ((i->seg == X86_SEG_FS || i->seg == X86_SEG_GS) &&
        (i->has_mem || (i->map == X86_MAP_0F && i->opcode == 0xf7)))
        return 0;
    if (i->map == X86_MAP_0F && i->opcode == 0xae) {
        unsigned digit = i->reg & 7;
        if (i->opsize_pfx || i->rep)
            return 0;
        return i->mod == 3 ? digit >= 5 : digit <= 3 || digit == 7;
    }
    return 1;
}

/*
 * Results the CPU models do not agree on, so no one reference judges them:
 *  - RCPPS, RCPSS, RSQRTPS, RSQRTSS (0F 52, 53): approximations to 12 bits whose exact
 *    values the manual does not give; Intel and AMD parts compute different ones, and
 *    QEMU divides exactly;
 *  - the x87 transcendentals F2XM1, FYL2X, FPTAN, FPATAN, FYL2XP1, FSINCOS, FSIN, FCOS
 *    (D9 F0-F3, F9, FB, FE, FF): the manual bounds their error (one ulp and more), it does
 *    not fix their last bits, and QEMU 5.0 computes them through host doubles.
 */
int diff__model_specific(const struct x86_insn *i)
{
    if (i->map == X86_MAP_0F)
        return i->opcode == 0x52 || i->opcode == 0x53;
    if (i->map != X86_MAP_ONE_BYTE || i->opcode != 0xd9 || !i->has_modrm || i->mod != 3)
        return 0;
    unsigned low = (i->reg & 7) << 3 | (i->rm & 7);
    return (low >= 0x30 && low <= 0x33) || low == 0x39 || low == 0x3b || low == 0x3e || low == 0x3f;
}

/*
 * FSW's bits the manual leaves undefined after i: the condition codes C0, C2 and C3
 * (bits 8, 10, 14) after the loads, stores, arithmetic and stack instructions, where only
 * C1 (rounding direction, stack fault) is defined. The comparisons (FCOM, FICOM, FUCOM,
 * FTST, FXAM), FPREM and FPREM1, FCOMI/FUCOMI (which leave them unchanged), the loads
 * of a whole environment and FNINIT/FNSTSW define theirs. FFREE leaves all four
 * undefined. Where Intel's manual and AMD's CPUs part (C1 after FCMOVcc and FCOMI: Intel
 * clears it, AMD leaves it), the bit is not compared either: no one answer is the CPU's.
 */
uint16_t diff__fsw_undefined(const struct x86_insn *i)
{
    if (i->map != X86_MAP_ONE_BYTE || i->opcode < 0xd8 || i->opcode > 0xdf)
        return 0;
    unsigned op = i->opcode, digit = i->reg & 7, low = digit << 3 | (i->rm & 7);
    int reg = i->has_modrm && i->mod == 3;

    if ((digit == 2 || digit == 3) &&
        (op == 0xd8 || op == 0xde ||
         (!reg && op != 0xd9 && op != 0xdb && op != 0xdd && op != 0xdf)))
        return 0; /* FCOM, FCOMP, FICOM, FICOMP, FCOMPP (DE D9) */
    if (reg && ((op == 0xdd && (digit == 4 || digit == 5)) || (op == 0xda && low == 0x29)))
        return 0; /* FUCOM, FUCOMP, FUCOMPP */
    if (reg && (op == 0xdb || op == 0xdf) && (digit == 5 || digit == 6))
        return 0x0200; /* FUCOMI, FCOMI (and the popping forms): C0, C2, C3 unchanged; C1
                          is 0 by Intel's manual, left as it was by AMD's CPUs */
    if (reg && op == 0xd9 && (low == 0x24 || low == 0x25 || low == 0x38 || low == 0x35))
        return 0; /* FTST, FXAM, FPREM, FPREM1 */
    if (!reg && ((op == 0xd9 && digit >= 4) || (op == 0xdd && digit >= 4)))
        return 0; /* FLDENV, FLDCW, FNSTENV, FNSTCW, FRSTOR, FNSAVE, FNSTSW */
    if (reg && (op == 0xdd || op == 0xdf) && digit == 0)
        return 0x4700; /* FFREE, FFREEP: C0-C3 all undefined */
    if (reg && (op == 0xda || op == 0xdb) && digit <= 3)
        return 0x4700; /* FCMOVcc: C1 is Intel's 0 without underflow; AMD leaves it */
    if (reg && ((op == 0xdb && low == 0x23) || (op == 0xdf && digit == 4)))
        return 0; /* FNINIT, FNSTSW AX */
    return 0x4500;
}

/* The SSE floating-point operations that can raise an exception (not the moves,
 * logic, shuffles and integer rows). */
static int sse_arith(const struct x86_insn *i)
{
    unsigned op = i->opcode;

    if (i->map != X86_MAP_0F)
        return 0;
    return op == 0x2a || op == 0x2c || op == 0x2d || op == 0x2e || op == 0x2f ||
           (op >= 0x51 && op <= 0x5f && op != 0x54 && op != 0x55 && op != 0x56 && op != 0x57) ||
           op == 0xc2 || op == 0xe6;
}

/* QEMU 5.0 never raises #XM: with an exception unmasked in MXCSR, an SSE arithmetic
 * instruction that Unicorn alone could judge is not compared. */
int diff__xm_possible(const struct x86_insn *i, const struct diff_case *c)
{
    return sse_arith(i) && ((c->fpu.mxcsr >> 7) & 0x3f) != 0x3f;
}

/* Is i one of the SSE3 and SSE4a rows inside the SSE2 map (66/F2 0F 7C, 7D, D0; F2 0F F0;
 * F3 0F 12, 16; F2 0F 12; 66/F2 0F 78, 79), which a CPU without them refuses with #UD? */
int diff__beyond_sse2(const struct x86_insn *i)
{
    unsigned op = i->opcode;
    uint32_t a, b, c, d;

    if (i->map != X86_MAP_0F)
        return 0;
    int sse3 = ((op == 0x7c || op == 0x7d || op == 0xd0) && (i->opsize_pfx || i->rep == 0xf2)) ||
               (op == 0xf0 && i->rep == 0xf2) || ((op == 0x12 || op == 0x16) && i->rep == 0xf3) ||
               (op == 0x12 && i->rep == 0xf2 && i->mod != 3) ||
               ((op == 0x78 || op == 0x79) && (i->opsize_pfx || i->rep == 0xf2));
    if (!sse3)
        return 0;
    system__cpuid(1, 0, &a, &b, &c, &d);
    return !(c & 1); /* CPUID.1:ECX.SSE3 */
}

/*
 * What Unicorn (QEMU 5.0) cannot judge of an x87 or SSE result, where the host did not
 * run the instruction: QEMU before 5.2 does not gather the SSE exception flags into
 * MXCSR (bits 0-5), ignores the x87 precision control, and leaves C1 and the x87
 * exception flags as they were for most operations. So against Unicorn those bits are
 * not compared (mxcsr_mask, fsw_mask: the bits left out), and an x87 case whose
 * precision control is not 64 bits is not compared at all (diff__x87_precision).
 */
void diff__unicorn_fpu_masks(const struct x86_insn *i, uint32_t *mxcsr_mask, uint16_t *fsw_mask)
{
    *mxcsr_mask = sse_arith(i) ? 0x3f : 0;
    *fsw_mask = i->map == X86_MAP_ONE_BYTE && i->opcode >= 0xd8 && i->opcode <= 0xdf ? 0x82ff : 0;
}

int diff__x87_precision(const struct x86_insn *i, const struct diff_case *c)
{
    return i->map == X86_MAP_ONE_BYTE && i->opcode >= 0xd8 && i->opcode <= 0xdf &&
           ((c->fpu.fcw >> 8) & 3) != 3;
}

/*
 * Where Unicorn judges an SSE case (not the host), QEMU 5.0 differs from the CPU so:
 *  - in real mode it raises #UD for every SSE instruction (its 16-bit CPU does not take
 *    CR4.OSFXSR); the register forms go to the host instead, the memory forms are not
 *    compared;
 *  - it never checks the 16-byte alignment of an SSE memory operand: a #GP(0) of the
 *    interpreter on a misaligned operand is not compared against its completion (the
 *    host judges alignment in 64-bit mode, through the same code of the interpreter);
 *  - MASKMOVDQU with a destination not wholly mapped: whether a CPU faults on the bytes
 *    its mask leaves out is implementation-specific (the manual), QEMU does not;
 *  - CMPPS, CMPPD, CMPSS, CMPSD (0F C2) with an immediate above 7: the legacy encoding
 *    uses imm8[2:0] only (the host runs them so), QEMU raises #UD;
 *  - MXCSR.DAZ set: QEMU computes with a denormal input as it is, where the CPU reads it
 *    as a zero first (MAXSS: diff case 32238 of seed 1; SUBPS, MULSD: 5980, 233942 of
 *    seed 6);
 *  - F2 and F3 both: the last one is the mandatory prefix (the interpreter's decoder),
 *    QEMU takes F3 (CVTSI2SS for F3 F2 0F 2A: case 279240 of seed 5);
 *  - a 66 prefix beside F2 or F3: the F2/F3 form is the instruction (the interpreter's
 *    decoder, the manual's mandatory prefix), QEMU takes the 66 form (SQRTPD for
 *    F2 66 0F 51: cases 114864, 158600 of seed 2);
 *  - MXCSR.FTZ set: QEMU 5.0 applies it to its x87 state instead of SSE's and does not
 *    flush tiny SSE results (case 119456 of seed 2).
 */
int diff__unicorn_sse_skipped(const struct diff_case *c, const struct x86_insn *i)
{
    if (i->map != X86_MAP_0F || !diff__fp_insn(i))
        return 0;
    if (c->mode == X86_MODE_16)
        return 1;
    if (i->opcode == 0xc2 && (i->imm & 0xff) > 7)
        return 1;
    if (c->fpu.mxcsr & 0x40) /* DAZ */
        return 1;
    if (scan_prefixes(c->code, c->mode).both_reps)
        return 1;
    if (i->opsize_pfx && i->rep)
        return 1;
    if (c->fpu.mxcsr & 0x8000) /* FTZ */
        return 1;
    if (i->opcode == 0xf7) {
        struct diff_layout l = diff__layout(c->mode);
        uint64_t di = c->r[7] & (i->addrsize == 4   ? 0xffffffffull
                                 : i->addrsize == 2 ? 0xffff
                                                    : ~0ull);
        return di < l.base || di > l.base + l.size - 16; /* rDI + 16 may wrap */
    }
    return 0;
}

int diff__unicorn_misaligned(const struct diff_case *c, const struct x86_insn *i)
{
    return i->map == X86_MAP_0F && diff__fp_insn(i) && i->has_mem &&
           (diff__operand_address(c, i) & 15) != 0;
}

/* Is physical x87 register n of c in use and a NaN, a denormal or an encoding the x87
 * does not support (pseudo-NaN, pseudo-infinity, unnormal, pseudo-denormal)? */
static int x87_special(const struct diff_case *c, unsigned n)
{
    uint64_t sig;
    unsigned exp;

    if (!((c->fpu.ftw >> n) & 1))
        return 0;
    memcpy(&sig, c->fpu.st[n], 8);
    exp = (c->fpu.st[n][8] | c->fpu.st[n][9] << 8) & 0x7fff;
    if (exp == 0x7fff)
        return sig != 1ull << 63;
    return exp == 0 ? sig != 0 : !(sig >> 63);
}

/*
 * Where Unicorn judges an x87 case (outside 64-bit mode, memory forms), QEMU 5.0 differs
 * from the CPU so:
 *  - it raises no #MF for an exception left pending (FSW.ES) before a waiting x87
 *    instruction;
 *  - with a NaN, denormal or unsupported operand in ST(0) or ST(i) it does not quiet an
 *    SNaN it stores, raises no IE for an unsupported encoding, and stores other integer
 *    results than the integer indefinite (FISTTP).
 *  - FNSAVE and FRSTOR with REX.W: it puts the registers at 14 << 2 = 56 bytes into the
 *    image instead of 28 (it shifts by its operand-size code; diff case 110171 of seed 3).
 * The host judges the same code of the interpreter on such operands in 64-bit mode.
 */
int diff__unicorn_x87_skipped(const struct diff_case *c, const struct x86_insn *i)
{
    if (i->map != X86_MAP_ONE_BYTE || i->opcode < 0xd8 || i->opcode > 0xdf || !i->has_modrm)
        return 0;
    if (i->opcode == 0xdd && i->has_mem && ((i->reg & 7) == 4 || (i->reg & 7) == 6) && i->rex_w)
        return 1;
    if (c->fpu.fsw & 0x80)
        return 1;
    unsigned top = (c->fpu.fsw >> 11) & 7;
    return x87_special(c, top) || (i->mod == 3 && x87_special(c, (top + (i->rm & 7)) & 7));
}
