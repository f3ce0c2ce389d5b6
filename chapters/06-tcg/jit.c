/*
 * jit.c - the JIT of chapter 6 (--tcg=jit): a block that has run often enough is compiled
 * to x86-64 host code. Common instructions become a few host instructions; every other one
 * becomes a call to tcg__jit_step, which runs it exactly as the interpreter does.
 *
 * Precise by construction: guest registers stay in struct tcg_cpu (the host code loads,
 * computes and stores them back at once), and before anything that may fault, exit or take
 * an event, c->rip and c->instructions are what the interpreter would have at that point.
 */
#include "jit.h"

#include "error.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#define JIT_BUFFER      (4u << 20) /* bytes of host code a vCPU keeps at most */
#define JIT_BLOCK_BYTES 16384      /* room one block's code may take */
#define JIT_HOT         16         /* runs of a block before it is compiled */

struct tcg_jit {
    uint8_t *rw;            /* the code buffer, mapped for writing: the emitter's view */
    uint8_t *rx;            /* the same pages mapped for running */
    size_t used;            /* bytes handed out */
    uint64_t gen;           /* moves on when the buffer is emptied: older host pointers are dead */
    unsigned hot;           /* runs before compiling (STEPVM_JIT_HOT overrides JIT_HOT) */
    uint64_t made;          /* blocks compiled */
    uint64_t stepped;       /* instructions its host code handed to the interpreter */
    struct tcg_block *from; /* the block whose code ran last (see chain()) */
    uint64_t page;          /* the linear page it was entered in */
};

#if defined(__x86_64__)

/* ---- The encoder: the few x86-64 forms the compiler needs (Intel SDM vol. 2) ---- */

/* Host registers by encoding. rbx holds c, r12 the exit, r13 a branch condition: all three
 * are callee-saved, so the calls into C keep them. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Where code is being written: start is the block's first byte (the rw view). */
struct emit {
    uint8_t *p, *start, *end;
    int full;
};

static void b1(struct emit *e, unsigned v)
{
    if (e->p < e->end)
        *e->p++ = (uint8_t)v;
    else
        e->full = 1;
}

static void b4(struct emit *e, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        b1(e, v >> (8 * k) & 0xff);
}

static void b8(struct emit *e, uint64_t v)
{
    b4(e, (uint32_t)v);
    b4(e, (uint32_t)(v >> 32));
}

/* REX: W (a 64-bit operand), R (ModRM.reg bit 3), X (SIB.index bit 3), B (ModRM.rm or
 * SIB.base bit 3). Left out when it would be 40, unless byte registers need it. */
static void rex(struct emit *e, int w, int reg, int index, int base, int force)
{
    unsigned r = 0x40 | w << 3 | (reg >> 3 & 1) << 2 | (index >> 3 & 1) << 1 | (base >> 3 & 1);
    if (r != 0x40 || force)
        b1(e, r);
}

/* An opcode of one byte, or 0F xx given as 0x0fxx. */
static void opcode(struct emit *e, unsigned op)
{
    if (op > 0xff)
        b1(e, op >> 8);
    b1(e, op & 0xff);
}

/* ModRM for [base + disp]: disp8 when it fits; rsp and r12 as a base need a SIB byte. */
static void modrm_mem(struct emit *e, int reg, int base, int32_t disp)
{
    int mod = disp == (int8_t)disp ? 1 : 2;

    b1(e, (unsigned)(mod << 6 | (reg & 7) << 3 | (base & 7)));
    if ((base & 7) == RSP)
        b1(e, 0x24);
    if (mod == 1)
        b1(e, (uint8_t)disp);
    else
        b4(e, (uint32_t)disp);
}

/* op reg, [base + disp] (or op [base + disp], reg: the opcode says which). */
static void op_mem(struct emit *e, int w, unsigned op, int reg, int base, int32_t disp)
{
    rex(e, w, reg, 0, base, 0);
    opcode(e, op);
    modrm_mem(e, reg, base, disp);
}

/* op reg, rm between registers (ModRM mod = 3). */
static void op_rr(struct emit *e, int w, unsigned op, int reg, int rm)
{
    rex(e, w, reg, 0, rm, 0);
    opcode(e, op);
    b1(e, 0xc0u | (unsigned)(reg & 7) << 3 | (unsigned)(rm & 7));
}

/* mov reg, imm: the shortest of B8+r imm32 (zero-extends), C7 /0 imm32 (sign-extends)
 * and B8+r imm64. */
static void mov_imm(struct emit *e, int reg, uint64_t v)
{
    if (v <= 0xffffffffull) {
        rex(e, 0, 0, 0, reg, 0);
        b1(e, 0xb8u + (reg & 7));
        b4(e, (uint32_t)v);
    } else if ((uint64_t)(int64_t)(int32_t)v == v) {
        op_rr(e, 1, 0xc7, 0, reg);
        b4(e, (uint32_t)v);
    } else {
        rex(e, 1, 0, 0, reg, 0);
        b1(e, 0xb8u + (reg & 7));
        b8(e, v);
    }
}

/* Group 1 with an immediate: op (0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP) on a register. */
static void alu_ri(struct emit *e, int w, unsigned op, int reg, int32_t v)
{
    op_rr(e, w, v == (int8_t)v ? 0x83 : 0x81, (int)op, reg);
    if (v == (int8_t)v)
        b1(e, (uint8_t)v);
    else
        b4(e, (uint32_t)v);
}

/* The same on a qword or dword of c (add qword [rbx + off], v...). */
static void alu_mi(struct emit *e, int w, unsigned op, int32_t off, int32_t v)
{
    op_mem(e, w, v == (int8_t)v ? 0x83 : 0x81, (int)op, RBX, off);
    if (v == (int8_t)v)
        b1(e, (uint8_t)v);
    else
        b4(e, (uint32_t)v);
}

/* Shift a register by an immediate: 4 SHL, 5 SHR, 7 SAR. */
static void shift_ri(struct emit *e, int w, unsigned op, int reg, unsigned n)
{
    op_rr(e, w, 0xc1, (int)op, reg);
    b1(e, n);
}

/* lea dst, [base + index * scale + disp32]. */
static void lea_sib(struct emit *e, int dst, int base, int index, unsigned scale, int32_t disp)
{
    unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;

    rex(e, 1, dst, index, base, 0);
    b1(e, 0x8d);
    b1(e, 0x84u | (unsigned)(dst & 7) << 3);
    b1(e, ss << 6 | (unsigned)(index & 7) << 3 | (unsigned)(base & 7));
    b4(e, (uint32_t)disp);
}

/* lea reg, [rip + disp]: ModRM mod 00 with r/m 101 is RIP-relative in 64-bit code. */
static void lea_rip(struct emit *e, int reg, int32_t disp)
{
    rex(e, 1, reg, 0, 0, 0);
    b1(e, 0x8d);
    b1(e, (unsigned)(reg & 7) << 3 | 5);
    b4(e, (uint32_t)disp);
}

/* A jump (Jcc with cc 0-15, or JMP with cc < 0) to a place not known yet: returns where
 * its rel32 goes, for patch(). */
static uint8_t *jump_fwd(struct emit *e, int cc)
{
    if (cc < 0)
        b1(e, 0xe9);
    else
        opcode(e, 0x0f80u + (unsigned)cc);
    b4(e, 0);
    return e->p - 4;
}

/* Points the rel32 at at to the current position. */
static void patch(struct emit *e, uint8_t *at, uint8_t *to)
{
    if (!at || e->full)
        return;
    int32_t rel = (int32_t)(to - (at + 4));
    memcpy(at, &rel, 4);
}

/* A jump (or Jcc) back to a known place. */
static void jump_to(struct emit *e, int cc, uint8_t *to)
{
    patch(e, jump_fwd(e, cc), to);
}

/* call fn: mov rax, fn; call rax (FF /2). The stack is 16-byte aligned here (prologue). */
static void call(struct emit *e, const void *fn)
{
    mov_imm(e, RAX, (uint64_t)(uintptr_t)fn);
    op_rr(e, 0, 0xff, 2, RAX);
}

