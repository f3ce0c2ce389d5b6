/*
 * diff_report.c - the differential test's runs of many cases and what it prints
 * (chapter 6): a full report of each difference, so whoever fixes it can act on it alone,
 * and a summary by verdict and by opcode. See diff.h.
 */
#include "diff.h"
#include "inspector/disasm.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const verdict_names[DIFF_VERDICTS] = {
    [DIFF_SAME] = "same",
    [DIFF_DIFFERENT] = "different",
    [DIFF_SKIP_UNSUPPORTED] = "skipped: unsupported by the project (SSE, x87, VEX...)",
    [DIFF_SKIP_OUTSIDE] = "skipped: not compared (system, I/O, far transfers)",
    [DIFF_SKIP_EXIT] = "skipped: the interpreter exited to the VMM",
    [DIFF_SKIP_UNDEFINED] = "skipped: result undefined by the manual",
    [DIFF_SKIP_REFERENCE] = "skipped: Unicorn (or the host) could not judge",
};

static const char *const reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* One line of the disassembly of c's instruction, in the project's syntax (AT&T). */
static void disassemble(const struct diff_case *c, char *text, size_t size)
{
    enum disasm_mode mode = c->mode == X86_MODE_16   ? DISASM_REAL16
                            : c->mode == X86_MODE_32 ? DISASM_PROT32
                                                     : DISASM_LONG64;

    disasm__one(mode, c->rip, c->code, X86_MAX_LENGTH, text, size);
}

static const char *end_name(const struct diff_result *r, char *buf, size_t size)
{
    switch (r->end) {
    case DIFF_END_STEP:
        return "completed";
    case DIFF_END_EXCEPTION: /* what: "the manual" when it is the manual's answer */
        snprintf(buf, size, "exception %d%s%s%s", r->vector, r->what[0] ? " (" : "", r->what,
                 r->what[0] ? ")" : "");
        return buf;
    default:
        return r->what;
    }
}

/* Registers three a row, as the project's dumps lay them out; with other, a '*' marks a
 * value that differs from it. */
static void registers(FILE *out, const char *title, enum x86_mode mode, const uint64_t r[16],
                      uint64_t rip, uint64_t rflags, const struct diff_result *other)
{
    int nregs = mode == X86_MODE_64 ? 16 : 8, w = mode == X86_MODE_64 ? 16 : 8;
    uint64_t width = mode == X86_MODE_64 ? ~0ull : 0xffffffffull;

    fprintf(out, "  %s\n", title);
    for (int k = 0; k < nregs; k++) {
        int differs = other && ((r[k] ^ other->r[k]) & width);
        fprintf(out, "%s%4s=%0*llx%c", k % 3 == 0 ? "    " : "  ", reg_names[k], w,
                (unsigned long long)(r[k] & width), differs ? '*' : ' ');
        if (k % 3 == 2)
            fputc('\n', out);
    }
    if (nregs % 3)
        fputc('\n', out);
    fprintf(out, "     rip=%0*llx%c  rflags=%08llx%c\n", w, (unsigned long long)(rip & width),
            other && ((rip ^ other->rip) & width) ? '*' : ' ', (unsigned long long)rflags,
            other && rflags != other->rflags ? '*' : ' ');
}

/* The x87 control, status and tag words, MXCSR, and the x87 registers that differ from
 * other's (all of them when other is NULL: the input). */
static void fpu_state(FILE *out, const struct diff_fpu *f, const struct diff_fpu *other)
{
    fprintf(out, "     fcw=%04x fsw=%04x ftw=%02x mxcsr=%08x\n", f->fcw, f->fsw, f->ftw, f->mxcsr);
    for (int k = 0; k < 8; k++) {
        if (other && memcmp(f->st[k], other->st[k], 10) == 0)
            continue;
        uint64_t mant;
        uint16_t se;
        memcpy(&mant, f->st[k], 8);
        memcpy(&se, f->st[k] + 8, 2);
        fprintf(out, "     r%d=%04x:%016llx\n", k, se, (unsigned long long)mant);
    }
}

void diff__report(FILE *out, const struct diff_case *c, const struct diff_result *tcg,
                  const struct diff_result *ref, const char *why)
{
    char text[128], a[96], b[96];
    char title[128];

    disassemble(c, text, sizeof(text));
    fprintf(out, "%s at %#llx:",
            c->mode == X86_MODE_16   ? "real-16"
            : c->mode == X86_MODE_32 ? "prot-32"
                                     : "long-64",
            (unsigned long long)c->rip);
    for (int k = 0; k < X86_MAX_LENGTH; k++)
        fprintf(out, " %02x", c->code[k]);
    fprintf(out, "\n  %s\n  differs: %s\n", text, why);
    struct x86_insn i;
    int fp = x86__decode(c->code, X86_MAX_LENGTH, c->mode, &i) > 0 && diff__fp_insn(&i);
    registers(out, "input:", c->mode, c->r, c->rip, c->rflags, NULL);
    if (fp)
        fpu_state(out, &c->fpu, NULL);
    snprintf(title, sizeof(title), "stepvm: %s", end_name(tcg, a, sizeof(a)));
    registers(out, title, c->mode, tcg->r, tcg->rip, tcg->rflags, ref);
    if (fp)
        fpu_state(out, &tcg->fpu, &c->fpu);
    snprintf(title, sizeof(title), "%s: %s", ref->native ? "host" : "unicorn",
             end_name(ref, b, sizeof(b)));
    registers(out, title, c->mode, ref->r, ref->rip, ref->rflags, tcg);
    if (fp)
        fpu_state(out, &ref->fpu, &c->fpu);
    fflush(out);
}

