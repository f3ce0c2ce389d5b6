/*
 * bench_x86.c - how fast stepvm's x86 decoder is next to Zydis (chapter 6), measured side
 * by side on the same random corpus as the tests: instructions decoded per second.
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

/* Decodes the n strings once with one decoder; returns the seconds it took. */
static double run(enum decoder d, const ZydisDecoder *zydis, enum x86_mode mode,
                  const uint8_t *corpus, size_t n, unsigned long *sink)
{
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    struct x86_insn in;
    double t0 = now();

    for (size_t i = 0; i < n; i++) {
        const uint8_t *b = corpus + i * X86_CORPUS_LEN;
        if (d == STEPVM)
            *sink += (unsigned long)x86_decode(b, X86_CORPUS_LEN, mode, &in);
        else if (d == ZYDIS_INSTRUCTION)
            *sink += ZydisDecoderDecodeInstruction(zydis, NULL, b, X86_CORPUS_LEN, &z) + z.length;
        else
            *sink += ZydisDecoderDecodeFull(zydis, b, X86_CORPUS_LEN, &z, ops) + z.length;
    }
    return now() - t0;
}

/* The best rate, in millions of decodes a second, of ROUNDS runs. */
static double rate(enum decoder d, const ZydisDecoder *zydis, enum x86_mode mode,
                   const uint8_t *corpus, size_t n, unsigned long *sink)
{
    double best = 1e30;

    for (int r = 0; r < ROUNDS; r++) {
        double t = run(d, zydis, mode, corpus, n, sink);
        best = t < best ? t : best;
    }
    return (double)n / best / 1e6;
}

int main(int argc, char **argv)
{
    static const enum x86_mode modes[] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
    uint8_t *corpus = malloc(n * X86_CORPUS_LEN);
    struct x86_oracle oracle;
    unsigned long sink = 0;

    if (argc > 2 || n == 0 || !corpus) {
        fprintf(stderr, "usage: bench-x86 [N]   (N > 0 random strings a mode)\n");
        return 1;
    }
    x86_oracle_init(&oracle);
    printf("x86 decoding, %zu random strings a mode (M decodes/s, best of %d)\n", n, ROUNDS);
    printf("%-6s %10s %12s %12s %10s %10s\n", "mode", "stepvm", "zydis-insn", "zydis-full",
           "vs insn", "vs full");
    for (int m = 0; m < 3; m++) {
        struct x86_corpus c;
        const ZydisDecoder *zydis = x86_oracle_zydis(&oracle, modes[m]);

        x86_corpus_init(&c, 0xBE4C + (uint64_t)m);
        for (size_t i = 0; i < n; i++)
            x86_corpus_next(&c, corpus + i * X86_CORPUS_LEN);
        double mine = rate(STEPVM, zydis, modes[m], corpus, n, &sink);
        double zi = rate(ZYDIS_INSTRUCTION, zydis, modes[m], corpus, n, &sink);
        double zf = rate(ZYDIS_FULL, zydis, modes[m], corpus, n, &sink);
        printf("%-6d %10.1f %12.1f %12.1f %9.1fx %9.1fx\n", (int)modes[m], mine, zi, zf,
               mine / zi, mine / zf);
    }
    printf("(zydis-insn: ZydisDecoderDecodeInstruction, no operands; zydis-full: with operands;"
           " checksum %lu)\n", sink % 1000);
    free(corpus);
    return 0;
}
