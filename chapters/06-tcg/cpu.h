/*
 * cpu.h - the interpreter's CPU: its registers, and what every instruction's code uses to
 * reach operands, memory, flags and exceptions (chapter 6).
 *
 * The interpreter is split by what instructions do: alu.c (arithmetic and logic), bits.c
 * (shifts, rotates, bit operations), flow.c (moves, stack, branches), string.c (the string
 * instructions), protect.c (modes, segments, interrupts and exceptions, far transfers),
 * system.c (control registers, MSRs, CPUID, port I/O, HLT), fpu.c (x87, FXSAVE/FXRSTOR),
 * sse.c and simd.c (SSE/SSE2); beside them flags.c (the lazy flags), mmu.c (segmentation,
 * paging, the TLB, the stack), tcg.c (the decoded-instruction cache, the run loop, the
 * faults and exits, the vCPU interface), block.c (translation blocks and their chaining)
 * and fast.c (code for common operand forms).
 *
 * Control flow: an instruction that faults calls tcg__fault(), which does not return: it
 * jumps back to the run loop (longjmp), which delivers the exception. So an instruction's
 * code must change no register before its last access that can fault or exit: read and
 * write memory first, then commit registers. RIP is committed by the loop: code that
 * branches sets c->next_rip.
 */
#ifndef STEPVM_TCG_CPU_H
#define STEPVM_TCG_CPU_H

#include "mem.h"
#include "vcpu.h"
#include "x86/decode.h"

#include <linux/kvm.h>
#include <setjmp.h>
#include <stdint.h>

/* ---- Architectural constants (names as in the Intel SDM) ---- */

#define RFLAGS_CF    (1ull << 0)
#define RFLAGS_FIXED (1ull << 1) /* always 1 */
#define RFLAGS_PF    (1ull << 2)
#define RFLAGS_AF    (1ull << 4)
#define RFLAGS_ZF    (1ull << 6)
#define RFLAGS_SF    (1ull << 7)
#define RFLAGS_TF    (1ull << 8)
#define RFLAGS_IF    (1ull << 9)
#define RFLAGS_DF    (1ull << 10)
#define RFLAGS_OF    (1ull << 11)
#define RFLAGS_IOPL  (3ull << 12)
#define RFLAGS_NT    (1ull << 14)
#define RFLAGS_RF    (1ull << 16)
#define RFLAGS_VM    (1ull << 17)
#define RFLAGS_AC    (1ull << 18)
#define RFLAGS_ID    (1ull << 21)
/* The six flags arithmetic computes: kept lazily (flags.c). */
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

#define CR0_PE         (1ull << 0)
#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR0_ET         (1ull << 4)
#define CR0_NE         (1ull << 5)
#define CR0_WP         (1ull << 16)
#define CR0_AM         (1ull << 18)
#define CR0_NW         (1ull << 29)
#define CR0_CD         (1ull << 30)
#define CR0_PG         (1ull << 31)
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_SCE       (1ull << 0)
#define EFER_LME       (1ull << 8)
#define EFER_LMA       (1ull << 10)
#define EFER_NXE       (1ull << 11)

/* Exception vectors. */
enum {
    EXC_DE = 0,  /* divide error */
    EXC_DB = 1,  /* debug */
    EXC_BP = 3,  /* breakpoint (INT3) */
    EXC_OF = 4,  /* overflow (INTO) */
    EXC_BR = 5,  /* BOUND range exceeded */
    EXC_UD = 6,  /* invalid opcode */
    EXC_NM = 7,  /* device not available */
    EXC_DF = 8,  /* double fault */
    EXC_TS = 10, /* invalid TSS */
    EXC_NP = 11, /* segment not present */
    EXC_SS = 12, /* stack-segment fault */
    EXC_GP = 13, /* general protection */
    EXC_PF = 14, /* page fault */
    EXC_MF = 16, /* x87 floating-point error */
    EXC_AC = 17, /* alignment check */
    EXC_XM = 19, /* SIMD floating-point exception (SSE, with CR4.OSXMMEXCPT) */
};
#define EXC_NO_ERROR 0xffffffffu /* the exception pushes no error code */

