/*
 * block.h - translation blocks: straight runs of guest instructions decoded once, found by
 * guest-physical address and mode, and chained to their successors (chapter 6, block.c).
 */
#ifndef STEPVM_TCG_BLOCK_H
#define STEPVM_TCG_BLOCK_H

#include "cpu.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* [block] */
/* One instruction of a block: decoded, with the code that executes it. */
struct tcg_op {
    tcg_exec_fn exec; /* NULL: no code for it (#UD when it runs) */
    struct x86_insn insn;
};

/* A block's remembered successor: the block that ran after it last time, and that block's
 * serial then. A serial is never given twice, so a link to a block that has been dropped
 * (its slot reused, or the whole cache emptied) sees another serial and is not followed:
 * dropping a block unchains it without a walk over the blocks that point to it. */
struct tcg_link {
    struct tcg_block *to;
    uint64_t serial;
};

/* A translation block: up to BLOCK_MAX_INSNS instructions from one page, ending at the
 * first that may branch or change how the following ones decode. */
struct tcg_block {
    uint64_t key;       /* guest-physical address << 2 | mode (16, 32, 64 as 0, 1, 2); 0: empty */
    uint64_t gen;       /* the code map's generation it was decoded in (tcg.c's [smc]) */
    uint64_t serial;    /* unique to this translation: see struct tcg_link */
    struct tcg_op *op;  /* its instructions, in the vCPU's pool */
    unsigned n;         /* how many */
    unsigned next_link; /* the link the next new successor replaces */
    struct tcg_link link[2]; /* successors: a branch's two ways, typically */
    void *host;              /* its host code (jit.c), valid while host_gen is the JIT's gen */
    uint64_t host_gen;       /* the JIT code buffer's generation host was made in */
    unsigned runs;           /* times it ran in the interpreter: jit.c compiles hot blocks */
};
/* [block] */

#define BLOCK_SLOTS 8192 /* blocks a vCPU keeps, direct-mapped by guest-physical address */

/**
 * The table that holds block b (a live one): BLOCK_SLOTS blocks, the one for
 * guest-physical address p at p % BLOCK_SLOTS. jit.c's host code looks there itself.
 */
struct tcg_block *block__table(struct tcg_block *b);

/** The blocks of one vCPU; NULL when out of memory. */
struct tcg_blocks *block__cache_new(void);
void block__cache_free(struct tcg_blocks *b);

/** Host bytes the cache takes, and the blocks it translated so far. */
size_t block__cache_bytes(const struct tcg_blocks *b);

/**
 * The block that starts at linear (CS.base + RIP), in c's mode: found through the fetch
 * TLB and the cache, or translated now. NULL when the instruction there must run alone
 * (the TLB has no entry yet, the code is not in RAM below 4 GiB, the page holds no decoded
 * code yet, or the first instruction does not decode): tcg.c then decodes it the slow way,
 * which also raises its fault. Never faults itself.
 */
struct tcg_block *block__find(struct tcg_cpu *c, uint64_t linear);

/** The mode bits of a key: how code decodes (16, 32 or 64-bit as 0, 1, 2). */
static inline unsigned block__mode_bits(const struct tcg_cpu *c)
{
    return c->mode == X86_MODE_64 ? 2 : c->mode == X86_MODE_32;
}

/**
 * Finds the block at linear as block__find does, and links from to it when both lie in
 * one physical page (block__next follows the link from then on).
 */
struct tcg_block *block__link(struct tcg_cpu *c, struct tcg_block *from, uint64_t page,
                              uint64_t linear);

/* [chain] */
/*
 * Chaining: when a block ends, the next one is usually the one that came after it last
 * time, and a link remembers it, so that no TLB and no table is looked at. A link may
 * only be followed where a lookup would have found the same block; blocks are found by
 * linear address through the fetch TLB, so the rule is about that mapping:
 *
 *   - from ran to its end with c->tb_stop clear: no TLB flush (CR3, CR0, CR4, EFER,
 *     INVLPG, a change of CPL) and no write to code happened since from was entered. So
 *     the linear page from was entered in (page) still maps to from's physical page.
 *   - the next RIP's linear address (CS.base + RIP, CS as it is now) is in that same
 *     linear page: its physical address is from's page plus the offset, without the TLB.
 *   - the linked block starts at that offset of from's page (links are only made between
 *     blocks of one physical page), was decoded for the mode the CPU is in now, is still
 *     alive (its serial) and was decoded in the current generation of the code map.
 *
 * A next RIP in another page always goes through the TLB (block__link, block__find): a
 * page can be run through two linear mappings, and only its own page is sure to map the
 * same way through both. QEMU chains only within a page for the same reason.
 *
 * Returns the block after from, which ran to its end cleanly (c->tb_stop clear) after it
 * was entered in the linear page page; NULL as block__find.
 */
static inline struct tcg_block *block__next(struct tcg_cpu *c, struct tcg_block *from,
                                            uint64_t page, uint64_t linear)
{
    if ((linear & ~0xfffull) == page) {
        uint64_t key = ((from->key >> 2 & ~0xfffull) | (linear & 0xfff)) << 2 | block__mode_bits(c);
        uint64_t gen = atomic_load_explicit(&c->code->gen, memory_order_acquire);
        for (int k = 0; k < 2; k++) {
            struct tcg_block *to = from->link[k].to;
            if (to && to->serial == from->link[k].serial && to->key == key && to->gen == gen)
                return to;
        }
    }
    return block__link(c, from, page, linear);
}
/* [chain] */

/**
 * Code made for i's exact operand form (fast.c), doing what the generic code does for it;
 * NULL when i has none and the generic code runs it.
 */
tcg_exec_fn fast__pick(const struct x86_insn *i);

#endif
