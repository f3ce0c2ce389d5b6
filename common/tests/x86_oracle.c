/*
 * x86_oracle.c - the x86 decoder compared with Zydis 4 on random byte strings (chapter 6).
 *
 * What is compared, for each string and mode:
 *  - stepvm decodes it: Zydis must too, with the same length, operand size (when the
 *    instruction has one: x86__opcode_of(...).size != X86_SZ_NONE), address size, memory
 *    operand (base, index, scale, displacement, segment) and immediates.
 *  - stepvm refuses it as undefined, too long or truncated: Zydis must refuse it too.
 *  - stepvm marks it unsupported but knows its length (x87, MMX, SSE, the 0F 38/0F 3A
 *    maps, 3DNow!, the register forms of 0F 01, group 9 and 15 rows, XBEGIN/XABORT,
 *    VMREAD/VMWRITE, POPCNT, prefetch and hint rows): the lengths are compared when Zydis
 *    decodes it; when Zydis refuses it, it is excluded. Their validity depends on
 *    mandatory prefixes and CPUID features stepvm has no use for.
 *  - stepvm marks it as a VEX, EVEX or XOP prefix: excluded. stepvm's interpreter executes
 *    no AVX, and their length depends on the whole vector ISA.

 * Where Zydis 4.0.0 and the CPU part, the CPU is followed and three comparisons skipped:
 * the segment of an indirect branch after 3E (Zydis: CET's NOTRACK), the base of a SIB
 * without base under 67 with REX.B (Zydis issue #592), and the operand size of INS/OUTS
 * with REX.W (Zydis: 64; the CPU moves 4 bytes). 16-bit code is compared with Zydis's
 * LEGACY_16 mode: real mode decodes the same way; what #UDs there is the interpreter's.
 */
#include "x86_oracle.h"
#include "x86/opcodes.h"

#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------- */
/* The corpus                                                                             */

void x86_corpus_init(struct x86_corpus *c, uint64_t seed)
{
    c->state = seed ? seed : 1;
}

/* xorshift64*: fast, reproducible and good enough to shake a decoder. */
static uint64_t corpus_rand(struct x86_corpus *c)
{
    c->state ^= c->state >> 12;
    c->state ^= c->state << 25;
    c->state ^= c->state >> 27;
    return c->state * 0x2545F4914F6CDD1DULL;
}

size_t x86_corpus_next(struct x86_corpus *c, uint8_t *out)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36,
                                       0x3E, 0x26, 0x64, 0x65, 0x66, 0x67, 0x66};
    unsigned n = 0;
    uint64_t r = corpus_rand(c);
    unsigned npfx = r % 8 < 4 ? 0 : r % 8 < 7 ? 1 + (r >> 3) % 3 : (r >> 3) % 16;
    /* One string in 16 is cut short, to check that both decoders see the end of it. */
    size_t len = (r >> 8) % 16 == 0 ? 1 + (r >> 12) % X86_CORPUS_LEN : X86_CORPUS_LEN;

    for (unsigned i = 0; i < X86_CORPUS_LEN; i++)
        out[i] = (uint8_t)corpus_rand(c);
    while (n < npfx && n < X86_CORPUS_LEN)
        out[n++] = prefixes[corpus_rand(c) % sizeof(prefixes)];
    r = corpus_rand(c);
    if (r % 3 == 0 && n < X86_CORPUS_LEN)
        out[n++] = (uint8_t)(0x40 | ((r >> 8) & 0xF)); /* REX (INC/DEC outside 64-bit) */
    if (n >= X86_CORPUS_LEN - 4)
        return len;
    r = corpus_rand(c);
    if (r % 5 < 2) { /* the 0F map, sometimes 0F 38 / 0F 3A */
        out[n++] = 0x0F;
        if ((r >> 8) % 8 == 0)
            out[n++] = (r >> 11) & 1 ? 0x38 : 0x3A;
    }
    n++; /* the opcode byte stays random; shape the ModRM after it */
    r = corpus_rand(c);
    switch (r % 8) {
    case 0:
    case 1: /* SIB, sometimes without a base */
        out[n] = (uint8_t)((out[n] & 0xF8) | 4);
        if ((r >> 8) % 3 == 0)
            out[n + 1] = (uint8_t)((out[n + 1] & 0xF8) | 5);
        break;
    case 2: /* disp32, RIP-relative in 64-bit mode */
        out[n] = (uint8_t)((out[n] & 0x38) | 5);
        break;
    }
    return len;
}