/* Page-fault error code bits. */
#define PF_P    (1u << 0) /* the page was present (a protection violation) */
#define PF_W    (1u << 1) /* the access was a write */
#define PF_U    (1u << 2) /* the access was made at CPL3 */
#define PF_RSVD (1u << 3) /* a reserved bit was set in a paging entry */
#define PF_I    (1u << 4) /* the access was an instruction fetch */

/* Registers by encoding. */
enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };

/* What a memory access is for: it decides the paging checks and the page-fault code. */
enum access { ACC_READ, ACC_WRITE, ACC_FETCH };

/* ---- The lazy flags (flags.c) ---- */

/* Which operation last set the arithmetic flags. CC_NONE: they are in c->rflags. */
enum cc_op {
    CC_NONE,
    CC_ADD,   /* res = dst + src (+ carry-in for ADC: flags.c recovers it as res - dst - src) */
    CC_SUB,   /* res = dst - src (- borrow-in for SBB); SUB, CMP, NEG */
    CC_LOGIC, /* AND, OR, XOR, TEST: CF = OF = 0 */
    CC_INC,   /* like ADD with src = 1, but CF is kept from before (in cc_carry) */
    CC_DEC,   /* like SUB with src = 1, CF kept */
    CC_SHL,   /* res = dst << n; src = the last bit shifted out, in bit 0 */
    CC_SHR,   /* logical right shift; src = the last bit shifted out */
    CC_SAR,   /* arithmetic right shift; src = the last bit shifted out */
    CC_MUL,   /* MUL/IMUL: CF = OF = (src != 0), the product's upper part is significant */
};

/* A segment register as the CPU holds it: selector and the descriptor's hidden part. KVM's
 * struct serves the interpreter too, so KVM_GET_SREGS-style state needs no conversion. */
typedef struct kvm_segment seg_t;

/* One entry of the software TLB: a linear page and where it lives on the host. */
struct tlb_entry {
    uint64_t tag;        /* linear page number << 1 | 1 (0: empty) */
    uint8_t *host;       /* host address of the page, NULL when not RAM (MMIO, or a ROM write) */
    uint64_t phys;       /* guest-physical page address */
    const uint8_t *code; /* the page's byte in the code-page map (a zero byte above 4 GiB) */
};

#define TLB_SIZE 256 /* entries per access kind, direct-mapped by linear page number */

/* A device access (port I/O or MMIO) an instruction has completed through an exit. When
 * the instruction runs again, its accesses find their results here, in order. */
struct tcg_done {
    uint64_t addr, value;
    uint8_t size, write, io;
};
#define TCG_MAX_DONE 4

/* [unwind] */
/*
 * How code deep inside an instruction gets back to the run loop: it longjmps to the setjmp
 * in tcg_run (tcg.c) with one of these, and the run loop acts on it. 0 is setjmp's own
 * return, when the run starts.
 */
enum tcg_unwind {
    TCG_UNWIND_EXCEPTION = 1, /* tcg__fault(): undo the instruction, deliver c->fault_vector */
    TCG_UNWIND_EXIT = 2,      /* tcg__exit(): a device access, the VMM's turn: report c->exit */
    TCG_UNWIND_FATAL = 3, /* tcg__internal(): the interpreter cannot go on; the error says why */
    TCG_UNWIND_RETRY = 4, /* tcg__restart(): a locked write lost its race: run it again */
};
/* [unwind] */

/* [inflight] */
/*
 * An instruction in flight across device accesses (mmu.c's leave_ram, the [mmio] snippet).
 * Its life cycle:
 *  - An access that needs the VMM (port I/O, an MMIO read) is filed in done[count] and the
 *    instruction stops (TCG_UNWIND_EXIT). tcg_run sets pending, rewinds next to 0 and
 *    reports the exit. An MMIO write needs no answer: leave_ram files it and sets posted,
 *    and the instruction goes on.
 *  - A run that starts with pending set first takes the VMM's answer (complete_exit):
 *    done[count] becomes a completed access, count grows, pending is cleared. Then the same
 *    instruction runs again from its start, and each access it reaches takes its answer
 *    from done[next++] instead of exiting.
 *  - When the instruction ends, step() reports a posted write as an exit (RIP past the
 *    instruction) and clears posted; count and next go back to 0 (retire). A second device
 *    access while posted is set stops the instruction instead: the posted write becomes a
 *    completed access like any other.
 *  - An exception clears count, next and posted: the instruction did not happen, nor did
 *    its write. (pending is clear then: a run clears it before it executes anything.)
 */