/* Condition codes of Jcc, SETcc, CMOVcc. */
enum { CC_O = 0, CC_B = 2, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7 };

/* ---- Where things are in struct tcg_cpu ---- */

#define OFF(field) ((int32_t)offsetof(struct tcg_cpu, field))
#define REG(n)     (OFF(r) + 8 * (int32_t)(n))
#define TLB(acc)   (OFF(tlb) + (int32_t)((acc)*TLB_SIZE * sizeof(struct tlb_entry)))
#define TLB_HOST   ((int32_t)offsetof(struct tlb_entry, host))
#define TLB_CODE   ((int32_t)offsetof(struct tlb_entry, code))

_Static_assert(sizeof(struct tlb_entry) == 32, "the TLB index is scaled by 32");
_Static_assert(offsetof(struct tcg_cpu, cc_size) == offsetof(struct tcg_cpu, cc_op) + 1,
               "cc_op and cc_size are stored as one word");
_Static_assert(TLB_SIZE == 256, "the TLB index is masked with 255");

/* ---- The block compiler ---- */

/* An out-of-line path, emitted after the block's straight-line code: the boundary after
 * an instruction when c->events is set, or an instruction's slow way (the interpreter). */
struct stub {
    uint8_t *from[8]; /* the jumps that lead here */
    unsigned nfrom;
    const struct tcg_op *op; /* slow way: the instruction; NULL: the events check */
    int32_t rip, count;      /* what c->rip and c->instructions lag behind by there */
    int cc;                  /* slow way of a flag setter a Jcc uses: its condition, or -1 */
    int ends;                /* slow way of a branch: the block ends after it */
    int guard;               /* the guard failed: see guard() */
    uint8_t *back;           /* where the straight line goes on */
};

/* The compiler's state. c->rip and c->instructions are brought up to date lazily: lag_rip
 * bytes and lag_count instructions are not added yet (catch_up() adds them). */
struct compiler {
    struct emit e;
    uint8_t *epilogue;
    struct stub stub[80];
    unsigned nstub;
    int32_t lag_rip, lag_count;
    int cc; /* the Jcc after the flag setter being compiled: its condition, -1 if none */
    int bad;
    struct tcg_block *block; /* the block being compiled */
    uint32_t at;             /* the offset of the instruction being compiled in its page */
};

static struct stub *stub_new(struct compiler *k, const struct tcg_op *op)
{
    if (k->nstub == sizeof(k->stub) / sizeof(k->stub[0])) {
        k->bad = 1;
        return &k->stub[0];
    }
    struct stub *s = &k->stub[k->nstub++];
    *s = (struct stub){.op = op, .rip = k->lag_rip, .count = k->lag_count, .cc = -1};
    return s;
}

/* A conditional jump to stub s. */
static void to_stub(struct compiler *k, struct stub *s, int cc)
{
    uint8_t *at = jump_fwd(&k->e, cc);
    if (s->nfrom < 8)
        s->from[s->nfrom++] = at;
    else
        k->bad = 1;
}

/* Adds sign * (rip, count) to c->rip and c->instructions. */
static void catch_up(struct emit *e, int32_t rip, int32_t count, int sign)
{
    if (rip)
        alu_mi(e, 1, sign > 0 ? 0 : 5, OFF(rip), rip);
    if (count)
        alu_mi(e, 1, sign > 0 ? 0 : 5, OFF(instructions), count);
}

/* Calls fn(c, arg, exit) and leaves the block with its result unless it is 0. */
static void call_step(struct compiler *k, const void *fn, const void *arg)
{
    struct emit *e = &k->e;

    op_rr(e, 1, 0x89, RBX, RDI); /* mov rdi, rbx */
    if (arg) {
        mov_imm(e, RSI, (uint64_t)(uintptr_t)arg);
        op_rr(e, 1, 0x89, R12, RDX); /* mov rdx, r12 */
    } else {
        op_rr(e, 1, 0x89, R12, RSI); /* mov rsi, r12 */
    }
    call(e, fn);
    op_rr(e, 0, 0x85, RAX, RAX); /* test eax, eax */
    jump_to(e, CC_NE, k->epilogue);
}

/* [jit-chain] */
/*
 * Chaining in host code, the slow way: at the end of a block that ran cleanly, the next
 * block is found as block__next finds it (block.h's [chain] rule), and when it has host
 * code already, the code jumps straight into it, past its prologue (every block's frame
 * is the same), and the run loop is not seen again until a block ends otherwise. Only
 * code already compiled is entered: compiling here could empty the buffer under the code
 * that called. Returns where to jump, or NULL: the block returns to the run loop, which
 * goes on from c->jit->from.
 */
#define PROLOGUE_BYTES 14

static const uint8_t *chain(struct tcg_cpu *c, struct tcg_block *from)
{
    struct tcg_jit *j = c->jit;

    j->from = from; /* (direct jumps, below, do not keep it up to date themselves) */
    if (!c->long64) /* (then the linear address of the next RIP is RIP itself) */
        return NULL;
    struct tcg_block *to = block__next(c, from, j->page, c->rip);
    if (!to || !to->host || to->host_gen != j->gen)
        return NULL;
    j->from = to;
    j->page = c->rip & ~0xfffull;
    return (const uint8_t *)to->host + PROLOGUE_BYTES;
}

/* After a call that returned where to go on (rax): there, or back to the loop with 0 (the
 * block ran to its end) when rax is NULL. */
static void go_or_return(struct compiler *k)
{
    struct emit *e = &k->e;

    op_rr(e, 1, 0x85, RAX, RAX);
    uint8_t *back = jump_fwd(e, CC_E);
    op_rr(e, 0, 0x31, R13, R13); /* xor r13d, r13d: no slot to go back to (see below) */
    op_rr(e, 0, 0xff, 4, RAX);   /* jmp rax */
    patch(e, back, e->p);
    op_rr(e, 0, 0x31, RAX, RAX); /* xor eax, eax */
    jump_to(e, -1, k->epilogue);
}

/* The end of a block that ran cleanly: on to the next block's code, or back to the loop. */
static void block_end(struct compiler *k)
{
    struct emit *e = &k->e;

    op_rr(e, 1, 0x89, RBX, RDI);
    mov_imm(e, RSI, (uint64_t)(uintptr_t)k->block);
    call(e, (const void *)chain);
    go_or_return(k);
}
/* [jit-chain] */

/* [jit-direct] */
/*
 * Direct jumps (QEMU's goto_tb): where a block goes on to a RIP known when it is compiled
 * (a Jcc either way, JMP and CALL rel, or the next instruction), in the page it started
 * in, the jump to the next block's code is a JMP rel32 in the block itself: a slot. The
 * slot first jumps to the instructions right after it, which call chain_direct() below; it
 * chains as chain() does, and when it finds host code, rewrites the slot's rel32 to jump
 * there directly from then on. The target is in the same page, so block.h's [chain] rule
 * holds for it forever but for one thing: the target block may have been dropped, or the
 * code written, since. So every block's code starts (after its prologue) with a guard that
 * checks its own serial and the code map's generation, and when either moved on, jumps to
 * the slot's own slow way (r13: the slot leaves its address there) or, entered from the
 * loop or from chain() (r13 = 0), returns to the loop.
 */
static const uint8_t *chain_direct(struct tcg_cpu *c, struct tcg_block *from, uint8_t *slot)
{
    struct tcg_jit *j = c->jit;
    uint64_t page = j->page;
    const uint8_t *to = chain(c, from);

    if (to && (c->rip & ~0xfffull) == page) {
        const uint8_t *at = slot + (j->rx - j->rw) + 4; /* where the rel32 counts from */
        int32_t rel = (int32_t)(to - at);
        memcpy(slot, &rel, 4);
    }
    return to;
}

/* A block's exit to the RIP at offset target of its page (in c->rip already): a slot when
 * it can be one, else the slow way. */
