/*
 * opcodes.c - the opcode tables of the x86 decoder (chapter 6). One row an opcode byte,
 * in the order of the opcode maps of the Intel SDM volume 2, appendix A.
 */
#include "x86/opcodes.h"

/* The tables are laid out by hand, a row a line: clang-format leaves them alone. */
/* clang-format off */

/*
 * Short names for the rows. A row is {flags, immediate, operand size, group}:
 *   M  ModRM follows          L   LOCK allowed          I64  invalid in 64-bit mode
 *   ib iw iz iv  immediates   b v z w d64 f64  operand sizes (see opcodes.h)
 * UD is an opcode no CPU defines; SSE marks one stepvm does not execute but whose
 * length it still knows (ModRM, maybe ib).
 */
#define M     X86_F_MODRM
#define L     X86_F_LOCK
#define I64   X86_F_I64
#define MEM   X86_F_MEM
#define R     X86_F_OPREG
#define U     X86_F_UNSUP
#define ROW(flags, imm, size) {(flags), X86_IMM_##imm, X86_SZ_##size, X86_G_NONE}
#define GRP(g, flags, imm, size) {(flags) | X86_F_MODRM | X86_F_GROUP, X86_IMM_##imm, X86_SZ_##size, X86_G##g}
#define UD    ROW(X86_F_UD, NONE, NONE)
#define SSE   ROW(M | U, NONE, NONE)
#define SSEIB ROW(M | U, B, NONE)
/* SSE2 integer rows (executed by simd.c): X66 with 66 only, the MMX forms being length-only. */
#define RO    X86_F_REGONLY
#define P66   X86_F_P_66
#define X66   ROW(M | P66, NONE, NONE)

/* The eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP) share six forms each:
 * Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,ib  rAX,iz. The first two write memory, so LOCK may
 * prefix them, except for CMP, which writes nothing. */
#define ALU(lock)                                                                          \
    ROW(M | (lock), NONE, B), ROW(M | (lock), NONE, V), ROW(M, NONE, B), ROW(M, NONE, V), \
        ROW(0, B, B), ROW(0, Z, V)

#define X8(...) __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, \
        __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__
#define X4(...) __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__
#define X16(...) X8(__VA_ARGS__), X8(__VA_ARGS__)

/* [one-byte] */
/* The one-byte map. Prefix bytes (26 2E 36 3E 64-67 F0 F2 F3, and 40-4F in 64-bit mode) are
 * consumed before the table is read; their rows describe them in 16/32-bit terms. */
