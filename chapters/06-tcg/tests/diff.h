/*
 * diff.h - the differential test of chapter 6's interpreter: one instruction run from the
 * same state by the interpreter and by Unicorn (QEMU's CPU as a library), and every
 * register, flag and byte of memory they leave compared.
 *
 * A case is a mode (64-bit long mode, 32-bit protected mode, 16-bit real mode), the
 * general registers, RFLAGS and the bytes at RIP; memory holds a code, a data and a stack
 * region filled from the case's seed. diff_gen.c makes random cases biased towards the
 * integer instructions the interpreter executes; diff.c runs and compares them.
 */
#ifndef STEPVM_DIFF_H
#define STEPVM_DIFF_H

#include "mem.h"
#include "vcpu.h"
#include "x86/decode.h"

#include <stdint.h>
#include <stdio.h>

/* The memory both engines share, by mode: [base, base + size) is mapped and compared. In
 * 64-bit and 32-bit mode the interpreter's page tables map only that range, so an access
 * elsewhere faults in both engines; real mode maps its whole 64 KiB. */
#define DIFF_BASE_PAGED 0x10000ull /* code, then data, then stack: 16 KiB each */
#define DIFF_BASE_REAL  0x0ull
#define DIFF_REGION     0x4000ull
#define DIFF_SIZE_PAGED (3 * DIFF_REGION)
#define DIFF_SIZE_REAL  0x10000ull
#define DIFF_CODE_REAL  0x1000ull /* real mode: the regions start here instead */
#define DIFF_GS_BASE    0x100ull  /* 64-bit mode: GS has a base, so overrides are seen */

/** The code, data and stack regions of a mode. */
struct diff_layout {
    uint64_t base, size; /* the mapped, compared range */
    uint64_t code, data, stack;
};

/** Returns the layout of mode (16, 32 or 64). */
struct diff_layout diff__layout(enum x86_mode mode);

/** The x87 and SSE state of a case or of a result: what FXSAVE holds, by field. */
struct diff_fpu {
    uint8_t st[8][10];   /* the physical registers R0-R7 (ST(i) is R[(TOP + i) & 7]), 80-bit */
    uint16_t fcw, fsw;   /* control word; status word with TOP in bits 13:11 */
    uint8_t ftw;         /* the abridged tag: bit i set while Ri holds a value */
    uint32_t mxcsr;      /* SSE control and status */
    uint64_t xmm[16][2]; /* XMM0-XMM15 (XMM8-15 only in 64-bit mode), low quadword first */
};

/** One case: the state both engines start from. */
struct diff_case {
    enum x86_mode mode;
    uint8_t code[X86_MAX_LENGTH]; /* the instruction at rip, padded with random bytes */
    uint64_t rip;                 /* linear address (segment bases are 0) */
    uint64_t r[16];               /* RAX..R15 by encoding; only the low 32 bits outside 64-bit */
    uint64_t rflags;              /* IF and TF clear */
    uint64_t mem_seed;            /* the contents of memory: diff__fill_memory(mem_seed) */
    /* A few bytes written over that memory (hand-written cases), when poke_len != 0. */
    uint64_t poke_addr;
    uint8_t poke[16];
    unsigned poke_len;
    struct diff_fpu fpu; /* CR0.MP, NE set, EM, TS clear; CR4.OSFXSR, OSXMMEXCPT set */
};

/** How an engine's run of one case ended. */
enum diff_end {
    DIFF_END_STEP,      /* the instruction completed */
    DIFF_END_EXCEPTION, /* it raised vector */
    DIFF_END_MEMFAULT,  /* Unicorn: an access outside the mapped memory */
    DIFF_END_EXIT,      /* the interpreter: an I/O, MMIO, HLT or shutdown exit */
    DIFF_END_FAILED,    /* the engine could not run it at all (what says why) */
};

/** What one engine left. */
struct diff_result {
    enum diff_end end;
    int vector;     /* DIFF_END_EXCEPTION: the vector; #UD is 6 for both engines */
    uint32_t error; /* the interpreter's error code (Unicorn does not report one) */
    uint64_t r[16], rip, rflags;
    const uint8_t *mem; /* the mapped range after the run (the engine's own copy) */
    char what[64];      /* DIFF_END_EXIT and DIFF_END_FAILED: what happened */
    struct diff_fpu fpu;
    int native; /* the reference is the host CPU, not Unicorn (diff_native.c) */
};

