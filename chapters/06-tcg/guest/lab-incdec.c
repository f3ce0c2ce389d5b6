/*
 * lab-incdec.c - the test guest of lab "jit-incdec" (chapter 6): INC and DEC, many of them
 * and in every form whose flags are easy to get wrong.
 *
 * First nested counters made of INC and DEC alone (rounds=N on the Multiboot command
 * line, 2000 without), then the flags they leave: INC and DEC keep CF, whatever set it
 * (STC, an ADD, a CMP, a shift, another INC), and set OF, SF, ZF, AF and PF from their
 * result at their own width. Every test runs TRIES times, so that the blocks holding
 * it are hot (the JIT compiles them); the lines printed must not depend on how the
 * instructions ran.
 */
#include <multiboot.h>
#include <stdio.h>

#define TRIES 200
#define FLAGS 0x8d5 /* CF, PF, AF, ZF, SF, OF */

/* [lab-incdec] */
/* Counts down rounds x 1000 with DEC, and counts four registers with INC and DEC on the
 * way; returns a sum of them. */
static uint64_t counters(uint64_t rounds)
{
    uint64_t a = 0, b = 0, d = 0, inner;
    uint32_t e = 0;

    __asm__ volatile("1:\n\t"
                     "movl $1000, %k[inner]\n"
                     "2:\n\t"
                     "inc %[a]\n\t"
                     "dec %[b]\n\t"
                     "inc %[e]\n\t"
                     "inc %[d]\n\t"
                     "dec %k[inner]\n\t"
                     "jnz 2b\n\t"
                     "dec %[rounds]\n\t"
                     "jnz 1b"
                     : [a] "+r"(a), [b] "+r"(b), [d] "+r"(d), [e] "+r"(e), [inner] "=&r"(inner),
                       [rounds] "+r"(rounds)
                     :
                     : "cc");
    return a + 3 * b + 5 * d + 7 * e;
}
/* [lab-incdec] */

/* ADC $0 after INC: CF as it was before the INC, set by STC (way 0), by an ADD that
 * carries (1), by a CMP that borrows (2), by a shift (3), or cleared by a CMP (4). */
static uint64_t adc_after_inc(int way)
{
    uint64_t x = 41, t = 0, y = 0;

    switch (way) {
    case 0:
        __asm__ volatile("stc\n\tinc %[x]\n\tadc $0, %[y]" : [x] "+r"(x), [y] "+r"(y) : : "cc");
        break;
    case 1:
        __asm__ volatile("mov $-1, %[t]\n\tadd $1, %[t]\n\tinc %[x]\n\tadc $0, %[y]"
                         : [x] "+r"(x), [y] "+r"(y), [t] "+r"(t)
                         :
                         : "cc");
        break;
    case 2:
        __asm__ volatile("mov $3, %[t]\n\tcmp $7, %[t]\n\tinc %[x]\n\tadc $0, %[y]"
                         : [x] "+r"(x), [y] "+r"(y), [t] "+r"(t)
                         :
                         : "cc");
        break;
    case 3:
        __asm__ volatile("mov $-1, %[t]\n\tshl $3, %[t]\n\tinc %[x]\n\tadc $0, %[y]"
                         : [x] "+r"(x), [y] "+r"(y), [t] "+r"(t)
                         :
                         : "cc");
        break;
    default:
        __asm__ volatile("mov $9, %[t]\n\tcmp $7, %[t]\n\tinc %[x]\n\tadc $0, %[y]"
                         : [x] "+r"(x), [y] "+r"(y), [t] "+r"(t)
                         :
                         : "cc");
        break;
    }
    return y * 100 + x;
}

/* JC after DEC, CF set by a CMP before it; JZ after DEC to zero; JS after DEC below zero;
 * JO after INC past the largest signed value. Returns one bit per branch taken. */
static unsigned branches_after(void)
{
    uint64_t t = 3, z = 1, s = 0;
    uint32_t o = 0x7fffffff;
    unsigned taken = 0;

    __asm__ volatile("cmp $7, %[t]\n\t"
                     "dec %[t]\n\t"
                     "jnc 1f\n\t"
                     "or $1, %[taken]\n"
                     "1:\n\t"
                     "dec %[z]\n\t"
                     "jnz 2f\n\t"
                     "or $2, %[taken]\n"
                     "2:\n\t"
                     "dec %[s]\n\t"
                     "jns 3f\n\t"
                     "or $4, %[taken]\n"
                     "3:\n\t"
                     "inc %[o]\n\t"
                     "jno 4f\n\t"
                     "or $8, %[taken]\n"
                     "4:"
                     : [t] "+r"(t), [z] "+r"(z), [s] "+r"(s), [o] "+r"(o), [taken] "+r"(taken)
                     :
                     : "cc");
    return taken;
}

