/*
 * x86_oracle.h - stepvm's x86 decoder checked against Zydis 4 (chapter 6): a random corpus
 * of byte strings shaped like instructions, and the comparison of both decoders on each.
 */
#ifndef STEPVM_X86_ORACLE_H
#define STEPVM_X86_ORACLE_H

#include "x86/decode.h"

#include <Zydis/Zydis.h>
#include <stddef.h>
#include <stdint.h>

/** Each corpus string is this long: the longest instruction. */
#define X86_CORPUS_LEN X86_MAX_LENGTH

/** A reproducible stream of random byte strings (xorshift64*, fixed seed). */
struct x86_corpus {
    uint64_t state;
};

/** Starts the stream at seed (not 0). */
void x86_corpus_init(struct x86_corpus *c, uint64_t seed);

/**
 * Writes the next X86_CORPUS_LEN bytes into out: biased so that prefixes, REX, the 0F
 * escapes, SIB bytes and the disp32/RIP-relative ModRM forms are common, with an
 * occasional run of prefixes long enough to pass 15 bytes. Returns how many of them to
 * decode: X86_CORPUS_LEN, or fewer for one string in 16 (a truncated instruction).
 */
size_t x86_corpus_next(struct x86_corpus *c, uint8_t *out);

/**
 * Finds real 64-bit code: the largest executable segment loaded in this process (libc's).
 * Sets *start and *size and returns 0, or returns -1 when there is none.
 */
int x86_host_code(const uint8_t **start, size_t *size);

/** Zydis set up for the three modes stepvm decodes. */
struct x86_oracle {
    ZydisDecoder zydis16, zydis32, zydis64;
};

/** What the comparisons found, by kind. */
struct x86_oracle_stats {
    unsigned long compared;             /* both decoded it: length, sizes, operands compared */
    unsigned long both_invalid;         /* both refused it (#UD, too long or truncated) */
    unsigned long length_only;          /* stepvm does not execute it; lengths compared */
    unsigned long excluded_vex;         /* VEX, EVEX, XOP: not decoded by stepvm, not compared */
    unsigned long excluded_unsupported; /* unsupported by stepvm and invalid for Zydis */
    unsigned long mismatches;
};

/** Sets up Zydis (16-bit legacy, 32-bit legacy, 64-bit long mode). */
void x86_oracle_init(struct x86_oracle *o);

/** Returns the Zydis decoder for mode. */
const ZydisDecoder *x86_oracle_zydis(const struct x86_oracle *o, enum x86_mode mode);

/**
 * Decodes bytes[0..len) in mode with both decoders and compares what stepvm claims (see
 * x86_oracle.c), counting the outcome in *stats. Returns 0 when they agree, else -1 with
 * a one-line description of the first difference in why.
 */
int x86_oracle_check(const struct x86_oracle *o, const uint8_t *bytes, size_t len,
                     enum x86_mode mode, struct x86_oracle_stats *stats, char *why, size_t size);

#endif
