/*
 * diff.c - the differential test's engine (chapter 6): the interpreter and Unicorn set up
 * side by side in each mode, one case run in both, and what they leave compared.
 *
 * The two machines differ where the comparison does not look:
 *  - Unicorn's long mode runs without paging (its CR0.PG is clear and it maps memory
 *    itself), and its protected mode too. The interpreter gets page tables that map the
 *    same range one to one, so an access outside it faults in both: a page fault here,
 *    "unmapped memory" there. Those two count as the same outcome, and so do #GP and #SS
 *    (the interpreter's canonical and segment-limit checks, which Unicorn does not make
 *    without paging) against an unmapped access.
 *  - Unicorn reports an exception through its interrupt hook, before delivering it, and
 *    #UD as UC_ERR_INSN_INVALID; the interpreter stops before delivering it too
 *    (tcg_vcpu__trap_exceptions). Both leave the state as the instruction found it.
 *  - A REP string instruction advances one iteration per step in Unicorn; both engines are
 *    stepped until RIP leaves the instruction, so either granularity compares.
 * The flags an instruction leaves undefined (Zydis's per-instruction mask) are not
 * compared, nor a result the manual leaves undefined (BSF/BSR of 0, 16-bit SHLD/SHRD by
 * more than 16, 16-bit BSWAP). Where Unicorn (QEMU 5.0's CPU) is known to be wrong, the
 * case is skipped or the manual answers instead: diff_rules.c lists each such rule.
 */
#include "cpu.h"
#include "diff.h"
#include "error.h"
#include "mem.h"
#include "tcg.h"

#include <Zydis/Zydis.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define REP_MAX 256 /* iterations a REP instruction may take before the case is skipped */

/* RFLAGS_ARITH and RFLAGS_ZF come from cpu.h. */
#define RFLAGS_COMPARED (RFLAGS_ARITH | 0x254700ull) /* and TF, IF, DF, IOPL, NT, AC, ID */

/* One mode: the interpreter and Unicorn, each with its own copy of the memory. */
struct machine {
    enum x86_mode mode;
    struct diff_layout l;
    struct guest_mem mem;
    struct vcpu *v;
    uc_engine *uc;
    uint8_t *uc_mem;   /* Unicorn's memory: [l.base, l.base + l.size) */
    uint8_t *pristine; /* what both copies start from, made from pristine_seed */
    uint64_t pristine_seed;
    int has_pristine;
    ZydisDecoder zydis;
    int intno;         /* the vector Unicorn's interrupt hook saw, -1 when none */
    uc_context *fresh; /* Unicorn's CPU as it was made, restored before every case */
    uint8_t top[8];    /* the last bytes of the range as the case started */
};

struct diff {
    struct machine m[3]; /* 16, 32 and 64-bit */
};

struct diff_layout diff__layout(enum x86_mode mode)
{
    struct diff_layout l;

    if (mode == X86_MODE_16) {
        l.base = DIFF_BASE_REAL;
        l.size = DIFF_SIZE_REAL;
        l.code = DIFF_CODE_REAL;
    } else {
        l.base = l.code = DIFF_BASE_PAGED;
        l.size = DIFF_SIZE_PAGED;
    }
    l.data = l.code + DIFF_REGION;
    l.stack = l.data + DIFF_REGION;
    return l;
}

static int mode_index(enum x86_mode mode)
{
    return mode == X86_MODE_16 ? 0 : mode == X86_MODE_32 ? 1 : 2;
}

static const char *mode__name(enum x86_mode mode)
{
    return mode == X86_MODE_16 ? "real-16" : mode == X86_MODE_32 ? "prot-32" : "long-64";
}

/* ------------------------------------------------------------------------------------- */
/* Setting up the interpreter                                                             */

/* Identity page tables for the mapped range, at 0x1000 (outside it, so unreachable):
 * four levels of 64-bit entries in long mode, two of 32-bit entries in protected mode. */
static void page_tables(struct machine *m)
{
    uint8_t *pt = guest_mem__translate(&m->mem, 0x1000, 0x4000);
    const uint64_t rw = 3; /* present, writable */

    memset(pt, 0, 0x4000);
    if (m->mode == X86_MODE_64) {
        uint64_t *pml4 = (uint64_t *)pt, *pdpt = pml4 + 512, *pd = pdpt + 512, *ptab = pd + 512;
        pml4[0] = 0x2000 | rw;
        pdpt[0] = 0x3000 | rw;
        pd[0] = 0x4000 | rw;
        for (uint64_t a = m->l.base; a < m->l.base + m->l.size; a += 0x1000)
            ptab[a >> 12] = a | rw;
    } else {
        uint32_t *pd = (uint32_t *)pt, *ptab = pd + 1024;
        pd[0] = 0x2000 | rw;
        for (uint64_t a = m->l.base; a < m->l.base + m->l.size; a += 0x1000)
            ptab[a >> 12] = (uint32_t)(a | rw);
    }
}

/* A flat segment: base 0, 4 GiB (64 KiB in real mode), present, ring 0. */
static struct kvm_segment flat(uint16_t selector, uint8_t type, enum x86_mode mode)
{
    struct kvm_segment s = {.selector = selector, .type = type, .present = 1, .s = 1};

    if (mode == X86_MODE_16) {
        s.limit = 0xffff;
        return s;
    }
    s.limit = 0xffffffff;
    s.g = 1;
    s.l = mode == X86_MODE_64 && type == 0xb;
    s.db = !s.l;
    return s;
}

/* The interpreter's control state for m's mode: flat segments, paging outside real mode. */
static int interp_sregs(struct machine *m)
{
    struct kvm_sregs s;
    int real = m->mode == X86_MODE_16;

    if (vcpu__get_sregs(m->v, &s) < 0)
        return -1;
    s.cs = flat(real ? 0 : 0x08, 0xb, m->mode);
    s.ds = s.es = s.fs = s.gs = s.ss = flat(real ? 0 : 0x10, 0x3, m->mode);
    if (m->mode == X86_MODE_64)
        s.gs.base = DIFF_GS_BASE;
    /* ET, MP and NE (x87 errors are #MF); PE and PG outside real mode. */
    s.cr0 = CR0_ET | CR0_MP | CR0_NE | (real ? 0 : CR0_PE | CR0_PG);
    s.cr3 = real ? 0 : 0x1000;
    /* The OS saves the SSE state and takes #XM: OSFXSR, OSXMMEXCPT; PAE in long mode. */
    s.cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT | (m->mode == X86_MODE_64 ? 0x20 : 0);
    s.efer = m->mode == X86_MODE_64 ? 0x500 : 0; /* LME, LMA */
    return vcpu__set_sregs(m->v, &s);
}

