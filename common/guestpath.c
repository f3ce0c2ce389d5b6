/*
 * guestpath.c - find a default guest beside the running program (see guestpath.h).
 */
#include "guestpath.h"

#include "error.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int guestpath__default(char *buf, size_t size, const char *name)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n < 0)
        return error__errno("readlink /proc/self/exe");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    if ((size_t)snprintf(buf, size, "%s/../guests/%s", exe, name) >= size)
        return error__set("path of the default guest %s/../guests/%s is too long", exe, name);
    return 0;
}
