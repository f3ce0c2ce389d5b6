/*
 * traps.c - a guest that raises one exception, named by the last word of its command line
 * (chapter 6): the runtime's handler reports vector, RIP, error code and CR2, and exits.
 * The same file runs under QEMU, so the interpreter's answers are checked against QEMU's:
 *
 *   ud        UD2: #UD
 *   de        a division by zero: #DE
 *   gp        a read of a non-canonical address: #GP(0)
 *   pf        a read of an address no page maps: #PF, error 0 (not present, read)
 *   pf-write  a write to a read-only page with CR0.WP: #PF, error 3 (present, write)
 *   pf-user   a CPL3 read of a supervisor page: #PF, error 5 (present, user)
 *   triple    an IDT with no room for any gate, then UD2: #UD, #DF, triple fault
 *   swapgs    no exception: SWAPGS exchanges GS.base and KERNEL_GS_BASE (exit status 0)
 *   popcnt    no exception: POPCNT, which CPUID promises, counts bits (exit status 0)
 *   syscall   no exception: CPL3 code makes a system call with SYSCALL, the kernel side
 *             answers with SYSRET (exit status 0)
 *   hints     no exception: ENDBR64 and PREFETCHT0, hints a CPU without them runs as NOPs
 */
#include <gdt.h>
#include <multiboot.h>
#include <stdio.h>
#include <string.h>
#include <user.h>
#include <x86.h>

#define UNMAPPED     0x100000000000ull /* the runtime maps the first 4 GiB only */
#define NONCANONICAL 0x8000000000000000ull
#define PAGE         0x600000ull /* a 2 MiB page of RAM that nothing else uses */
#define PTE_RW       (1ull << 1)
#define PTE_US       (1ull << 2)
#define CR0_WP       (1ull << 16)

/* The last word of the command line (QEMU puts the file name first; stepvm does not). */
static const char *last_word(const struct multiboot_info *mbi)
{
    const char *s =
        (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uint64_t)mbi->cmdline : "";
    const char *w = s;

    for (; *s; s++)
        if (*s == ' ' && s[1])
            w = s + 1;
    return w;
}

/* The page-directory entry that maps PAGE: the runtime's tables use 2 MiB pages. */
static volatile uint64_t *pde_of_page(void)
{
    uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
    uint64_t *pdpt = (uint64_t *)(pml4[0] & 0xffffffffff000ull);
    uint64_t *pd = (uint64_t *)(pdpt[0] & 0xffffffffff000ull);
    return &pd[PAGE >> 21];
}

static void invlpg(uint64_t addr)
{
    __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* SYSCALL's target, the kernel side of a system call: it answers 42 + the argument and
 * returns to CPL3 with SYSRET. (It keeps the caller's stack: nothing interrupts it.) */
__asm__(".globl syscall_entry\n"
        "syscall_entry:\n"
        "    lea 42(%rdi), %rax\n"
        "    sysretq\n");
extern void syscall_entry(void);

/* Runs at CPL3 (through user_call): one system call. */
static long user_syscall(void *arg)
{
    long ret;

    __asm__ volatile("syscall" : "=a"(ret) : "D"(arg) : "rcx", "r11", "memory");
    return ret;
}

static long user_read(void *addr)
{
    return (long)*(volatile uint64_t *)addr;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    const char *what = last_word(mbi);

    (void)magic;
    printf("raising: %s\n", what);
    if (!strcmp(what, "ud")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(what, "de")) {
        unsigned v = 1; /* DIV by a register holding 0 (C would let gcc avoid the DIV) */
        __asm__ volatile("xor %%edx, %%edx; divl %1" : "+a"(v) : "r"(0u) : "rdx");
    } else if (!strcmp(what, "gp")) {
        printf("%lx\n", *(volatile uint64_t *)NONCANONICAL);
    } else if (!strcmp(what, "pf")) {
        printf("%lx\n", *(volatile uint64_t *)UNMAPPED);
    } else if (!strcmp(what, "pf-write")) {
        *pde_of_page() &= ~PTE_RW;
        invlpg(PAGE);
        __asm__ volatile("mov %0, %%cr0" : : "r"(read_cr0() | CR0_WP));
        *(volatile uint64_t *)(PAGE + 8) = 1;
    } else if (!strcmp(what, "pf-user")) {
        *pde_of_page() &= ~PTE_US;
        invlpg(PAGE);
        user_call(user_read, (void *)(PAGE + 16));
    } else if (!strcmp(what, "swapgs")) {
        wrmsr(0xc0000101, 0x1111000); /* GS.base */
        wrmsr(0xc0000102, 0x2222000); /* KERNEL_GS_BASE */
        __asm__ volatile("swapgs");
        printf("swapgs: gs base 0x%lx, kernel gs base 0x%lx\n", rdmsr(0xc0000101),
               rdmsr(0xc0000102));
        return 0;
    } else if (!strcmp(what, "popcnt")) {
        uint32_t a, b, c, d;
        uint64_t n;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
        __asm__ volatile("popcnt %1, %0" : "=r"(n) : "r"(0xf0f0f0f0f0f0f0f1ull));
        printf("popcnt: cpuid says %s, popcnt(0xf0f0f0f0f0f0f0f1) = %lu\n",
               (c >> 23) & 1 ? "yes" : "no", n);
        return 0;
    } else if (!strcmp(what, "syscall")) {
        /* STAR: SYSCALL loads CS 0x08 (SS 0x10); SYSRET SS 0x18 + 3 and CS 0x20 + 3. */
        wrmsr(0xc0000081, (uint64_t)GDT_KERNEL_DATA << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
        wrmsr(0xc0000082, (uint64_t)syscall_entry); /* LSTAR: where SYSCALL goes */
        wrmsr(0xc0000084, RFLAGS_IF);               /* SFMASK: interrupts off inside */
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);       /* EFER.SCE: SYSCALL enabled */
        long r = user_call(user_syscall, (void *)100);
        printf("syscall from cpl 3 answered %ld, back at cpl %u\n", r, read_cpl());
        return 0;
    } else if (!strcmp(what, "hints")) {
        __asm__ volatile("endbr64; prefetcht0 (%%rsp); nopw 0(%%rax,%%rax,1)" : : : "memory");
        printf("hints: ran as no-ops\n");
        return 0;
    } else if (!strcmp(what, "triple")) {
        struct {
            uint16_t limit;
            uint64_t base;
        } __attribute__((packed)) idtr = {0, 0};
        __asm__ volatile("lidt %0; ud2" : : "m"(idtr));
    } else {
        printf("unknown: say ud, de, gp, pf, pf-write, pf-user, triple, swapgs, popcnt, syscall or "
               "hints\n");
        return 1;
    }
    printf("no exception: this line should not appear\n");
    return 1;
}
