/*
 * printf.c - printf, snprintf and vsnprintf for the guest (chapter 2).
 *
 * One formatter, format(), writes through emit(), which either puts each byte on the
 * console or stores it in a caller's buffer; so printf needs no buffer and no length limit.
 */
#include <stdint.h>
#include <stdio.h>

#define FLAG_LEFT 1 /* '-': pad on the right */
#define FLAG_ZERO 2 /* '0': pad numbers with zeros after the sign */

/** Where formatted bytes go: the console, or buf (keeping the first size - 1 bytes). */
struct out {
    int to_console;
    char *buf;
    size_t size;
    size_t len; /* bytes produced so far, stored or not */
};

static void emit(struct out *o, char c)
{
    if (o->to_console)
        putchar(c);
    else if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void emit_pad(struct out *o, char c, int count)
{
    while (count-- > 0)
        emit(o, c);
}

static void emit_string(struct out *o, const char *s, int width, int flags)
{
    int n = 0;

    while (s[n])
        n++;
    if (!(flags & FLAG_LEFT))
        emit_pad(o, ' ', width - n);
    for (int i = 0; i < n; i++)
        emit(o, s[i]);
    if (flags & FLAG_LEFT)
        emit_pad(o, ' ', width - n);
}

/* Digits come out least significant first, so they are collected backwards. */
static void emit_number(struct out *o, unsigned long long v, int negative, unsigned base,
                        const char *digit_set, int width, int flags)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = digit_set[v % base];
        v /= base;
    } while (v);
    int len = n + negative;

    if (!(flags & (FLAG_LEFT | FLAG_ZERO)))
        emit_pad(o, ' ', width - len);
    if (negative)
        emit(o, '-');
    if ((flags & FLAG_ZERO) && !(flags & FLAG_LEFT))
        emit_pad(o, '0', width - len);
    while (n)
        emit(o, digits[--n]);
    if (flags & FLAG_LEFT)
        emit_pad(o, ' ', width - len);
}

/* [printf] */
static void format(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(o, *fmt);
            continue;
        }
        int flags = 0, width = 0, longs = 0;

        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
            flags |= *fmt == '-' ? FLAG_LEFT : FLAG_ZERO;
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            longs++; /* 'z': size_t is an unsigned long on x86-64 */

        /* Arguments narrower than int arrive as int; longs picks the va_arg type. */
        long long sv;
        unsigned long long uv;
        switch (*fmt) {
        case 'd':
        case 'i':
            sv = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            uv = sv < 0 ? 0ull - (unsigned long long)sv : (unsigned long long)sv;
            emit_number(o, uv, sv < 0, 10, "0123456789", width, flags);
            break;
        case 'u':
        case 'x':
        case 'X':
            uv = longs >= 2 ? va_arg(ap, unsigned long long)
                 : longs    ? va_arg(ap, unsigned long)
                            : va_arg(ap, unsigned int);
            emit_number(o, uv, 0, *fmt == 'u' ? 10 : 16,
                        *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef", width, flags);
            break;
        case 'p':
            emit(o, '0');
            emit(o, 'x');
            emit_number(o, (uintptr_t)va_arg(ap, void *), 0, 16, "0123456789abcdef", 0, 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            emit_string(o, s ? s : "(null)", width, flags);
            break;
        }
        case 'c':
            emit_pad(o, ' ', (flags & FLAG_LEFT) ? 0 : width - 1);
            emit(o, (char)va_arg(ap, int));
            emit_pad(o, ' ', (flags & FLAG_LEFT) ? width - 1 : 0);
            break;
        case '%':
            emit(o, '%');
            break;
        case '\0': /* a lone '%' at the end */
            return;
        default: /* unknown: print it as written, so the mistake shows */
            emit(o, '%');
            emit(o, *fmt);
            break;
        }
    }
}
/* [printf] */

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {0, buf, size, 0};

    format(&o, fmt, ap);
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    struct out o = {1, NULL, 0, 0};

    format(&o, fmt, ap);
    return (int)o.len;
}

int printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
