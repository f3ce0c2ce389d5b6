/*
 * block.c - translation blocks (chapter 6): a straight run of guest instructions is
 * decoded once into a block, found again by guest-physical address and mode, and chained
 * to the block that ran after it, so that tcg.c's run loop looks nothing up between the
 * instructions of a block, and mostly nothing between blocks either.
 */
#include "block.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_MAX_INSNS 32                /* instructions a block holds at most */
#define BLOCK_OPS       (BLOCK_SLOTS * 8) /* instructions of all blocks together */

/* [blocks] */
/*
 * A vCPU's blocks: a table of slots by guest-physical address, and one pool that holds
 * the instructions of every block, handed out in order. A block that loses its slot to
 * another leaves its instructions in the pool; when the pool is full, every block goes at
 * once and the pool starts again (QEMU empties its code buffer the same way). Blocks are
 * the vCPU's own, as the decoded-instruction cache was: the vCPUs share only the code map,
 * so no lock guards a block, and a block is never freed under another thread.
 *
 * A write to code by the vCPU itself ends the running block at once (c->tb_stop). A write
 * by another vCPU or by a device's DMA bumps the shared generation, which the next block
 * boundary sees: the block running then finishes first. The instruction-at-a-time loop
 * sees it one instruction sooner; neither is an instruction boundary the other CPU could
 * name (the SDM asks a CPU that runs code another one modified for a serializing
 * instruction first, and every block ends at those).
 */
struct tcg_blocks {
    struct tcg_block slot[BLOCK_SLOTS];
    struct tcg_op op[BLOCK_OPS];
    unsigned used;   /* instructions of the pool handed out */
    uint64_t serial; /* the last serial given to a block */
};
/* [blocks] */

struct tcg_blocks *block__cache_new(void)
{
    return calloc(1, sizeof(struct tcg_blocks));
}

void block__cache_free(struct tcg_blocks *b)
{
    free(b);
}

size_t block__cache_bytes(const struct tcg_blocks *b)
{
    return b ? sizeof(*b) : 0;
}

/* Drops every block: their serials die with them (0 is never given), so no link, and no
 * direct jump of the JIT's (jit.c, guard()), leads to one any more. */
static void cache_flush(struct tcg_blocks *b)
{
    for (unsigned k = 0; k < BLOCK_SLOTS; k++) {
        b->slot[k].key = 0;
        b->slot[k].serial = 0;
    }
    b->used = 0;
}

/* [ends] */
/*
 * Whether a block ends after instruction i. A branch ends it (its successor is another
 * block); so does whatever may change how the next instructions decode or where their
 * bytes come from: a far transfer, an interrupt or a return from one, a write to a
 * control register, an MSR or a segment, INVLPG and the rest of group 7, HLT. These end
 * the block where they are, so that their effect is seen by the next lookup; mmu.c's TLB
 * flush and a write to code also stop a running block (c->tb_stop), whatever instruction
 * did them, so this list is what makes blocks short where it pays, not what keeps them right.
 */
static int ends_block(const struct x86_insn *i)
{
    uint8_t op = i->opcode;

    if (i->map == X86_MAP_0F)
        return (op >= 0x80 && op <= 0x8f) /* Jcc rel32 */ || op <= 0x09 || op == 0x0b ||
               (op >= 0x20 && op <= 0x23) || op == 0x30 || op == 0x34 || op == 0x35 || op == 0xaa ||
               op == 0xa1 || op == 0xa9 /* POP FS, POP GS */ || op == 0xa2; /* CPUID */
    if (i->map != X86_MAP_ONE_BYTE)
        return 0;
    if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3) || (op >= 0xe8 && op <= 0xeb))
        return 1; /* Jcc, LOOP, JCXZ, CALL, JMP */
    switch (op) {
    case 0x07:
    case 0x17:
    case 0x1f:
    case 0x8e: /* POP ES/SS/DS, MOV Sreg */
    case 0x9a:
    case 0x9d:
    case 0xc2:
    case 0xc3:
    case 0xca:
    case 0xcb: /* far CALL, POPF, RET */
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xf1: /* INT3, INT, INTO, IRET, INT1 */
    case 0xf4:
    case 0xfa:
    case 0xfb: /* HLT, CLI, STI */
        return 1;
    case 0xff: /* CALL, JMP near and far */
        return i->reg >= 2 && i->reg <= 5;
    }
    return 0;
}
/* [ends] */