static int interp_init(struct machine *m)
{
    if (guest_mem__init(&m->mem, NULL, MEM_MIN_SIZE, 0) < 0)
        return -1;
    m->v = tcg_vcpu__new(&m->mem);
    if (!m->v)
        return -1;
    tcg_vcpu__trap_exceptions(m->v, 1);
    if (vcpu__single_step(m->v, 1) < 0)
        return -1;
    if (m->mode != X86_MODE_16)
        page_tables(m);
    return 0;
}

struct vcpu *diff__interp_new(enum x86_mode mode, struct guest_mem *mem)
{
    struct machine m = {.mode = mode, .l = diff__layout(mode)};

    if (guest_mem__init(mem, NULL, MEM_MIN_SIZE, 0) < 0)
        return NULL;
    m.mem = *mem; /* (a copy: page_tables only finds the host address through it) */
    if (!(m.v = tcg_vcpu__new(mem)))
        goto err_mem;
    tcg_vcpu__trap_exceptions(m.v, 1);
    if (mode != X86_MODE_16)
        page_tables(&m);
    if (interp_sregs(&m) < 0)
        goto err_vcpu;
    return m.v;
err_vcpu:
    tcg_vcpu__free(m.v);
err_mem:
    guest_mem__exit(mem);
    return NULL;
}

/* ------------------------------------------------------------------------------------- */
/* Setting up Unicorn                                                                     */

/* Unicorn's registers in encoding order, 64-bit names (32-bit ones outside long mode). */
static const int uc_regs64[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP, UC_X86_REG_RBP,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};
static const int uc_regs32[8] = {
    UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
    UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};

/* Unicorn's interrupt hook: an exception (or INT n) stops the run before delivery. */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *data)
{
    struct machine *m = data;

    m->intno = (int)intno;
    uc_emu_stop(uc);
}

static int unicorn_init(struct machine *m)
{
    uc_mode mode = m->mode == X86_MODE_16   ? UC_MODE_16
                   : m->mode == X86_MODE_32 ? UC_MODE_32
                                            : UC_MODE_64;
    uc_hook hook;
    uc_err err;

    m->uc_mem = aligned_alloc(4096, m->l.size);
    if (!m->uc_mem)
        return -1;
    if ((err = uc_open(UC_ARCH_X86, mode, &m->uc)) != UC_ERR_OK ||
        (err = uc_mem_map_ptr(m->uc, m->l.base, m->l.size, UC_PROT_ALL, m->uc_mem)) != UC_ERR_OK ||
        (err = uc_hook_add(m->uc, &hook, UC_HOOK_INTR, (void *)on_interrupt, m, 1, 0)) !=
            UC_ERR_OK) {
        fprintf(stderr, "diff: unicorn set-up in %s: %s\n", mode__name(m->mode), uc_strerror(err));
        return -1;
    }
    if (m->mode == X86_MODE_64) {
        uint64_t gs = DIFF_GS_BASE;
        uc_reg_write(m->uc, UC_X86_REG_GS_BASE, &gs);
    }
    /* The same CR0.MP/NE and CR4.OSFXSR/OSXMMEXCPT as the interpreter's: QEMU raises #MF
     * only with CR0.NE set (else it signals FERR#). */
    uint64_t cr0 = 0, cr4 = 0;
    uc_reg_read(m->uc, UC_X86_REG_CR0, &cr0);
    uc_reg_read(m->uc, UC_X86_REG_CR4, &cr4);
    cr0 |= CR0_ET | CR0_MP | CR0_NE;
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    uc_reg_write(m->uc, UC_X86_REG_CR0, &cr0);
    uc_reg_write(m->uc, UC_X86_REG_CR4, &cr4);
    /* An exception the hook stops is never delivered, so QEMU still counts it as in
     * flight: the next one would become a double fault. Every case starts from here. */
    if ((err = uc_context_alloc(m->uc, &m->fresh)) != UC_ERR_OK ||
        (err = uc_context_save(m->uc, m->fresh)) != UC_ERR_OK) {
        fprintf(stderr, "diff: unicorn context in %s: %s\n", mode__name(m->mode), uc_strerror(err));
        return -1;
    }
    return 0;
}

struct diff *diff__new(void)
{
    static const enum x86_mode modes[3] = {X86_MODE_16, X86_MODE_32, X86_MODE_64};
    static const ZydisMachineMode zmodes[3] = {
        ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_MACHINE_MODE_LONG_64};
    static const ZydisStackWidth zstacks[3] = {ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_32,
                                               ZYDIS_STACK_WIDTH_64};
    struct diff *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    for (int k = 0; k < 3; k++) {
        struct machine *m = &d->m[k];
        m->mode = modes[k];
        m->l = diff__layout(m->mode);
        m->pristine = malloc(m->l.size);
        ZydisDecoderInit(&m->zydis, zmodes[k], zstacks[k]);
        if (!m->pristine || interp_init(m) < 0 || unicorn_init(m) < 0) {
            fprintf(stderr, "diff: set-up in %s failed\n", mode__name(m->mode));
            diff__free(d);
            return NULL;
        }
    }
    return d;
}

void diff__free(struct diff *d)
{
    if (!d)
        return;
    for (int k = 0; k < 3; k++) {
        struct machine *m = &d->m[k];
        if (m->fresh)
            uc_context_free(m->fresh);
        if (m->uc)
            uc_close(m->uc);
        if (m->v)
            tcg_vcpu__free(m->v);
        if (m->mem.ram)
            guest_mem__exit(&m->mem);
        free(m->uc_mem);
        free(m->pristine);
    }
    free(d);
}

/* ------------------------------------------------------------------------------------- */
/* Running one case                                                                       */

/* Writes the memory c starts with into Unicorn's copy: the pristine contents, the pokes,
 * the code. */
static void unicorn_image(struct machine *m, const struct diff_case *c)
{
    uint8_t *image = m->uc_mem;

    if (!m->has_pristine || m->pristine_seed != c->mem_seed) {
        diff__fill_memory(c->mem_seed, m->mode, m->pristine, m->l.size);
        m->pristine_seed = c->mem_seed;
        m->has_pristine = 1;
    }
    memcpy(image, m->pristine, m->l.size);
    if (c->poke_len && c->poke_addr >= m->l.base &&
        c->poke_addr + c->poke_len <= m->l.base + m->l.size)
        memcpy(image + (c->poke_addr - m->l.base), c->poke, c->poke_len);
    /* The code and the memory around it are each free of the byte pairs that kill
     * Unicorn (diff_gen.c's defuse), but a pair could straddle their seam: no FF or F0 in
     * the 16 bytes before the code, and a NOP after it. */
    for (uint64_t a = c->rip - 16; a < c->rip + X86_MAX_LENGTH + 1; a++) {
        if (a < m->l.base || a >= m->l.base + m->l.size)
            continue;
        uint8_t *b = &image[a - m->l.base];
        if (a >= c->rip && a < c->rip + X86_MAX_LENGTH)
            *b = c->code[a - c->rip];
        else if (a == c->rip + X86_MAX_LENGTH || *b == 0xff || *b == 0xf0)
            *b = 0x90;
    }
    memcpy(m->top, image + m->l.size - sizeof(m->top), sizeof(m->top));
    uc_ctl_remove_cache(m->uc, m->l.base, m->l.base + m->l.size);
}

