/*
 * bench_x86.c - how fast stepvm's x86 decoder is next to Zydis (chapter 6), measured side
 * by side: instructions decoded per second on the random corpus of the tests, and on real
 * 64-bit code (the largest executable segment loaded in this process, libc's, decoded
 * from start to end).
 *
 * usage: bench-x86 [N]   (N strings a mode, 1000000 by default)
 */
#include "x86_oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 3 /* the best of three runs, so one preemption does not decide */

enum decoder { STEPVM, ZYDIS_INSTRUCTION, ZYDIS_FULL };

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The instructions to decode: at[i] points to one, with X86_CORPUS_LEN bytes readable. */
struct work {
    const uint8_t **at;
    size_t n;
};

/* Decodes the n instructions once with one decoder; returns the seconds it took. */
static double run(enum decoder d, const ZydisDecoder *zydis, enum x86_mode mode,
                  const struct work *w, unsigned long *sink)
{
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    struct x86_insn in;
    double t0 = now();

    for (size_t i = 0; i < w->n; i++) {
        const uint8_t *b = w->at[i];
        if (d == STEPVM)
            *sink += (unsigned long)x86__decode(b, X86_CORPUS_LEN, mode, &in);
        else if (d == ZYDIS_INSTRUCTION)
            *sink += ZydisDecoderDecodeInstruction(zydis, NULL, b, X86_CORPUS_LEN, &z) + z.length;
        else
            *sink += ZydisDecoderDecodeFull(zydis, b, X86_CORPUS_LEN, &z, ops) + z.length;
    }
    return now() - t0;
}

/* The best rate, in millions of decodes a second, of ROUNDS runs. */
static double rate(enum decoder d, const ZydisDecoder *zydis, enum x86_mode mode,
                   const struct work *w, unsigned long *sink)
{
    double best = 1e30;

    for (int r = 0; r < ROUNDS; r++) {
        double t = run(d, zydis, mode, w, sink);
        best = t < best ? t : best;
    }
    return (double)w->n / best / 1e6;
}

/* Prints one row: the three rates and stepvm's ratios to Zydis's. */
static void row(const char *name, const ZydisDecoder *zydis, enum x86_mode mode,
                const struct work *w, unsigned long *sink)
{
    double mine = rate(STEPVM, zydis, mode, w, sink);
    double zi = rate(ZYDIS_INSTRUCTION, zydis, mode, w, sink);
    double zf = rate(ZYDIS_FULL, zydis, mode, w, sink);

    printf("%-12s %10.1f %12.1f %12.1f %9.1fx %9.1fx\n", name, mine, zi, zf, mine / zi, mine / zf);
}

/* Fills w with the instruction starts of real code, up to max of them, as stepvm sees them
 * (one byte on when it refuses one). Returns 0, or -1 when there is no code to read. */
static int real_code(struct work *w, size_t max)
{
    const uint8_t *start;
    size_t size, pos = 0;
    struct x86_insn in;

    if (x86_host_code(&start, &size) < 0)
        return -1;
    w->n = 0;
    while (w->n < max && pos + X86_CORPUS_LEN <= size) {
        int len = x86__decode(start + pos, X86_CORPUS_LEN, X86_MODE_64, &in);
        w->at[w->n++] = start + pos;
        pos += len > 0 ? (size_t)len : in.length > 0 ? in.length : 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
    uint8_t *corpus = malloc(n * X86_CORPUS_LEN);
    struct work w = {malloc(n * sizeof(*w.at)), n};
    struct x86_oracle oracle;
    unsigned long sink = 0;

    if (argc > 2 || n == 0 || !corpus || !w.at) {
        fprintf(stderr, "usage: bench-x86 [N]   (N > 0 random strings a mode)\n");
        return 1;
    }
    x86_oracle_init(&oracle);
    printf("x86 decoding, %zu random strings a mode (M decodes/s, best of %d)\n", n, ROUNDS);
    printf("%-12s %10s %12s %12s %10s %10s\n", "corpus", "stepvm", "zydis-insn", "zydis-full",
           "vs insn", "vs full");
    for (int m = 0; m < 3; m++) {
        struct x86_corpus c;
        char name[32];

        x86_corpus_init(&c, 0xBE4C + (uint64_t)m);
        for (size_t i = 0; i < n; i++) {
            x86_corpus_next(&c, corpus + i * X86_CORPUS_LEN);
            w.at[i] = corpus + i * X86_CORPUS_LEN;
        }
        w.n = n;
        snprintf(name, sizeof(name), "random-%d", (int)modes[m]);
        row(name, x86_oracle_zydis(&oracle, modes[m]), modes[m], &w, &sink);
    }
    if (real_code(&w, n) == 0) {
        row("libc-64", x86_oracle_zydis(&oracle, X86_MODE_64), X86_MODE_64, &w, &sink);
        printf("(libc-64: %zu instructions of libc's code, in order)\n", w.n);
    }
    printf("(zydis-insn: ZydisDecoderDecodeInstruction, no operands; zydis-full: with operands;"
           " checksum %lu)\n",
           sink % 1000);
    free(w.at);
    free(corpus);
    return 0;
}
