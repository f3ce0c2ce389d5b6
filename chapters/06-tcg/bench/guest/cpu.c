/*
 * cpu.c - the interpreter benchmark's guest (chapter 6): integer work a reader knows, run at
 * CPL3, each part printing a checksum on the debug console:
 *
 *   sieve   the sieve of Eratosthenes up to SIEVE_LIMIT;
 *   sort    quicksort (insertion sort for short ranges) of SORT_COUNT pseudo-random numbers;
 *   crc32   CRC-32 bit by bit, no table, over the sorted array's bytes;
 *   bytecode  a stack machine running a program: the Collatz steps of 1 to VM_LIMIT - 1.
 *
 * The sizes are compile-time constants, chosen so that the whole guest runs about 235
 * million instructions (the interpreter's --stats counts them). bench/run.sh times the same
 * file under stepvm's interpreter, QEMU TCG and stepvm on KVM; equal output is the sign that
 * each computed the same thing. The guest exits with 0 when its self-checks hold (the known
 * prime count, a sorted array, CRC-32's check value), else 1.
 *
 * The work runs at CPL3 (user_call) because some nested KVMs emulate CPL0 code slowly and
 * run CPL3 code natively, so on KVM the guest runs at the CPU's own speed.
 */
#include <multiboot.h>
#include <stdint.h>
#include <stdio.h>
#include <user.h>

#define SIEVE_LIMIT  3000000 /* sieve the numbers below 3 million: 216816 primes */
#define SIEVE_PRIMES 216816
#define SORT_COUNT   220000 /* 32-bit numbers to sort: 880 KB, which crc32 reads too */
#define SORT_SHORT   16     /* ranges this short are left to insertion sort */
#define VM_LIMIT     3500   /* bytecode: the Collatz steps of 1 .. VM_LIMIT - 1 */

static uint8_t composite[SIEVE_LIMIT];
static uint32_t numbers[SORT_COUNT];

/* ---------------------------------------------------------------------------------------
 * The sieve of Eratosthenes: cross out every multiple of each prime up to the square root.
 */

/* Prints the number of primes below SIEVE_LIMIT and their sum (mod 2^32). */
static long sieve(void *unused)
{
    uint32_t count = 0, sum = 0;

    (void)unused;
    for (uint32_t n = 0; n < SIEVE_LIMIT; n++)
        composite[n] = n < 2;
    for (uint32_t p = 2; p * p < SIEVE_LIMIT; p++)
        if (!composite[p])
            for (uint32_t m = p * p; m < SIEVE_LIMIT; m += p)
                composite[m] = 1;
    for (uint32_t n = 0; n < SIEVE_LIMIT; n++)
        if (!composite[n]) {
            count++;
            sum += n;
        }
    printf("sieve: %u primes below %d, sum %08x\n", count, SIEVE_LIMIT, sum);
    return count == SIEVE_PRIMES;
}