/* Gives both engines the case's memory. The interpreter's copy goes through the vCPU
 * interface, so its caches see it. */
static void load_memory(struct machine *m, const struct diff_case *c)
{
    unicorn_image(m, c);
    vcpu__write_mem(m->v, m->l.base, m->uc_mem, m->l.size);
}

/* The interpreter's x87 and SSE state, in or out. The vCPU interface has no FPU
 * operations this test relies on: struct tcg_cpu is the vCPU (cpu.h), read directly. */
static void interp_fpu(struct machine *m, struct diff_fpu *f, int write)
{
    struct tcg_cpu *t = (struct tcg_cpu *)m->v;

    if (write) {
        memcpy(t->x87.r, f->st, sizeof(f->st));
        t->x87.fcw = f->fcw;
        t->x87.fsw = f->fsw;
        t->x87.ftw = f->ftw;
        t->mxcsr = f->mxcsr;
        memcpy(t->xmm, f->xmm, sizeof(f->xmm));
        return;
    }
    memcpy(f->st, t->x87.r, sizeof(f->st));
    f->fcw = t->x87.fcw;
    f->fsw = t->x87.fsw;
    f->ftw = t->x87.ftw;
    f->mxcsr = t->mxcsr;
    memcpy(f->xmm, t->xmm, sizeof(f->xmm));
}

static void run_interp(struct machine *m, const struct diff_case *c, int rep,
                       struct diff_result *res)
{
    struct kvm_regs regs = {0};
    struct vcpu_exit exit;
    uint32_t error;
    __u64 *gpr[16] = {&regs.rax, &regs.rcx, &regs.rdx, &regs.rbx, &regs.rsp, &regs.rbp,
                      &regs.rsi, &regs.rdi, &regs.r8,  &regs.r9,  &regs.r10, &regs.r11,
                      &regs.r12, &regs.r13, &regs.r14, &regs.r15};

    for (int n = 0; n < 16; n++)
        *gpr[n] = c->r[n];
    regs.rip = c->rip;
    regs.rflags = c->rflags;
    interp_sregs(m);
    vcpu__set_regs(m->v, &regs);
    struct diff_fpu start = c->fpu;
    interp_fpu(m, &start, 1);
    res->end = DIFF_END_STEP;
    for (int iter = 0;; iter++) {
        if (vcpu__run(m->v, &exit) < 0) {
            res->end = DIFF_END_FAILED;
            snprintf(res->what, sizeof(res->what), "run: %s", error__get());
        } else if (exit.kind == VCPU_EXIT_FATAL && tcg_vcpu__exception(m->v, &error) >= 0) {
            res->end = DIFF_END_EXCEPTION;
            res->vector = tcg_vcpu__exception(m->v, &res->error);
        } else if (exit.kind != VCPU_EXIT_STEP) {
            res->end = exit.kind == VCPU_EXIT_FATAL ? DIFF_END_FAILED : DIFF_END_EXIT;
            snprintf(res->what, sizeof(res->what), "%s exit", vcpu__exit_name(exit.kind));
        }
        vcpu__get_regs(m->v, &regs);
        if (res->end != DIFF_END_STEP || !rep || regs.rip != c->rip)
            break;
        if (iter == REP_MAX) {
            res->end = DIFF_END_FAILED;
            snprintf(res->what, sizeof(res->what), "REP beyond %d iterations", REP_MAX);
            break;
        }
    }
    for (int n = 0; n < 16; n++)
        res->r[n] = *gpr[n];
    res->rip = regs.rip;
    res->rflags = regs.rflags;
    res->mem = guest_mem__translate(&m->mem, m->l.base, m->l.size);
    interp_fpu(m, &res->fpu, 0);
}

/* Unicorn's registers, in or out. */
static void uc_registers(struct machine *m, uint64_t r[16], uint64_t *rflags, int write)
{
    int n64 = m->mode == X86_MODE_64;
    int ids[17];
    void *ptrs[17];
    int count = n64 ? 16 : 8;

    for (int n = 0; n < count; n++) {
        ids[n] = n64 ? uc_regs64[n] : uc_regs32[n];
        ptrs[n] = &r[n];
    }
    ids[count] = UC_X86_REG_EFLAGS;
    ptrs[count] = rflags;
    if (write)
        uc_reg_write_batch(m->uc, ids, ptrs, count + 1);
    else
        uc_reg_read_batch(m->uc, ids, ptrs, count + 1);
}

/* Unicorn's x87 and SSE state, in or out. UC_X86_REG_FP0-7 are the physical registers
 * R0-R7 (QEMU's fpregs), a 64-bit significand then the sign and exponent; FPSW carries TOP;
 * FPTAG is the full tag word (two bits a register, 3 = empty), from which the abridged
 * one follows. XMM8-15 exist in 64-bit mode only. */
static void uc_fpu(struct machine *m, struct diff_fpu *f, int write)
{
    int nxmm = m->mode == X86_MODE_64 ? 16 : 8;
    uint16_t tag = 0;

    for (int k = 0; k < 8; k++) {
        if (write) {
            uc_reg_write(m->uc, UC_X86_REG_FP0 + k, f->st[k]);
            tag |= (uint16_t)((f->ftw >> k & 1 ? 0 : 3) << (2 * k));
        } else {
            uint8_t v[16] = {0}; /* Unicorn writes 10 bytes; room to spare */
            uc_reg_read(m->uc, UC_X86_REG_FP0 + k, v);
            memcpy(f->st[k], v, 10);
        }
    }
    for (int k = 0; k < nxmm; k++) {
        if (write)
            uc_reg_write(m->uc, UC_X86_REG_XMM0 + k, f->xmm[k]);
        else
            uc_reg_read(m->uc, UC_X86_REG_XMM0 + k, f->xmm[k]);
    }
    if (write) {
        uc_reg_write(m->uc, UC_X86_REG_FPCW, &f->fcw);
        uc_reg_write(m->uc, UC_X86_REG_FPSW, &f->fsw);
        uc_reg_write(m->uc, UC_X86_REG_FPTAG, &tag);
        uc_reg_write(m->uc, UC_X86_REG_MXCSR, &f->mxcsr);
        return;
    }
    uc_reg_read(m->uc, UC_X86_REG_FPCW, &f->fcw);
    uc_reg_read(m->uc, UC_X86_REG_FPSW, &f->fsw);
    uc_reg_read(m->uc, UC_X86_REG_FPTAG, &tag);
    uc_reg_read(m->uc, UC_X86_REG_MXCSR, &f->mxcsr);
    f->ftw = 0;
    for (int k = 0; k < 8; k++)
        f->ftw |= (uint8_t)(((tag >> (2 * k)) & 3) != 3) << k;
}

