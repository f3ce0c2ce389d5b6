/*
 * blocks.c - translation blocks against the interpreter run an instruction at a time
 * (chapter 6): random programs, made of the differential test's random instructions with
 * forward branches between them, run from the same state under --tcg=insn and
 * --tcg=block, and every register, flag, byte of memory and the instruction count compared.
 *
 * Each program runs twice from its start, so the second run finds its blocks decoded and
 * chained. The instructions write memory, the program's own bytes included (self-modifying
 * code), fault (the run ends at the exception, state as the faulting instruction found it)
 * and may start near the end of a page, so that blocks end at page ends and instructions
 * straddle two pages. STEPVM_BLOCK_CASES (default 1000), STEPVM_BLOCK_FIRST (default 0) and
 * STEPVM_BLOCK_SEED (default 1) choose the programs; a failure names the seed and number
 * that reproduce it. smc.elf, the book's guest that rewrites its own code, runs here too.
 *
 * The JIT (--tcg=jit) is compared the same way, with its hot threshold at 1 so that every
 * block is compiled, and each program run STEPVM_JIT_ROUNDS times (default 4):
 * STEPVM_JIT_CASES (default 1000) programs, from STEPVM_BLOCK_FIRST and STEPVM_BLOCK_SEED.
 * Both tests also run a few fixed programs that once found a difference, or a run that did
 * not end (fixed_programs).
 */
#include "ch6_tests.h"
#include "cpu.h"
#include "diff.h"
#include "error.h"
#include "tcg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRAM_MAX 48 /* random instructions in a program at most */
/* Runs one round of a program may take (see struct watchdog): far more than a program
 * that only goes forward needs. */
#define STOPS_MAX 1000

/* A random program and the state it starts from. */
struct program {
    struct diff_case start; /* mode, registers, flags, memory seed, FPU state */
    uint8_t code[PROGRAM_MAX * (X86_MAX_LENGTH + 2) + 1];
    size_t len;
    uint16_t next[PROGRAM_MAX * (X86_MAX_LENGTH + 2) + 1]; /* see skip() */
    uint64_t rip;
};

/* Near branches are left out of the random instructions: a backward one could loop for
 * ever. The program's own branches (below) only go forward. */
static int near_branch(const struct x86_insn *i)
{
    uint8_t op = i->opcode;

    if (i->map == X86_MAP_0F)
        return op >= 0x80 && op <= 0x8f;
    return (op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3) || op == 0xe8 || op == 0xe9 ||
           op == 0xeb || op == 0xc2 || op == 0xc3 ||
           (op == 0xff && (i->reg & 7) >= 2 && (i->reg & 7) <= 5);
}

/* Program n of stream seed: the state of a random case, then instructions of random cases
 * of the same mode, with a Jcc rel8 now and then that may skip the instruction after it. */
static void make_program(uint64_t seed, uint64_t n, struct program *p)
{
    uint64_t base = n * 4096;
    unsigned want;

    memset(p, 0, sizeof(*p));
    diff__generate(seed, base, &p->start);
    struct diff_layout l = diff__layout(p->start.mode);
    want = 4 + (unsigned)(p->start.r[0] % (PROGRAM_MAX - 4));
    for (uint64_t k = 1, got = 0; k < 4096 && got < want; k++) {
        struct diff_case c;
        struct x86_insn i;
        diff__generate(seed, base + k, &c);
        if (c.mode != p->start.mode || x86__decode(c.code, sizeof(c.code), c.mode, &i) < 0 ||
            !diff__compared(&i) || near_branch(&i))
            continue;
        if (c.r[1] % 4 == 0) { /* Jcc over this instruction, by a condition of the flags */
            p->code[p->len++] = (uint8_t)(0x70 | (c.r[2] & 15));
            p->code[p->len++] = i.length;
        }
        memcpy(p->code + p->len, c.code, i.length);
        p->next[p->len] = (uint16_t)(p->len + i.length);
        p->len += i.length;
        got++;
    }
    p->code[p->len++] = 0xf4; /* HLT */
    /* Anywhere in the code region's first page, so that some programs cross into the next. */
    p->rip = l.code + (p->start.r[3] % 4096);
    if (p->start.mode == X86_MODE_16)
        p->rip = l.code + (p->start.r[3] % 0x800);
}