struct tcg_inflight {
    struct tcg_done done[TCG_MAX_DONE]; /* its device accesses, in order */
    int count;                          /* how many of done[] are completed (answered) */
    int next;    /* the next one that the instruction, running again, takes its answer from */
    int pending; /* an exit was reported: the next run completes it first */
    int posted;  /* an MMIO write to report once the instruction ends */
};
/* [inflight] */

/* What an instruction that changes many registers at once (far transfers, IRET, INT) may
 * have to put back when it faults half-way: the state before it. */
struct tcg_undo {
    uint64_t r[16], rip, rflags;
    seg_t seg[6];
    uint8_t cpl, mode, long64, stack_size;
};

/* [events] */
/* The bits of c->events, the one word the run loop reads after every instruction (one
 * relaxed load): while it is 0, nothing outside the instruction stream needs the loop.
 * TCG_EVENT_KICK is set by a kick, from any thread (and a raised INTR pin always comes
 * with a kick); TCG_EVENT_INTR by the loop itself while an interrupt waits at the pin
 * that the CPU cannot take yet (IF is 0, or a shadow covers the boundary);
 * TCG_EVENT_STEP while single-stepping is on, so that stepping costs no check of its own. */
#define TCG_EVENT_KICK 1u /* return VCPU_EXIT_INTR at the next instruction boundary */
#define TCG_EVENT_INTR 2u /* look at the INTR pin again at the next boundary */
#define TCG_EVENT_STEP 4u /* end the run after every instruction (VCPU_EXIT_STEP) */
/* [events] */

/* What the vCPUs over one guest memory share (tcg.c): which pages hold decoded code, and
 * the generation of every vCPU's decoded instructions (a write to a code page bumps it). */
struct tcg_code_map {
    _Alignas(64) _Atomic uint64_t gen; /* read at every instruction: a line of its own */
    _Alignas(64) struct guest_mem *mem;
    struct tcg_code_map *next; /* tcg.c's list of maps */
    unsigned users;            /* vCPUs over mem */
    uint8_t page[1u << 20];    /* a byte a guest-physical page below 4 GiB: 1 = code cached */
};

/* A locked read-modify-write (LOCK, or XCHG with memory) in progress: see mmu.c. */
struct tcg_locked {
    uint8_t on;    /* the instruction being executed is locked */
    uint8_t state; /* LOCKED_NONE, LOCKED_CAS (host, size, old: the read), LOCKED_MUTEX */
    uint8_t size;
    uint8_t *host;
    uint64_t old;
};

/* [fpu-state] */
/* One SSE register, seen as the lanes the instructions use. */
typedef union {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    float ps[4];
    double pd[2];
} tcg_xmm;

/* The x87 FPU (fpu.c). The eight registers are kept in their physical order R0-R7, as the
 * hardware does: ST(i) is R[(TOP + i) mod 8], with TOP in bits 13:11 of the status word. Each
 * holds the 80-bit extended format (64-bit significand with its explicit integer bit, then
 * sign and 15-bit exponent), little endian, the bytes FXSAVE stores. */
struct tcg_x87 {
    uint8_t r[8][10];  /* R0..R7 */
    uint16_t fcw;      /* control word: exception masks, precision, rounding */
    uint16_t fsw;      /* status word: exception flags, condition codes C0-C3, TOP */
    uint8_t ftw;       /* the abridged tag FXSAVE stores: bit i set while Ri holds a value */
    uint16_t fop;      /* the last non-control instruction's opcode (11 bits) */
    uint64_t fip, fdp; /* its instruction and operand pointers */
    uint16_t fcs, fds; /* and their selectors (legacy formats) */
};
/* [fpu-state] */