/* Runs c in Unicorn, up to the address after the instruction (until: ~0 when its length
 * is unknown). Unicorn translates code beyond the instruction it runs: ending the block at
 * until keeps it from fetching the bytes that follow, and a fetch that fails at a branch
 * target (RIP moved) means the instruction itself completed. */
static void run_unicorn(struct machine *m, const struct diff_case *c, int rep, uint64_t until,
                        struct diff_result *res)
{
    uint64_t r[16], rflags = c->rflags, rip = c->rip;
    uc_err err;

    memcpy(r, c->r, sizeof(r));
    uc_context_restore(m->uc, m->fresh);
    uc_registers(m, r, &rflags, 1);
    struct diff_fpu start = c->fpu;
    uc_fpu(m, &start, 1);
    res->end = DIFF_END_STEP;
    for (int iter = 0;; iter++) {
        m->intno = -1;
        err = uc_emu_start(m->uc, rip, until, 0, 1);
        rip = 0;
        uc_reg_read(m->uc, m->mode == X86_MODE_64 ? UC_X86_REG_RIP : UC_X86_REG_EIP, &rip);
        if (err == UC_ERR_FETCH_UNMAPPED && rip != c->rip)
            err = UC_ERR_OK;
        if (m->intno >= 0) {
            res->end = DIFF_END_EXCEPTION;
            res->vector = m->intno;
        } else if (err == UC_ERR_INSN_INVALID) {
            res->end = DIFF_END_EXCEPTION;
            res->vector = 6;
        } else if (err == UC_ERR_READ_UNMAPPED || err == UC_ERR_WRITE_UNMAPPED ||
                   err == UC_ERR_FETCH_UNMAPPED) {
            res->end = DIFF_END_MEMFAULT;
            snprintf(res->what, sizeof(res->what), "%s", uc_strerror(err));
        } else if (err != UC_ERR_OK) {
            res->end = DIFF_END_FAILED;
            snprintf(res->what, sizeof(res->what), "%s", uc_strerror(err));
        }
        if (res->end != DIFF_END_STEP || !rep || rip != c->rip)
            break;
        if (iter == REP_MAX) {
            res->end = DIFF_END_FAILED;
            snprintf(res->what, sizeof(res->what), "REP beyond %d iterations", REP_MAX);
            break;
        }
    }
    memset(r, 0, sizeof(r));
    rflags = 0;
    uc_registers(m, r, &rflags, 0);
    memcpy(res->r, r, sizeof(r));
    res->rip = rip;
    res->rflags = rflags;
    res->mem = m->uc_mem;
    uc_fpu(m, &res->fpu, 0);
}

/* ------------------------------------------------------------------------------------- */
/* Comparing                                                                              */

static const char *const reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* Where Unicorn's answer cannot be used, the manual's is: vector raised, nothing changed.
 * ref becomes that answer, and Unicorn's memory the memory as the case started. */
static void manual_fault(struct machine *m, const struct diff_case *c, int vector,
                         struct diff_result *ref)
{
    unicorn_image(m, c);
    memcpy(ref->r, c->r, sizeof(ref->r));
    ref->rip = c->rip;
    ref->rflags = c->rflags;
    ref->end = DIFF_END_EXCEPTION;
    ref->vector = vector;
    ref->mem = m->uc_mem;
    ref->fpu = c->fpu;
    snprintf(ref->what, sizeof(ref->what), "the manual");
}

/* Do the two ends count as the same outcome? */
static int same_end(const struct diff_result *tcg, const struct diff_result *ref)
{
    if (tcg->end == DIFF_END_STEP || tcg->end == DIFF_END_EXCEPTION)
        if (ref->end == tcg->end && (tcg->end == DIFF_END_STEP || tcg->vector == ref->vector))
            return 1;
    return tcg->end == DIFF_END_EXCEPTION && ref->end == DIFF_END_MEMFAULT &&
           (tcg->vector == 14 || tcg->vector == 13 || tcg->vector == 12);
}

static void describe_end(const struct diff_result *r, char *buf, size_t size)
{
    switch (r->end) {
    case DIFF_END_STEP:
        snprintf(buf, size, "completed");
        break;
    case DIFF_END_EXCEPTION:
        snprintf(buf, size, "exception %d", r->vector);
        break;
    default:
        snprintf(buf, size, "%s", r->what);
    }
}

/* Counts the bytes of memory that differ (*first: the first of them). With tolerate_top,
 * Unicorn stopped on an unmapped access: QEMU splits a store that crosses into unmapped
 * memory and writes its first part before faulting, which the CPU never does, so the last
 * bytes of the range count only where the interpreter changed them. */
static uint64_t compare_memory(const struct machine *m, const struct diff_result *tcg,
                               const struct diff_result *ref, int tolerate_top, uint64_t *first,
                               uint64_t skip_lo, uint64_t skip_hi, uint64_t mask_at,
                               uint64_t env_base, uint64_t fx_base)
{
    uint64_t count = 0, top = m->l.size - sizeof(m->top);

    *first = 0;
    if (memcmp(tcg->mem, ref->mem, m->l.size) == 0)
        return 0;
    for (uint64_t k = 0; k < m->l.size; k++) {
        if (tcg->mem[k] == ref->mem[k])
            continue;
        if (tolerate_top && k >= top && tcg->mem[k] == m->top[k - top])
            continue;
        if (m->l.base + k >= skip_lo && m->l.base + k < skip_hi)
            continue;
        if (mask_at && m->l.base + k - mask_at < 4)
            continue;
        uint64_t fx_off = m->l.base + k - fx_base;
        if (fx_base && fx_off >= 32 && fx_off < 160 && (fx_off - 32) % 16 >= 10)
            continue;
        if (env_base && m->l.base + k - env_base < 12 && (m->l.base + k - env_base) % 4 >= 2)
            continue;
        if (count++ == 0)
            *first = m->l.base + k;
    }
    return count;
}

/* Appends to why (n bytes used of size) the x87 and SSE fields that differ. Of the x87
 * registers only those the reference holds a value in count: what a pop leaves in a
 * register it empties is not the manual's to say. fsw_undefined: the bits of FSW the
 * instruction leaves undefined. */