/* The flags after INC or DEC of v at each width (the result and RFLAGS through PUSHF),
 * CF set before by STC (cf) or cleared by CLC; folded into one number. */
static uint64_t flags_of(uint64_t v, int cf)
{
    uint64_t sum = 0, x, f;

#define ONE(insn)                                                                                  \
    do {                                                                                           \
        x = v;                                                                                     \
        if (cf)                                                                                    \
            __asm__ volatile("stc\n\t" insn "[x]\n\tpushfq\n\tpopq %[f]"                           \
                             : [x] "+q"(x), [f] "=r"(f)                                            \
                             :                                                                     \
                             : "cc");                                                              \
        else                                                                                       \
            __asm__ volatile("clc\n\t" insn "[x]\n\tpushfq\n\tpopq %[f]"                           \
                             : [x] "+q"(x), [f] "=r"(f)                                            \
                             :                                                                     \
                             : "cc");                                                              \
        sum = sum * 31 + x;                                                                        \
        sum = sum * 31 + (f & FLAGS);                                                              \
    } while (0)
    ONE("incq %");
    ONE("decq %");
    ONE("incl %k");
    ONE("decl %k");
    ONE("incw %w");
    ONE("decw %w");
    ONE("incb %b");
    ONE("decb %b");
#undef ONE
    return sum;
}

/* INC and DEC of memory, each width, then ADC: the value left and the CF kept. */
static uint64_t memory_forms(void)
{
    uint64_t m = 0x7fffffffffffffffull, y = 0;

    __asm__ volatile("stc\n\t"
                     "incq %[m]\n\t"
                     "adc $0, %[y]\n\t"
                     "decl %[m]\n\t"
                     "adc $0, %[y]\n\t"
                     "clc\n\t"
                     "incw %[m]\n\t"
                     "adc $0, %[y]\n\t"
                     "decb %[m]\n\t"
                     "adc $0, %[y]"
                     : [m] "+m"(m), [y] "+r"(y)
                     :
                     : "cc");
    return m + y;
}

static const uint64_t values[] = {0,
                                  1,
                                  0x7f,
                                  0x80,
                                  0xff,
                                  0x7fff,
                                  0xffff,
                                  0x7fffffff,
                                  0xffffffff,
                                  0xffffffff7fffffff,
                                  0x7fffffffffffffff,
                                  0x8000000000000000,
                                  0xffffffffffffffff,
                                  0x123456789abcdef0};

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    long rounds = multiboot_cmdline_number(mbi, "rounds", 2000);
    uint64_t adc[5], table = 0, mem = 0, sum = 0;
    unsigned br = 0;

    (void)magic;
    if (rounds < 1)
        rounds = 1;
    printf("counters: %lx\n", (unsigned long)counters((uint64_t)rounds));
    for (int n = 0; n < TRIES; n++) {
        for (int w = 0; w < 5; w++) {
            adc[w] = adc_after_inc(w);
            sum += adc[w];
        }
        br = branches_after();
        sum += br;
        table = 0;
        for (unsigned k = 0; k < sizeof(values) / sizeof(values[0]); k++)
            table = table * 7 + flags_of(values[k], 0) + 3 * flags_of(values[k], 1);
        sum += table;
        mem = memory_forms();
        sum += mem;
    }
    printf("adc after inc, CF from stc: %lu\n", (unsigned long)adc[0]);
    printf("adc after inc, CF from add: %lu\n", (unsigned long)adc[1]);
    printf("adc after inc, CF from cmp: %lu\n", (unsigned long)adc[2]);
    printf("adc after inc, CF from shl: %lu\n", (unsigned long)adc[3]);
    printf("adc after inc, CF clear: %lu\n", (unsigned long)adc[4]);
    printf("branches after dec/inc taken (jc jz js jo): %x\n", br);
    printf("flags table: %lx\n", (unsigned long)table);
    printf("memory forms: %lx\n", (unsigned long)mem);
    printf("checksum: %lx\n", (unsigned long)sum);
    return 0;
}