/** What diff__run concluded. */
enum diff_verdict {
    DIFF_SAME,             /* compared, and equal */
    DIFF_DIFFERENT,        /* compared, and something differs */
    DIFF_SKIP_UNSUPPORTED, /* the project does not execute it (SSE, x87, VEX...) */
    DIFF_SKIP_OUTSIDE,     /* not an instruction this test compares (system, I/O, far) */
    DIFF_SKIP_EXIT,        /* the interpreter needed the VMM (I/O, MMIO, HLT) */
    DIFF_SKIP_UNDEFINED,   /* the manual leaves its result undefined */
    DIFF_SKIP_REFERENCE,   /* neither Unicorn nor the host can judge it (see diff.c) */
    DIFF_VERDICTS
};

/** Counts over many cases. */
struct diff_stats {
    unsigned long cases;
    unsigned long by_verdict[DIFF_VERDICTS];
    unsigned long by_mode[3];           /* cases compared in 16, 32 and 64-bit mode */
    unsigned long completed;            /* compared cases where the instruction completed */
    unsigned long by_opcode[2][256];    /* differences by map (one byte, 0F) and opcode */
    uint64_t example[2][256];           /* the first differing case number of each opcode */
    unsigned long fp_cases;             /* x87 and SSE cases (decoded, in diff__fp_insn) */
    unsigned long fp_compared;          /* of them, compared */
    unsigned long fp_native;            /* of them, compared against the host CPU */
    unsigned long fp_by_opcode[3][256]; /* x87/SSE cases made, by map: D8-DF, 0F, 66/F2/F3 0F */
    double seconds;
};

struct diff;

/** Sets up both engines in the three modes. NULL (with a message on stderr) on error. */
struct diff *diff__new(void);

/** Frees them. */
void diff__free(struct diff *d);

/**
 * Runs case c in both engines. Fills *tcg and *ref (Unicorn) unless the case is skipped
 * before running; on DIFF_DIFFERENT writes what differs (one line) into why.
 */
enum diff_verdict diff__run(struct diff *d, const struct diff_case *c, struct diff_result *tcg,
                            struct diff_result *ref, char *why, size_t size);

/** Writes a full report of case c and both results: mode, bytes, disassembly, registers. */
void diff__report(FILE *out, const struct diff_case *c, const struct diff_result *tcg,
                  const struct diff_result *ref, const char *why);

/**
 * Runs cases first .. first + count - 1 of the random stream seed, adding to *st, and
 * reports the first max_reports differences in full on out. Returns the differences.
 */
unsigned long diff__fuzz(struct diff *d, uint64_t seed, uint64_t first, uint64_t count,
                         unsigned max_reports, FILE *out, struct diff_stats *st);

/** Prints the counts: cases a second, verdicts, and the twenty opcodes that differ most. */
void diff__summary(FILE *out, const struct diff_stats *st);

/**
 * Unicorn against the host CPU alone, on the x87 and SSE cases the host can run
 * (diff__native_ok): runs cases first .. first + count - 1 of stream seed, prints the first
 * max_reports disagreements in full and a tally by opcode. Returns the disagreements.
 * Needs no interpreter support: this is how Unicorn's answers for the FPU are judged.
 */
unsigned long diff__unicorn_vs_host(struct diff *d, uint64_t seed, uint64_t first, uint64_t count,
                                    unsigned max_reports, FILE *out);

/* ---- diff_native.c: the host CPU as a third reference for x87 and SSE ---- */

/**
 * Runs the instruction i of c (64-bit mode: diff__native_fits) on the host CPU from c's
 * general registers, RFLAGS, x87 and SSE state and memory (mem: the mapped range as the
 * case starts), mapped at the case's own addresses. Fills res: registers, RIP, flags,
 * FPU state, res->mem (the host's copy of the range) and res->end (an exception: the
 * vector the host's trap number gives). Returns 0, or -1 when it cannot run.
 */
int diff__native_run(const struct diff_case *c, const struct x86_insn *i, const uint8_t *mem,
                     struct diff_result *res);

/**
 * Can the host judge i run from c: diff__native_ok, and every byte its memory operand may
 * touch either in the mapped range or certain to fault in the host as in the interpreter?
 */
int diff__native_fits(const struct diff_case *c, const struct x86_insn *i);

/**
 * An interpreter vCPU set up as this test sets up its own for mode, over a memory of its
 * own (*mem, made here: guest_mem__exit it after tcg_vcpu__free): page tables for the
 * mapped range, flat segments, exceptions trapped, not single-stepping. NULL on error.
 * The block test (blocks.c) runs programs of many cases on two of them.
 */
