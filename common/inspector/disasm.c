/*
 * disasm.c - the code pane's disassembler on Zydis 4 (see disasm.h; chapter 3).
 */
#include "disasm.h"

#include <Zydis/Zydis.h>
#include <stdio.h>

/* [cpu-mode] */
enum disasm_mode disasm__mode_of(const struct kvm_sregs *sregs)
{
    if (!(sregs->cr0 & 1)) /* CR0.PE */
        return DISASM_REAL16;
    if (sregs->efer & (1u << 10)) { /* EFER.LMA */
        if (sregs->cs.l)
            return DISASM_LONG64;
        return sregs->cs.db ? DISASM_COMPAT32 : DISASM_COMPAT16;
    }
    return sregs->cs.db ? DISASM_PROT32 : DISASM_PROT16;
}
/* [cpu-mode] */

const char *disasm__mode_name(enum disasm_mode mode)
{
    static const char *const names[] = {
        [DISASM_REAL16] = "real-16",     [DISASM_PROT16] = "prot-16",
        [DISASM_PROT32] = "prot-32",     [DISASM_COMPAT16] = "compat-16",
        [DISASM_COMPAT32] = "compat-32", [DISASM_LONG64] = "long-64",
    };
    return names[mode];
}

/* Zydis's words for each mode: the machine mode and the width of stack accesses. */
static const struct {
    ZydisMachineMode machine;
    ZydisStackWidth stack;
} zydis_modes[] = {
    [DISASM_REAL16] = {ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16},
    [DISASM_PROT16] = {ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16},
    [DISASM_PROT32] = {ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32},
    [DISASM_COMPAT16] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16},
    [DISASM_COMPAT32] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32},
    [DISASM_LONG64] = {ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64},
};

size_t disasm__one(enum disasm_mode mode, uint64_t address, const uint8_t *bytes, size_t len,
                   char *text, size_t size)
{
    ZydisDecoder decoder;
    ZydisFormatter formatter;
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

    if (ZYAN_FAILED(
            ZydisDecoderInit(&decoder, zydis_modes[mode].machine, zydis_modes[mode].stack)) ||
        ZYAN_FAILED(ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_ATT)) ||
        /* Lowercase hex, and jump targets as short as the book writes them. */
        ZYAN_FAILED(ZydisFormatterSetProperty(&formatter, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE,
                                              ZYAN_FALSE)) ||
        ZYAN_FAILED(ZydisFormatterSetProperty(
            &formatter, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE, ZYDIS_PADDING_DISABLED)) ||
        ZYAN_FAILED(ZydisDecoderDecodeFull(&decoder, bytes, len, &insn, ops)) ||
        ZYAN_FAILED(ZydisFormatterFormatInstruction(
            &formatter, &insn, ops, insn.operand_count_visible, text, size, address, ZYAN_NULL))) {
        snprintf(text, size, "(bad)");
        return 0;
    }
    return insn.length;
}