/** The interpreter's vCPU. vcpu comes first: the interface hands us that pointer. */
struct tcg_cpu {
    struct vcpu vcpu;
    struct guest_mem *mem;

    /* ---- Architectural state ---- */
    uint64_t r[16]; /* RAX..R15 by encoding */
    uint64_t rip;
    uint64_t rflags; /* arithmetic bits valid only when cc_op == CC_NONE */
    seg_t seg[6];    /* ES, CS, SS, DS, FS, GS: enum x86_seg order */
    seg_t ldt, tr;
    struct kvm_dtable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
    uint64_t dr[8];
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc; /* RDTSC reads tsc + system__tsc_count(): this is what writes to the TSC moved */
    uint64_t tsc_adjust; /* IA32_TSC_ADJUST: what software added to the TSC by writes */
    uint64_t pat, misc_enable;
    struct tcg_x87 x87; /* the x87 FPU (fpu.c) */
    tcg_xmm xmm[16];    /* XMM0-XMM15 (sse.c, simd.c) */
    uint32_t mxcsr;     /* SSE control and status */

    /* ---- Lazy flags ---- */
    uint8_t cc_op;     /* enum cc_op */
    uint8_t cc_size;   /* operand size in bytes of that operation */
    uint64_t cc_dst;   /* the first operand (before) */
    uint64_t cc_src;   /* the second operand, or what cc_op says */
    uint64_t cc_res;   /* the result, truncated to cc_size */
    uint64_t cc_carry; /* INC/DEC: the CF they keep */

    /* ---- Derived from the state above; recomputed by protect__update_mode() ---- */
    uint8_t mode;       /* enum x86_mode: how code decodes now */
    uint8_t cpl;        /* current privilege level */
    uint8_t long64;     /* 64-bit mode (EFER.LMA and CS.L) */
    uint8_t stack_size; /* 2, 4 or 8: the width of RSP that push and pop use */

    /* ---- The instruction being executed ---- */
    uint64_t next_rip; /* where execution goes after it; branches set it */
    uint64_t shadow;   /* the STI / MOV SS shadow: see tcg__shadow() */

    /* ---- Exits: an instruction that needs the VMM (I/O, MMIO) ---- */
    struct vcpu_exit exit;        /* the exit being reported */
    uint8_t exit_data[1024];      /* the data of an I/O or MMIO exit (REP INS: many items) */
    struct tcg_inflight inflight; /* the instruction the exit interrupted */
    int halted, shutdown, stepping;
    atomic_uint events; /* TCG_EVENT_*: what the run loop must look at between instructions */

    /* ---- Exceptions ---- */
    jmp_buf fault_jmp; /* tcg_run's restart point: longjmp with an enum tcg_unwind */
    int fault_vector;  /* the exception raised, -1 when none */
    uint32_t fault_error;
    int delivering;       /* the vector being delivered, -1 when none (for double faults) */
    int trap_exceptions;  /* tests: stop at an exception instead of delivering it */
    int last_exception;   /* the last exception of this run, -1 when none */
    struct tcg_undo undo; /* valid while undo_valid: restored when the instruction faults */
    int undo_valid;
    uint32_t last_error;

    /* ---- Caches ---- */
    struct tlb_entry tlb[3][TLB_SIZE]; /* by enum access, for the current CPL */
    struct tcg_code_map *code;         /* shared with the other vCPUs over the same memory */
    struct tcg_locked lock;            /* the locked instruction being executed (mmu.c) */
    uint8_t smp;               /* other vCPUs share the memory: writes are ordered (mmu.c) */
    struct tcg_cache *cache;   /* decoded instructions (tcg.c) */
    struct tcg_blocks *blocks; /* translation blocks (block.c), with --tcg=block or jit */
    struct tcg_jit *jit;       /* the JIT's code buffer (jit.c), with --tcg=jit */
    uint8_t translation;       /* enum tcg_translation: how the run loop runs code */
    uint8_t tb_stop;           /* the block being run must end after this instruction (block.c) */
    uint64_t instructions;     /* executed so far */
    uint64_t decodes;          /* decoded so far (cache misses) */