static void exit_to(struct compiler *k, int64_t target)
{
    struct emit *e = &k->e;

    if ((k->block->key & 3) != 2 || target < 0 || target >= 4096) {
        block_end(k);
        return;
    }
    lea_rip(e, R13, 5);              /* lea r13, [rip + 5]: the slot's slow way */
    uint8_t *slot = jump_fwd(e, -1); /* jmp rel32, to the next instruction until linked */
    patch(e, slot, e->p);
    op_rr(e, 1, 0x89, RBX, RDI);
    mov_imm(e, RSI, (uint64_t)(uintptr_t)k->block);
    mov_imm(e, RDX, (uint64_t)(uintptr_t)slot);
    call(e, (const void *)chain_direct);
    go_or_return(k);
}

/* [jit-lookup] */
/*
 * A RET or an indirect JMP: the target is known only when it runs, and a bytecode
 * machine's dispatch has dozens. When the target is in the linear page the block was
 * entered in, block.h's rule gives its guest-physical address without the TLB (this
 * block's page, plus the offset), so the host code looks in the vCPU's table of blocks
 * itself, as block__find does after the TLB, and jumps to the block's code when it has
 * some (QEMU's lookup_and_goto_ptr, without a call). Anything else: chain() in C.
 */
static void exit_lookup(struct compiler *k)
{
    struct emit *e = &k->e;
    uint64_t page = k->block->key >> 2 & ~0xfffull;
    uint8_t *slow[5];

    if ((k->block->key & 3) != 2) {
        block_end(k);
        return;
    }
    op_mem(e, 1, 0x8b, RAX, RBX, OFF(rip));
    op_mem(e, 1, 0x8b, RDX, RBX, OFF(jit));
    op_rr(e, 1, 0x89, RAX, RCX);
    alu_ri(e, 1, 4, RCX, -4096);                                           /* and rcx, ~0xfff */
    op_mem(e, 1, 0x3b, RCX, RDX, (int32_t)offsetof(struct tcg_jit, page)); /* same page? */
    slow[0] = jump_fwd(e, CC_NE);
    alu_ri(e, 0, 4, RAX, 0xfff); /* eax = the offset, then rax = the guest-physical address */
    mov_imm(e, RCX, page);
    op_rr(e, 1, 0x09, RCX, RAX);
    op_rr(e, 0, 0x89, RAX, RCX); /* rcx = the slot: phys % BLOCK_SLOTS, scaled */
    alu_ri(e, 0, 4, RCX, BLOCK_SLOTS - 1);
    op_rr(e, 1, 0x69, RCX, RCX); /* imul rcx, rcx, sizeof(struct tcg_block) */
    b4(e, (uint32_t)sizeof(struct tcg_block));
    mov_imm(e, RSI, (uint64_t)(uintptr_t)block__table(k->block));
    op_rr(e, 1, 0x01, RSI, RCX);
    shift_ri(e, 1, 4, RAX, 2); /* the key: phys << 2 | 2 (64-bit code) */
    alu_ri(e, 1, 1, RAX, 2);
    op_mem(e, 1, 0x3b, RAX, RCX, (int32_t)offsetof(struct tcg_block, key));
    slow[1] = jump_fwd(e, CC_NE);
    op_mem(e, 1, 0x8b, RAX, RBX, OFF(code)); /* decoded in the code map's generation */
    op_mem(e, 1, 0x8b, RAX, RAX, (int32_t)offsetof(struct tcg_code_map, gen));
    op_mem(e, 1, 0x3b, RAX, RCX, (int32_t)offsetof(struct tcg_block, gen));
    slow[2] = jump_fwd(e, CC_NE);
    op_mem(e, 1, 0x8b, RAX, RDX, (int32_t)offsetof(struct tcg_jit, gen)); /* with host code */
    op_mem(e, 1, 0x3b, RAX, RCX, (int32_t)offsetof(struct tcg_block, host_gen));
    slow[3] = jump_fwd(e, CC_NE);
    op_mem(e, 1, 0x8b, RAX, RCX, (int32_t)offsetof(struct tcg_block, host));
    op_rr(e, 1, 0x85, RAX, RAX);
    slow[4] = jump_fwd(e, CC_E);
    alu_ri(e, 1, 0, RAX, PROLOGUE_BYTES);
    op_rr(e, 0, 0x31, R13, R13);
    op_rr(e, 0, 0xff, 4, RAX); /* jmp rax */
    for (int n = 0; n < 5; n++)
        patch(e, slow[n], e->p);
    block_end(k);
}
/* [jit-lookup] */

/* The guard after the prologue: is this block's code still the block's? */
static struct stub *guard(struct compiler *k, struct stub *fail)
{
    struct emit *e = &k->e;

    mov_imm(e, RAX, (uint64_t)(uintptr_t)k->block);
    mov_imm(e, RCX, k->block->serial);
    op_mem(e, 1, 0x39, RCX, RAX, (int32_t)offsetof(struct tcg_block, serial));
    to_stub(k, fail, CC_NE);
    op_mem(e, 1, 0x8b, RCX, RBX, OFF(code));
    op_mem(e, 1, 0x8b, RCX, RCX, (int32_t)offsetof(struct tcg_code_map, gen));
    op_mem(e, 1, 0x39, RCX, RAX, (int32_t)offsetof(struct tcg_block, gen));
    to_stub(k, fail, CC_NE);
    return fail;
}
/* [jit-direct] */

/* [jit-events] */
/* After an instruction run inline: what step() looks at after every instruction. The one
 * word c->events is 0 almost always; when it is not, the stub brings RIP and the count up
 * to date and calls the interpreter's boundary (tcg__jit_events). */
static void events_check(struct compiler *k)
{
    op_mem(&k->e, 0, 0x83, 7, RBX, OFF(events)); /* cmp dword [rbx + events], 0 */
    b1(&k->e, 0);
    struct stub *s = stub_new(k, NULL);
    to_stub(k, s, CC_NE);
    s->back = k->e.p;
}
/* [jit-events] */

/* tcg__jit_step, counted (--stats): how much of the guest the host code left to the
 * interpreter. */
static int jit_step(struct tcg_cpu *c, const struct tcg_op *op, struct vcpu_exit *exit)
{
    c->jit->stepped++;
    return tcg__jit_step(c, op, exit);
}

/* Emits the stubs, after the straight-line code. */
static void emit_stubs(struct compiler *k)
{
    struct emit *e = &k->e;

    for (unsigned n = 0; n < k->nstub; n++) {
        struct stub *s = &k->stub[n];
        for (unsigned f = 0; f < s->nfrom; f++)
            patch(e, s->from[f], e->p);
        if (s->guard) { /* to the slot's slow way, or back to the loop */
            op_rr(e, 0, 0x31, RAX, RAX);
            op_rr(e, 1, 0x85, R13, R13);
            jump_to(e, CC_E, k->epilogue);
            op_rr(e, 0, 0xff, 4, R13); /* jmp r13 */
            continue;
        }
        catch_up(e, s->rip, s->count, 1);
        if (s->op) {
            /* The instruction the slow way: then it is done, and one more is counted. */
            call_step(k, (const void *)jit_step, s->op);
            if (s->ends) {
                op_rr(e, 0, 0x31, RAX, RAX);
                jump_to(e, -1, k->epilogue);
                continue;
            }
            if (s->cc >= 0) { /* the Jcc after it needs its condition in r13b */
                op_rr(e, 1, 0x89, RBX, RDI);
                mov_imm(e, RSI, (unsigned)s->cc);
                call(e, (const void *)flags__cond);
                op_rr(e, 0, 0x89, RAX, R13); /* mov r13d, eax */
            }
            catch_up(e, s->rip + s->op->insn.length, s->count + 1, -1);
        } else {
            call_step(k, (const void *)tcg__jit_events, NULL);
            catch_up(e, s->rip, s->count, -1);
        }
        jump_to(e, -1, s->back);
    }
}

/* ---- Operands ---- */

/* Whether i's memory operand is one the host code computes: 64-bit addressing, no FS or
 * GS base (in 64-bit mode the other segments have none, and no limit). */
static int plain_mem(const struct x86_insn *i)
{
    return i->has_mem && i->addrsize == 8 && i->mem.segment != X86_SEG_FS &&
           i->mem.segment != X86_SEG_GS;
}