/* ---------------------------------------------------------------------------------------
 * Sorting: quicksort around the middle element, down to short ranges that insertion sort
 * finishes. The numbers come from xorshift32, so every run sorts the same array.
 */

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static void insertion_sort(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t v = a[i];
        long j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Sorts a[0..n). Recurses into the smaller side and loops on the larger, so the stack
 * holds at most log2(n) frames: the user stack is 16 KiB. */
static void quicksort(uint32_t *a, long n)
{
    while (n > SORT_SHORT) {
        uint32_t pivot = a[n / 2];
        long i = 0, j = n - 1;
        while (i <= j) { /* Hoare's partition */
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        /* Now a[0..j] <= pivot <= a[i..n). */
        if (j + 1 < n - i) {
            quicksort(a, j + 1);
            a += i, n -= i;
        } else {
            quicksort(a + i, n - i);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

/* Prints a checksum of the sorted array: each number weighed by its position. */
static long sort(void *unused)
{
    uint32_t state = 2463534242u, sum = 0;
    int sorted = 1;

    (void)unused;
    for (long i = 0; i < SORT_COUNT; i++)
        numbers[i] = xorshift32(&state);
    quicksort(numbers, SORT_COUNT);
    for (long i = 0; i < SORT_COUNT; i++) {
        sorted &= i == 0 || numbers[i - 1] <= numbers[i];
        sum += numbers[i] * (uint32_t)(i + 1);
    }
    printf("sort: %d numbers, %s, checksum %08x\n", SORT_COUNT,
           sorted ? "in order" : "NOT in order", sum);
    return sorted;
}

/* ---------------------------------------------------------------------------------------
 * CRC-32 (the one of zlib, Ethernet and PNG: polynomial 0x04c11db7, reflected), one bit at
 * a time: eight shifts and conditional XORs a byte, and no table.
 */

static uint32_t crc32(const uint8_t *p, long n)
{
    uint32_t reg = 0xffffffff; /* the CRC register: the remainder so far */

    while (n--) {
        reg ^= *p++;
        for (int bit = 0; bit < 8; bit++)
            reg = (reg >> 1) ^ (0xedb88320 & -(reg & 1));
    }
    return ~reg;
}

/* Prints the CRC-32 of the sorted numbers (as bytes in memory), after checking the CRC's
 * standard check value: the CRC-32 of "123456789" is cbf43926. */
static long crc(void *unused)
{
    static const char check[] = "123456789";
    uint32_t c = crc32((const uint8_t *)check, sizeof(check) - 1);

    (void)unused;
    printf("crc32: check value %08x, sorted numbers %08x\n", c,
           crc32((const uint8_t *)numbers, sizeof(numbers)));
    return c == 0xcbf43926;
}

/* ---------------------------------------------------------------------------------------
 * A bytecode interpreter: a stack machine with a few variables, the loop at the heart of
 * every scripting language (and of stepvm's own interpreter, one level down).
 */

enum op { PUSH, LOAD, STORE, ADD, MUL, AND, SHR, LT, JZ, JMP, HALT };
enum var { N, X, STEPS, VARS };

struct op_arg {
    int32_t op;  /* enum op */
    int32_t arg; /* PUSH: the value; LOAD, STORE: the variable; JZ, JMP: the target */
};

/* The program: STEPS = the sum of the Collatz steps (x becomes x / 2 when even, 3x + 1
 * when odd, until it is 1) of every n from 1 to VM_LIMIT - 1. Binary operators pop b,
 * then a, and push a op b; JZ pops and jumps when the value is 0. */
// clang-format off
static const struct op_arg collatz[] = {
    /*  0 */ {PUSH, 1}, {STORE, N},
    /*  2 */ {LOAD, N}, {PUSH, VM_LIMIT}, {LT, 0}, {JZ, 36},   /* while n < VM_LIMIT */
    /*  6 */ {LOAD, N}, {STORE, X},                            /* x = n */
    /*  8 */ {PUSH, 1}, {LOAD, X}, {LT, 0}, {JZ, 31},          /* while 1 < x */
    /* 12 */ {LOAD, X}, {PUSH, 1}, {AND, 0}, {JZ, 22},         /* if x & 1 */
    /* 16 */ {LOAD, X}, {PUSH, 3}, {MUL, 0}, {PUSH, 1}, {ADD, 0},
    /* 21 */ {JMP, 25},                                        /* 3 * x + 1 */
    /* 22 */ {LOAD, X}, {PUSH, 1}, {SHR, 0},                   /* else x >> 1 */
    /* 25 */ {STORE, X},
    /* 26 */ {LOAD, STEPS}, {PUSH, 1}, {ADD, 0}, {STORE, STEPS},
    /* 30 */ {JMP, 8},
    /* 31 */ {LOAD, N}, {PUSH, 1}, {ADD, 0}, {STORE, N},       /* n = n + 1 */
    /* 35 */ {JMP, 2},
    /* 36 */ {HALT, 0},
};
// clang-format on

/* Runs code from its first instruction to HALT, over the variables vars. The stack is
 * deep enough for the programs here, which push at most two values. */
static void interpret(const struct op_arg *code, int64_t *vars)
{
    int64_t stack[8];
    int sp = 0, ip = 0;

    for (;;) {
        struct op_arg in = code[ip++];
        switch (in.op) {
        case PUSH:
            stack[sp++] = in.arg;
            break;
        case LOAD:
            stack[sp++] = vars[in.arg];
            break;
        case STORE:
            vars[in.arg] = stack[--sp];
            break;
        case ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case AND:
            sp--;
            stack[sp - 1] &= stack[sp];
            break;
        case SHR:
            sp--;
            stack[sp - 1] >>= stack[sp];
            break;
        case LT:
            sp--;
            stack[sp - 1] = stack[sp - 1] < stack[sp];
            break;
        case JZ:
            if (stack[--sp] == 0)
                ip = in.arg;
            break;
        case JMP:
            ip = in.arg;
            break;
        default: /* HALT */
            return;
        }
    }
}

/* Prints the total of the Collatz steps the bytecode computed. */
static long bytecode(void *unused)
{
    int64_t vars[VARS] = {0};

    (void)unused;
    interpret(collatz, vars);
    printf("bytecode: %u Collatz steps for 1..%d\n", (uint32_t)vars[STEPS], VM_LIMIT - 1);
    return 1;
}

/* ---------------------------------------------------------------------------------------
 * main: each part at CPL3, in turn. Each returns 1 when its self-check holds.
 */

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    static long (*const parts[])(void *) = {sieve, sort, crc, bytecode};
    int ok = 1;

    (void)magic, (void)mbi;
    for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        ok &= user_call(parts[i], NULL) == 1;
    printf("bench-cpu: %s\n", ok ? "ok" : "FAILED");
    return !ok;
}
