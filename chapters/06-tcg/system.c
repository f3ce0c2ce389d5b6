/*
 * system.c - the privileged rest of what system code needs from the interpreter: control,
 * debug and model-specific registers, CPUID, port I/O, HLT, SYSCALL/SYSRET, the descriptor
 * table registers (see cpu.h; chapter 6). Segments and interrupts are protect.c's.
 */
#include "cpu.h"
#include "irq.h"
#include "modes.h"
#include "tcg.h"

#include <string.h>

#define MSR_TSC            0x10
#define MSR_TSC_ADJUST     0x3b
#define MSR_BIOS_SIGN_ID   0x8b
#define MSR_APIC_BASE      0x1b
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_MISC_ENABLE    0x1a0
#define MSR_PAT            0x277
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* CPUID.1 feature bits (SDM Vol. 2A, CPUID, table "Feature Information"). */
#define CPUID_1_EDX_FPU        (1u << 0)
#define CPUID_1_EDX_PSE        (1u << 3)
#define CPUID_1_EDX_TSC        (1u << 4)
#define CPUID_1_EDX_MSR        (1u << 5)
#define CPUID_1_EDX_PAE        (1u << 6)
#define CPUID_1_EDX_CX8        (1u << 8)
#define CPUID_1_EDX_APIC       (1u << 9)
#define CPUID_1_EDX_PGE        (1u << 13)
#define CPUID_1_EDX_CMOV       (1u << 15)
#define CPUID_1_EDX_PAT        (1u << 16)
#define CPUID_1_EDX_FXSR       (1u << 24)
#define CPUID_1_EDX_SSE        (1u << 25)
#define CPUID_1_EDX_SSE2       (1u << 26)
#define CPUID_1_ECX_CX16       (1u << 13)
#define CPUID_1_ECX_POPCNT     (1u << 23)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

/* The TSC's rate when it follows the machine's clock (tcg_vcpu__set_clock): one tick a ns. */
#define TCG_TSC_HZ 1000000000ull

/* ---- Privileged instructions ---- */

/* Port I/O is allowed at CPL <= IOPL (the TSS's permission bitmap is not consulted). */
static void need_io_rights(struct tcg_cpu *c)
{
    if ((c->cr0 & CR0_PE) && c->cpl > ((c->rflags >> 12) & 3))
        tcg__gp(c, 0);
}

static void exec_hlt(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    tcg__need_cpl0(c);
    c->halted = 1;
}

static void exec_cli_sti(struct tcg_cpu *c, const struct x86_insn *i)
{
    need_io_rights(c);
    if (i->opcode == 0xfa) {
        c->rflags &= ~RFLAGS_IF;
    } else {
        if (!(c->rflags & RFLAGS_IF)) /* only an STI that sets IF casts a shadow */
            tcg__shadow(c);
        c->rflags |= RFLAGS_IF;
    }
}

/* [in-out] */
/* IN and OUT: the port is an immediate (E4-E7) or DX (EC-EF); the data is AL, AX or EAX.
 * The exit happens inside mmu__port_io; see mmu.c for how the instruction completes. */
static void exec_in_out(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = (i->opcode & 1) ? (i->opsize == 2 ? 2 : 4) : 1;
    uint16_t port = i->opcode >= 0xec ? (uint16_t)c->r[R_DX] : (uint16_t)i->imm;
    int write = (i->opcode & 2) != 0;

    need_io_rights(c);
    uint64_t v = mmu__port_io(c, port, size, write, c->r[R_AX] & size_mask(size));
    if (!write)
        reg_write(c, i, R_AX, size, v);
}
/* [in-out] */

/* INS and OUTS, one item per run (the run loop repeats a REP form, as for the others),
 * except REP INS upwards: like KVM, the interpreter asks the device for as many items as
 * fit in the rest of the page (and 1 KiB) in one exit, then stores them all. */
