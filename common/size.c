/*
 * size.c - parse "64M"-style sizes (see size.h; chapter 2).
 */
#include "size.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int size__parse(const char *text, const char *what, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    if (!text || !isdigit((unsigned char)text[0]))
        return error__set("%s: '%s' is not a size (try 64M, 2G or 0x100000)", what,
                          text ? text : "");
    errno = 0;
    /* Decimal, or hexadecimal after 0x; never octal: "010M" is ten mebibytes. */
    int hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    v = strtoull(text, &end, hex ? 16 : 10);
    if (errno == ERANGE)
        return error__set("%s: '%s' is too large", what, text);
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    }
    if (*end != '\0')
        return error__set("%s: '%s' is not a size (try 64M, 2G or 0x100000)", what, text);
    if (shift && v > (UINT64_MAX >> shift))
        return error__set("%s: '%s' is too large", what, text);
    *out = (uint64_t)v << shift;
    return 0;
}