    /* ---- Time ---- */
    const struct vclock *clock; /* the TSC's source (tcg_vcpu__set_clock); NULL: instructions */
    uint64_t clock_epoch;       /* the clock's ns when the TSC, before c->tsc's offset, was 0 */
};

/* RDTSC's value now: c->tsc (the offset WRMSR to IA32_TSC sets) plus the ns of the
 * machine's clock since the epoch, or plus the instructions executed without a clock. */
uint64_t system__tsc_count(const struct tcg_cpu *c);

/** The code of one instruction, chosen once at decode time (tcg.c's dispatch tables). */
typedef void (*tcg_exec_fn)(struct tcg_cpu *c, const struct x86_insn *i);

/* Each group of instructions fills its entries of the tables: one byte opcodes and 0F xx. */
void flow__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void alu__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void system__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void protect__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void string__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void bits__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);
void fpu__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);  /* x87, FXSAVE, MXCSR */
void sse__register(tcg_exec_fn one[256], tcg_exec_fn two[256]);  /* SSE/SSE2 float, moves */
void simd__register(tcg_exec_fn one[256], tcg_exec_fn two[256]); /* SSE2 integer */

/* Group opcodes whose rows belong to different files: FF /0 /1 (INC, DEC) are alu.c's,
 * FF /3 /5 (far CALL and JMP through memory) protect.c's; flow.c's FF handler calls them. */
void alu__incdec(struct tcg_cpu *c, const struct x86_insn *i);
void protect__far_ff(struct tcg_cpu *c, const struct x86_insn *i);

/* ---- Exceptions and exits (tcg.c; delivery in protect.c) ---- */

/** Raises exception vector with error (EXC_NO_ERROR for none). Never returns. */
_Noreturn void tcg__fault(struct tcg_cpu *c, int vector, uint32_t error);

/** \#UD: the instruction does not exist, or not here. Never returns. */
_Noreturn void tcg__ud(struct tcg_cpu *c, const struct x86_insn *i);

/** \#GP(error). Never returns. */
_Noreturn void tcg__gp(struct tcg_cpu *c, uint32_t error);

/**
 * Ends the instruction with the exit in c->exit: the VMM handles it, then the run loop
 * executes the instruction again, and its accesses already done find their results in
 * c->inflight (mmu.c). Never returns.
 */
_Noreturn void tcg__exit(struct tcg_cpu *c);

/** Saves the state before an instruction that changes many registers before it may fault
 * (tcg.c): a fault restores it, so the exception finds the state as it was. */
void tcg__save_undo(struct tcg_cpu *c);

