/*
 * aml.c - the AML encoder (see aml.h; chapter 4): names, integers, strings, the constructs
 * that carry a PkgLength, and the few resource descriptors a virtual machine's devices need.
 */
#include "aml.h"
#include "error.h"

#include <string.h>

void aml__init(struct aml *a, uint8_t *buf, size_t cap)
{
    a->buf = buf;
    a->len = 0;
    a->cap = cap;
    a->failed = 0;
}

int aml__failed(const struct aml *a)
{
    return a->failed;
}

/* Records the first error only: the later ones are its consequences. */
static void fail(struct aml *a, const char *what)
{
    if (!a->failed)
        error__set("AML: %s", what);
    a->failed = 1;
}

/* Inserts n bytes at offset at, moving what follows it up. */
static void insert(struct aml *a, size_t at, const uint8_t *bytes, size_t n)
{
    if (a->failed)
        return;
    if (a->cap - a->len < n) {
        fail(a, "no room left in the buffer");
        return;
    }
    memmove(a->buf + at + n, a->buf + at, a->len - at);
    memcpy(a->buf + at, bytes, n);
    a->len += n;
}

void aml__bytes(struct aml *a, const void *bytes, size_t n)
{
    insert(a, a->len, bytes, n);
}

static void byte(struct aml *a, uint8_t b)
{
    aml__bytes(a, &b, 1);
}

/* Appends value as n little-endian bytes. */
static void little_endian(struct aml *a, uint64_t value, size_t n)
{
    for (size_t i = 0; i < n; i++)
        byte(a, (uint8_t)(value >> (8 * i)));
}

/* ======== PkgLength ======== */

/* [pkg-length] */
size_t aml__pkg_length(uint8_t out[4], uint32_t length)
{
    if (length <= 0x3f) { /* one byte: bits 7-6 are 0, bits 5-0 the length */
        out[0] = (uint8_t)length;
        return 1;
    }
    if (length > AML_PKG_LENGTH_MAX)
        return 0;
    /* Bits 7-6 of the lead byte: how many bytes follow; its bits 3-0: the low nibble. */
    size_t follow = length <= 0xfff ? 1 : length <= 0xfffff ? 2 : 3;
    out[0] = (uint8_t)(follow << 6 | (length & 0x0f));
    for (size_t i = 1; i <= follow; i++)
        out[i] = (uint8_t)(length >> (4 + 8 * (i - 1)));
    return follow + 1;
}

void aml__end(struct aml *a, size_t start)
{
    if (a->failed)
        return;
    size_t contents = a->len - start;
    uint8_t pkg[4];
    /* The PkgLength counts itself: try each size until the total fits in it. */
    for (uint32_t n = 1; n <= 4; n++) {
        if (contents + n <= AML_PKG_LENGTH_MAX &&
            aml__pkg_length(pkg, (uint32_t)(contents + n)) == n) {
            insert(a, start, pkg, n);
            return;
        }
    }
    fail(a, "a construct longer than a PkgLength can say");
}
/* [pkg-length] */

/* ======== Data ======== */

void aml__integer(struct aml *a, uint64_t value)
{
    if (value == 0) {
        byte(a, AML_ZERO_OP);
    } else if (value == 1) {
        byte(a, AML_ONE_OP);
    } else if (value <= UINT8_MAX) {
        byte(a, AML_BYTE_PREFIX);
        little_endian(a, value, 1);
    } else if (value <= UINT16_MAX) {
        byte(a, AML_WORD_PREFIX);
        little_endian(a, value, 2);
    } else if (value <= UINT32_MAX) {
        byte(a, AML_DWORD_PREFIX);
        little_endian(a, value, 4);
    } else {
        byte(a, AML_QWORD_PREFIX); /* needs a DSDT of revision 2 or more: 64-bit integers */
        little_endian(a, value, 8);
    }
}

void aml__string(struct aml *a, const char *s)
{
    for (const char *c = s; *c; c++) {
        if ((unsigned char)*c > 0x7f) {
            fail(a, "a String holds ASCII characters only");
            return;
        }
    }
    byte(a, AML_STRING_PREFIX);
    aml__bytes(a, s, strlen(s) + 1);
}

void aml__eisa_id(struct aml *a, const char *id)
{
    /* Three letters of five bits each (A = 1), then four hex digits, big-endian. */
    uint32_t v = 0;

    if (strlen(id) != 7) {
        fail(a, "an EISA ID is three letters and four hex digits");
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (id[i] < 'A' || id[i] > 'Z') {
            fail(a, "an EISA ID starts with three capital letters");
            return;
        }
        v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
    }
    for (int i = 3; i < 7; i++) {
        const char *digits = "0123456789ABCDEF", *d = strchr(digits, id[i]);
        if (!d) {
            fail(a, "an EISA ID ends with four hex digits (0-9, A-F)");
            return;
        }
        v = v << 4 | (uint32_t)(d - digits);
    }
    byte(a, AML_DWORD_PREFIX);
    little_endian(a, __builtin_bswap32(v), 4);
}

/* ======== Names ======== */

static int lead_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

