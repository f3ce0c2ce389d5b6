/*
 * vm.c - the interpreter benchmark's branchy guest (chapter 6): a small register bytecode
 * machine, dispatched by a switch, counting the primes below VM_LIMIT by trial division.
 * Almost every guest instruction is a load, a compare or a branch of the dispatch loop,
 * short blocks that end in indirect jumps: the opposite of bench-cpu.elf's long loops, and
 * the case where translation blocks and their chaining have the least to work with.
 * Prints the count; exits with 0 when it is the known one, else 1 (bench/run.sh).
 */
#include <multiboot.h>
#include <stdint.h>
#include <stdio.h>
#include <user.h>

#define VM_LIMIT  50000 /* count the primes below this */
#define VM_PRIMES 5133  /* there are this many */

enum { LI, ADD, ADDI, MUL, MOD, LT, JZ, JNZ, JMP, HALT };

/* One bytecode instruction: r[a] = r[b] op r[c], or an immediate, or a jump target. */
struct op {
    uint8_t code, a, b, c;
    int32_t imm;
};

/* r0 = n, r1 = primes so far, r2 = divisor, r3 = n is prime, r5 = VM_LIMIT. */
static const struct op primes[] = {
    {LI, 0, 0, 0, 2},   {LI, 1, 0, 0, 0},   {LI, 5, 0, 0, VM_LIMIT},
    {LT, 7, 0, 5, 0}, /* 3: n < limit? */
    {JZ, 7, 0, 0, 18},  {LI, 2, 0, 0, 2},   {LI, 3, 0, 0, 1},
    {MUL, 4, 2, 2, 0},                      /* 7: d * d */
    {LT, 7, 0, 4, 0},   {JNZ, 7, 0, 0, 15}, /* n < d * d: n is prime */
    {MOD, 6, 0, 2, 0},  {JZ, 6, 0, 0, 14},  /* d divides n */
    {ADDI, 2, 2, 0, 1}, {JMP, 0, 0, 0, 7},  {LI, 3, 0, 0, 0},
    {ADD, 1, 1, 3, 0}, /* 15 */
    {ADDI, 0, 0, 0, 1}, {JMP, 0, 0, 0, 3},  {HALT, 0, 0, 0, 0},
};

/* Runs code from its first instruction to HALT, on the registers r. */
static void run(const struct op *code, int64_t *r)
{
    for (const struct op *p = code;; p++) {
        switch (p->code) {
        case LI:
            r[p->a] = p->imm;
            break;
        case ADD:
            r[p->a] = r[p->b] + r[p->c];
            break;
        case ADDI:
            r[p->a] = r[p->b] + p->imm;
            break;
        case MUL:
            r[p->a] = r[p->b] * r[p->c];
            break;
        case MOD:
            r[p->a] = r[p->b] % r[p->c];
            break;
        case LT:
            r[p->a] = r[p->b] < r[p->c];
            break;
        case JZ:
            if (!r[p->a])
                p = code + p->imm - 1;
            break;
        case JNZ:
            if (r[p->a])
                p = code + p->imm - 1;
            break;
        case JMP:
            p = code + p->imm - 1;
            break;
        default:
            return;
        }
    }
}

static long count(void *unused)
{
    int64_t r[8] = {0};

    (void)unused;
    run(primes, r);
    printf("vm: %u primes below %d\n", (uint32_t)r[1], VM_LIMIT);
    return r[1] == VM_PRIMES;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    return user_call(count, NULL) == 1 ? 0 : 1;
}