const struct x86_opcode x86_one_byte[256] = {
    /* 00 */ ALU(L), ROW(I64, NONE, V), ROW(I64, NONE, V),        /* ADD; PUSH ES; POP ES */
    /* 08 */ ALU(L), ROW(I64, NONE, V), UD,                      /* OR; PUSH CS; 0F escape */
    /* 10 */ ALU(L), ROW(I64, NONE, V), ROW(I64, NONE, V),        /* ADC; PUSH SS; POP SS */
    /* 18 */ ALU(L), ROW(I64, NONE, V), ROW(I64, NONE, V),        /* SBB; PUSH DS; POP DS */
    /* 20 */ ALU(L), UD, ROW(I64, NONE, NONE),                   /* AND; ES:; DAA */
    /* 28 */ ALU(L), UD, ROW(I64, NONE, NONE),                   /* SUB; CS:; DAS */
    /* 30 */ ALU(L), UD, ROW(I64, NONE, NONE),                   /* XOR; SS:; AAA */
    /* 38 */ ALU(0), UD, ROW(I64, NONE, NONE),                   /* CMP; DS:; AAS */
    /* 40 */ X8(ROW(R, NONE, V)),                                /* INC r (REX in 64-bit) */
    /* 48 */ X8(ROW(R, NONE, V)),                                /* DEC r (REX in 64-bit) */
    /* 50 */ X8(ROW(R, NONE, D64)),                              /* PUSH r */
    /* 58 */ X8(ROW(R, NONE, D64)),                              /* POP r */
    /* [one-byte] */
    /* 60 */ ROW(I64, NONE, V), ROW(I64, NONE, V),               /* PUSHA, POPA */
    /* 62 */ ROW(M | MEM | I64, NONE, V), ROW(M, NONE, NONE),    /* BOUND; ARPL (MOVSXD) */
    /* 64 */ UD, UD, UD, UD,                                     /* FS: GS: 66 67 */
    /* 68 */ ROW(0, Z, D64), ROW(M, Z, V), ROW(0, B, D64), ROW(M, B, V), /* PUSH iz, IMUL */
    /* 6C */ ROW(0, NONE, B), ROW(0, NONE, Z), ROW(0, NONE, B), ROW(0, NONE, Z), /* INS OUTS */
    /* 70 */ X16(ROW(0, B, F64)),                                /* Jcc rel8 */
    /* 80 */ GRP(1, 0, B, B), GRP(1, 0, Z, V),                   /* group 1: ALU Eb,ib Ev,iz */
    /* 82 */ GRP(1, I64, B, B), GRP(1, 0, B, V),                 /* ALU Eb,ib (alias) Ev,ib */
    /* 84 */ ROW(M, NONE, B), ROW(M, NONE, V),                   /* TEST */
    /* 86 */ ROW(M | L, NONE, B), ROW(M | L, NONE, V),           /* XCHG (locks anyway) */
    /* 88 */ ROW(M, NONE, B), ROW(M, NONE, V), ROW(M, NONE, B), ROW(M, NONE, V), /* MOV */
    /* 8C */ ROW(M, NONE, V), ROW(M | MEM, NONE, V),             /* MOV Ev,Sreg; LEA */
    /* 8E */ ROW(M, NONE, V), GRP(1A, 0, NONE, D64),             /* MOV Sreg,Ew; POP Ev */
    /* 90 */ X8(ROW(R, NONE, V)),                                /* XCHG rAX,r (90: NOP) */
    /* 98 */ ROW(0, NONE, V), ROW(0, NONE, V),                   /* CBW/CWDE/CDQE, CWD... */
    /* 9A */ ROW(I64, AP, V), ROW(0, NONE, NONE),                /* CALL far ptr; FWAIT */
    /* 9C */ ROW(0, NONE, D64), ROW(0, NONE, D64),               /* PUSHF, POPF */
    /* 9E */ ROW(0, NONE, NONE), ROW(0, NONE, NONE),             /* SAHF, LAHF */
    /* A0 */ ROW(0, MOFFS, B), ROW(0, MOFFS, V),                 /* MOV AL/rAX, [moffs] */
    /* A2 */ ROW(0, MOFFS, B), ROW(0, MOFFS, V),                 /* MOV [moffs], AL/rAX */
    /* A4 */ ROW(0, NONE, B), ROW(0, NONE, V), ROW(0, NONE, B), ROW(0, NONE, V), /* MOVS CMPS */
    /* A8 */ ROW(0, B, B), ROW(0, Z, V),                         /* TEST AL,ib rAX,iz */
    /* AA */ ROW(0, NONE, B), ROW(0, NONE, V), ROW(0, NONE, B), ROW(0, NONE, V), /* STOS LODS */
    /* AE */ ROW(0, NONE, B), ROW(0, NONE, V),                   /* SCAS */
    /* B0 */ X8(ROW(R, B, B)),                                   /* MOV r8, ib */
    /* B8 */ X8(ROW(R, V, V)),                                   /* MOV r, iv (imm64!) */
    /* C0 */ GRP(2, 0, B, B), GRP(2, 0, B, V),                   /* group 2: shifts by ib */
    /* C2 */ ROW(0, W, F64), ROW(0, NONE, F64),                  /* RET iw; RET */
    /* C4 */ ROW(M | MEM | I64, NONE, V), ROW(M | MEM | I64, NONE, V), /* LES, LDS (VEX) */
    /* C6 */ GRP(11, 0, B, B), GRP(11, 0, Z, V),                 /* group 11: MOV E,imm */
    /* C8 */ ROW(0, ENTER, D64), ROW(0, NONE, D64),              /* ENTER iw,ib; LEAVE */
    /* CA */ ROW(0, W, V), ROW(0, NONE, V),                      /* RETF iw; RETF */
    /* CC */ ROW(0, NONE, NONE), ROW(0, B, NONE),                /* INT3; INT ib */
    /* CE */ ROW(I64, NONE, NONE), ROW(0, NONE, V),              /* INTO; IRET */
    /* D0 */ GRP(2, 0, NONE, B), GRP(2, 0, NONE, V),             /* shifts by 1 */
    /* D2 */ GRP(2, 0, NONE, B), GRP(2, 0, NONE, V),             /* shifts by CL */
    /* D4 */ ROW(I64, B, NONE), ROW(I64, B, NONE),               /* AAM ib, AAD ib */
    /* D6 */ ROW(I64, NONE, NONE), ROW(0, NONE, V),              /* SALC; XLAT */
    /* D8 */ X8(ROW(M, NONE, NONE)),                             /* x87 escapes (fpu.c) */
    /* E0 */ ROW(0, B, F64), ROW(0, B, F64), ROW(0, B, F64), ROW(0, B, F64), /* LOOPcc JCXZ */
    /* E4 */ ROW(0, B, B), ROW(0, B, Z), ROW(0, B, B), ROW(0, B, Z), /* IN, OUT port ib */
    /* E8 */ ROW(0, Z, F64), ROW(0, Z, F64),                     /* CALL rel, JMP rel */
    /* EA */ ROW(I64, AP, V), ROW(0, B, F64),                    /* JMP far ptr; JMP rel8 */
    /* EC */ ROW(0, NONE, B), ROW(0, NONE, Z), ROW(0, NONE, B), ROW(0, NONE, Z), /* IN OUT DX */
    /* F0 */ UD, ROW(0, NONE, NONE), UD, UD,                     /* LOCK; INT1; REPNE; REP */
    /* F4 */ ROW(0, NONE, NONE), ROW(0, NONE, NONE),             /* HLT, CMC */
    /* F6 */ GRP(3, 0, B, B), GRP(3, 0, Z, V),                   /* group 3: TEST NOT ... */
    /* F8 */ ROW(0, NONE, NONE), ROW(0, NONE, NONE), ROW(0, NONE, NONE), /* CLC STC CLI */
    /* FB */ ROW(0, NONE, NONE), ROW(0, NONE, NONE), ROW(0, NONE, NONE), /* STI CLD STD */
    /* FE */ GRP(4, 0, NONE, B), GRP(5, 0, NONE, V),             /* groups 4, 5: INC DEC ... */
};

