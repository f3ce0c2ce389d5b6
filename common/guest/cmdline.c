/*
 * cmdline.c - words on the Multiboot command line (chapter 4): how a guest learns the
 * options it was started with (irq=apic, a device test's mode), and from chapter 5 the
 * numbers some take (iter=1000).
 */
#include <multiboot.h>
#include <string.h>

static const char *cmdline(const struct multiboot_info *mbi)
{
    return (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uint64_t)mbi->cmdline : "";
}

int multiboot_cmdline_has(const struct multiboot_info *mbi, const char *word)
{
    const char *s = cmdline(mbi);
    size_t n = strlen(word);

    for (const char *p = s; *p; p++)
        if ((p == s || p[-1] == ' ') && memcmp(p, word, n) == 0 && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

/* Returns the value of digit @p c in @p base, or -1. */
static int digit(char c, int base)
{
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    return d < base ? d : -1;
}

long multiboot_cmdline_number(const struct multiboot_info *mbi, const char *key, long fallback)
{
    const char *s = cmdline(mbi);
    size_t n = strlen(key);

    for (const char *p = s; *p; p++) {
        if ((p != s && p[-1] != ' ') || memcmp(p, key, n) != 0 || p[n] != '=')
            continue;
        const char *v = p + n + 1;
        int base = v[0] == '0' && v[1] == 'x' ? 16 : 10;
        long x = 0;
        v += base == 16 ? 2 : 0;
        if (digit(*v, base) < 0)
            return fallback;
        for (; digit(*v, base) >= 0; v++)
            x = x * base + digit(*v, base);
        return *v == ' ' || !*v ? x : fallback;
    }
    return fallback;
}