static void exec_ins_outs(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = (i->opcode & 1) ? (i->opsize == 2 ? 2 : 4) : 1;
    uint64_t amask = size_mask(i->addrsize);
    int outs = i->opcode >= 0x6e;
    int64_t step = (c->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    uint16_t port = (uint16_t)c->r[R_DX];
    uint64_t n = 1;

    need_io_rights(c);
    if (i->rep && (c->r[R_CX] & amask) == 0)
        return;
    if (outs) {
        int seg = i->seg != X86_SEG_NONE ? i->seg : X86_SEG_DS;
        uint64_t v = mmu__read(c, seg, c->r[R_SI] & amask, size);
        mmu__port_io(c, port, size, 1, v);
        c->r[R_SI] = (c->r[R_SI] & ~amask) | ((c->r[R_SI] + step) & amask);
    } else {
        uint64_t di = c->r[R_DI] & amask;
        uint64_t lin = mmu__linear(c, X86_SEG_ES, di, size, ACC_WRITE);
        if (i->rep && step > 0) {
            uint64_t in_page = (4096 - (lin & 0xfff)) / size, cx = c->r[R_CX] & amask;
            n = cx < in_page ? cx : in_page;
            if (n > sizeof(c->exit_data) / size)
                n = sizeof(c->exit_data) / size;
            if (n == 0)
                n = 1;
        }
        for (uint64_t k = 0; k < n; k++) /* every item's place is writable, or fault now */
            mmu__linear(c, X86_SEG_ES, (di + k * size) & amask, size, ACC_WRITE);
        uint64_t phys, last;
        mmu__translate(c, lin, ACC_WRITE, 1, &phys);
        mmu__translate(c, lin + n * size - 1, ACC_WRITE, 1, &last); /* before the device reads */
        if (!guest_mem__find(c->mem, phys & ~0xfffull, 4096) || guest_mem__is_rom(c->mem, phys))
            n = 1; /* into a device: one item an exit, each item its own write exit */
        const uint8_t *items = mmu__port_in_string(c, port, size, (unsigned)n);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t v = 0;
            memcpy(&v, items + k * size, size);
            mmu__write(c, X86_SEG_ES, (di + k * step) & amask, size, v);
        }
        c->r[R_DI] = (c->r[R_DI] & ~amask) | ((di + n * step) & amask);
    }
    if (i->rep) {
        c->r[R_CX] = (c->r[R_CX] & ~amask) | ((c->r[R_CX] - n) & amask);
        if (c->r[R_CX] & amask)
            c->next_rip = c->rip;
    }
}

/* MOV to and from CR0, CR2, CR3, CR4, CR8 (0F 20 / 0F 22). */
static void exec_mov_cr(struct tcg_cpu *c, const struct x86_insn *i)
{
    int n = i->reg, to_cr = i->opcode == 0x22;
    uint64_t *cr[16] = {[0] = &c->cr0, [2] = &c->cr2, [3] = &c->cr3, [4] = &c->cr4, [8] = &c->cr8};
    unsigned size = c->long64 ? 8 : 4;

    tcg__need_cpl0(c);
    if (n > 15 || !cr[n])
        tcg__ud(c, i);
    if (!to_cr) {
        reg_write(c, i, i->rm, size, *cr[n]);
        return;
    }
    uint64_t v = c->r[i->rm] & size_mask(size);
    if (n == 0) {
        v |= CR0_ET;
        if ((v & CR0_PG) && !(v & CR0_PE))
            tcg__gp(c, 0);
        if (c->long64 && !(v & CR0_PG))
            tcg__gp(c, 0); /* paging goes off only from compatibility mode */
        if ((v & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LME)) {
            if (!(c->cr4 & CR4_PAE))
                tcg__gp(c, 0);
            c->efer |= EFER_LMA; /* paging on with LME: long mode becomes active */
        }
        if (!(v & CR0_PG))
            c->efer &= ~EFER_LMA;
    } else if (n == 4) {
        /* TSD, DE, PSE, PAE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT: the bits the CPU model has */
        if ((v & ~0x7fcull) || ((c->efer & EFER_LMA) && !(v & CR4_PAE)))
            tcg__gp(c, 0);
    } else if (n == 3 && !c->long64) {
        v &= 0xffffffffull;
    }
    *cr[n] = v;
    protect__update_mode(c);
    mmu__tlb_flush(c);
}

