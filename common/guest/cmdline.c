/*
 * cmdline.c - words on the Multiboot command line (chapter 4): how a guest learns the
 * options it was started with (irq=apic, a device test's mode).
 */
#include <multiboot.h>
#include <string.h>

int multiboot_cmdline_has(const struct multiboot_info *mbi, const char *word)
{
    const char *s =
        (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uint64_t)mbi->cmdline : "";
    size_t n = strlen(word);

    for (const char *p = s; *p; p++)
        if ((p == s || p[-1] == ' ') && memcmp(p, word, n) == 0 && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}