/* The map (0: one byte, 1: 0F, else -1) and opcode of c's instruction. */
static int opcode_of(const struct diff_case *c, uint8_t *opcode)
{
    struct x86_insn i;

    x86__decode(c->code, X86_MAX_LENGTH, c->mode, &i);
    *opcode = i.opcode;
    return i.map == X86_MAP_ONE_BYTE ? 0 : i.map == X86_MAP_0F ? 1 : -1;
}

unsigned long diff__fuzz(struct diff *d, uint64_t seed, uint64_t first, uint64_t count,
                         unsigned max_reports, FILE *out, struct diff_stats *st)
{
    struct timespec t0, t1;
    struct diff_case c;
    struct diff_result tcg, ref;
    char why[256];
    unsigned long differences = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t n = first; n < first + count; n++) {
        diff__generate(seed, n, &c);
        enum diff_verdict v = diff__run(d, &c, &tcg, &ref, why, sizeof(why));
        st->cases++;
        st->by_verdict[v]++;
        struct x86_insn fi;
        int fd = x86__decode(c.code, X86_MAX_LENGTH, c.mode, &fi);
        if ((fd > 0 || (fi.unsupported && fi.length)) && diff__fp_insn(&fi)) {
            int map = fi.map == X86_MAP_ONE_BYTE ? 0 : fi.opsize_pfx || fi.rep ? 2 : 1;
            st->fp_cases++;
            st->fp_by_opcode[map][fi.opcode]++;
            st->fp_compared += v == DIFF_SAME || v == DIFF_DIFFERENT;
            st->fp_native += (v == DIFF_SAME || v == DIFF_DIFFERENT) && ref.native;
        }
        if (v == DIFF_SAME || v == DIFF_DIFFERENT) {
            st->by_mode[c.mode == X86_MODE_16 ? 0 : c.mode == X86_MODE_32 ? 1 : 2]++;
            st->completed += tcg.end == DIFF_END_STEP;
        }
        if (v != DIFF_DIFFERENT)
            continue;
        uint8_t op;
        int map = opcode_of(&c, &op);
        if (map >= 0 && st->by_opcode[map][op]++ == 0)
            st->example[map][op] = n;
        if (differences++ < max_reports) {
            fprintf(out,
                    "difference: case %llu of seed %llu (STEPVM_DIFF_SEED=%llu "
                    "STEPVM_DIFF_FIRST=%llu STEPVM_DIFF_CASES=1 replays it)\n",
                    (unsigned long long)n, (unsigned long long)seed, (unsigned long long)seed,
                    (unsigned long long)n);
            diff__report(out, &c, &tcg, &ref, why);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return differences;
}

/* An opcode and how often it differed, for sorting. */
struct tally {
    int map, op;
    unsigned long count;
};

static int by_count(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;

    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

void diff__summary(FILE *out, const struct diff_stats *st)
{
    static struct tally t[512];
    int n = 0;

    unsigned long compared = st->by_verdict[DIFF_SAME] + st->by_verdict[DIFF_DIFFERENT];

    fprintf(out,
            "diff: %lu cases in %.1f s (%.0f a second); compared %lu (16-bit %lu, 32-bit %lu, "
            "64-bit %lu; %lu completed, %lu raised an exception)\n",
            st->cases, st->seconds, st->seconds > 0 ? (double)st->cases / st->seconds : 0.0,
            compared, st->by_mode[0], st->by_mode[1], st->by_mode[2], st->completed,
            compared - st->completed);
    for (int v = 0; v < DIFF_VERDICTS; v++)
        fprintf(out, "  %8lu %s\n", st->by_verdict[v], verdict_names[v]);
    unsigned long kinds[3] = {0, 0, 0};
    for (int map = 0; map < 3; map++)
        for (int op = 0; op < 256; op++)
            kinds[map] += st->fp_by_opcode[map][op] != 0;
    fprintf(out,
            "  x87/SSE: %lu cases (%lu compared, %lu of them against the host CPU); opcodes "
            "made: %lu x87 (D8-DF, 9B), %lu 0F, %lu 66/F2/F3 0F\n",
            st->fp_cases, st->fp_compared, st->fp_native, kinds[0], kinds[1], kinds[2]);
    for (int map = 0; map < 2; map++)
        for (int op = 0; op < 256; op++)
            if (st->by_opcode[map][op])
                t[n++] = (struct tally){map, op, st->by_opcode[map][op]};
    qsort(t, (size_t)n, sizeof(t[0]), by_count);
    for (int k = 0; k < n && k < 20; k++)
        fprintf(out, "  differences in %s%02X: %lu (first: case %llu)\n", t[k].map ? "0F " : "",
                t[k].op, t[k].count, (unsigned long long)st->example[t[k].map][t[k].op]);
    fflush(out);
}