/* MOV to and from DR0-DR7: kept, but no breakpoint fires. */
static void exec_mov_dr(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned size = c->long64 ? 8 : 4, n = i->reg & 7;

    tcg__need_cpl0(c);
    if (i->opcode == 0x21)
        reg_write(c, i, i->rm, size, c->dr[n]);
    else
        c->dr[n] = c->r[i->rm] & size_mask(size);
}

/* [cpuid] */
/*
 * The CPU model the interpreter presents, written for what Linux and glibc read.
 *
 * Vendor "GenuineIntel", family 6, model 0x36 (the Atom of the Saltwell core): an in-order
 * CPU that does not execute speculatively, as an interpreter does not. Linux knows that
 * model as immune to the speculative-execution bugs, so it chooses none of the mitigations
 * that need instructions or MSRs the interpreter lacks (VERW buffer clearing, IBRS, page
 * table isolation), and no other quirk of its own is keyed to it. Each feature bit set is
 * a feature the interpreter implements: the x87 FPU, FXSAVE, SSE and SSE2, PSE, PAE, PGE,
 * PAT, the TSC (with IA32_TSC_ADJUST) and MSRs, CMPXCHG8B/16B, CMOV, POPCNT, the local APIC of the
 * machine's models; long mode, NX, SYSCALL. Not MMX, SSE3 and later, XSAVE, MTRRs, machine checks,
 * SYSENTER, CLFLUSH, RDTSCP, x2APIC or the TSC deadline timer. The hypervisor bit is
 * set: the CPU belongs to a virtual machine (Linux then leaves microcode alone).
 *
 * Time: the TSC and the local APIC timer both count at TCG_TSC_HZ (1 GHz), as CPUID leaves
 * 0x15 and 0x16 say, so that Linux needs to measure neither against the PIT.
 */
void system__cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
                   uint32_t *edx)
{
    static const char brand[48] = "stepvm x86 interpreter";

    *eax = *ebx = *ecx = *edx = 0;
    switch (leaf) {
    case 0: /* the highest basic leaf and the vendor in EBX, EDX, ECX */
        *eax = 0x16;
        memcpy(ebx, "Genu", 4);
        memcpy(edx, "ineI", 4);
        memcpy(ecx, "ntel", 4);
        break;
    case 1: /* family 6, model 0x36 (extended model 3, model 6), stepping 1 */
        *eax = 0x30661;
        *ebx = 1u << 16; /* one logical processor in the package; APIC ID 0 */
        *ecx = CPUID_1_ECX_CX16 | CPUID_1_ECX_POPCNT | CPUID_1_ECX_HYPERVISOR;
        *edx = CPUID_1_EDX_FPU | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC | CPUID_1_EDX_MSR |
               CPUID_1_EDX_PAE | CPUID_1_EDX_CX8 | CPUID_1_EDX_APIC | CPUID_1_EDX_PGE |
               CPUID_1_EDX_CMOV | CPUID_1_EDX_PAT | CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE |
               CPUID_1_EDX_SSE2;
        break;
    case 7: /* structured extended features, subleaf 0: IA32_TSC_ADJUST exists */
        if (subleaf == 0)
            *ebx = 1u << 1;
        break;
    case 2: /* cache descriptors: 32 KiB L1 data and code, 8-way; 2 MiB L2, 8-way; 64 B */
        *eax = 0x7d302c01; /* descriptors 0x2c, 0x30, 0x7d; AL = 1: one CPUID 2 call */
        break;
    case 0x15: /* TSC = crystal * EBX / EAX; the crystal also drives the APIC timer */
        *eax = 1;
        *ebx = 1;
        *ecx = (uint32_t)TCG_TSC_HZ;
        break;
    case 0x16: /* base, maximum and bus frequencies in MHz */
        *eax = *ebx = *ecx = (uint32_t)(TCG_TSC_HZ / 1000000);
        break;
    case 0x80000000:
        *eax = 0x80000008;
        break;
    case 0x80000001:
        *ecx = 1u << 0;                        /* LAHF/SAHF in 64-bit mode */
        *edx = 1u << 11 | 1u << 20 | 1u << 29; /* SYSCALL, NX, long mode */
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        memcpy(eax, brand + (leaf - 0x80000002) * 16, 4);
        memcpy(ebx, brand + (leaf - 0x80000002) * 16 + 4, 4);
        memcpy(ecx, brand + (leaf - 0x80000002) * 16 + 8, 4);
        memcpy(edx, brand + (leaf - 0x80000002) * 16 + 12, 4);
        break;
    case 0x80000006: /* L2: 2048 KiB, 8-way (code 6), 64-byte lines, as leaf 2 says */
        *ecx = 2048u << 16 | 6u << 12 | 64;
        break;
    case 0x80000007: /* the TSC is invariant: it runs at one rate, in every state */
        *edx = 1u << 8;
        break;
    case 0x80000008:
        *eax = 0x3028; /* 48-bit linear, 40-bit physical addresses */
        break;
    }
}
/* [cpuid] */