static int compare_fpu(const struct machine *m, const struct x86_insn *i,
                       const struct diff_result *tcg, const struct diff_result *ref,
                       uint16_t fsw_undefined, char *why, size_t size, int n)
{
    const struct diff_fpu *a = &tcg->fpu, *b = &ref->fpu;
    int nxmm = m->mode == X86_MODE_64 ? 16 : 8;
    uint32_t mxcsr_mask = 0;
    uint16_t fsw_mask = 0;

    if (i && !ref->native && !ref->what[0])
        diff__unicorn_fpu_masks(i, &mxcsr_mask, &fsw_mask);
    fsw_undefined |= fsw_mask;

    for (int k = 0; k < nxmm; k++)
        if (a->xmm[k][0] != b->xmm[k][0] || a->xmm[k][1] != b->xmm[k][1])
            n += snprintf(why + n, size - (size_t)n, "xmm%d ", k);
    if ((a->mxcsr ^ b->mxcsr) & ~mxcsr_mask)
        n +=
            snprintf(why + n, size - (size_t)n, "mxcsr(%#x) ", (a->mxcsr ^ b->mxcsr) & ~mxcsr_mask);
    /* QEMU keeps FCW's reserved bits as loaded; the CPU reads 6 as one, 7, 13-15 as 0. */
    uint16_t fcw_mask = ref->native || ref->what[0] ? 0xffff : 0x1f3f;
    /* FNSTENV masks every x87 exception after storing the environment (the manual);
     * QEMU 5.0 leaves FCW as it was. */
    if (i && !ref->native && !ref->what[0] && i->map == X86_MAP_ONE_BYTE && i->opcode == 0xd9 &&
        i->has_mem && (i->reg & 7) == 6)
        fcw_mask &= ~0x3f;
    if ((a->fcw ^ b->fcw) & fcw_mask)
        n += snprintf(why + n, size - (size_t)n, "fcw ");
    if ((a->fsw ^ b->fsw) & ~fsw_undefined)
        n += snprintf(why + n, size - (size_t)n, "fsw(%#x) ", (a->fsw ^ b->fsw) & ~fsw_undefined);
    if (a->ftw != b->ftw)
        n += snprintf(why + n, size - (size_t)n, "ftw(%02x/%02x) ", a->ftw, b->ftw);
    for (int k = 0; k < 8; k++)
        if ((b->ftw >> k & 1) && memcmp(a->st[k], b->st[k], 10) != 0)
            n += snprintf(why + n, size - (size_t)n, "r%d(st%d) ", k,
                          (k - ((b->fsw >> 11) & 7)) & 7);
    return n;
}

/* Compares registers, RIP, flags and memory. Returns 0, or -1 with what differs in why. */
static int compare_state(const struct machine *m, const struct diff_case *c,
                         const struct x86_insn *i, int decoded, const struct diff_result *tcg,
                         const struct diff_result *ref, uint64_t undefined_flags, char *why,
                         size_t size)
{
    uint64_t width = m->mode == X86_MODE_64 ? ~0ull : 0xffffffffull, first;
    int n = 0, nregs = m->mode == X86_MODE_64 ? 16 : 8, skip = -1;
    /* FCOMI, FUCOMI and the popping forms that raised an unmasked invalid operation or
     * denormal operand: Intel's manual has the unmasked exception leave the destination
     * (here EFLAGS) as it was, AMD's CPUs (this host) set EFLAGS as for the masked
     * response (unordered: ZF, PF, CF set; OF, SF, AF clear always). Not compared. */
    if (decoded && tcg->end == DIFF_END_STEP && i->map == X86_MAP_ONE_BYTE &&
        (i->opcode == 0xdb || i->opcode == 0xdf) && i->has_modrm && i->mod == 3 &&
        ((i->reg & 7) == 5 || (i->reg & 7) == 6) &&
        (ref->fpu.fsw & ~c->fpu.fsw & ~ref->fpu.fcw & 3))
        undefined_flags |= 0x8d5; /* OF, SF, ZF, AF, PF, CF */
    uint64_t fmask = RFLAGS_COMPARED & ~undefined_flags;

    /* BSF/BSR of 0 (ZF set): the destination is undefined. */
    if (decoded && i->map == X86_MAP_0F && (i->opcode == 0xbc || i->opcode == 0xbd) &&
        tcg->end == DIFF_END_STEP && (ref->rflags & RFLAGS_ZF))
        skip = i->reg;
    why[0] = '\0';
    for (int k = 0; k < nregs; k++)
        if (k != skip && ((tcg->r[k] ^ ref->r[k]) & width))
            n += snprintf(why + n, size - (size_t)n, "%s ", reg_names[k]);
    if ((tcg->rip ^ ref->rip) & width)
        n += snprintf(why + n, size - (size_t)n, "rip ");
    if ((tcg->rflags ^ ref->rflags) & fmask)
        n += snprintf(why + n, size - (size_t)n, "rflags(%#llx) ",
                      (unsigned long long)((tcg->rflags ^ ref->rflags) & fmask));
    uint16_t fsw_undefined = decoded && tcg->end == DIFF_END_STEP ? diff__fsw_undefined(i) : 0;
    /* An x87 instruction that raised an unmasked invalid operation or denormal operand:
     * Intel's manual leaves C0, C2 and C3 as they were (the comparisons, FPREM), AMD's
     * CPUs set them as for the masked response. Not compared: the CPU models disagree. */
    if (decoded && tcg->end == DIFF_END_STEP && i->map == X86_MAP_ONE_BYTE && i->opcode >= 0xd8 &&
        i->opcode <= 0xdf && (ref->fpu.fsw & ~c->fpu.fsw & ~ref->fpu.fcw & 3))
        fsw_undefined |= 0x4500;
    n = compare_fpu(m, decoded ? i : NULL, tcg, ref, fsw_undefined, why, size, n);
    /* FXSAVE's FOP, FIP and FDP (bytes 6-23 of the image): what they hold depends on the
     * CPU model (AMD stores them only while an exception is pending; newer Intel parts
     * store zero selectors), so they are left out. */
    uint64_t skip_lo = 0, skip_hi = 0, mask_at = 0, env_base = 0, fx_base = 0;
    if (decoded && i->map == X86_MAP_0F && i->opcode == 0xae && i->has_mem && (i->reg & 7) == 0 &&
        !i->opsize_pfx && !i->rep) {
        skip_lo = diff__operand_address(c, i);
        skip_hi = skip_lo + 24;
        skip_lo += 6;
        /* MXCSR_MASK (bytes 28-31): the MXCSR bits the CPU supports. This AMD host adds
         * bit 17 (MM, misaligned SSE mode), which the interpreter does not implement
         * (and its LDMXCSR refuses), so against the host it is not compared. */
        if (ref->native)
            mask_at = skip_lo - 6 + 28;
        /* The six reserved bytes after each ST(i) of the image: the CPU (this host) and
         * the interpreter store zeros, QEMU 5.0 leaves them as they were. */
        else if (!ref->what[0])
            fx_base = skip_lo - 6;
    }
    /* FNSTENV (D9 /6) and FNSAVE (DD /6) store the same pointers (FIP, FCS, FOP, FDP, FDS)
     * at the end of the environment: bytes 6-13 of the 14-byte (16-bit) format, 12-27 of
     * the 28-byte (32-bit) one; the register image follows. Left out for the same
     * reason as FXSAVE's. */
    if (decoded && i->map == X86_MAP_ONE_BYTE && (i->opcode == 0xd9 || i->opcode == 0xdd) &&
        i->has_mem && (i->reg & 7) == 6) {
        skip_lo = diff__operand_address(c, i);
        skip_hi = skip_lo + (i->opsize == 2 ? 14 : 28);
        skip_lo += i->opsize == 2 ? 6 : 12;
        /* The 28-byte format's reserved upper halves of FCW, FSW and FTW (bytes 2-3, 6-7,
         * 10-11): the CPU (this host's, and the interpreter) stores 0xffff there, QEMU 5.0
         * stores zero. Left out where Unicorn judges. */
        if (i->opsize != 2 && !ref->native)
            env_base = skip_lo - 12;
    }
    uint64_t count = compare_memory(m, tcg, ref, ref->end == DIFF_END_MEMFAULT, &first, skip_lo,
                                    skip_hi, mask_at, env_base, fx_base);
    if (count)
        snprintf(why + n, size - (size_t)n, "memory(%llu bytes from %#llx) ",
                 (unsigned long long)count, (unsigned long long)first);
    return why[0] ? -1 : 0;
}