/* Decodes the block at linear (guest-physical phys, in a page the TLB maps) into slot b.
 * Instructions that do not decode, or run past the page, are left out: the block ends
 * before them, and they start a block of their own, where tcg.c's slow path raises their
 * fault. Returns NULL when not even the first one could be taken. */
static struct tcg_block *translate(struct tcg_cpu *c, struct tcg_block *b, uint64_t linear,
                                   uint64_t key, uint64_t gen)
{
    struct tcg_blocks *bs = c->blocks;
    unsigned n = 0;

    if (bs->used + BLOCK_MAX_INSNS > BLOCK_OPS)
        cache_flush(bs);
    struct tcg_op *op = &bs->op[bs->used];
    while (n < BLOCK_MAX_INSNS) {
        uint8_t bytes[X86_MAX_LENGTH];
        size_t left = 4096 - (linear & 0xfff), len = left < X86_MAX_LENGTH ? left : X86_MAX_LENGTH;
        uint64_t phys;
        mmu__fetch(c, linear, bytes, len, &phys); /* the TLB maps the page: it cannot fault */
        if (x86__decode(bytes, len, (enum x86_mode)c->mode, &op[n].insn) < 0)
            break;
        op[n].exec = fast__pick(&op[n].insn);
        if (!op[n].exec)
            op[n].exec = tcg__exec_for(&op[n].insn);
        c->decodes++;
        linear += op[n].insn.length;
        if (ends_block(&op[n++].insn) || (linear & 0xfff) == 0)
            break;
    }
    if (n == 0)
        return NULL;
    bs->used += n;
    *b = (struct tcg_block){.key = key, .gen = gen, .serial = ++bs->serial, .op = op, .n = n};
    return b;
}

struct tcg_block *block__find(struct tcg_cpu *c, uint64_t linear)
{
    struct tlb_entry *t = &c->tlb[ACC_FETCH][(linear >> 12) % TLB_SIZE];

    if (t->tag != ((linear >> 12) << 1 | 1) || !t->host || t->phys >= (1ull << 32))
        return NULL;
    uint64_t phys = t->phys | (linear & 0xfff), key = phys << 2 | block__mode_bits(c);
    struct tcg_block *b = &c->blocks->slot[phys % BLOCK_SLOTS];
    /* The order of tcg.c's [smc]: the generation, then the page's byte, then the code. */
    uint64_t gen = atomic_load_explicit(&c->code->gen, memory_order_acquire);
    if (b->key == key && b->gen == gen)
        return b;
    if (!tcg__code_page_cached(c, phys)) {
        tcg__code_page_mark(c, phys);
        return NULL; /* translated from the next time on, when the byte is read first */
    }
    return translate(c, b, linear, key, gen);
}

struct tcg_block *block__table(struct tcg_block *b)
{
    return b - (b->key >> 2) % BLOCK_SLOTS;
}

struct tcg_block *block__link(struct tcg_cpu *c, struct tcg_block *from, uint64_t page,
                              uint64_t linear)
{
    struct tcg_block *to = block__find(c, linear);

    /* Only within one physical page, where block__next's rule can check the link. */
    if (to && (linear & ~0xfffull) == page && (to->key >> 14) == (from->key >> 14) &&
        to != from->link[0].to && to != from->link[1].to) {
        struct tcg_link *l = &from->link[from->next_link];
        from->next_link ^= 1;
        l->to = to;
        l->serial = to->serial;
    }
    return to;
}