/** Ends the run with a fatal exit: the interpreter itself cannot go on. Never returns. */
_Noreturn void tcg__internal(struct tcg_cpu *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Port I/O through an exit (IN, OUT, INS, OUTS): returns the value read (IN), after the
 * VMM handled the exit. See mmu.c for how the instruction is run again.
 */
uint64_t mmu__port_io(struct tcg_cpu *c, uint16_t port, unsigned size, int write, uint64_t value);

/**
 * REP INS in one exit, as KVM batches it: count items of size bytes read from port.
 * Returns them (count * size bytes, at most sizeof(c->exit_data)) once the VMM has.
 */
const uint8_t *mmu__port_in_string(struct tcg_cpu *c, uint16_t port, unsigned size, unsigned count);

/** What is being delivered: the three differ in the checks made and what is pushed. */
enum tcg_event {
    TCG_EXCEPTION, /* raised by an instruction; some push an error code */
    TCG_SOFTWARE,  /* INT n, INT3, INTO: the gate's DPL must allow the CPL */
    TCG_EXTERNAL,  /* from the INTR pin (chapter 4): no DPL check, no error code */
};

/**
 * Delivers an interrupt or exception through the IVT or IDT (protect.c), returning to
 * return_rip. A fault during the delivery of an exception or an external interrupt
 * carries the EXT bit in its error code.
 */
void protect__interrupt(struct tcg_cpu *c, int vector, uint32_t error, enum tcg_event kind,
                        uint64_t return_rip);

/* [shadow] */
/**
 * Opens the interrupt shadow (STI that sets IF, MOV SS, POP SS): no external interrupt is
 * taken at the boundary after the instruction being executed. c->shadow names that
 * boundary by the number of instructions done when it is reached.
 */
static inline void tcg__shadow(struct tcg_cpu *c)
{
    c->shadow = c->instructions + 1;
}
/* [shadow] */

/* ---- Modes and segments (protect.c) ---- */

/** Recomputes mode, cpl, long64 and stack_size after CS, SS, CR0 or EFER change. */
void protect__update_mode(struct tcg_cpu *c);

/** Loads segment register seg with selector sel as MOV/POP Sreg does (checks included). */
void protect__load_seg(struct tcg_cpu *c, int seg, uint16_t sel);

/* ---- Memory (mmu.c) ---- */

/** Flushes the TLB (CR3 writes, CR0/CR4 paging changes, CPL changes). */
void mmu__tlb_flush(struct tcg_cpu *c);

/** Flushes the TLB entries of one linear page (INVLPG). */
void mmu__tlb_flush_page(struct tcg_cpu *c, uint64_t linear);

/**
 * Translates linear to guest-physical for an access of kind acc at the current CPL (user
 * when cpl == 3), walking the page tables when paging is on and setting A/D bits. With
 * fault set, a failed translation raises \#PF; without, it returns -1 (the inspector).
 */
int mmu__translate(struct tcg_cpu *c, uint64_t linear, enum access acc, int fault, uint64_t *phys);

/** Turns seg:offset into a linear address, with the segment's checks (\#GP or \#SS). */
uint64_t mmu__linear(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, enum access acc);

/** Reads size (1, 2, 4 or 8) bytes at seg:offset. May fault or exit; never returns then. */
uint64_t mmu__read(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size);

/** Writes size bytes at seg:offset. May fault or exit. */
void mmu__write(struct tcg_cpu *c, int seg, uint64_t offset, unsigned size, uint64_t value);

/** The same at a linear address, with no segment (descriptor tables, the TSS). */
uint64_t mmu__read_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, enum access acc);
void mmu__write_linear(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value);

/** The same with supervisor rights whatever the CPL (the CPU's own accesses to tables). */
uint64_t mmu__read_sys(struct tcg_cpu *c, uint64_t linear, unsigned size);
void mmu__write_sys(struct tcg_cpu *c, uint64_t linear, unsigned size, uint64_t value);

/**
 * To be called after bytes at offset off of TLB entry e's page were stored through e->host
 * (a store, or a whole copy or fill that started there): if the page holds decoded code,
 * every decoded copy of it goes and the running block ends (tcg__code_written). With several
 * vCPUs it puts a full barrier between the store and that check.
 */
void mmu__ram_written(struct tcg_cpu *c, const struct tlb_entry *e, uint64_t off);

/**
 * Copies up to len code bytes at linear address into buf, stopping at the first page that
 * cannot be fetched. Returns the number copied; *phys gets the first byte's address.
 */
size_t mmu__fetch(struct tcg_cpu *c, uint64_t linear, uint8_t *buf, size_t len, uint64_t *phys);

/** Called by the write path after it wrote a page with decoded code in it (tcg.c). */
void tcg__code_written(struct tcg_cpu *c, uint64_t phys);

/** Whether some vCPU has decoded code from the page at phys (below 4 GiB): see tcg.c's
 * [smc] comment for the order in which it is read. mark sets it. */
int tcg__code_page_cached(struct tcg_cpu *c, uint64_t phys);
void tcg__code_page_mark(struct tcg_cpu *c, uint64_t phys);

/** The code registered for a decoded instruction; NULL when none (it is \#UD). */
tcg_exec_fn tcg__exec_for(const struct x86_insn *i);

/** The end of a locked instruction, done or not: releases what its accesses hold (mmu.c). */
void mmu__locked_end(struct tcg_cpu *c);

/** A locked instruction whose operand the host cannot swap in one piece (CMPXCHG16B, a
 * misaligned CMPXCHG8B) calls this before its first access: a mutex instead (mmu.c). */