/* A hand-written 64-bit program, run from the start states of random ones: the forms the
 * JIT compiles inline next to their neighbours that it leaves to the interpreter, and its
 * flag setters each followed by the reader that fuses with it. The random instructions
 * never make some of them (0F 1F), and seldom these pairs. */
static const uint8_t handmade_code[] = {
    0x0f, 0x1f, 0x00,                               /* nop dword [rax] */
    0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00,             /* nop word [rax + rax] */
    0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, /* nop dword [rax + rax + 0] */
    0x90, 0x48, 0x90,                               /* nop; rex.w nop */
    0x41, 0x90,                                     /* xchg r8d, eax */
    0xf3, 0x90,                                     /* pause */
    0x48, 0x39, 0xd1,                               /* cmp rcx, rdx */
    0x0f, 0x9c, 0xc0,                               /* setl al */
    0x48, 0x0f, 0x44, 0xd9,                         /* cmove rbx, rcx */
    0x48, 0x39, 0x54, 0x24, 0x08,                   /* cmp [rsp + 8], rdx */
    0x0f, 0x96, 0x44, 0x24, 0x10,                   /* setbe [rsp + 16] */
    0x80, 0x44, 0x24, 0x18, 0x7f,                   /* add byte [rsp + 24], 0x7f */
    0x0f, 0x93, 0xc1,                               /* setae cl */
    0x80, 0xf9, 0x05,                               /* cmp cl, 5 */
    0x0f, 0x4d, 0xd8,                               /* cmovge ebx, eax */
    0x38, 0xe0,                                     /* cmp al, ah */
    0x0f, 0x9f, 0xc2,                               /* setg dl */
    0x84, 0xc3,                                     /* test bl, al */
    0x40, 0x0f, 0x94, 0xc4,                         /* sete spl */
    0x0f, 0x94, 0xc4,                               /* sete ah */
    0x48, 0xf7, 0xdb,                               /* neg rbx */
    0x0f, 0x4c, 0xc3,                               /* cmovl eax, ebx */
    0x48, 0x0f, 0xaf, 0xc1,                         /* imul rax, rcx */
    0x0f, 0x90, 0xc6,                               /* seto dh */
    0x48, 0x99,                                     /* cqo */
    0xd3, 0xfa,                                     /* sar edx, cl */
    0x48, 0xd3, 0xe0,                               /* shl rax, cl */
    0x0f, 0x92, 0xc3,                               /* setb bl */
    0xf7, 0x54, 0x24, 0x20,                         /* not dword [rsp + 32] */
    0x48, 0x01, 0x4c, 0x24, 0x28,                   /* add [rsp + 40], rcx */
    0x0f, 0x95, 0xc1,                               /* setne cl */
    0xf4,                                           /* hlt */
};

/* A second one, for how blocks end: a loop of 40 trips through CALL and RET, a JMP
 * through a register to one of four targets, a JMP through memory, and every eighth trip a
 * write to the immediate of the function the loop calls (so blocks compiled and jumped to
 * directly are dropped under the running code). Random programs have no backward or
 * indirect branches at all. */