/* A segment: where it starts, how long it is. */
struct segment {
    const uint8_t *start;
    size_t size;
};

/* dl_iterate_phdr callback: keeps the largest executable PT_LOAD segment seen. */
static int largest_code(struct dl_phdr_info *info, size_t size, void *data)
{
    struct segment *best = data;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && ph->p_filesz > best->size) {
            best->start = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
            best->size = ph->p_filesz;
        }
    }
    return 0;
}

int x86_host_code(const uint8_t **start, size_t *size)
{
    struct segment best = {NULL, 0};

    dl_iterate_phdr(largest_code, &best);
    if (!best.start || best.size < X86_CORPUS_LEN)
        return -1;
    *start = best.start;
    *size = best.size;
    return 0;
}

/* ------------------------------------------------------------------------------------- */
/* The comparison                                                                         */

void x86_oracle_init(struct x86_oracle *o)
{
    ZydisDecoderInit(&o->zydis16, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&o->zydis32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecoderInit(&o->zydis64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
}

const ZydisDecoder *x86_oracle_zydis(const struct x86_oracle *o, enum x86_mode mode)
{
    return mode == X86_MODE_16 ? &o->zydis16 : mode == X86_MODE_32 ? &o->zydis32 : &o->zydis64;
}

/* Zydis's register as stepvm numbers it: 0-15, X86_REG_RIP, or X86_REG_NONE. */
static int reg_number(ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE)
        return X86_REG_NONE;
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
        return X86_REG_RIP;
    return ZydisRegisterGetId(r);
}

/* Zydis's segment register as enum x86_seg. */
static int seg_number(ZydisRegister r)
{
    return r == ZYDIS_REGISTER_NONE ? X86_SEG_NONE : ZydisRegisterGetId(r);
}

static uint64_t low_bytes(uint64_t v, unsigned n)
{
    return n >= 8 ? v : v & ((1ULL << (8 * n)) - 1);
}

/* Writes a failure: mode, bytes, and what differs. Returns -1. */
static int differ(char *why, size_t size, const uint8_t *bytes, enum x86_mode mode, const char *fmt,
                  ...)
{
    int n = snprintf(why, size, "mode %d bytes", (int)mode);

    for (unsigned i = 0; i < X86_CORPUS_LEN && n > 0 && (size_t)n < size; i++)
        n += snprintf(why + n, size - (size_t)n, " %02x", bytes[i]);
    if (n > 0 && (size_t)n < size) {
        va_list ap;
        n += snprintf(why + n, size - (size_t)n, ": ");
        va_start(ap, fmt);
        vsnprintf(why + n, size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Compares the memory operand (ModRM or moffs). Returns 0 or -1 with why. */
static const char *compare_mem(const struct x86_insn *in, const ZydisDecodedInstruction *z,
                               const ZydisDecodedOperand *ops)
{
    const ZydisDecodedOperand *mem = NULL;

    for (unsigned i = 0; i < z->operand_count; i++)
        if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
            ops[i].visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
            mem = &ops[i];
    if (!in->has_mem)
        return mem ? "zydis has a memory operand" : NULL;
    if (!mem)
        return "zydis has no memory operand";
    /* Zydis 4.0.0 gives [r13d] for a SIB without base under 67 with REX.B (its issue
     * #592, fixed after 4.0.0): the CPU ignores REX.B there, as stepvm does. */
    int zydis_592 = in->mode == X86_MODE_64 && in->addrsize == 4 && in->has_sib && in->mod == 0 &&
                    (in->base & 7) == 5 && in->rex_b;
    if (!zydis_592 && reg_number(mem->mem.base) != in->mem.base) {
        static char buf[64];
        snprintf(buf, sizeof(buf), "base %d, zydis %d", in->mem.base, reg_number(mem->mem.base));
        return buf;
    }
    if (reg_number(mem->mem.index) != in->mem.index)
        return "index";
    if (in->mem.index != X86_REG_NONE && mem->mem.scale != in->mem.scale)
        return "scale";
    if (in->mem.disp_size != z->raw.disp.size / 8)
        return "displacement size";
    if (low_bytes((uint64_t)in->mem.disp, in->mem.disp_size) !=
        low_bytes((uint64_t)z->raw.disp.value, in->mem.disp_size))
        return "displacement";
    /* LEA computes no access; Zydis reads 3E on an indirect branch as CET's NOTRACK
     * rather than a DS override, which the CPU in 16/32-bit mode applies as well. */
    if (mem->mem.type != ZYDIS_MEMOP_TYPE_AGEN && !(z->attributes & ZYDIS_ATTRIB_HAS_NOTRACK) &&
        seg_number(mem->mem.segment) != in->mem.segment) {
        static char buf[64];
        snprintf(buf, sizeof(buf), "segment %d, zydis %d", in->mem.segment,
                 seg_number(mem->mem.segment));
        return buf;
    }
    return NULL;
}

/* Compares two decodings that both succeeded. Returns a description or NULL. */
static const char *compare_valid(const struct x86_insn *in, const ZydisDecodedInstruction *z,
                                 const ZydisDecodedOperand *ops)
{
    static char buf[96];
    struct x86_opcode op = x86__opcode_of(in);

    if (in->length != z->length)
        return snprintf(buf, sizeof(buf), "length %u, zydis %u", in->length, z->length), buf;
    /* INS and OUTS with REX.W move 4 bytes; Zydis reports the 64-bit operand size. */
    int ins_outs_w =
        in->map == X86_MAP_ONE_BYTE && (in->opcode == 0x6D || in->opcode == 0x6F) && in->rex_w;
    if (op.size != X86_SZ_NONE && !ins_outs_w && in->opsize * 8 != z->operand_width)
        return snprintf(buf, sizeof(buf), "operand size %d, zydis %u", in->opsize * 8,
                        z->operand_width),
               buf;
    if (in->addrsize * 8 != z->address_width)
        return snprintf(buf, sizeof(buf), "address size %d, zydis %u", in->addrsize * 8,
                        z->address_width),
               buf;
    if (in->imm_size != z->raw.imm[0].size / 8 ||
        in->imm != low_bytes(z->raw.imm[0].value.u, in->imm_size))
        return snprintf(buf, sizeof(buf), "immediate %u:%llx, zydis %u:%llx", in->imm_size,
                        (unsigned long long)in->imm, z->raw.imm[0].size / 8,
                        (unsigned long long)z->raw.imm[0].value.u),
               buf;
    if (in->imm2_size != z->raw.imm[1].size / 8 ||
        in->imm2 != low_bytes(z->raw.imm[1].value.u, in->imm2_size))
        return "second immediate";
    return compare_mem(in, z, ops);
}

int x86_oracle_check(const struct x86_oracle *o, const uint8_t *bytes, size_t len,
                     enum x86_mode mode, struct x86_oracle_stats *stats, char *why, size_t size)
{
    ZydisDecodedInstruction z;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    struct x86_insn in;
    int mine = x86__decode(bytes, len, mode, &in);
    int zok = ZYAN_SUCCESS(ZydisDecoderDecodeFull(x86_oracle_zydis(o, mode), bytes, len, &z, ops));
    const char *diff = NULL;

    if (in.unsupported && in.length == 0) {
        stats->excluded_vex++;
        return 0;
    }
    if (in.unsupported) {
        if (!zok) {
            stats->excluded_unsupported++;
            return 0;
        }
        stats->length_only++;
        if (in.length != z.length) {
            stats->mismatches++;
            return differ(why, size, bytes, mode, "unsupported: length %u, zydis %u (%s)",
                          in.length, z.length, ZydisMnemonicGetString(z.mnemonic));
        }
        return 0;
    }
    if (mine < 0 && !zok) {
        stats->both_invalid++;
        return 0;
    }
    if (mine < 0 || !zok) {
        stats->mismatches++;
        return differ(why, size, bytes, mode, "stepvm %s, zydis %s",
                      mine < 0 ? "refuses" : "decodes",
                      zok ? ZydisMnemonicGetString(z.mnemonic) : "refuses");
    }
    stats->compared++;
    if ((diff = compare_valid(&in, &z, ops)) != NULL) {
        stats->mismatches++;
        return differ(why, size, bytes, mode, "%s (%s)", diff, ZydisMnemonicGetString(z.mnemonic));
    }
    return 0;
}