/* rax = the offset of i's memory operand; RIP-relative ones from c->rip and the lag. */
static void effective_address(struct compiler *k, const struct x86_insn *i)
{
    struct emit *e = &k->e;
    const struct x86_mem *m = &i->mem;
    int64_t disp = m->disp;

    if (m->base == X86_REG_RIP) {
        op_mem(e, 1, 0x8b, RAX, RBX, OFF(rip));
        disp += k->lag_rip + i->length;
    } else if (m->base != X86_REG_NONE) {
        op_mem(e, 1, 0x8b, RAX, RBX, REG(m->base));
    } else {
        op_rr(e, 0, 0x31, RAX, RAX); /* xor eax, eax */
    }
    if (disp != (int32_t)disp) {
        k->bad = 1;
        return;
    }
    if (m->index != X86_REG_NONE) {
        op_mem(e, 1, 0x8b, RCX, RBX, REG(m->index));
        lea_sib(e, RAX, RAX, RCX, m->scale, (int32_t)disp);
    } else if (disp) {
        alu_ri(e, 1, 0, RAX, (int32_t)disp);
    }
}

/* [jit-tlb] */
/* The software TLB's fast path, inline: the linear address in rax becomes a host pointer
 * in rsi, or the code jumps to slow (the interpreter does the instruction) when rax is not
 * canonical, the TLB has no entry for its page, the page is not RAM, the access crosses
 * the page, or, for a write, the page holds decoded code or other vCPUs run (mmu.c's
 * write_ram orders those stores). */
static void tlb_lookup(struct compiler *k, enum access acc, unsigned size, struct stub *slow)
{
    struct emit *e = &k->e;

    op_rr(e, 1, 0x89, RAX, RDX); /* mov rdx, rax; shl rdx, 16; sar rdx, 16; cmp rdx, rax */
    shift_ri(e, 1, 4, RDX, 16);
    shift_ri(e, 1, 7, RDX, 16);
    op_rr(e, 1, 0x39, RAX, RDX);
    to_stub(k, slow, CC_NE);
    op_rr(e, 1, 0x89, RAX, RDX); /* rdx = the page number */
    shift_ri(e, 1, 5, RDX, 12);
    op_rr(e, 0, 0x89, RDX, RCX); /* ecx = its entry's offset: (page % 256) * 32 */
    alu_ri(e, 0, 4, RCX, 255);
    shift_ri(e, 0, 4, RCX, 5);
    lea_sib(e, RDX, RDX, RDX, 1, 1); /* the tag: page << 1 | 1 */
    lea_sib(e, RSI, RBX, RCX, 1, TLB(acc));
    op_mem(e, 1, 0x39, RDX, RSI, 0); /* cmp [rsi], rdx */
    to_stub(k, slow, CC_NE);
    if (acc == ACC_WRITE) {
        op_mem(e, 1, 0x8b, RDX, RSI, TLB_CODE); /* the page's byte in the code map */
        op_mem(e, 0, 0x80, 7, RDX, 0);          /* cmp byte [rdx], 0 */
        b1(e, 0);
        to_stub(k, slow, CC_NE);
        op_mem(e, 0, 0x80, 7, RBX, OFF(smp));
        b1(e, 0);
        to_stub(k, slow, CC_NE);
    }
    op_mem(e, 1, 0x8b, RSI, RSI, TLB_HOST);
    op_rr(e, 1, 0x85, RSI, RSI);
    to_stub(k, slow, CC_E);
    op_rr(e, 0, 0x89, RAX, RCX); /* ecx = the offset in the page */
    alu_ri(e, 0, 4, RCX, 0xfff);
    if (size > 1) {
        alu_ri(e, 0, 7, RCX, (int32_t)(4096 - size));
        to_stub(k, slow, CC_A);
    }
    lea_sib(e, RSI, RSI, RCX, 1, 0);
}
/* [jit-tlb] */

/* rax = i's memory operand's linear address, checked: rsi = its host address. */
static void mem_operand(struct compiler *k, const struct x86_insn *i, enum access acc,
                        unsigned size, struct stub *slow)
{
    effective_address(k, i);
    tlb_lookup(k, acc, size, slow);
}

/* Loads size bytes (zero-extended) from [base + disp] into reg. */
static void load(struct emit *e, int reg, int base, int32_t disp, unsigned size)
{
    if (size == 8)
        op_mem(e, 1, 0x8b, reg, base, disp);
    else if (size == 4)
        op_mem(e, 0, 0x8b, reg, base, disp);
    else if (size == 2)
        op_mem(e, 0, 0x0fb7, reg, base, disp);
    else
        op_mem(e, 0, 0x0fb6, reg, base, disp);
}

/* Stores the low size bytes of reg (rax, rcx or rdx for a byte) to [base + disp]. */
static void store(struct emit *e, int reg, int base, int32_t disp, unsigned size)
{
    if (size == 2)
        b1(e, 0x66);
    op_mem(e, size == 8, size == 1 ? 0x88 : 0x89, reg, base, disp);
}

/* Writes a guest register as reg_write does: 64 and 32-bit writes replace it (the value
 * is zero-extended already), 16 and 8-bit ones (n: 0-3 or REX) keep the rest. */
static void write_greg(struct emit *e, int n, int reg, unsigned size)
{
    store(e, reg, RBX, REG(n), size >= 4 ? 8 : size);
}

/* ---- The instructions compiled inline ---- */

/* What the host code does for an instruction. */
enum form {
    F_NONE, /* the interpreter runs it */
    F_ALU,  /* ADD OR AND SUB XOR CMP TEST: registers, immediates, a memory operand */
    F_MOV,  /* MOV between registers, to or from memory, of an immediate */
    F_MOVX, /* MOVZX (byte, word), MOVSXD */
    F_LEA,
    F_PUSH,
    F_POP,
    F_NOP,   /* NOP (90) and NOP r/m (0F 1F): no code at all */
    F_UNARY, /* NOT, NEG of a register or memory */
    F_SETCC, /* SETcc of a byte register or memory */
    F_CMOV,  /* CMOVcc between registers */
    F_IMUL,  /* IMUL r, r/m (0F AF) */
    F_CDQ,   /* CDQ, CQO */
    F_SHCL,  /* SHL, SHR, SAR of a register by CL */
    F_JCC,
    F_JMP,
    F_CALL,
    F_RET,
    F_JMPM,  /* JMP through a register or memory */
    F_SHIFT, /* SHL, SHR, SAR of a register by an immediate (not 0) */
};

/* The group 1 operation of an ALU opcode: 0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP, 8 TEST;
 * -1 for ADC and SBB (they read CF) and everything else. */
static int alu_op(const struct x86_insn *i)
{
    unsigned op = i->opcode;
    int g = -1;

    if (i->map != X86_MAP_ONE_BYTE)
        return -1;
    if (op < 0x40 && (op & 7) <= 5)
        g = (int)(op >> 3);
    else if (op == 0x80 || op == 0x81 || op == 0x83)
        g = i->reg & 7;
    else if (op == 0x84 || op == 0x85 || op == 0xa8 || op == 0xa9)
        g = 8;
    return g == 2 || g == 3 ? -1 : g;
}

/* Whether i is an ALU form this compiler has: registers (without REX, byte registers 4-7
 * are AH, CH, DH, BH, which are left to the interpreter), an immediate, and at most one
 * memory operand, read, or read and written (the r/m destination). */
static int alu_form(const struct x86_insn *i)
{
    unsigned op = i->opcode, low = op & 7, size = i->opsize;
    int byte =
        op < 0x40 ? (low == 0 || low == 2 || low == 4) : op == 0x80 || op == 0x84 || op == 0xa8;

    if (alu_op(i) < 0 || (byte ? size != 1 : size != 4 && size != 8))
        return 0;
    if (!i->has_modrm) /* 04 0C 24 2C 34 3C A8 (AL, imm8), 05 ... 3D A9 (eAX, imm32) */
        return 1;
    if (byte && !i->rex && (i->rm_reg >= 4 || (op != 0x80 && i->reg >= 4)))
        return 0;
    return i->rm_reg != X86_REG_NONE || plain_mem(i);
}