void mmu__locked_wide(struct tcg_cpu *c);

/** Runs the current instruction again from its start: nothing of it is committed yet (a
 * locked write found the memory changed since its read). Never returns. */
_Noreturn void tcg__restart(struct tcg_cpu *c);

/* ---- Stack (mmu.c) ---- */

/** Pushes size bytes (2, 4 or 8) on SS:RSP; RSP changes only when the write succeeded. */
void mmu__push(struct tcg_cpu *c, unsigned size, uint64_t value);

/** Pops size bytes; RSP changes only after the read. */
uint64_t mmu__pop(struct tcg_cpu *c, unsigned size);

/* ---- Flags (flags.c) ---- */

/** Returns RFLAGS with the arithmetic flags computed. */
uint64_t flags__get_rflags(struct tcg_cpu *c);

/** Sets every bit of RFLAGS (bit 1 forced to 1); the lazy state becomes CC_NONE. */
void flags__set_rflags(struct tcg_cpu *c, uint64_t value);

/** Evaluates condition cc (0-15, the low nibble of Jcc/SETcc/CMOVcc). */
int flags__cond(struct tcg_cpu *c, unsigned cc);

/** Returns CF alone (ADC, SBB, RCL, RCR need it). */
int flags__cf(struct tcg_cpu *c);

/** Records the operation that sets the flags: see enum cc_op. */
static inline void tcg__set_cc(struct tcg_cpu *c, enum cc_op op, unsigned size, uint64_t dst,
                               uint64_t src, uint64_t res)
{
    c->cc_op = (uint8_t)op;
    c->cc_size = (uint8_t)size;
    c->cc_dst = dst;
    c->cc_src = src;
    c->cc_res = res;
}

/** The sign bit of an operand of size bytes. */
static inline uint64_t sign_bit(unsigned size)
{
    return 1ull << (size * 8 - 1);
}

/** LOCK needs a memory destination: the decoder refuses most misuses, this the rest. */
static inline void check_lock(struct tcg_cpu *c, const struct x86_insn *i)
{
    if (i->lock && i->rm_reg != X86_REG_NONE)
        tcg__ud(c, i);
}

/** A 64-bit address whose bits 63:47 are all equal: the only kind the CPU takes. */
static inline int tcg__canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/** Privileged instructions need CPL 0: else \#GP(0). */
static inline void tcg__need_cpl0(struct tcg_cpu *c)
{
    if (c->cpl != 0)
        tcg__gp(c, 0);
}

/* ---- Operands ---- */

/** All ones in the low size bytes. */
static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/** Sign-extends the low size bytes of v. */
static inline int64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return (int64_t)(v << shift) >> shift;
}

/** Reads register n at size bytes; for bytes without REX, 4-7 are AH, CH, DH, BH. */
static inline uint64_t reg_read(struct tcg_cpu *c, const struct x86_insn *i, int n, unsigned size)
{
    if (size == 1) {
        if (n >= 4 && n < 8 && !i->rex)
            return (c->r[n - 4] >> 8) & 0xff;
        return c->r[n] & 0xff;
    }
    return c->r[n] & size_mask(size);
}

/** Writes register n: a 32-bit write clears the upper half, 8 and 16-bit ones keep it. */
static inline void reg_write(struct tcg_cpu *c, const struct x86_insn *i, int n, unsigned size,
                             uint64_t v)
{
    switch (size) {
    case 1:
        if (n >= 4 && n < 8 && !i->rex)
            c->r[n - 4] = (c->r[n - 4] & ~0xff00ull) | ((v & 0xff) << 8);
        else
            c->r[n] = (c->r[n] & ~0xffull) | (v & 0xff);
        break;
    case 2:
        c->r[n] = (c->r[n] & ~0xffffull) | (v & 0xffff);
        break;
    case 4:
        c->r[n] = v & 0xffffffffull;
        break;
    default:
        c->r[n] = v;
    }
}