/* Appends one NameSeg of len characters at s, padded with '_'. */
static void name_seg(struct aml *a, const char *s, size_t len)
{
    char seg[AML_NAME_SEG_SIZE] = {'_', '_', '_', '_'};

    if (len == 0 || len > AML_NAME_SEG_SIZE || !lead_name_char(s[0])) {
        fail(a, "a name segment is 1-4 characters and starts with A-Z or _");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (!lead_name_char(s[i]) && !(s[i] >= '0' && s[i] <= '9')) {
            fail(a, "a name segment holds only A-Z, 0-9 and _");
            return;
        }
        seg[i] = s[i];
    }
    aml__bytes(a, seg, sizeof(seg));
}

void aml__name_string(struct aml *a, const char *path)
{
    if (*path == '\\') {
        byte(a, AML_ROOT_CHAR);
        path++;
    }
    for (; *path == '^'; path++)
        byte(a, AML_PARENT_PREFIX_CHAR);

    size_t nsegs = *path ? 1 : 0;
    for (const char *c = path; *c; c++)
        nsegs += *c == '.';
    if (nsegs == 0) {
        byte(a, AML_NULL_NAME);
        return;
    }
    if (nsegs == 2)
        byte(a, AML_DUAL_NAME_PREFIX);
    if (nsegs > 2) {
        if (nsegs > UINT8_MAX) {
            fail(a, "a name path of more than 255 segments");
            return;
        }
        byte(a, AML_MULTI_NAME_PREFIX);
        byte(a, (uint8_t)nsegs);
    }
    while (*path) {
        size_t len = strcspn(path, ".");
        name_seg(a, path, len);
        path += len + (path[len] == '.');
    }
}

void aml__name(struct aml *a, const char *path)
{
    byte(a, AML_NAME_OP);
    aml__name_string(a, path);
}

/* ======== Constructs with a PkgLength ======== */

size_t aml__scope_begin(struct aml *a, const char *path)
{
    byte(a, AML_SCOPE_OP);
    size_t start = a->len;
    aml__name_string(a, path);
    return start;
}

size_t aml__device_begin(struct aml *a, const char *path)
{
    byte(a, AML_EXT_OP_PREFIX);
    byte(a, AML_DEVICE_OP);
    size_t start = a->len;
    aml__name_string(a, path);
    return start;
}

size_t aml__package_begin(struct aml *a, uint8_t nelements)
{
    byte(a, AML_PACKAGE_OP);
    size_t start = a->len;
    byte(a, nelements);
    return start;
}

size_t aml__buffer_begin(struct aml *a)
{
    byte(a, AML_BUFFER_OP);
    return a->len;
}

void aml__buffer_end(struct aml *a, size_t start)
{
    if (a->failed)
        return;
    /* The BufferSize is an integer in front of the bytes, inside the PkgLength. */
    size_t bytes = a->len - start, mark = a->len;
    aml__integer(a, bytes);
    if (a->failed)
        return;
    uint8_t size[9];
    size_t n = a->len - mark;
    memcpy(size, a->buf + mark, n);
    a->len = mark;
    insert(a, start, size, n);
    aml__end(a, start);
}

/* ======== Resource descriptors ======== */

size_t aml__resource_template_begin(struct aml *a)
{
    return aml__buffer_begin(a);
}

void aml__resource_template_end(struct aml *a, size_t start)
{
    /* A checksum of 0 tells the reader not to check one, as ASL compilers emit it. */
    const uint8_t end_tag[] = {ACPI_RES_END_TAG, 0};

    aml__bytes(a, end_tag, sizeof(end_tag));
    aml__buffer_end(a, start);
}

void aml__memory32_fixed(struct aml *a, int read_write, uint32_t base, uint32_t length)
{
    byte(a, ACPI_RES_MEMORY32_FIXED);
    little_endian(a, ACPI_RES_MEMORY32_FIXED_LEN, 2);
    byte(a, read_write ? ACPI_RES_MEM_READ_WRITE : 0);
    little_endian(a, base, 4);
    little_endian(a, length, 4);
}

void aml__interrupt(struct aml *a, uint8_t flags, uint32_t irq)
{
    byte(a, ACPI_RES_EXTENDED_IRQ);
    little_endian(a, 2 + 4, 2); /* flags, count, one interrupt number */
    byte(a, flags);
    byte(a, 1);
    little_endian(a, irq, 4);
}

void aml__io(struct aml *a, uint16_t base, uint8_t length)
{
    byte(a, ACPI_RES_IO);
    byte(a, ACPI_RES_IO_DECODE16);
    little_endian(a, base, 2); /* the lowest base ... */
    little_endian(a, base, 2); /* ... and the highest: the range cannot move */
    byte(a, 1);                /* alignment */
    byte(a, length);
}

void aml__irq_no_flags(struct aml *a, unsigned irq)
{
    if (irq > 15) {
        fail(a, "an ISA IRQ is 0-15");
        return;
    }
    byte(a, ACPI_RES_IRQ_NO_FLAGS);
    little_endian(a, 1u << irq, 2);
}