static enum form form_of(const struct x86_insn *i)
{
    unsigned op = i->opcode, size = i->opsize;
    int wide = size == 4 || size == 8, reg = i->has_modrm && i->rm_reg != X86_REG_NONE;

    if (i->mode != X86_MODE_64 || i->lock)
        return F_NONE;
    if (i->map == X86_MAP_0F) {
        if (op >= 0x80 && op <= 0x8f && size == 8)
            return F_JCC;
        if (op == 0x1f) /* NOP r/m touches no memory */
            return F_NOP;
        if (op >= 0x90 && op <= 0x9f && (reg ? i->rex || i->rm_reg < 4 : plain_mem(i)))
            return F_SETCC;
        if (op >= 0x40 && op <= 0x4f && wide && reg)
            return F_CMOV;
        if (op == 0xaf && wide && (reg || plain_mem(i)))
            return F_IMUL;
        if ((op == 0xb6 || op == 0xb7) && wide &&
            (reg ? op == 0xb7 || i->rex || i->rm_reg < 4 : plain_mem(i)))
            return F_MOVX;
        return F_NONE;
    }
    if (i->map != X86_MAP_ONE_BYTE)
        return F_NONE;
    if (alu_form(i))
        return F_ALU;
    if (op == 0x90 && i->reg_op == R_AX && i->rep != 0xf3) /* (with REX.B: XCHG r8, rax) */
        return F_NOP;
    if ((op == 0x89 || op == 0x8b) && wide && (reg || plain_mem(i)))
        return F_MOV;
    if (op == 0xc7 && (i->reg & 7) == 0 && wide && (reg || plain_mem(i)))
        return F_MOV;
    if (op == 0xc6 && (i->reg & 7) == 0 && plain_mem(i))
        return F_MOV;
    if (op >= 0xb8 && op <= 0xbf && wide)
        return F_MOV;
    if (op == 0xf7 && ((i->reg & 7) == 2 || (i->reg & 7) == 3) && wide && (reg || plain_mem(i)))
        return F_UNARY;
    if ((op == 0xc1 || op == 0xd1) && wide && reg && ((i->reg & 7) == 4 || (i->reg & 7) >= 5) &&
        (i->reg & 7) != 6 && (op == 0xd1 || (i->imm & (size == 8 ? 63 : 31)) != 0))
        return F_SHIFT;
    if (op == 0xd3 && wide && reg && ((i->reg & 7) == 4 || (i->reg & 7) == 5 || (i->reg & 7) == 7))
        return F_SHCL;
    if (op == 0x99 && wide)
        return F_CDQ;
    if (op == 0x63 && size == 8 && (reg || plain_mem(i)))
        return F_MOVX;
    if (op == 0x8d && wide && i->addrsize == 8)
        return F_LEA;
    if (op >= 0x50 && op <= 0x57 && size == 8)
        return F_PUSH;
    if (op >= 0x58 && op <= 0x5f && size == 8)
        return F_POP;
    if (size != 8) /* near branches in 64-bit mode */
        return F_NONE;
    if (op >= 0x70 && op <= 0x7f)
        return F_JCC;
    if (op == 0xeb || op == 0xe9)
        return F_JMP;
    if (op == 0xe8)
        return F_CALL;
    if (op == 0xc3)
        return F_RET;
    if (op == 0xff && (i->reg & 7) == 4 && (reg || plain_mem(i)))
        return F_JMPM;
    return F_NONE;
}

/* The immediate of i as the instruction sign-extends it, masked to size bytes. */
static uint64_t imm_masked(const struct x86_insn *i, unsigned size)
{
    return (uint64_t)x86__imm_signed(i) & size_mask(size);
}

/* [jit-alu] */
/* Stores the lazy flags' record: kind and size, then dst, src and res from registers. */
static void record_cc(struct emit *e, enum cc_op kind, unsigned size, int dst, int src, int res)
{
    b1(e, 0x66); /* mov word [rbx + cc_op], kind | size << 8 */
    op_mem(e, 0, 0xc7, 0, RBX, OFF(cc_op));
    b1(e, kind);
    b1(e, size);
    store(e, dst, RBX, OFF(cc_dst), 8);
    store(e, src, RBX, OFF(cc_src), 8);
    store(e, res, RBX, OFF(cc_res), 8);
}

/*
 * An ALU instruction: rax = the destination's old value, rcx = the source, rdx = the
 * result, computed by the host's own instruction of the same width, whose flags are the
 * guest's. What the interpreter keeps of them, the lazy flags (cc_op, cc_size, cc_dst,
 * cc_src, cc_res), is stored as alu.c would; and when a Jcc, SETcc or CMOVcc follows,
 * SETcc keeps its condition in r13b, so the reader needs no flag computed at all. A
 * memory destination is read and written through the TLB's fast path for writes.
 */
static void compile_alu(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned op = i->opcode, size = i->opsize, w = size == 8;
    int g = alu_op(i), writes = g != 7 && g != 8;
    int imm = !i->has_modrm || op == 0x80 || op == 0x81 || op == 0x83;
    int to_rm = i->has_modrm && !(op < 0x40 && (op & 7) >= 2);   /* r/m is the destination */
    int dst = !i->has_modrm ? R_AX : to_rm ? i->rm_reg : i->reg; /* NONE: memory */
    struct stub *slow = NULL;

    if (i->has_modrm && i->rm_reg == X86_REG_NONE) { /* first: it needs rax to rsi */
        slow = stub_new(k, o);
        mem_operand(k, i, to_rm && writes ? ACC_WRITE : ACC_READ, size, slow);
        load(e, to_rm ? RAX : RCX, RSI, 0, size);
    }
    if (dst != X86_REG_NONE)
        load(e, RAX, RBX, REG(dst), size);
    if (imm)
        mov_imm(e, RCX, imm_masked(i, size));
    else if (to_rm)
        load(e, RCX, RBX, REG(i->reg), size);
    else if (!slow)
        load(e, RCX, RBX, REG(i->rm_reg), size);
    static const unsigned host_op[9] = {0x01, 0x09, 0, 0, 0x21, 0x29, 0x31, 0x29, 0x21};
    op_rr(e, w, 0x89, RAX, RDX);                                    /* mov rdx, rax */
    op_rr(e, w, size == 1 ? host_op[g] - 1 : host_op[g], RCX, RDX); /* op edx, ecx */
    if (k->cc >= 0) {
        op_rr(e, 0, 0x0f90u + (unsigned)k->cc, 0, R13); /* setcc r13b */
        if (slow)
            slow->cc = k->cc;
    }
    if (writes && dst == X86_REG_NONE)
        store(e, RDX, RSI, 0, size); /* (rsi: the operand's host address still) */
    else if (writes)
        write_greg(e, dst, RDX, size);
    static const uint8_t cc_of[9] = {CC_ADD, CC_LOGIC, 0,      0,       CC_LOGIC,
                                     CC_SUB, CC_LOGIC, CC_SUB, CC_LOGIC};
    record_cc(e, (enum cc_op)cc_of[g], size, RAX, RCX, RDX);
    if (slow)
        slow->back = e->p;
}
/* [jit-alu] */

/* SHL (and SAL), SHR, SAR of a register by a count that is not 0, as bits.c's
 * shift_single: rdx = the result, rcx = the last bit shifted out (CF). The host's OF is
 * undefined for counts above 1, so no Jcc takes its condition from these flags. */
static void compile_shift(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned size = i->opsize, w = size == 8, op = i->reg & 7;
    unsigned n = (i->opcode == 0xd1 ? 1 : (unsigned)i->imm) & (size == 8 ? 63 : 31);
    static const uint8_t kind[8] = {[4] = CC_SHL, [5] = CC_SHR, [7] = CC_SAR};

    load(e, RAX, RBX, REG(i->rm_reg), size);
    op_rr(e, w, 0x89, RAX, RCX); /* rcx = the bit shifted out last */
    if (n > 1)
        shift_ri(e, w, op, RCX, n - 1);
    if (op == 4)
        shift_ri(e, w, 5, RCX, size * 8 - 1);
    alu_ri(e, 0, 4, RCX, 1);
    op_rr(e, w, 0x89, RAX, RDX);
    shift_ri(e, w, op, RDX, n);
    write_greg(e, i->rm_reg, RDX, size);
    record_cc(e, (enum cc_op)kind[op], size, RAX, RCX, RDX);
}