/* Did Unicorn stop before running the instruction at all? QEMU restarts a block whose
 * own page is written near it (it cannot tell the instruction from its neighbours), and
 * the one-instruction run then ends with nothing done: RIP on the instruction, which
 * neither went anywhere (a jump to itself) nor iterates (REP). */
static int unicorn_restarted(const struct diff_case *c, const struct x86_insn *i, int decoded,
                             const struct diff_result *tcg, const struct diff_result *ref)
{
    return ref->end == DIFF_END_STEP && ref->rip == c->rip && tcg->rip != c->rip &&
           !(decoded && diff__rep_string(i));
}

/* Runs c in Unicorn, or takes the manual's answer where Unicorn's cannot be used.
 * writes_mem: the instruction writes its memory operand (Zydis says). */
static void run_reference(struct machine *m, const struct diff_case *c, const struct x86_insn *i,
                          int decoded, int writes_mem, struct diff_result *ref)
{
    if ((decoded || i->undefined) && diff__manual_ud(i)) {
        /* Fetching comes first: an instruction that runs off the mapped range faults
         * there (a page fault) before it can be found undefined. */
        int cut = decoded && c->rip + i->length > m->l.base + m->l.size;
        manual_fault(m, c, cut ? 14 : 6, ref);
        return;
    }
    if (decoded && diff__beyond_sse2(i)) {
        manual_fault(m, c, 6, ref);
        return;
    }
    if (decoded && diff__fp_insn(i) && diff__native_run(c, i, m->uc_mem, ref) == 0)
        return;
    run_unicorn(m, c, decoded && diff__rep_string(i), decoded ? c->rip + i->length : ~0ull, ref);
    /* An x87 store through CS (FNSTENV, FNSAVE, FST...) that QEMU attempted and found
     * unmapped: the manual's #GP, from the segment check that comes before paging. */
    if (ref->end == DIFF_END_MEMFAULT && decoded && i->map == X86_MAP_ONE_BYTE &&
        i->opcode >= 0xd8 && i->opcode <= 0xdf && diff__cs_write(i, writes_mem)) {
        manual_fault(m, c, 13, ref);
        return;
    }
    if (ref->end != DIFF_END_STEP)
        return;
    /* LDMXCSR and FXRSTOR of an MXCSR with reserved bits set (above bit 15: the
     * interpreter's MXCSR_MASK) raise #GP(0) by the manual; QEMU 5.0 loads them. */
    if (decoded && i->map == X86_MAP_0F && i->opcode == 0xae && i->has_mem &&
        ((i->reg & 7) == 1 || (i->reg & 7) == 2) && (ref->fpu.mxcsr & ~0xffffu)) {
        manual_fault(m, c, 13, ref);
        return;
    }
    if (diff__bad_target(m->mode, ref->rip) || (decoded && diff__cs_write(i, writes_mem)))
        manual_fault(m, c, 13, ref);
}

/* Decides whether c is compared before running it: returns DIFF_SAME to go on. An
 * undefined instruction that runs off the mapped range is not: whether the CPU fetches
 * the bytes beyond (a page fault) or stops at #UD is not the manual's to say. Nor is one
 * both undefined and longer than 15 bytes: #UD and #GP have the same priority. */
static enum diff_verdict triage(const struct machine *m, const struct diff_case *c,
                                const struct x86_insn *i, int decoded)
{
    if (i->unsupported)
        return DIFF_SKIP_UNSUPPORTED;
    if (!decoded && c->rip + X86_MAX_LENGTH > m->l.base + m->l.size)
        return DIFF_SKIP_REFERENCE;
    if (i->too_long && diff__manual_ud(i))
        return DIFF_SKIP_REFERENCE;
    /* UD0 and UD1 (0F FF, 0F B9) whose ModRM and displacement run off the mapped range:
     * whether the CPU fetches them before its #UD is model-specific (older AMD parts
     * take UD0 without a ModRM); QEMU does not. */
    if (decoded && i->map == X86_MAP_0F && (i->opcode == 0xff || i->opcode == 0xb9) &&
        c->rip + i->length > m->l.base + m->l.size)
        return DIFF_SKIP_REFERENCE;
    if (decoded && diff__unicorn_deviates(i, c->code))
        return DIFF_SKIP_REFERENCE;
    /* x87 and SSE: results that differ between CPU models, and unmasked SIMD exceptions
     * that QEMU never raises where the host cannot run the instruction instead. */
    if (decoded && diff__fp_insn(i) &&
        (diff__model_specific(i) ||
         (!diff__native_fits(c, i) && (diff__xm_possible(i, c) || diff__x87_precision(i, c)))))
        return DIFF_SKIP_REFERENCE;
    if (decoded && diff__fp_insn(i) && !diff__native_fits(c, i) &&
        (diff__unicorn_sse_skipped(c, i) || diff__unicorn_x87_skipped(c, i)))
        return DIFF_SKIP_REFERENCE;
    if (decoded && !diff__compared(i))
        return DIFF_SKIP_OUTSIDE;
    if (decoded && diff__undefined_result(i, c))
        return DIFF_SKIP_UNDEFINED;
    return DIFF_SAME;
}

