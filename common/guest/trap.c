/*
 * trap.c - the guest's IDT and TSS, and the report an exception prints (chapter 2).
 *
 * Every way into CPL0 is set up here: the 32 exception gates, the INT 0x80 gate that ends
 * a user_call, and the TSS that tells the CPU which stack to use when one of them
 * interrupts CPL3 code.
 */
#include <gdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <trap.h>
#include <x86.h>

#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, type 0xE: 64-bit interrupt gate */
#define TSS_AVAILABLE      0x89 /* present, DPL 0, type 0x9: available 64-bit TSS */

/** An IDT entry in long mode: the handler's address in three pieces, and its CS. */
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;  /* 0: use RSP0 (from CPL3) or the current stack (from CPL0) */
    uint8_t type; /* present, DPL, gate type */
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

/** The 64-bit task-state segment: in long mode, only a list of stack pointers. */
struct tss {
    uint32_t reserved0;
    uint64_t rsp0; /* the stack for an interrupt that arrives at CPL3 */
    uint64_t rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base; /* past the end: no I/O permission bitmap */
} __attribute__((packed));

/* user.S reads and writes tss.rsp0. */
struct tss tss __attribute__((aligned(16)));

static struct idt_gate idt[256] __attribute__((aligned(16)));

extern uint64_t gdt[GDT_ENTRIES];                       /* boot.S */
extern void (*const trap_stubs[TRAP_EXCEPTIONS])(void); /* vectors.S */
extern void user_return(void);                          /* user.S */

static const char *const exception_names[TRAP_EXCEPTIONS] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 floating point",
    "alignment check",
    "machine check",
    "SIMD floating point",
    "virtualization",
    "control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "hypervisor injection",
    "VMM communication",
    "security",
    "reserved",
};

void trap_set_gate(int vector, void (*entry)(void), int dpl)
{
    uint64_t addr = (uint64_t)entry;
    struct idt_gate *g = &idt[vector];

    g->offset_low = addr & 0xffff;
    g->selector = GDT_KERNEL_CODE;
    g->ist = 0;
    g->type = IDT_INTERRUPT_GATE | (dpl << 5);
    g->offset_mid = (addr >> 16) & 0xffff;
    g->offset_high = addr >> 32;
    g->reserved = 0;
}

/* A TSS descriptor takes two GDT slots: a code/data-like low half, and base[63:32]. */
static void tss_load(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    tss.iomap_base = sizeof(tss);
    gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                       ((uint64_t)TSS_AVAILABLE << 40) | (((limit >> 16) & 0xf) << 48) |
                       (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS / 8 + 1] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}

void trap_init(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)idt};

    for (int v = 0; v < TRAP_EXCEPTIONS; v++)
        trap_set_gate(v, trap_stubs[v], 0);
    /* DPL 3: CPL3 code may raise this one with INT; the exceptions it cannot. */
    trap_set_gate(TRAP_USER_RETURN, user_return, 3);
    __asm__ volatile("lidt %0" : : "m"(idtr));
    tss_load();
}

/* [trap-report] */
void trap_handler(struct trapframe *tf)
{
    const char *name = tf->vector < TRAP_EXCEPTIONS ? exception_names[tf->vector] : "interrupt";

    printf("exception %lu (%s) at rip 0x%lx, error 0x%lx, cr2 0x%lx\n", tf->vector, name, tf->rip,
           tf->error, read_cr2());
    exit(EXIT_EXCEPTION);
}
/* [trap-report] */