/* MOV: 89, 8B, C7, C6, B8+r. */
static void compile_mov(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned op = i->opcode, size = i->opsize;

    if (op >= 0xb8 && op <= 0xbf) {
        mov_imm(e, RAX, imm_masked(i, size));
        write_greg(e, i->reg_op, RAX, 8);
        return;
    }
    if (i->rm_reg != X86_REG_NONE) { /* 89, 8B, C7 between registers */
        int to = op == 0x8b ? i->reg : i->rm_reg;
        if (op == 0xc7)
            mov_imm(e, RAX, imm_masked(i, size));
        else
            load(e, RAX, RBX, REG(op == 0x8b ? i->rm_reg : i->reg), size);
        write_greg(e, to, RAX, size);
        return;
    }
    struct stub *slow = stub_new(k, o);
    if (op == 0x8b) {
        mem_operand(k, i, ACC_READ, size, slow);
        load(e, RAX, RSI, 0, size);
        write_greg(e, i->reg, RAX, size);
    } else {
        mem_operand(k, i, ACC_WRITE, size, slow);
        if (op == 0x89)
            load(e, RCX, RBX, REG(i->reg), size);
        else
            mov_imm(e, RCX, imm_masked(i, size));
        store(e, RCX, RSI, 0, size);
    }
    slow->back = e->p;
}

/* MOVZX r, r/m8 or r/m16; MOVSXD r64, r/m32. */
static void compile_movx(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned from = i->opcode == 0x63 ? 4 : i->opcode == 0xb6 ? 1 : 2;
    struct stub *slow = NULL;
    int base = RBX;
    int32_t disp = 0;

    if (i->rm_reg != X86_REG_NONE) {
        disp = REG(i->rm_reg);
    } else {
        slow = stub_new(k, o);
        mem_operand(k, i, ACC_READ, from, slow);
        base = RSI;
    }
    if (from == 4)
        op_mem(e, 1, 0x63, RAX, base, disp); /* movsxd rax, dword [...] */
    else
        load(e, RAX, base, disp, from);
    write_greg(e, i->reg, RAX, i->opsize);
    if (slow)
        slow->back = e->p;
}

static void compile_lea(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;

    effective_address(k, i);
    if (i->opsize == 4)
        op_rr(&k->e, 0, 0x89, RAX, RAX); /* mov eax, eax: the upper half cleared */
    write_greg(&k->e, i->reg, RAX, 8);
}

/* PUSH reg, and CALL's push: the value in r9 goes to [rsp - 8], then rsp moves. */
static void push_r9(struct compiler *k, struct stub *slow)
{
    struct emit *e = &k->e;

    op_mem(e, 1, 0x8b, RAX, RBX, REG(R_SP));
    alu_ri(e, 1, 5, RAX, 8);
    op_rr(e, 1, 0x89, RAX, RDI); /* rdi keeps the new rsp */
    tlb_lookup(k, ACC_WRITE, 8, slow);
    store(e, R9, RSI, 0, 8);
    store(e, RDI, RBX, REG(R_SP), 8);
}

/* rax = the qword at [rsp] (POP, RET), rdi = rsp + 8. */
static void peek_stack(struct compiler *k, struct stub *slow)
{
    struct emit *e = &k->e;

    op_mem(e, 1, 0x8b, RAX, RBX, REG(R_SP));
    op_mem(e, 1, 0x8d, RDI, RAX, 8); /* lea rdi, [rax + 8] */
    tlb_lookup(k, ACC_READ, 8, slow);
    load(e, RAX, RSI, 0, 8);
}

static void compile_push(struct compiler *k, const struct tcg_op *o)
{
    struct stub *slow = stub_new(k, o);

    op_mem(&k->e, 1, 0x8b, R9, RBX, REG(o->insn.reg_op));
    push_r9(k, slow);
    slow->back = k->e.p;
}

static void compile_pop(struct compiler *k, const struct tcg_op *o)
{
    struct stub *slow = stub_new(k, o);

    peek_stack(k, slow);
    store(&k->e, RDI, RBX, REG(R_SP), 8); /* rsp first: POP rSP keeps the value popped */
    write_greg(&k->e, o->insn.reg_op, RAX, 8);
    slow->back = k->e.p;
}

/* NOT and NEG (F7 /2 /3): rax = the operand, rdx = the result. NEG records the flags of
 * 0 - x as alu.c does (CC_SUB, dst 0, src x); NOT changes none. */
static void compile_unary(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned size = i->opsize, w = size == 8, neg = (i->reg & 7) == 3;
    struct stub *slow = NULL;

    if (i->rm_reg != X86_REG_NONE) {
        load(e, RAX, RBX, REG(i->rm_reg), size);
    } else {
        slow = stub_new(k, o);
        mem_operand(k, i, ACC_WRITE, size, slow);
        load(e, RAX, RSI, 0, size);
    }
    op_rr(e, w, 0x89, RAX, RDX);         /* mov rdx, rax */
    op_rr(e, w, 0xf7, neg ? 3 : 2, RDX); /* neg rdx or not rdx */
    if (slow)
        store(e, RDX, RSI, 0, size);
    else
        write_greg(e, i->rm_reg, RDX, size);
    if (neg) {
        b1(e, 0x66); /* mov word [rbx + cc_op], CC_SUB | size << 8 */
        op_mem(e, 0, 0xc7, 0, RBX, OFF(cc_op));
        b1(e, CC_SUB);
        b1(e, size);
        alu_mi(e, 1, 4, OFF(cc_dst), 0); /* and qword [rbx + cc_dst], 0 */
        store(e, RAX, RBX, OFF(cc_src), 8);
        store(e, RDX, RBX, OFF(cc_res), 8);
    }
    if (slow)
        slow->back = e->p;
}

/* r13b = condition cc (0-15) of the guest's flags. When the flag setter just before was
 * compiled inline (k->cc >= 0), it left the condition there already; else flags__cond
 * computes it from the lazy flags, as the interpreter does. */
static void cond_r13(struct compiler *k, unsigned cc)
{
    struct emit *e = &k->e;

    if (k->cc >= 0)
        return;
    op_rr(e, 1, 0x89, RBX, RDI);
    mov_imm(e, RSI, cc);
    call(e, (const void *)flags__cond);
    op_rr(e, 0, 0x89, RAX, R13); /* mov r13d, eax */
}

/* SETcc (0F 90-9F): the byte r13b to a register or to memory. */
static void compile_setcc(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;

    cond_r13(k, i->opcode & 15u);
    if (i->rm_reg != X86_REG_NONE) {
        write_greg(&k->e, i->rm_reg, R13, 1);
        return;
    }
    struct stub *slow = stub_new(k, o);
    mem_operand(k, i, ACC_WRITE, 1, slow);
    store(&k->e, R13, RSI, 0, 1);
    slow->back = k->e.p;
}

/* CMOVcc (0F 40-4F) between registers. A 32-bit one writes its destination whatever the
 * condition, so the upper half is cleared even when it is false: cmovne eax, ecx does the
 * same on the host. */
static void compile_cmov(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned size = i->opsize;

    cond_r13(k, i->opcode & 15u);
    load(e, RAX, RBX, REG(i->reg), size);
    load(e, RCX, RBX, REG(i->rm_reg), size);
    op_rr(e, 0, 0x84, R13, R13);           /* test r13b, r13b */
    op_rr(e, size == 8, 0x0f45, RAX, RCX); /* cmovne rax, rcx */
    write_greg(e, i->reg, RAX, size);
}

/* IMUL r, r/m (0F AF): rcx = r/m, rdx = the product truncated to the operand size. The
 * host's CF says whether it was truncated, which alu.c records as cc_src (CC_MUL). */