enum diff_verdict diff__run(struct diff *d, const struct diff_case *c, struct diff_result *tcg,
                            struct diff_result *ref, char *why, size_t size)
{
    struct machine *m = &d->m[mode_index(c->mode)];
    struct x86_insn i;
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    int decoded = x86__decode(c->code, X86_MAX_LENGTH, c->mode, &i) > 0;
    uint64_t undefined_flags = 0;
    int writes_mem = 0;
    enum diff_verdict v;

    memset(tcg, 0, sizeof(*tcg));
    memset(ref, 0, sizeof(*ref));
    why[0] = '\0';
    if ((v = triage(m, c, &i, decoded)) != DIFF_SAME)
        return v;
    if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&m->zydis, c->code, X86_MAX_LENGTH, &z, ops))) {
        undefined_flags = z.cpu_flags ? z.cpu_flags->undefined : 0;
        for (unsigned k = 0; k < z.operand_count_visible; k++)
            writes_mem |= ops[k].type == ZYDIS_OPERAND_TYPE_MEMORY &&
                          (ops[k].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE);
    }
    if (decoded && diff__writes_own_bytes(c, &i, writes_mem))
        return DIFF_SKIP_REFERENCE;
    load_memory(m, c);
    run_interp(m, c, decoded && diff__rep_string(&i), tcg);
    run_reference(m, c, &i, decoded, writes_mem, ref);
    if (tcg->end == DIFF_END_EXIT)
        return DIFF_SKIP_EXIT;
    if (ref->end == DIFF_END_FAILED || unicorn_restarted(c, &i, decoded, tcg, ref))
        return DIFF_SKIP_REFERENCE;
    /* QEMU 5.0 has no x87 stack faults (it reads an empty register as a value and pushes
     * over a full one): a case where the interpreter met one (SF newly set, or IE while
     * SF was already set) is not compared against it. The host judges stack faults in
     * every 64-bit case, through the same code of the interpreter. */
    if (decoded && !ref->native && i.map == X86_MAP_ONE_BYTE && i.opcode >= 0xd8 &&
        i.opcode <= 0xdf &&
        (c->fpu.fsw & 0x40 ? (tcg->fpu.fsw & ~c->fpu.fsw & 1) : (tcg->fpu.fsw & 0x40)))
        return DIFF_SKIP_REFERENCE;
    /* An x87 store or load that reaches unmapped memory (where the CPU faults, with #PF,
     * or #GP beyond a segment's limit): QEMU 5.0's helpers access it piece by piece and
     * have changed FSW, FTW and RIP (FNSAVE reinitialises the FPU) before Unicorn reports
     * the unmapped access; the CPU faults with nothing changed. The host judges
     * these in 64-bit mode where the range is its own. */
    if (decoded && !ref->native && ref->end == DIFF_END_MEMFAULT &&
        tcg->end == DIFF_END_EXCEPTION && (tcg->vector == 14 || tcg->vector == 13) &&
        ((i.map == X86_MAP_ONE_BYTE && i.opcode >= 0xd8 && i.opcode <= 0xdf) ||
         (i.map == X86_MAP_0F && i.opcode == 0xae && i.has_mem && (i.reg & 7) == 0)))
        return DIFF_SKIP_REFERENCE; /* FXSAVE too */
    /* x87 results QEMU 5.0 does not model: it raises no DE, reports other tiny results
     * (UE) when converting to a smaller format, delivers the masked response for an
     * unmasked exception, neither quiets nor reports an SNaN read from memory (IE), and
     * stores other values than the integer indefinite when FIST/FISTP/FISTTP overflow.
     * Cases where the interpreter raised one of those (or stored an integer with IE set)
     * are not compared against Unicorn; the host judges them in 64-bit mode. */
    if (decoded && !ref->native && i.map == X86_MAP_ONE_BYTE && i.opcode >= 0xd8 &&
        i.opcode <= 0xdf && tcg->end != DIFF_END_EXCEPTION) {
        unsigned raised = tcg->fpu.fsw & ~c->fpu.fsw & 0x3f;
        unsigned digit = i.reg & 7; /* FISTTP /1, FIST /2, FISTP /3 and DF /7 */
        int int_store =
            i.has_mem && (i.opcode == 0xdb || i.opcode == 0xdd || i.opcode == 0xdf) &&
            (i.opcode == 0xdd ? digit == 1
                              : (digit >= 1 && digit <= 3) || (i.opcode == 0xdf && digit == 7));
        if ((raised & 0x12) || (raised & ~c->fpu.fcw) || (i.has_mem && (raised & 1)) ||
            (int_store && (tcg->fpu.fsw & 1)))
            return DIFF_SKIP_REFERENCE;
    }
    /* FLD m32/m64 of a denormal with DE unmasked: Intel's manual leaves TOP and the
     * registers unchanged (the interpreter follows it), this AMD host loads the value
     * all the same (diff case 18954 of seed 2). The CPU models disagree: not compared. */
    if (decoded && ref->native && i.map == X86_MAP_ONE_BYTE &&
        (i.opcode == 0xd9 || i.opcode == 0xdd) && i.has_mem && (i.reg & 7) == 0 &&
        (ref->fpu.fsw & ~c->fpu.fsw & ~c->fpu.fcw & 2))
        return DIFF_SKIP_REFERENCE;
    /* SSE arithmetic with a NaN result: given two NaNs the CPU returns the first source's
     * (quieted), QEMU 5.0 the second's (ADDPS, MULPS: diff cases 4935 of seed 3, 264628
     * of seed 8). Not compared against Unicorn; the host judges NaNs in 64-bit mode. */
    if (decoded && !ref->native && i.map == X86_MAP_0F && i.opcode >= 0x51 && i.opcode <= 0x5f &&
        i.opcode != 0x54 && i.opcode != 0x55 && i.opcode != 0x56 && i.opcode != 0x57 &&
        tcg->end == DIFF_END_STEP) {
        const uint64_t *r = tcg->fpu.xmm[i.reg];
        int nan = 0;
        for (int k = 0; k < 2; k++) {
            nan |= (r[k] & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (r[k] << 12);
            for (int h = 0; h < 2; h++) {
                uint32_t v = (uint32_t)(r[k] >> (32 * h));
                nan |= (v & 0x7f800000u) == 0x7f800000u && (v << 9);
            }
        }
        if (nan)
            return DIFF_SKIP_REFERENCE;
    }
    /* MASKMOVDQU whose mask leaves bytes out: whether the CPU faults on the bytes it does
     * not write is implementation-specific (the manual); this host faults on an unmapped
     * page even then, the interpreter touches only the bytes it writes. */
    if (decoded && ref->native && i.map == X86_MAP_0F && i.opcode == 0xf7 &&
        tcg->end == DIFF_END_STEP && ref->end == DIFF_END_EXCEPTION && ref->vector == 14) {
        const uint8_t *mask = (const uint8_t *)c->fpu.xmm[i.rm_reg];
        int all = 1;
        for (int k = 0; k < 16; k++)
            all &= mask[k] >> 7;
        if (!all)
            return DIFF_SKIP_REFERENCE;
    }
    /* CLFLUSH is a read for page faults (the manual; the host faults on an unmapped
     * address); QEMU 5.0's CLFLUSH accesses nothing and completes. */
    if (decoded && !ref->native && i.map == X86_MAP_0F && i.opcode == 0xae && i.has_mem &&
        (i.reg & 7) == 7 && tcg->end == DIFF_END_EXCEPTION && tcg->vector == 14 &&
        ref->end == DIFF_END_STEP)
        return DIFF_SKIP_REFERENCE;
    if (decoded && !ref->native && tcg->end == DIFF_END_EXCEPTION && tcg->vector == 13 &&
        ref->end == DIFF_END_STEP && diff__unicorn_misaligned(c, &i))
        return DIFF_SKIP_REFERENCE; /* QEMU does not check SSE alignment (diff_rules.c) */
    if (!same_end(tcg, ref)) {
        char a[80], b[80];
        describe_end(tcg, a, sizeof(a));
        describe_end(ref, b, sizeof(b));
        snprintf(why, size, "ends differ: stepvm %s, unicorn %s", a, b);
        return DIFF_DIFFERENT;
    }
    if (tcg->end != DIFF_END_STEP)
        undefined_flags = 0; /* a faulting instruction changes no flag */
    return compare_state(m, c, &i, decoded, tcg, ref, undefined_flags, why, size) < 0
               ? DIFF_DIFFERENT
               : DIFF_SAME;
}

