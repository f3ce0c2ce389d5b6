/*
 * smc.c - self-modifying code (chapter 6): a guest that rewrites instructions it is about
 * to run, in the same straight line, after a jump, in a page it calls, through a second
 * linear mapping of the same physical page, by REP MOVS and REP STOS over a whole page,
 * and that remaps a code page (INVLPG, a CR3 write). Each answer says which instruction ran; the
 * CPU (and QEMU, and the interpreter in either of its ways, --tcg=insn and --tcg=block) must print
 * smc.expected.
 */
#include <stdint.h>
#include <stdio.h>

typedef int (*code_fn)(void);
typedef int (*pass_fn)(uint8_t *code, int value);

#define MOV_EAX 0xb8 /* MOV EAX, imm32 */
#define RET     0xc3
#define ALIAS   0x100000000ull /* 4 GiB: a linear page the runtime does not map */

/* Code buffers, each a page of its own (the runtime's pages are writable and executable). */
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint8_t page_c[4096] __attribute__((aligned(4096)));
static uint8_t page_d[4096] __attribute__((aligned(4096)));
static uint8_t page_e[4096] __attribute__((aligned(4096)));
static uint8_t page_f[4096] __attribute__((aligned(4096)));
/* The tables that map ALIAS: a page directory and a page table. */
static uint64_t alias_pd[512] __attribute__((aligned(4096)));
static uint64_t alias_pt[512] __attribute__((aligned(4096)));

/* Writes "MOV EAX, value; RET" at p. */
static void put_return(volatile uint8_t *p, uint32_t value)
{
    p[0] = MOV_EAX;
    for (int k = 0; k < 4; k++)
        p[1 + k] = (uint8_t)(value >> (8 * k));
    p[5] = RET;
}

/* A store to the immediate of the instruction right after it: the same straight line. */
static int same_line(void)
{
    int v;

    __asm__ volatile("lea 1f+1(%%rip), %%rdx\n\t"
                     "movl $42, (%%rdx)\n\t"
                     "1: movl $7, %%eax"
                     : "=a"(v)
                     :
                     : "rdx", "memory");
    return v;
}

/* A store to an instruction after a jump: the next block. */
static int next_block(void)
{
    int v;

    __asm__ volatile("lea 2f+1(%%rip), %%rdx\n\t"
                     "movl $43, (%%rdx)\n\t"
                     "jmp 2f\n\t"
                     "2: movl $8, %%eax"
                     : "=a"(v)
                     :
                     : "rdx", "memory");
    return v;
}

/* A store two instructions ahead, inside a loop that runs it four times: each time round,
 * the instruction has the value the last round wrote. */
static int in_a_loop(void)
{
    int sum = 0, v;

    for (int round = 1; round <= 4; round++) {
        __asm__ volatile("lea 3f+1(%%rip), %%rdx\n\t"
                         "movl %1, (%%rdx)\n\t"
                         "nop\n\t"
                         "3: movl $0, %%eax"
                         : "=a"(v)
                         : "r"(round * 100)
                         : "rdx", "memory");
        sum += v;
    }
    return sum;
}

/* Maps the linear page ALIAS to the physical page at phys (the runtime's identity
 * mapping makes addresses physical), through PDPT[4] of the runtime's tables. */
static void map_alias(const void *phys)
{
    uint64_t cr3, *pml4, *pdpt;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    pml4 = (uint64_t *)(cr3 & ~0xfffull);
    pdpt = (uint64_t *)(pml4[0] & ~0xfffull);
    alias_pt[0] = (uint64_t)(uintptr_t)phys | 3; /* present, writable */
    alias_pd[0] = (uint64_t)(uintptr_t)alias_pt | 3;
    pdpt[4] = (uint64_t)(uintptr_t)alias_pd | 3;
    __asm__ volatile("invlpg (%0)" : : "r"(ALIAS) : "memory");
}

/* Copies a page with REP MOVSB, as memcpy may: one instruction writes all of it. */
static void copy_page(uint8_t *to, const uint8_t *from)
{
    __asm__ volatile("rep movsb" : "+D"(to), "+S"(from) : "c"(4096) : "memory");
}

/* Fills n bytes with REP STOSB. */
static void fill(uint8_t *to, uint8_t value, unsigned long n)
{
    __asm__ volatile("rep stosb" : "+D"(to), "+c"(n) : "a"(value) : "memory");
}

int main(void)
{
    printf("same line:   %d\n", same_line());
    printf("next block:  %d\n", next_block());
    printf("in a loop:   %d\n", in_a_loop());

    /* A page of code, rewritten between calls: the blocks made of it the last time go. */
    for (uint32_t k = 1; k <= 3; k++) {
        put_return(page_a, k * 11);
        printf("rewritten %u: %d\n", k, ((code_fn)page_a)());
    }

    /* A page of code replaced by one string instruction: REP MOVSB copies a page over
     * it, then REP STOSB turns its start into NOPs that slide to the copied page's tail. */
    put_return(page_e, 1);
    printf("before copy:  %d\n", ((code_fn)page_e)());
    put_return(page_f, 2);
    put_return(page_f + 4000, 3);
    copy_page(page_e, page_f);
    printf("rep movsb:    %d\n", ((code_fn)page_e)());
    fill(page_e, 0x90, 4000); /* NOP */
    printf("rep stosb:    %d\n", ((code_fn)page_e)());

    /* Code in one page that writes the code of another, then calls it. */
    static const uint8_t writer[] = {
        0x89, 0x77, 0x01, /* mov [rdi+1], esi */
        0xff, 0xd7,       /* call rdi */
        RET,
    };
    for (unsigned k = 0; k < sizeof(writer); k++)
        page_b[k] = writer[k];
    put_return(page_c, 0);
    for (int k = 1; k <= 3; k++)
        printf("other page %d: %d\n", k, ((pass_fn)page_b)(page_c, 1000 + k));

    /* Two linear mappings of one physical page: written through one, run through both. A
     * jump inside the page comes first, so its blocks are chained. */
    volatile uint8_t *alias = (volatile uint8_t *)(uintptr_t)ALIAS;
    map_alias(page_c);
    page_c[0] = 0xeb; /* jmp +0: to the next instruction */
    page_c[1] = 0x00;
    put_return(page_c + 2, 5);
    printf("alias:        %d\n", ((code_fn)(uintptr_t)ALIAS)());
    put_return(page_c + 2, 6);
    printf("via identity: %d %d\n", ((code_fn)page_c)(), ((code_fn)(uintptr_t)ALIAS)());
    put_return(alias + 2, 7);
    printf("via alias:    %d %d\n", ((code_fn)page_c)(), ((code_fn)(uintptr_t)ALIAS)());

    /* The alias remapped to another page: after INVLPG, and after a write to CR3. */
    page_d[0] = 0xeb;
    page_d[1] = 0x00;
    put_return(page_d + 2, 8);
    map_alias(page_d);
    printf("remapped:     %d\n", ((code_fn)(uintptr_t)ALIAS)());
    alias_pt[0] = (uint64_t)(uintptr_t)page_c | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3) : : "memory");
    printf("back, by CR3: %d\n", ((code_fn)(uintptr_t)ALIAS)());
    return 0;
}