static void exec_cpuid(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint32_t a, b, cx, d;

    (void)i;
    system__cpuid((uint32_t)c->r[R_AX], (uint32_t)c->r[R_CX], &a, &b, &cx, &d);
    if ((uint32_t)c->r[R_AX] == 1) /* the initial APIC ID, as chapter 2 gives KVM's vCPUs */
        b = (b & 0x00ffffffu) | (uint32_t)c->vcpu.id << 24;
    c->r[R_AX] = a;
    c->r[R_BX] = b;
    c->r[R_CX] = cx;
    c->r[R_DX] = d;
}

uint64_t system__tsc_count(const struct tcg_cpu *c)
{
    if (!c->clock)
        return c->instructions;
    return vclock__now(c->clock) - c->clock_epoch; /* ns: TCG_TSC_HZ is 1 GHz */
}

/* RDTSC reads the machine's clock at 1 GHz, or counts executed instructions when the vCPU
 * has no clock (tcg_vcpu__set_clock), so that two runs of a guest read the same values. */
static void exec_rdtsc(struct tcg_cpu *c, const struct x86_insn *i)
{
    (void)i;
    if ((c->cr4 & (1u << 2)) && c->cpl != 0) /* CR4.TSD */
        tcg__gp(c, 0);
    uint64_t t = c->tsc + system__tsc_count(c);
    c->r[R_AX] = t & 0xffffffffull;
    c->r[R_DX] = t >> 32;
}

/* [msr] */
/* The MSRs the guests use; any other raises #GP(0), as on a CPU that lacks it. */
static uint64_t *msr_slot(struct tcg_cpu *c, uint32_t msr)
{
    switch (msr) {
    case MSR_APIC_BASE:
        return &c->apic_base;
    case MSR_SYSENTER_CS:
        return &c->sysenter_cs;
    case MSR_SYSENTER_ESP:
        return &c->sysenter_esp;
    case MSR_SYSENTER_EIP:
        return &c->sysenter_eip;
    case MSR_MISC_ENABLE:
        return &c->misc_enable;
    case MSR_PAT:
        return &c->pat;
    case MSR_EFER:
        return &c->efer;
    case MSR_STAR:
        return &c->star;
    case MSR_LSTAR:
        return &c->lstar;
    case MSR_CSTAR:
        return &c->cstar;
    case MSR_SFMASK:
        return &c->sfmask;
    case MSR_KERNEL_GS_BASE:
        return &c->kernel_gs_base;
    }
    return NULL;
}