/* ------------------------------------------------------------------------------------- */
/* Unicorn against the host                                                               */

/* Prints a disagreement between Unicorn (a) and the host (b) on case n. */
static void report_disagreement(FILE *out, uint64_t seed, uint64_t n, const struct diff_case *c,
                                const struct diff_result *uc, const struct diff_result *host,
                                const char *why)
{
    fprintf(out, "unicorn vs host: case %llu of seed %llu:", (unsigned long long)n,
            (unsigned long long)seed);
    for (int k = 0; k < X86_MAX_LENGTH; k++)
        fprintf(out, " %02x", c->code[k]);
    fprintf(out, "\n  differs: %s\n", why);
    const struct diff_result *r[2] = {uc, host};
    for (int e = 0; e < 2; e++) {
        const struct diff_fpu *f = &r[e]->fpu;
        fprintf(out, "  %s: end %d vector %d mxcsr %08x fcw %04x fsw %04x ftw %02x rflags %llx\n",
                e ? "host   " : "unicorn", r[e]->end, r[e]->vector, f->mxcsr, f->fcw, f->fsw,
                f->ftw, (unsigned long long)r[e]->rflags);
        for (int k = 0; k < 16; k++)
            if (f->xmm[k][0] != c->fpu.xmm[k][0] || f->xmm[k][1] != c->fpu.xmm[k][1])
                fprintf(out, "    xmm%-2d %016llx%016llx (was %016llx%016llx)\n", k,
                        (unsigned long long)f->xmm[k][1], (unsigned long long)f->xmm[k][0],
                        (unsigned long long)c->fpu.xmm[k][1], (unsigned long long)c->fpu.xmm[k][0]);
        for (int k = 0; k < 8; k++)
            if (memcmp(f->st[k], c->fpu.st[k], 10) != 0) {
                uint64_t mant;
                uint16_t se;
                memcpy(&mant, f->st[k], 8);
                memcpy(&se, f->st[k] + 8, 2);
                fprintf(out, "    r%d %04x:%016llx\n", k, se, (unsigned long long)mant);
            }
    }
    fflush(out);
}

unsigned long diff__unicorn_vs_host(struct diff *d, uint64_t seed, uint64_t first, uint64_t count,
                                    unsigned max_reports, FILE *out)
{
    static unsigned long made[3][256], differ[3][256];
    struct machine *m = &d->m[2];
    struct diff_case c;
    struct diff_result uc, host;
    struct x86_insn i;
    char why[256];
    unsigned long differences = 0, compared = 0, skipped = 0;

    memset(made, 0, sizeof(made));
    memset(differ, 0, sizeof(differ));
    for (uint64_t n = first; n < first + count; n++) {
        diff__generate(seed, n, &c);
        /* The interpreter's support does not matter here: an unsupported row still has
         * its length and operands decoded. */
        int ok = x86__decode(c.code, X86_MAX_LENGTH, c.mode, &i) > 0 || (i.unsupported && i.length);
        if (c.mode != X86_MODE_64 || !ok || !diff__fp_insn(&i) || !diff__native_fits(&c, &i))
            continue;
        if (diff__model_specific(&i)) {
            skipped++;
            continue;
        }
        memset(&uc, 0, sizeof(uc));
        memset(&host, 0, sizeof(host));
        load_memory(m, &c);
        if (diff__native_run(&c, &i, m->uc_mem, &host) < 0) {
            skipped++;
            continue;
        }
        run_unicorn(m, &c, 0, c.rip + i.length, &uc);
        if (uc.end == DIFF_END_FAILED || uc.end == DIFF_END_MEMFAULT) {
            skipped++;
            continue;
        }
        int map = i.map == X86_MAP_ONE_BYTE ? 0 : i.opsize_pfx || i.rep ? 2 : 1;
        made[map][i.opcode]++;
        compared++;
        why[0] = '\0';
        int w = 0;
        if (!same_end(&uc, &host))
            w = snprintf(why, sizeof(why), "ends: unicorn %d/%d, host %d/%d ", uc.end, uc.vector,
                         host.end, host.vector);
        if ((uc.rflags ^ host.rflags) & RFLAGS_ARITH)
            w += snprintf(why + w, sizeof(why) - (size_t)w, "rflags ");
        if (uc.end == DIFF_END_STEP && host.end == DIFF_END_STEP)
            w = compare_fpu(m, NULL, &uc, &host, diff__fsw_undefined(&i), why, sizeof(why), w);
        if (!why[0])
            continue;
        differ[map][i.opcode]++;
        if (differences++ < max_reports)
            report_disagreement(out, seed, n, &c, &uc, &host, why);
    }
    fprintf(out,
            "unicorn vs host: %lu x87/SSE 64-bit cases compared, %lu skipped, %lu "
            "disagree\n",
            compared, skipped, differences);
    static const char *const maps[3] = {"", "0F ", "pfx 0F "};
    for (int map = 0; map < 3; map++)
        for (int op = 0; op < 256; op++)
            if (differ[map][op])
                fprintf(out, "  %s%02X: %lu of %lu disagree\n", maps[map], op, differ[map][op],
                        made[map][op]);
    fflush(out);
    return differences;
}