/** The offset (effective address) of i's memory operand, in its address size. */
static inline uint64_t tcg__ea(struct tcg_cpu *c, const struct x86_insn *i)
{
    const struct x86_mem *m = &i->mem;
    uint64_t a = (uint64_t)m->disp;

    if (m->base == X86_REG_RIP)
        a += c->next_rip;
    else if (m->base != X86_REG_NONE)
        a += c->r[m->base];
    if (m->index != X86_REG_NONE)
        a += c->r[m->index] * m->scale;
    return a & size_mask(i->addrsize);
}

/** Reads the ModRM r/m operand (register or memory) at size bytes. */
static inline uint64_t rm_read(struct tcg_cpu *c, const struct x86_insn *i, unsigned size)
{
    if (i->rm_reg != X86_REG_NONE)
        return reg_read(c, i, i->rm_reg, size);
    return mmu__read(c, i->mem.segment, tcg__ea(c, i), size);
}

/** Writes the ModRM r/m operand. */
static inline void rm_write(struct tcg_cpu *c, const struct x86_insn *i, unsigned size, uint64_t v)
{
    if (i->rm_reg != X86_REG_NONE)
        reg_write(c, i, i->rm_reg, size, v);
    else
        mmu__write(c, i->mem.segment, tcg__ea(c, i), size, v);
}

/* ---- SSE operands (sse.c, simd.c) ---- */

/* [sse-check] */
/** Before an SSE instruction: \#UD when CR0.EM is set or CR4.OSFXSR is clear (the OS has not
 * said it saves the XMM registers), \#NM when CR0.TS is set (the OS switches FPU state
 * lazily and must load this task's first). */
static inline void tcg__sse_check(struct tcg_cpu *c, const struct x86_insn *i)
{
    if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
        tcg__ud(c, i);
    if (c->cr0 & CR0_TS)
        tcg__fault(c, EXC_NM, EXC_NO_ERROR);
}
/* [sse-check] */

/** The linear address of i's 16-byte memory operand; with aligned, one that is not on a
 * 16-byte boundary is \#GP(0) (MOVAPS, MOVDQA and every packed operation's m128). */
static inline uint64_t xmm_linear(struct tcg_cpu *c, const struct x86_insn *i, int aligned,
                                  enum access acc)
{
    uint64_t ea = tcg__ea(c, i);

    /* 64-bit mode: alignment is checked before the canonical form, so a misaligned
     * non-canonical operand is #GP(0) even through SS (as the CPU; FS, GS add a base). */
    if (aligned && c->long64 && i->mem.segment != X86_SEG_FS && i->mem.segment != X86_SEG_GS &&
        (ea & 15))
        tcg__gp(c, 0);
    uint64_t linear = mmu__linear(c, i->mem.segment, ea, 16, acc);
    if (aligned && (linear & 15))
        tcg__gp(c, 0);
    return linear;
}

/** Reads the r/m operand as xmm/m128 into *out. */
static inline void xmm_rm_read(struct tcg_cpu *c, const struct x86_insn *i, tcg_xmm *out,
                               int aligned)
{
    if (i->rm_reg != X86_REG_NONE) {
        *out = c->xmm[i->rm_reg];
        return;
    }
    uint64_t linear = xmm_linear(c, i, aligned, ACC_READ);
    uint64_t lo = mmu__read_linear(c, linear, 8, ACC_READ);
    out->q[1] = mmu__read_linear(c, linear + 8, 8, ACC_READ);
    out->q[0] = lo;
}

/** Writes *v to the r/m operand as xmm/m128. Both halves are checked before either is
 * written, so a fault leaves memory as it was. */
static inline void xmm_rm_write(struct tcg_cpu *c, const struct x86_insn *i, const tcg_xmm *v,
                                int aligned)
{
    if (i->rm_reg != X86_REG_NONE) {
        c->xmm[i->rm_reg] = *v;
        return;
    }
    uint64_t linear = xmm_linear(c, i, aligned, ACC_WRITE), phys;
    if (((linear + 15) & ~0xfffull) != (linear & ~0xfffull))
        mmu__translate(c, linear + 15, ACC_WRITE, 1, &phys); /* may fault: nothing written */
    mmu__write_linear(c, linear, 8, v->q[0]);
    mmu__write_linear(c, linear + 8, 8, v->q[1]);
}

#endif