static const uint8_t branchy_code[] = {
    0xb9, 0x28, 0x00, 0x00, 0x00,                   /* mov ecx, 40 */
    0xe8, 0x56, 0x00, 0x00, 0x00,                   /* loop: call func */
    0x89, 0xc8,                                     /* mov eax, ecx */
    0x83, 0xe0, 0x03,                               /* and eax, 3 */
    0xc1, 0xe0, 0x03,                               /* shl eax, 3 */
    0x48, 0x8d, 0x35, 0x05, 0x00, 0x00, 0x00,       /* lea rsi, [rip + t0] */
    0x48, 0x01, 0xc6,                               /* add rsi, rax */
    0xff, 0xe6,                                     /* jmp rsi */
    0x48, 0x83, 0xc3, 0x01, 0xeb, 0x1a, 0x90, 0x90, /* t0: add rbx, 1; jmp join */
    0x48, 0x31, 0xd3, 0xeb, 0x13, 0x90, 0x90, 0x90, /* t1: xor rbx, rdx; jmp join */
    0x48, 0x29, 0xcb, 0xeb, 0x0b, 0x90, 0x90, 0x90, /* t2: sub rbx, rcx; jmp join */
    0x48, 0x8d, 0x1c, 0x5b, 0xeb, 0x02, 0x90, 0x90, /* t3: lea rbx, [rbx + rbx * 2]; jmp join */
    0x48, 0x8d, 0x05, 0x04, 0x00, 0x00, 0x00,       /* join: lea rax, [rip + after] */
    0x50,                                           /* push rax */
    0xff, 0x24, 0x24,                               /* jmp [rsp] */
    0x58,                                           /* after: pop rax */
    0xf6, 0xc1, 0x07,                               /* test cl, 7 */
    0x75, 0x06,                                     /* jnz same */
    0xfe, 0x05, 0x0e, 0x00, 0x00, 0x00,             /* inc byte [rip + imm] */
    0x48, 0x39, 0xdf,                               /* same: cmp rdi, rbx */
    0x0f, 0x92, 0xc0,                               /* setb al */
    0xff, 0xc9,                                     /* dec ecx */
    0x75, 0xa6,                                     /* jnz loop */
    0xf4,                                           /* hlt */
    0x48, 0x83, 0xc7, 0x01,                         /* func: add rdi, imm (imm: the 01) */
    0xc3,                                           /* ret */
};

/* Program n of seed with hand-written code instead of its own, when it is a 64-bit one;
 * else returns 0. */
static int handmade_program(uint64_t seed, uint64_t n, const uint8_t *code, size_t len,
                            struct program *p)
{
    struct x86_insn i;

    make_program(seed, n, p);
    if (p->start.mode != X86_MODE_64)
        return 0;
    memcpy(p->code, code, len);
    p->len = len;
    memset(p->next, 0, sizeof(p->next));
    for (size_t at = 0; at < p->len; at += i.length) {
        ck_assert_int_gt(x86__decode(p->code + at, p->len - at, X86_MODE_64, &i), 0);
        p->next[at] = (uint16_t)(at + i.length);
    }
    return 1;
}

/* What a run left, to compare. */
struct outcome {
    int kind, vector;
    uint64_t r[16], rip, rflags, instructions;
    tcg_xmm xmm[16];
    uint8_t st[8][10];
};

/* Where a run that ended at an exception goes on: after the random instruction that
 * raised it, when RIP is at one of the program's (0 when not: the program ends there).
 * Only forward, so every program ends. */
static uint64_t skip(const struct program *p, const struct outcome *o)
{
    if (o->kind != VCPU_EXIT_FATAL || o->rip < p->rip || o->rip >= p->rip + p->len ||
        !p->next[o->rip - p->rip])
        return 0;
    return p->rip + p->next[o->rip - p->rip];
}

/* A program may loop for ever all the same: its instructions write its own bytes, and
 * can make a backward branch of them. A watchdog kicks the vCPU after a while, and the
 * run ends with VCPU_EXIT_INTR: such a program is left out (when the instruction-at-a-time
 * run loops), or is a failure (when only the block run does). A loop that faults on the
 * way round ends every run quickly instead, and skip() sends the next one on round it:
 * compare_program stops those after STOPS_MAX runs. */
struct watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    struct vcpu *v;
};

static void *watch(void *arg)
{
    struct watchdog *w = arg;
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT) {
            vcpu__kick(w->v);
            break;
        }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Runs the vCPU from rip until it halts, faults or exits otherwise. */
static void run_program(struct vcpu *v, uint64_t rip, struct outcome *o)
{
    struct kvm_regs regs;
    struct vcpu_exit exit;
    struct tcg_cpu *t = (struct tcg_cpu *)v;
    struct watchdog w = {
        .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .v = v};

    ck_assert_int_eq(vcpu__get_regs(v, &regs), 0);
    regs.rip = rip;
    ck_assert_int_eq(vcpu__set_regs(v, &regs), 0);
    memset(o, 0, sizeof(*o));
    ck_assert_int_eq(pthread_create(&w.thread, NULL, watch, &w), 0);
    ck_assert_int_eq(vcpu__run(v, &exit), 0);
    pthread_mutex_lock(&w.lock);
    w.done = 1;
    pthread_cond_signal(&w.cond);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.thread, NULL);
    o->kind = exit.kind;
    o->vector = exit.kind == VCPU_EXIT_FATAL ? tcg_vcpu__exception(v, NULL) : -1;
    memcpy(o->r, t->r, sizeof(o->r));
    o->rip = t->rip;
    o->rflags = flags__get_rflags(t);
    o->instructions = tcg_vcpu__instructions(v);
    memcpy(o->xmm, t->xmm, sizeof(o->xmm));
    memcpy(o->st, t->x87.r, sizeof(o->st));
}