static void compile_imul(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned size = i->opsize, w = size == 8;
    struct stub *slow = NULL;

    if (i->rm_reg != X86_REG_NONE) {
        load(e, RCX, RBX, REG(i->rm_reg), size);
    } else {
        slow = stub_new(k, o);
        mem_operand(k, i, ACC_READ, size, slow);
        load(e, RCX, RSI, 0, size);
    }
    load(e, RDX, RBX, REG(i->reg), size);
    op_rr(e, w, 0x0faf, RDX, RCX); /* imul rdx, rcx */
    op_rr(e, 0, 0x0f92, 0, RAX);   /* setc al */
    op_rr(e, 0, 0x0fb6, RAX, RAX); /* movzx eax, al */
    write_greg(e, i->reg, RDX, size);
    record_cc(e, CC_MUL, size, RCX, RAX, RDX);
    if (slow)
        slow->back = e->p;
}

/* CDQ, CQO (99): rdx = eAX's sign in every bit. No flags. */
static void compile_cdq(struct compiler *k, const struct tcg_op *o)
{
    unsigned size = o->insn.opsize;

    load(&k->e, RAX, RBX, REG(R_AX), size);
    shift_ri(&k->e, size == 8, 7, RAX, size * 8 - 1); /* sar rax, 63 (or eax, 31) */
    write_greg(&k->e, R_DX, RAX, size);
}

/* SHL, SHR, SAR of a register by CL (D3 /4 /5 /7), by the host's own shift, which masks
 * the count as the guest does. As bits.c: a count of 0 writes the register back (a 32-bit
 * one is zero-extended) and changes no flag; otherwise CF, the last bit shifted out, is
 * recorded as cc_src. */
static void compile_shift_cl(struct compiler *k, const struct tcg_op *o)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    unsigned size = i->opsize, w = size == 8, op = i->reg & 7;
    static const uint8_t kind[8] = {[4] = CC_SHL, [5] = CC_SHR, [7] = CC_SAR};

    load(e, RAX, RBX, REG(i->rm_reg), size);
    load(e, RCX, RBX, REG(R_CX), 1);
    op_rr(e, w, 0x89, RAX, RDX);     /* mov rdx, rax */
    op_rr(e, w, 0xd3, (int)op, RDX); /* shl rdx, cl (or shr, sar) */
    op_rr(e, 0, 0x0f92, 0, R8);      /* setc r8b */
    write_greg(e, i->rm_reg, RDX, size);
    alu_ri(e, 0, 4, RCX, size == 8 ? 63 : 31); /* and ecx, mask: 0 changes no flag */
    uint8_t *none = jump_fwd(e, CC_E);
    op_rr(e, 0, 0x0fb6, R8, R8); /* movzx r8d, r8b */
    record_cc(e, (enum cc_op)kind[op], size, RAX, R8, RDX);
    patch(e, none, e->p);
}

/* rcx = c->rip as it is after i (the lag included). */
static void next_rip(struct compiler *k, const struct x86_insn *i)
{
    op_mem(&k->e, 1, 0x8b, RCX, RBX, OFF(rip));
    alu_ri(&k->e, 1, 0, RCX, k->lag_rip + i->length);
}

/* Branches a canonical check of reg fails to slow (flow.c's near_target: #GP(0)). */
static void check_canonical(struct compiler *k, int reg, struct stub *slow)
{
    struct emit *e = &k->e;

    op_rr(e, 1, 0x89, reg, RDX);
    shift_ri(e, 1, 4, RDX, 16);
    shift_ri(e, 1, 7, RDX, 16);
    op_rr(e, 1, 0x39, reg, RDX);
    to_stub(k, slow, CC_NE);
}

/* A branch ends the block: rax = where it goes, then c->rip and the count are brought up
 * to date at once, the boundary after it is looked at, and the block returns 0. */
static void compile_branch(struct compiler *k, const struct tcg_op *o, enum form f)
{
    const struct x86_insn *i = &o->insn;
    struct emit *e = &k->e;
    struct stub *slow = stub_new(k, o);
    int32_t rel = (int32_t)x86__imm_signed(i);

    switch (f) {
    case F_JCC:
        if (k->cc < 0) { /* no flag setter just before: the interpreter's flags__cond */
            op_rr(e, 1, 0x89, RBX, RDI);
            mov_imm(e, RSI, i->opcode & 15u);
            call(e, (const void *)flags__cond);
            op_rr(e, 0, 0x89, RAX, R13);
        }
        next_rip(k, i);
        op_rr(e, 1, 0x89, RCX, RAX);
        op_rr(e, 0, 0x84, R13, R13); /* test r13b, r13b */
        {
            uint8_t *skip = jump_fwd(e, CC_E);
            op_mem(e, 1, 0x8d, RAX, RCX, rel); /* lea rax, [rcx + rel] */
            check_canonical(k, RAX, slow);
            patch(e, skip, e->p);
        }
        break;
    case F_JMP:
    case F_CALL:
        next_rip(k, i);
        op_mem(e, 1, 0x8d, RAX, RCX, rel);
        check_canonical(k, RAX, slow);
        if (f == F_CALL) { /* push the return address (rcx), then go */
            op_rr(e, 1, 0x89, RAX, R8);
            op_rr(e, 1, 0x89, RCX, R9);
            push_r9(k, slow);
            op_rr(e, 1, 0x89, R8, RAX);
        }
        break;
    case F_RET:
        peek_stack(k, slow);
        check_canonical(k, RAX, slow);
        store(e, RDI, RBX, REG(R_SP), 8);
        break;
    default: /* F_JMPM */
        if (i->rm_reg != X86_REG_NONE) {
            op_mem(e, 1, 0x8b, RAX, RBX, REG(i->rm_reg));
        } else {
            mem_operand(k, i, ACC_READ, 8, slow);
            load(e, RAX, RSI, 0, 8);
        }
        check_canonical(k, RAX, slow);
        break;
    }
    store(e, RAX, RBX, OFF(rip), 8);
    catch_up(e, 0, k->lag_count + 1, 1);
    k->lag_rip = k->lag_count = 0;
    /* The slow way does the whole branch, boundary included, and ends the block too. */
    slow->ends = 1;
    op_mem(e, 0, 0x83, 7, RBX, OFF(events));
    b1(e, 0);
    uint8_t *quiet = jump_fwd(e, CC_E);
    call_step(k, (const void *)tcg__jit_events, NULL);
    patch(e, quiet, e->p);
    int64_t next = (int64_t)k->at + i->length; /* the offsets of the ways on in the page */
    switch (f) {
    case F_JCC: {
        op_rr(e, 0, 0x84, R13, R13); /* (r13b: still the condition) */
        uint8_t *taken = jump_fwd(e, CC_NE);
        exit_to(k, next);
        patch(e, taken, e->p);
        exit_to(k, next + rel);
        break;
    }
    case F_JMP:
    case F_CALL:
        exit_to(k, next + rel);
        break;
    default: /* RET, JMP through a register or memory */
        exit_lookup(k);
    }
}

/* The form of a block's instruction (one without code is #UD: the interpreter's). */
static enum form form(const struct tcg_op *o)
{
    return o->exec ? form_of(&o->insn) : F_NONE;
}

/* Whether instruction n + 1 of b is a Jcc that compile_branch will compile, or a SETcc or
 * CMOVcc compiled inline: then the flag setter n keeps its condition (in r13b). Returns the
 * condition, or -1. */
static int jcc_after(const struct tcg_block *b, unsigned n)
{
    if (n + 1 >= b->n)
        return -1;
    const struct x86_insn *j = &b->op[n + 1].insn;
    enum form f = form(&b->op[n + 1]);
    if (f != F_JCC && f != F_SETCC && f != F_CMOV)
        return -1;
    return j->opcode & 15;
}

/* [jit-fallback] */
/* Any other instruction: c->rip and the count are brought up to date, and tcg__jit_step
 * runs it through the interpreter's step(), faults, exits and boundary included. */
static void compile_call(struct compiler *k, const struct tcg_op *o)
{
    catch_up(&k->e, k->lag_rip, k->lag_count, 1);
    k->lag_rip = k->lag_count = 0;
    call_step(k, (const void *)jit_step, o);
}
/* [jit-fallback] */