/* The two-byte map, after 0F: system instructions, CMOVcc, Jcc rel32, SETcc, bit tests,
 * MOVZX/MOVSX; the MMX/SSE rows are length-only, but for the SSE2 integer ones (X66...). */
const struct x86_opcode x86_two_byte[256] = {
    /* 00 */ GRP(6, 0, NONE, NONE), GRP(7, 0, NONE, NONE),       /* groups 6, 7: LGDT ... */
    /* 02 */ ROW(M, NONE, V), ROW(M, NONE, V), UD,               /* LAR, LSL */
    /* 05 */ ROW(0, NONE, NONE), ROW(0, NONE, NONE), ROW(0, NONE, NONE), /* SYSCALL CLTS SYSRET */
    /* 08 */ ROW(0, NONE, NONE), ROW(0, NONE, NONE), UD,         /* INVD, WBINVD */
    /* 0B */ ROW(0, NONE, NONE), UD, SSE, ROW(U, NONE, NONE), SSEIB, /* UD2; PREFETCH; 3DNow! */
    /* 10 */ X8(ROW(M, NONE, NONE)),                             /* SSE moves (sse.c) */
    /* 18 */ ROW(M, NONE, V), ROW(M, NONE, V), SSE, SSE, ROW(M, NONE, V), ROW(M, NONE, V), SSE, /* hint NOPs; 1A 1B: MPX; 1E: CET */
    /* 1F */ ROW(M, NONE, V),                                    /* NOP Ev (long NOPs) */
    /* 20 */ ROW(M | X86_F_REG, NONE, CR), ROW(M | X86_F_REG, NONE, CR), /* MOV r,CRn; r,DRn */
    /* 22 */ ROW(M | X86_F_REG, NONE, CR), ROW(M | X86_F_REG, NONE, CR), /* MOV CRn,r; DRn,r */
    /* 24 */ UD, UD, UD, UD,                                     /* (MOV TRn on the 386) */
    /* 28 */ X8(ROW(M, NONE, NONE)),                             /* SSE conversions (sse.c) */
    /* 30 */ X4(ROW(0, NONE, NONE)), ROW(0, NONE, NONE), ROW(0, NONE, NONE), /* WRMSR ... SYSEXIT */
    /* 36 */ UD, ROW(U, NONE, NONE),                             /* GETSEC (SMX) */
    /* 38 */ UD, UD, UD, UD, UD, UD, UD, UD,                     /* 38, 3A: escapes */
    /* 40 */ X16(ROW(M, NONE, V)),                               /* CMOVcc Gv,Ev */
    /* 50 */ X16(ROW(M, NONE, NONE)),                            /* SSE arithmetic (sse.c) */
    /* 60 */ X8(X66), X4(X66), X66, X66,                         /* PUNPCK, PACK, PCMPGT */
    /* 6E */ X66, ROW(M | P66 | X86_F_P_F3, NONE, NONE),         /* MOVD/Q; MOVDQA, MOVDQU */
    /* 70 */ ROW(M | P66 | X86_F_P_F3 | X86_F_P_F2, B, NONE),    /* PSHUFD, PSHUFHW, PSHUFLW */
    /* 71 */ GRP(12, P66, B, NONE), GRP(13, P66, B, NONE), GRP(14, P66, B, NONE), /* shifts */
    /* 74 */ X66, X66, X66, ROW(U, NONE, NONE),                  /* PCMPEQB/W/D; EMMS */
    /* 78 */ SSE, SSE, UD, UD, SSE, SSE,                         /* VMREAD VMWRITE; SSE3 */
    /* 7E */ ROW(M | P66 | X86_F_P_F3, NONE, NONE), ROW(M | P66 | X86_F_P_F3, NONE, NONE), /* MOVD/Q; MOVDQA/U */
    /* 80 */ X16(ROW(0, Z, F64)),                                /* Jcc rel16/32 */
    /* 90 */ X16(ROW(M, NONE, B)),                               /* SETcc Eb */
    /* A0 */ ROW(0, NONE, D64), ROW(0, NONE, D64), ROW(0, NONE, NONE), /* PUSH/POP FS; CPUID */
    /* A3 */ ROW(M, NONE, V), ROW(M, B, V), ROW(M, NONE, V), SSE, SSE, /* BT; SHLD; PadLock */
    /* A8 */ ROW(0, NONE, D64), ROW(0, NONE, D64), ROW(0, NONE, NONE), /* PUSH/POP GS; RSM */
    /* AB */ ROW(M | L, NONE, V), ROW(M, B, V), ROW(M, NONE, V), /* BTS; SHRD ib, CL */
    /* AE */ ROW(M, NONE, NONE), ROW(M, NONE, V),                /* FXSAVE...; IMUL Gv,Ev */
    /* B0 */ ROW(M | L, NONE, B), ROW(M | L, NONE, V),           /* CMPXCHG */
    /* B2 */ ROW(M | MEM, NONE, V), ROW(M | L, NONE, V),         /* LSS; BTR */
    /* B4 */ ROW(M | MEM, NONE, V), ROW(M | MEM, NONE, V),       /* LFS, LGS */
    /* B6 */ ROW(M, NONE, V), ROW(M, NONE, V),                   /* MOVZX Gv,Eb Gv,Ew */
    /* B8 */ SSE, ROW(M, NONE, NONE), GRP(8, 0, B, V),           /* POPCNT; UD1; group 8 */
    /* BB */ ROW(M | L, NONE, V), ROW(M, NONE, V), ROW(M, NONE, V), /* BTC; BSF, BSR */
    /* BE */ ROW(M, NONE, V), ROW(M, NONE, V),                   /* MOVSX Gv,Eb Gv,Ew */
    /* C0 */ ROW(M | L, NONE, B), ROW(M | L, NONE, V),           /* XADD */
    /* C2 */ ROW(M, B, NONE), ROW(M | MEM | X86_F_P_NONE, NONE, V), /* CMPPS; MOVNTI */
    /* C4 */ ROW(M | P66, B, NONE), ROW(M | RO | P66, B, NONE), ROW(M, B, NONE), /* PINSRW PEXTRW; SHUFPS */
    /* C7 */ GRP(9, 0, NONE, NONE),                              /* group 9: CMPXCHG8B */
    /* C8 */ X8(ROW(R, NONE, V)),                                /* BSWAP r */
    /* D0 */ SSE, X4(X66), X66, ROW(M | P66, NONE, NONE),        /* ADDSUBPD; PSRLW...; MOVQ */
    /* D7 */ ROW(M | RO | P66, NONE, NONE), X8(X66),             /* PMOVMSKB; PSUBUSB... */
    /* E0 */ X4(X66), X66, X66, ROW(M, NONE, NONE), ROW(M | MEM | P66, NONE, NONE), /* PAVGB...; CVT (sse.c); MOVNTDQ */
    /* E8 */ X8(X66),                                            /* PSUBSB ... PXOR */
    /* F0 */ SSE, X4(X66), X66, X66, ROW(M | RO | P66, NONE, NONE), /* LDDQU; PSLLW...; MASKMOVDQU */
    /* F8 */ X4(X66), X66, X66, X66, ROW(M, NONE, NONE),         /* PSUBB ... PADDD; UD0 */
};