/* One vCPU for the program, run the way t says, with its memory and registers set. */
static struct vcpu *machine(const struct program *p, enum tcg_translation t, struct guest_mem *mem)
{
    struct diff_layout l = diff__layout(p->start.mode);
    struct vcpu *v = diff__interp_new(p->start.mode, mem);
    struct kvm_regs regs = {0};
    __u64 *gpr[16] = {&regs.rax, &regs.rcx, &regs.rdx, &regs.rbx, &regs.rsp, &regs.rbp,
                      &regs.rsi, &regs.rdi, &regs.r8,  &regs.r9,  &regs.r10, &regs.r11,
                      &regs.r12, &regs.r13, &regs.r14, &regs.r15};

    ck_assert_msg(v != NULL, "%s", error__get());
    ck_assert_int_eq(tcg_vcpu__set_translation(v, t), 0);
    uint8_t *image = malloc(l.size);
    ck_assert_ptr_nonnull(image);
    diff__fill_memory(p->start.mem_seed, p->start.mode, image, l.size);
    memcpy(image + (p->rip - l.base), p->code, p->len);
    ck_assert_int_eq(vcpu__write_mem(v, l.base, image, l.size), 0);
    free(image);
    for (int n = 0; n < 16; n++)
        *gpr[n] = p->start.r[n];
    regs.rflags = p->start.rflags;
    ck_assert_int_eq(vcpu__set_regs(v, &regs), 0);
    return v;
}

/* The first difference between the two outcomes and memories, or NULL. */
static const char *differs(const struct outcome *a, const struct outcome *b, const uint8_t *ma,
                           const uint8_t *mb, uint64_t size, char *buf, size_t len)
{
    if (a->kind != b->kind || a->vector != b->vector)
        snprintf(buf, len, "exit %d/%d vs %d/%d", a->kind, a->vector, b->kind, b->vector);
    else if (a->rip != b->rip)
        snprintf(buf, len, "rip 0x%llx vs 0x%llx", (unsigned long long)a->rip,
                 (unsigned long long)b->rip);
    else if (a->instructions != b->instructions)
        snprintf(buf, len, "instructions %llu vs %llu", (unsigned long long)a->instructions,
                 (unsigned long long)b->instructions);
    else if (a->rflags != b->rflags)
        snprintf(buf, len, "rflags 0x%llx vs 0x%llx", (unsigned long long)a->rflags,
                 (unsigned long long)b->rflags);
    else if (memcmp(a->r, b->r, sizeof(a->r)))
        snprintf(buf, len, "general registers differ");
    else if (memcmp(a->xmm, b->xmm, sizeof(a->xmm)) || memcmp(a->st, b->st, sizeof(a->st)))
        snprintf(buf, len, "x87 or XMM registers differ");
    else if (memcmp(ma, mb, size))
        snprintf(buf, len, "memory differs");
    else
        return NULL;
    return buf;
}

/* What the programs did, for the summary line. */
struct tally {
    unsigned long halted, faulted, looped, instructions;
};

static int compare_made(const struct program *given, uint64_t seed, uint64_t n,
                        enum tcg_translation way, int rounds, struct tally *t);

/* Runs program n of seed an instruction at a time and the way way says, rounds times;
 * returns 0 when they agreed, else says how. */
static int compare_program(uint64_t seed, uint64_t n, enum tcg_translation way, int rounds,
                           struct tally *t)
{
    struct program p;

    make_program(seed, n, &p);
    return compare_made(&p, seed, n, way, rounds, t);
}

