/*
 * fpu_host.h - the host's own x87 as the interpreter's floating-point unit (chapter 6):
 * one guest operation at a time, under the guest's rounding and precision control.
 */
#ifndef STEPVM_TCG_FPU_HOST_H
#define STEPVM_TCG_FPU_HOST_H

#include <stdint.h>

/** An 80-bit register or memory operand, as the hardware lays it out. */
typedef struct {
    uint8_t b[10];
} f80;

/* Operations on ST(0) = a, ST(1) = b. The first eight are in ModRM.reg order (D8 /r). */
enum host_op {
    H_ADD,
    H_MUL,
    H_COM,
    H_UCOM,
    H_SUB,  /* a - b */
    H_SUBR, /* b - a */
    H_DIV,  /* a / b */
    H_DIVR, /* b / a */
    H_TST,
    H_XAM,
    H_SQRT,
    H_RNDINT,
    H_CHS,
    H_ABS,
    H_SCALE,
    H_PREM,
    H_PREM1,
    H_XTRACT,
    H_SIN,
    H_COS,
    H_SINCOS,
    H_PTAN,
    H_PATAN,
    H_2XM1,
    H_YL2X,
    H_YL2XP1,
    H_LD1,
    H_LDL2T,
    H_LDL2E,
    H_LDPI,
    H_LDLG2,
    H_LDLN2,
    H_LDZ,
    H_COMI, /* FCOM and FUCOM for FCOMI and FUCOMI, whose result goes to RFLAGS */
    H_UCOMI,
};

/* Memory formats an instruction converts from or to. */
enum mem_kind { M_F32, M_F64, M_I16, M_I32, M_I64, M_TT16, M_TT32, M_TT64 };

/** The size in bytes of a memory operand of kind k. */
unsigned fpu_host__size(enum mem_kind k);

/**
 * Runs op on the host's x87 with ST(0) = *a and ST(1) = *b, under the guest's control
 * word fcw but with every exception masked. r[0..2] get the host's stack afterwards, top
 * first (entries the operation left empty hold the indefinite). Returns the host's status
 * word right after the operation: its exception flags and condition codes. The host's own
 * FPU environment is as it was on return.
 */
uint16_t fpu_host__run(uint16_t fcw, enum host_op op, const f80 *a, const f80 *b, f80 r[3]);

/** Converts the memory operand m (its low bytes) of kind k (M_F32 to M_I64) to 80 bits in
 * *r under fcw. Returns the host's status word. */
uint16_t fpu_host__load(uint16_t fcw, enum mem_kind k, uint64_t m, f80 *r);

/** Converts *a to kind k under fcw into *m (its low bytes; the rest stay 0). Returns the
 * host's status word. */
uint16_t fpu_host__store(uint16_t fcw, enum mem_kind k, const f80 *a, uint64_t *m);

#endif