/* 0F 38 and 0F 3A: SSSE3 and later, all ModRM forms; 0F 3A adds an ib. */
const struct x86_opcode x86_three_byte_38 = SSE;
const struct x86_opcode x86_three_byte_3a = SSEIB;

/*
 * The groups: rows /0 to /7 chosen by ModRM.reg. A row's immediate and size of 0 (SAME)
 * keep those of the opcode's entry: 80 /0 and 81 /0 are both ADD but with ib and iz.
 */
#define G(flags, imm, size) {(flags), X86_IMM_##imm, X86_SZ_##size, X86_G_NONE}
#define GUD G(X86_F_UD, SAME, SAME)
#define RU  X86_F_REG_UNSUP
const struct x86_opcode x86_groups[X86_G_COUNT][8] = {
    /* 80-83: ADD OR ADC SBB AND SUB XOR CMP */
    [X86_G1] = {G(L, SAME, SAME), G(L, SAME, SAME), G(L, SAME, SAME), G(L, SAME, SAME),
                G(L, SAME, SAME), G(L, SAME, SAME), G(L, SAME, SAME), G(0, SAME, SAME)},
    /* 8F: POP Ev (8F /1-7 would be XOP, caught before) */
    [X86_G1A] = {G(0, SAME, SAME), GUD, GUD, GUD, GUD, GUD, GUD, GUD},
    /* C0 C1 D0-D3: ROL ROR RCL RCR SHL SHR SAL(=SHL) SAR */
    [X86_G2] = {X8(G(0, SAME, SAME))},
    /* F6 F7: TEST E,imm (twice) NOT NEG MUL IMUL DIV IDIV; only TEST has an immediate */
    [X86_G3] = {G(0, SAME, SAME), G(0, SAME, SAME), G(L, NONE, SAME), G(L, NONE, SAME),
                G(0, NONE, SAME), G(0, NONE, SAME), G(0, NONE, SAME), G(0, NONE, SAME)},
    /* FE: INC Eb DEC Eb */
    [X86_G4] = {G(L, SAME, SAME), G(L, SAME, SAME), GUD, GUD, GUD, GUD, GUD, GUD},
    /* FF: INC DEC CALL Ev CALLF Mp JMP Ev JMPF Mp PUSH Ev */
    [X86_G5] = {G(L, SAME, SAME), G(L, SAME, SAME), G(0, SAME, F64), G(MEM, SAME, V),
                G(0, SAME, F64), G(MEM, SAME, V), G(0, SAME, D64), GUD},
    /* C6 C7: MOV E,imm; /7 with ModRM F8 is XABORT ib / XBEGIN rel (decode.c) */
    [X86_G11] = {G(0, SAME, SAME), GUD, GUD, GUD, GUD, GUD, GUD, GUD},
    /* 0F 00: SLDT STR LLDT LTR VERR VERW */
    [X86_G6] = {G(0, SAME, SAME), G(0, SAME, SAME), G(0, SAME, SAME), G(0, SAME, SAME),
                G(0, SAME, SAME), G(0, SAME, SAME), GUD, GUD},
    /* 0F 01: SGDT SIDT LGDT LIDT SMSW (RSTORSSP) LMSW INVLPG; with mod = 3 most rows are
     * other instructions (VMCALL, MONITOR, SWAPGS, RDTSCP...), not executed by stepvm */
    [X86_G7] = {G(MEM | RU, SAME, SAME), G(MEM | RU, SAME, SAME), G(MEM | RU, SAME, SAME),
                G(MEM | RU, SAME, SAME), G(0, SAME, SAME), G(U, SAME, SAME),
                G(0, SAME, SAME), G(MEM | RU, SAME, SAME)},
    /* 0F BA: BT BTS BTR BTC Ev,ib */
    [X86_G8] = {GUD, GUD, GUD, GUD, G(0, SAME, SAME), G(L, SAME, SAME), G(L, SAME, SAME),
                G(L, SAME, SAME)},
    /* 0F C7: CMPXCHG8B/16B Mq; the rest (RDRAND, RDSEED, VMPTRLD, XSAVES...) unsupported */
    [X86_G9] = {G(U, SAME, SAME), G(MEM | L, SAME, SAME), G(U, SAME, SAME), G(U, SAME, SAME),
                G(U, SAME, SAME), G(U, SAME, SAME), G(U, SAME, SAME), G(U, SAME, SAME)},
    /* 66 0F 71, 72, 73 xmm, ib: /2 PSRLW/D/Q, /4 PSRAW/D, /6 PSLLW/D/Q; 73 /3 PSRLDQ,
     * /7 PSLLDQ. Register operands only. */
    [X86_G12] = {GUD, GUD, G(RO, SAME, SAME), GUD, G(RO, SAME, SAME), GUD, G(RO, SAME, SAME), GUD},
    [X86_G13] = {GUD, GUD, G(RO, SAME, SAME), GUD, G(RO, SAME, SAME), GUD, G(RO, SAME, SAME), GUD},
    [X86_G14] = {GUD, GUD, G(RO, SAME, SAME), G(RO, SAME, SAME), GUD, GUD, G(RO, SAME, SAME),
                 G(RO, SAME, SAME)},
};
/* clang-format on */