/* Runs the program p (program n of seed, or made from it) as compare_program does. */
static int compare_made(const struct program *given, uint64_t seed, uint64_t n,
                        enum tcg_translation way, int rounds, struct tally *t)
{
    struct program p = *given;
    struct guest_mem mem[2];
    struct vcpu *v[2];
    struct outcome o[2];
    char why[128];

    struct diff_layout l = diff__layout(p.start.mode);
    v[0] = machine(&p, TCG_INSN, &mem[0]);
    v[1] = machine(&p, way, &mem[1]);
    int bad = 0;
    for (int round = 0, stops = 0; round < rounds && !bad; stops++) {
        uint64_t from = stops ? skip(&p, &o[0]) : p.rip;
        if (!from) { /* the run ended: once more from the start, its blocks ready */
            round++;
            stops = -1;
            continue;
        }
        run_program(v[0], from, &o[0]);
        /* A loop, in one run or faulting its way round (see struct watchdog): left out. */
        if (o[0].kind == VCPU_EXIT_INTR || stops > STOPS_MAX) {
            t->looped++;
            break;
        }
        run_program(v[1], from, &o[1]);
        t->halted += o[1].kind == VCPU_EXIT_HLT;
        t->faulted += o[1].kind == VCPU_EXIT_FATAL;
        const char *d =
            differs(&o[0], &o[1], guest_mem__translate(&mem[0], l.base, l.size),
                    guest_mem__translate(&mem[1], l.base, l.size), l.size, why, sizeof(why));
        if (d) {
            fprintf(
                stderr, "%s: seed %llu program %llu (%d-bit, %zu bytes at 0x%llx), run %d: %s\n",
                way == TCG_JIT ? "jit" : "blocks", (unsigned long long)seed, (unsigned long long)n,
                p.start.mode == X86_MODE_64   ? 64
                : p.start.mode == X86_MODE_32 ? 32
                                              : 16,
                p.len, (unsigned long long)p.rip, round + 1, d);
            bad = 1;
        }
    }
    t->instructions += tcg_vcpu__instructions(v[1]);
    for (int k = 0; k < 2; k++) {
        tcg_vcpu__free(v[k]);
        guest_mem__exit(&mem[k]);
    }
    return bad;
}

/* Programs that once ran differently, or not to the end, run in every test whatever the
 * variables say: seed, number and rounds. The first two are 16-bit programs whose REP MOVSW
 * copies over their own code, which the string fast path once did without dropping the
 * decoded copies. The third IRETs to CS 0xffff and runs up to IP 0xffff: IP wraps round to
 * 0, where a block once ran on into the bytes that follow in linear memory instead. In its
 * second round the fourth goes back to an earlier instruction of its own, round a loop of
 * runs that each end at a page fault, which the block test once followed for ever
 * (STOPS_MAX). */
static const struct {
    uint64_t seed, n;
    int rounds;
} fixed_programs[] = {{7, 2430, 16}, {7, 2926, 16}, {11, 4655, 4}, {11, 14176, 2}};

/* Runs the fixed programs the way way says, and the hand-written ones from the start
 * states of the first 64-bit programs of seed 1; returns how many differed. */
static unsigned long compare_fixed(enum tcg_translation way, struct tally *t)
{
    unsigned long bad = 0;
    struct program p;

    static const struct {
        const uint8_t *code;
        size_t len;
    } handmade[] = {{handmade_code, sizeof(handmade_code)}, {branchy_code, sizeof(branchy_code)}};
    for (size_t h = 0; h < sizeof(handmade) / sizeof(handmade[0]); h++)
        for (uint64_t n = 0, made = 0; n < 1000 && made < 64; n++)
            if (handmade_program(1, n, handmade[h].code, handmade[h].len, &p)) {
                int d = compare_made(&p, 1, n, way, 4, t);
                if (d)
                    fprintf(stderr, "(that was hand-written program %zu, from that start state)\n",
                            h + 1);
                bad += (unsigned long)d;
                made++;
            }

    for (size_t k = 0; k < sizeof(fixed_programs) / sizeof(fixed_programs[0]); k++)
        bad += (unsigned long)compare_program(fixed_programs[k].seed, fixed_programs[k].n, way,
                                              fixed_programs[k].rounds, t);
    return bad;
}