static void exec_msr(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint32_t msr = (uint32_t)c->r[R_CX];
    uint64_t *slot = msr_slot(c, msr);

    tcg__need_cpl0(c);
    if (msr == MSR_BIOS_SIGN_ID) { /* the microcode revision: 0, and a write is ignored */
        if (i->opcode == 0x32)
            c->r[R_AX] = c->r[R_DX] = 0;
        return;
    }
    /* IA32_TSC_ADJUST follows every write to the TSC, and writing it moves the TSC by the
     * same amount: Linux checks that it reads alike on every CPU (the TSCs are in step). */
    if (msr == MSR_TSC || msr == MSR_TSC_ADJUST) {
        uint64_t v = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX], offset = c->tsc;
        if (i->opcode == 0x32 && msr == MSR_TSC) {
            exec_rdtsc(c, i);
            return;
        }
        if (i->opcode == 0x32) {
            c->r[R_AX] = c->tsc_adjust & 0xffffffffull;
            c->r[R_DX] = c->tsc_adjust >> 32;
            return;
        }
        c->tsc = msr == MSR_TSC ? v - system__tsc_count(c) : offset + (v - c->tsc_adjust);
        c->tsc_adjust += c->tsc - offset;
        return;
    }
    uint64_t value = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
    int address = msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE ||
                  msr == MSR_LSTAR || msr == MSR_CSTAR;
    if (i->opcode == 0x30 && address && !tcg__canonical(value))
        tcg__gp(c, 0);
    if (msr == MSR_FS_BASE || msr == MSR_GS_BASE) { /* the segments' hidden bases */
        seg_t *s = &c->seg[msr == MSR_FS_BASE ? X86_SEG_FS : X86_SEG_GS];
        if (i->opcode == 0x32) {
            c->r[R_AX] = s->base & 0xffffffffull;
            c->r[R_DX] = s->base >> 32;
        } else {
            s->base = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
        }
        return;
    }
    if (!slot)
        tcg__gp(c, 0);
    if (i->opcode == 0x32) { /* RDMSR */
        c->r[R_AX] = *slot & 0xffffffffull;
        c->r[R_DX] = *slot >> 32;
        return;
    }
    uint64_t v = c->r[R_DX] << 32 | (uint32_t)c->r[R_AX];
    if (msr == MSR_EFER) {
        if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            tcg__gp(c, 0);
        if ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME))
            tcg__gp(c, 0);                          /* LME changes only while paging is off */
        v = (v & ~EFER_LMA) | (c->efer & EFER_LMA); /* LMA is the CPU's to set */
        *slot = v;
        protect__update_mode(c);
        mmu__tlb_flush(c);
        return;
    }
    *slot = v;
}
/* [msr] */

/* [syscall] */
/* SYSCALL: to CPL 0 at LSTAR, with CS and SS from STAR[47:32], the return RIP in RCX and
 * RFLAGS in R11; RFLAGS loses the bits SFMASK names. SYSRET goes back to CPL 3. */
static void exec_syscall(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint16_t sel = (uint16_t)(c->star >> 32);

    if (!(c->efer & EFER_SCE) || !c->long64)
        tcg__ud(c, i);
    c->r[R_CX] = c->next_rip;
    c->r[11] = flags__get_rflags(c) & ~RFLAGS_RF;
    c->seg[X86_SEG_CS] = mode__flat_segment(sel & 0xfffc, 1, 1);
    c->seg[X86_SEG_SS] = mode__flat_segment((sel + 8) & 0xfffc, 0, 1);
    flags__set_rflags(c, flags__get_rflags(c) & ~(c->sfmask | RFLAGS_RF));
    protect__update_mode(c);
    c->next_rip = c->lstar;
}

static void exec_sysret(struct tcg_cpu *c, const struct x86_insn *i)
{
    uint16_t sel = (uint16_t)(c->star >> 48);
    int to64 = i->rex_w;

    if (!(c->efer & EFER_SCE) || !c->long64)
        tcg__ud(c, i);
    tcg__need_cpl0(c);
    if (to64 && !tcg__canonical(c->r[R_CX]))
        tcg__gp(c, 0);
    c->seg[X86_SEG_CS] = mode__flat_segment((uint16_t)((to64 ? sel + 16 : sel) | 3), 1, to64);
    c->seg[X86_SEG_SS] = mode__flat_segment((uint16_t)((sel + 8) | 3), 0, to64);
    c->seg[X86_SEG_CS].dpl = c->seg[X86_SEG_SS].dpl = 3;
    flags__set_rflags(c, (c->r[11] & 0x3c7fd7) | RFLAGS_FIXED);
    protect__update_mode(c);
    c->next_rip = to64 ? c->r[R_CX] : c->r[R_CX] & 0xffffffffull;
}
/* [syscall] */

/* SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG, SWAPGS, and the no-operand forms. */
static void exec_group7(struct tcg_cpu *c, const struct x86_insn *i)
{
    unsigned op = i->reg & 7;
    unsigned base_size = c->long64 ? 8 : 4;

    if (i->rm_reg != X86_REG_NONE) { /* mod = 3: instructions without a memory operand */
        if (op == 7 && (i->rm & 7) == 0 && c->long64) { /* SWAPGS */
            tcg__need_cpl0(c);
            uint64_t t = c->seg[X86_SEG_GS].base;
            c->seg[X86_SEG_GS].base = c->kernel_gs_base;
            c->kernel_gs_base = t;
            return;
        }
        if (op == 4) {
            rm_write(c, i, i->opsize, c->cr0 & 0xffff);
            return;
        }
        tcg__ud(c, i);
    }
    uint64_t ea = tcg__ea(c, i);
    int seg = i->mem.segment;
    struct kvm_dtable *t = op == 0 || op == 2 ? &c->gdt : &c->idt;
    switch (op) {
    case 0: /* SGDT */
    case 1: /* SIDT */
        mmu__write(c, seg, ea, 2, t->limit);
        mmu__write(c, seg, (ea + 2) & size_mask(i->addrsize), base_size, t->base);
        return;
    case 2: /* LGDT */
    case 3: /* LIDT */ {
        tcg__need_cpl0(c);
        uint16_t limit = (uint16_t)mmu__read(c, seg, ea, 2);
        uint64_t base = mmu__read(c, seg, (ea + 2) & size_mask(i->addrsize), base_size);
        if (!c->long64 && i->opsize == 2)
            base &= 0xffffff;
        t->limit = limit;
        t->base = base;
        return;
    }
    case 4: /* SMSW */
        mmu__write(c, seg, ea, 2, c->cr0 & 0xffff);
        return;
    case 6: { /* LMSW: PE, MP, EM, TS only; PE cannot be cleared */
        tcg__need_cpl0(c);
        uint64_t v = mmu__read(c, seg, ea, 2);
        c->cr0 = (c->cr0 & ~0xeull) | (v & 0xf) | (c->cr0 & CR0_PE);
        protect__update_mode(c);
        return;
    }
    case 7: /* INVLPG */
        tcg__need_cpl0(c);
        mmu__tlb_flush_page(c, ea);
        return;
    }
    tcg__ud(c, i);
}

/* CLTS, INVD, WBINVD: CPL 0; the caches and the x87 state they concern do not exist. */
static void exec_cache_ops(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__need_cpl0(c);
    if (i->opcode == 0x06)
        c->cr0 &= ~CR0_TS;
}

static void exec_ud2(struct tcg_cpu *c, const struct x86_insn *i)
{
    tcg__ud(c, i);
}

void system__register(tcg_exec_fn one[256], tcg_exec_fn two[256])
{
    one[0xf4] = exec_hlt;
    one[0xfa] = one[0xfb] = exec_cli_sti;
    for (int op = 0xe4; op <= 0xe7; op++)
        one[op] = one[op + 8] = exec_in_out;
    for (int op = 0x6c; op <= 0x6f; op++)
        one[op] = exec_ins_outs;
    two[0x20] = two[0x22] = exec_mov_cr;
    two[0x21] = two[0x23] = exec_mov_dr;
    two[0xa2] = exec_cpuid;
    two[0x31] = exec_rdtsc;
    two[0x30] = two[0x32] = exec_msr;
    two[0x05] = exec_syscall;
    two[0x07] = exec_sysret;
    two[0x01] = exec_group7;
    two[0x06] = two[0x08] = two[0x09] = exec_cache_ops;
    two[0x0b] = exec_ud2;
}