struct vcpu *diff__interp_new(enum x86_mode mode, struct guest_mem *mem);

/* ---- diff_gen.c ---- */

/** Makes case number n of the random stream seed (the same case every time). */
void diff__generate(uint64_t seed, uint64_t n, struct diff_case *c);

/** Fills the mapped range of mode (size bytes) from seed, as every case starts. */
void diff__fill_memory(uint64_t seed, enum x86_mode mode, uint8_t *mem, uint64_t size);

/* ---- diff_rules.c: what is compared, and where the manual is believed over Unicorn ---- */

/** An opcode of the compared set, of the 0F map when map0f, chosen by the random r. */
uint8_t diff__pick_opcode(int map0f, uint64_t r);

/** Is i an instruction this test compares: integer, no system, I/O or far effect? */
int diff__compared(const struct x86_insn *i);

/** Is i a string instruction with a REP prefix? */
int diff__rep_string(const struct x86_insn *i);

/** Does the manual leave the result of i, run from c, undefined? */
int diff__undefined_result(const struct x86_insn *i, const struct diff_case *c);

/** Is i (with its bytes code) where QEMU's CPU is known to part from the manual? */
int diff__unicorn_deviates(const struct x86_insn *i, const uint8_t *code);

/** Does the manual say #UD for i where Unicorn runs it? */
int diff__manual_ud(const struct x86_insn *i);

/** An opcode of the SSE/SSE2 part of the 0F map, chosen by the random r. */
uint8_t diff__pick_sse_opcode(uint64_t r);

/** Is i an MMX form the interpreter's CPUID says it lacks (then it is not compared)? */
int diff__mmx_skipped(const struct x86_insn *i);

/** Is i an x87 (D8-DF, 9B) or SSE/SSE2 (0F 10-17, 28-2F, 50-7F, AE, C2-C6, D0-FF) one? */
int diff__fp_insn(const struct x86_insn *i);

/** Is i an x87/SSE instruction of 64-bit mode the host can run as the interpreter would? */
int diff__native_ok(const struct x86_insn *i);

/** Do CPU models differ on i's result (RCPPS, RSQRTPS; x87 transcendentals)? */
int diff__model_specific(const struct x86_insn *i);

/** The bits of FSW the manual leaves undefined after i (C0-C3 for most instructions). */
uint16_t diff__fsw_undefined(const struct x86_insn *i);

/** Does i's MXCSR unmask an exception that Unicorn, which never raises \#XM, would miss? */
int diff__xm_possible(const struct x86_insn *i, const struct diff_case *c);

/** The linear address of i's memory operand in case c (offset plus segment base). */
uint64_t diff__operand_address(const struct diff_case *c, const struct x86_insn *i);

/** Is i an SSE3/SSE4a row the interpreter's CPUID says it lacks (the manual: \#UD)? */
int diff__beyond_sse2(const struct x86_insn *i);

/** The MXCSR and FSW bits Unicorn cannot judge after i (see diff_rules.c). */
void diff__unicorn_fpu_masks(const struct x86_insn *i, uint32_t *mxcsr_mask, uint16_t *fsw_mask);

/** Is i an x87 instruction run with a precision control Unicorn ignores? */
int diff__x87_precision(const struct x86_insn *i, const struct diff_case *c);

/** Is i, an SSE case of c, one Unicorn cannot judge (real mode, MASKMOVDQU off the range)? */
int diff__unicorn_sse_skipped(const struct diff_case *c, const struct x86_insn *i);

/** Is i, an x87 case of c, one Unicorn cannot judge (pending #MF, special operands)? */
int diff__unicorn_x87_skipped(const struct diff_case *c, const struct x86_insn *i);

/** Is i an SSE instruction whose memory operand in c is not 16-byte aligned? */
int diff__unicorn_misaligned(const struct diff_case *c, const struct x86_insn *i);

/** Is rip a branch target the CPU refuses with #GP(0) in mode? */
int diff__bad_target(enum x86_mode mode, uint64_t rip);

/** Does i, run from c, write over its own bytes (writes_mem: it writes its operand)? */
int diff__writes_own_bytes(const struct diff_case *c, const struct x86_insn *i, int writes_mem);

/** Does i write through CS in protected mode (#GP(0)), given that it writes memory? */
int diff__cs_write(const struct x86_insn *i, int writes_mem);

#endif