static uint64_t env_number(const char *name, uint64_t fallback)
{
    const char *s = getenv(name);

    return s && *s ? strtoull(s, NULL, 0) : fallback;
}

START_TEST(blocks_run_as_single_instructions_do)
{
    uint64_t seed = env_number("STEPVM_BLOCK_SEED", 1);
    uint64_t count = env_number("STEPVM_BLOCK_CASES", 1000);
    uint64_t first = env_number("STEPVM_BLOCK_FIRST", 0);
    unsigned long bad = 0;
    struct tally t = {0};

    for (uint64_t n = first; n < first + count; n++)
        bad += (unsigned long)compare_program(seed, n, TCG_BLOCK, 2, &t);
    bad += compare_fixed(TCG_BLOCK, &t);
    fprintf(stderr,
            "blocks: %llu programs, %lu runs ended at HLT, %lu at an exception, %lu "
            "programs looped (left out), %lu instructions under blocks\n",
            (unsigned long long)count, t.halted, t.faulted, t.looped, t.instructions);
    ck_assert_msg(bad == 0, "%lu of %llu programs ran differently in blocks (stderr says which)",
                  bad, (unsigned long long)count);
}
END_TEST

/* The same against the JIT, every block compiled at once (STEPVM_JIT_HOT=1). */
START_TEST(jit_runs_as_single_instructions_do)
{
    uint64_t seed = env_number("STEPVM_BLOCK_SEED", 1);
    uint64_t count = env_number("STEPVM_JIT_CASES", 1000);
    uint64_t first = env_number("STEPVM_BLOCK_FIRST", 0);
    int rounds = (int)env_number("STEPVM_JIT_ROUNDS", 4);
    unsigned long bad = 0;
    struct tally t = {0};
    struct timespec t0, t1;

    if (tcg_translation__parse("jit", &(enum tcg_translation){TCG_JIT}) < 0)
        return; /* not an x86-64 host: there is no JIT to compare */
    setenv("STEPVM_JIT_HOT", "1", 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t n = first; n < first + count; n++)
        bad += (unsigned long)compare_program(seed, n, TCG_JIT, rounds, &t);
    bad += compare_fixed(TCG_JIT, &t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr,
            "jit: %llu programs, %d rounds, %lu runs ended at HLT, %lu at an exception, %lu "
            "programs looped (left out), %lu instructions under the JIT, %.1f s\n",
            (unsigned long long)count, rounds, t.halted, t.faulted, t.looped, t.instructions,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    ck_assert_msg(bad == 0,
                  "%lu of %llu programs ran differently under the JIT (stderr says which)", bad,
                  (unsigned long long)count);
}
END_TEST

/* smc.elf rewrites code it is about to run, in every way blocks must notice (the same
 * line, the next block, another page, a second mapping, a remapped page, REP MOVSB and
 * REP STOSB): every way of running code prints what QEMU prints, smc.expected, with one
 * vCPU and with two (the second idle, but then writes take the ordered path of mmu.c). */
START_TEST(self_modifying_code_runs_as_on_qemu)
{
    static const char *const ways[] = {"--tcg=insn", "--tcg=block", "--tcg=jit"};
    struct run_result r, q;

    run_qemu(&q, "guests/ch6/smc.elf", NULL);
    ck_assert_msg(q.status == 1, "QEMU status %d: %s", q.status, q.err);
    ck_assert_lines_eq(q.out, expected_output("guests/ch6/smc.expected"));
    run_free(&q);
    for (int k = 0; k < 6; k++) {
        run_builtv(&r, "bin/stepvm", "--accel=tcg", ways[k % 3], k < 3 ? "--smp=1" : "--smp=2",
                   "guests/ch6/smc.elf", NULL);
        ck_assert_msg(r.status == 1, "%s, %d vCPUs: status %d: %s", ways[k % 3], k < 3 ? 1 : 2,
                      r.status, r.err);
        ck_assert_lines_eq(r.out, expected_output("guests/ch6/smc.expected"));
        run_free(&r);
    }
}
END_TEST

/* A loop of two blocks that jump to each other, and code written by another thread (a
 * device's DMA, or another vCPU) while it runs: the loop's last JMP becomes two NOPs, and
 * the run must reach the HLT after them. The vCPU never comes back to the run loop by
 * itself, so under the JIT only the guard at the start of each block's code (its check of
 * the code map's generation) can notice; without it the old loop would run on until the
 * watchdog's kick. */
struct writer {
    struct vcpu *v;
    uint64_t at;
};

static void *write_later(void *arg)
{
    static const uint8_t nops[] = {0x90, 0x90};
    struct writer *w = arg;

    nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    ck_assert_int_eq(vcpu__write_mem(w->v, w->at, nops, sizeof(nops)), 0);
    return NULL;
}

START_TEST(code_written_by_another_thread_stops_a_loop)
{
    static const uint8_t loop[] = {
        0x48, 0x83, 0xc3, 0x01, /* loop: add rbx, 1 */
        0xeb, 0x00,             /* jmp next */
        0x48, 0x83, 0xc1, 0x01, /* next: add rcx, 1 */
        0xeb, 0xf4,             /* jmp loop (what the other thread replaces) */
        0xf4,                   /* hlt */
    };
    static const enum tcg_translation ways[] = {TCG_INSN, TCG_BLOCK, TCG_JIT};
    struct program p;
    uint64_t n = 0;

    while (make_program(1, n, &p), p.start.mode != X86_MODE_64)
        n++;
    memcpy(p.code, loop, sizeof(loop));
    p.len = sizeof(loop);
    p.rip = diff__layout(X86_MODE_64).code + 16; /* all in one page */
    setenv("STEPVM_JIT_HOT", "1", 1);
    for (size_t k = 0; k < sizeof(ways) / sizeof(ways[0]); k++) {
        if (ways[k] == TCG_JIT && tcg_translation__parse("jit", &(enum tcg_translation){0}) < 0)
            continue; /* not an x86-64 host */
        struct guest_mem mem;
        struct outcome o;
        struct vcpu *v = machine(&p, ways[k], &mem);
        struct writer w = {v, p.rip + 10};
        pthread_t thread;
        ck_assert_int_eq(pthread_create(&thread, NULL, write_later, &w), 0);
        run_program(v, p.rip, &o);
        pthread_join(thread, NULL);
        ck_assert_msg(o.kind == VCPU_EXIT_HLT && o.rip == p.rip + 13,
                      "way %zu: exit %d at 0x%llx after %llu instructions (HLT at 0x%llx "
                      "expected)",
                      k, o.kind, (unsigned long long)o.rip, (unsigned long long)o.instructions,
                      (unsigned long long)(p.rip + 13));
        tcg_vcpu__free(v);
        guest_mem__exit(&mem);
    }
}
END_TEST

/* --tcg takes insn, block and jit, and nothing else. */
START_TEST(tcg_option_takes_insn_block_and_jit)
{
    struct run_result r;

    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--tcg=fast", "guests/ch2/hello.elf", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "stepvm: --tcg fast: must be insn, block or jit\n");
    run_free(&r);
#if defined(__x86_64__)
    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--tcg=jit", "--stats", "guests/ch2/hello.elf",
               NULL);
    ck_assert_int_eq(r.status, 35);
    ck_assert_msg(strstr(r.err, "translation: jit, cache "), "stderr: %s", r.err);
    run_free(&r);
#endif
    run_builtv(&r, "bin/stepvm", "--accel=tcg", "--tcg=insn", "--stats", "guests/ch2/hello.elf",
               NULL);
    ck_assert_int_eq(r.status, 35);
    ck_assert_msg(strstr(r.err, "translation: insn, cache "), "stderr: %s", r.err);
    run_free(&r);
}
END_TEST

TCase *block_tests(void)
{
    TCase *tc = tcase_create("blocks");

    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, blocks_run_as_single_instructions_do);
    tcase_add_test(tc, jit_runs_as_single_instructions_do);
    tcase_add_test(tc, self_modifying_code_runs_as_on_qemu);
    tcase_add_test(tc, code_written_by_another_thread_stops_a_loop);
    tcase_add_test(tc, tcg_option_takes_insn_block_and_jit);
    return tc;
}