/* [jit-frame] */
/*
 * A block's code: the epilogue first (every exit jumps back to it), then the entry. The
 * prologue saves the callee-saved registers the code uses, which also leaves the stack
 * 16-byte aligned for the calls into C (the SysV ABI); a fault in one of them longjmps to
 * tcg_run's setjmp, which restores its own registers, so this frame needs no unwinding.
 * Returns the entry's offset from start, or -1 when the block does not fit.
 */
static long compile(struct tcg_block *b, uint8_t *start, size_t room, size_t *size)
{
    struct compiler k = {0}, *c = &k;
    struct emit *e = &c->e;

    *e = (struct emit){.p = start, .start = start, .end = start + room};
    c->epilogue = e->p;
    b1(e, 0x41); /* pop r13; pop r12; pop rbx; ret */
    b1(e, 0x5d);
    b1(e, 0x41);
    b1(e, 0x5c);
    b1(e, 0x5b);
    b1(e, 0xc3);
    uint8_t *entry = e->p;
    b1(e, 0x53); /* push rbx; push r12; push r13 */
    b1(e, 0x41);
    b1(e, 0x54);
    b1(e, 0x41);
    b1(e, 0x55);
    op_rr(e, 1, 0x89, RDI, RBX); /* rbx = c, r12 = exit */
    op_rr(e, 1, 0x89, RSI, R12);
    op_rr(e, 0, 0x31, R13, R13); /* r13 = 0: entered from the loop */
    if (e->p - entry != PROLOGUE_BYTES)
        c->bad = 1;
    c->block = b;
    c->at = (uint32_t)(b->key >> 2 & 0xfff);
    guard(c, stub_new(c, NULL))->guard = 1;
    for (unsigned n = 0; n < b->n; n++) {
        const struct tcg_op *o = &b->op[n];
        enum form f = form(o);
        c->cc = f == F_ALU ? jcc_after(b, n) : -1;
        switch (f) {
        case F_NONE:
            compile_call(c, o);
            c->at += o->insn.length;
            continue;
        case F_JCC:
        case F_JMP:
        case F_CALL:
        case F_RET:
        case F_JMPM:
            c->cc = n > 0 && form(&b->op[n - 1]) == F_ALU ? 0 : -1; /* r13b holds it */
            compile_branch(c, o, f);
            goto stubs;
        case F_ALU:
            compile_alu(c, o);
            break;
        case F_MOV:
            compile_mov(c, o);
            break;
        case F_MOVX:
            compile_movx(c, o);
            break;
        case F_LEA:
            compile_lea(c, o);
            break;
        case F_PUSH:
            compile_push(c, o);
            break;
        case F_POP:
            compile_pop(c, o);
            break;
        case F_NOP:
            break;
        case F_UNARY:
            compile_unary(c, o);
            break;
        case F_SETCC:
        case F_CMOV:
            c->cc = n > 0 && form(&b->op[n - 1]) == F_ALU ? 0 : -1; /* r13b holds it */
            if (f == F_SETCC)
                compile_setcc(c, o);
            else
                compile_cmov(c, o);
            break;
        case F_IMUL:
            compile_imul(c, o);
            break;
        case F_CDQ:
            compile_cdq(c, o);
            break;
        case F_SHCL:
            compile_shift_cl(c, o);
            break;
        case F_SHIFT:
            compile_shift(c, o);
            break;
        }
        c->lag_rip += o->insn.length;
        c->lag_count++;
        c->at += o->insn.length;
        events_check(c);
    }
    /* The block ended without a branch (its page ends, or it is full): after an
     * instruction the interpreter ran, only the slow way (it may have been one that ends
     * a block, without a branch: see block.c's [ends]). */
    catch_up(e, c->lag_rip, c->lag_count, 1);
    if (form(&b->op[b->n - 1]) == F_NONE)
        block_end(c);
    else
        exit_to(c, c->at);
stubs:
    emit_stubs(c);
    if (e->full || c->bad)
        return -1;
    *size = (size_t)(e->p - start);
    return entry - start;
}
/* [jit-frame] */

/* [jit-buffer] */
/*
 * The code buffer is never writable and executable at once: one memfd is mapped twice,
 * read-write for the compiler and read-execute for running, at different addresses.
 */
struct tcg_jit *jit__new(void)
{
    struct tcg_jit *j = calloc(1, sizeof(*j));
    const char *hot = getenv("STEPVM_JIT_HOT");

    if (!j) {
        error__set("out of memory for the JIT");
        return NULL;
    }
    int fd = memfd_create("stepvm-jit", MFD_CLOEXEC);
    if (fd < 0) {
        error__set("memfd_create for the JIT's code: %s", strerror(errno));
        goto err_free;
    }
    if (ftruncate(fd, JIT_BUFFER) < 0) {
        error__set("ftruncate of the JIT's code buffer: %s", strerror(errno));
        goto err_close;
    }
    j->rw = mmap(NULL, JIT_BUFFER, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (j->rw == MAP_FAILED) {
        error__set("mmap of the JIT's code buffer (read-write): %s", strerror(errno));
        goto err_close;
    }
    j->rx = mmap(NULL, JIT_BUFFER, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (j->rx == MAP_FAILED) {
        error__set("mmap of the JIT's code buffer (read-execute): %s", strerror(errno));
        goto err_unmap;
    }
    close(fd);
    j->gen = 1;
    j->hot = hot && atoi(hot) > 0 ? (unsigned)atoi(hot) : JIT_HOT;
    return j;

err_unmap:
    munmap(j->rw, JIT_BUFFER);
err_close:
    close(fd);
err_free:
    free(j);
    return NULL;
}
/* [jit-buffer] */

void jit__free(struct tcg_jit *j)
{
    if (!j)
        return;
    munmap(j->rw, JIT_BUFFER);
    munmap(j->rx, JIT_BUFFER);
    free(j);
}

size_t jit__bytes(const struct tcg_jit *j)
{
    return j ? sizeof(*j) + JIT_BUFFER : 0;
}

uint64_t jit__stepped(const struct tcg_jit *j)
{
    return j ? j->stepped : 0;
}

int jit__supported(void)
{
    return 1;
}

/* [jit-hot] */
struct tcg_block *jit__entered(struct tcg_jit *j, struct tcg_block *b, uint64_t page,
                               uint64_t *last_page)
{
    if (b) {
        j->from = b;
        j->page = page;
        return b;
    }
    *last_page = j->page;
    return j->from;
}

jit_code jit__code(struct tcg_jit *j, struct tcg_block *b)
{
    if (b->host && b->host_gen == j->gen)
        return (jit_code)b->host;
    if (++b->runs < j->hot)
        return NULL;
    if (JIT_BUFFER - j->used < JIT_BLOCK_BYTES) { /* full: everything goes at once */
        j->used = 0;
        j->gen++;
    }
    size_t size;
    long entry = compile(b, j->rw + j->used, JIT_BLOCK_BYTES, &size);
    if (entry < 0) { /* too big for its room: it stays in the interpreter */
        b->runs = 0;
        return NULL;
    }
    b->host = (void *)(j->rx + j->used + entry);
    b->host_gen = j->gen;
    j->used += (size + 15) & ~(size_t)15;
    j->made++;
    return (jit_code)b->host;
}
/* [jit-hot] */

#else /* not __x86_64__: the JIT emits x86-64 code, so there is none here */

struct tcg_jit *jit__new(void)
{
    error__set("--tcg jit: the JIT emits x86-64 code and this host is not x86-64");
    return NULL;
}

void jit__free(struct tcg_jit *j)
{
    (void)j;
}

size_t jit__bytes(const struct tcg_jit *j)
{
    (void)j;
    return 0;
}

uint64_t jit__stepped(const struct tcg_jit *j)
{
    (void)j;
    return 0;
}

int jit__supported(void)
{
    return 0;
}

jit_code jit__code(struct tcg_jit *j, struct tcg_block *b)
{
    (void)j;
    (void)b;
    return NULL;
}

struct tcg_block *jit__entered(struct tcg_jit *j, struct tcg_block *b, uint64_t page,
                               uint64_t *last_page)
{
    (void)j;
    (void)page;
    (void)last_page;
    return b;
}

#endif /* __x86_64__ */
