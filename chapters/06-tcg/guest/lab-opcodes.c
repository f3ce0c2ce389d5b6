/*
 * lab-opcodes.c - the test guest of lab "opcode-counts" (chapter 6).
 *
 * A loop whose instructions are known one by one: it sends POST_CODES bytes to the POST
 * port 0x80, each loaded with MOVZX (0F B6) and written with OUT imm8, AL (E6), the
 * same OUT the runtime's putchar() uses for every byte it prints. So OUT imm8, AL runs
 * exactly POST_CODES times plus once per byte on the console, and each of those OUTs
 * is an exit the VMM handles before the instruction completes.
 */
#include <stdio.h>
#include <x86.h>

#define POST_CODES 20000

/* [lab-opcodes] */
/* Sends n bytes from codes to port 0x80: MOVZX, OUT, INC, DEC and JNZ, n times each. */
static void post_codes(const uint8_t *codes, unsigned n)
{
    __asm__ volatile("1:\n\t"
                     "movzbl (%[p]), %%eax\n\t"
                     "outb %%al, $0x80\n\t"
                     "inc %[p]\n\t"
                     "dec %[n]\n\t"
                     "jnz 1b"
                     : [p] "+r"(codes), [n] "+r"(n)
                     :
                     : "rax", "memory");
}
/* [lab-opcodes] */

int main(void)
{
    static uint8_t codes[POST_CODES];

    for (unsigned k = 0; k < POST_CODES; k++)
        codes[k] = (uint8_t)k;
    post_codes(codes, POST_CODES);
    printf("post codes: %d\n", POST_CODES);
    return 0;
}
