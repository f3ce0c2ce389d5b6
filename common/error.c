/*
 * error.c - the per-thread "last error" message (see error.h; chapter 1).
 */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char message[ERROR_MAX];

int error__set(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return -1;
}

int error__errno(const char *fmt, ...)
{
    int saved = errno;
    size_t len;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    len = strlen(message);
    snprintf(message + len, sizeof(message) - len, ": %s", strerror(saved));
    errno = saved;
    return -1;
}

void error__hint(const char *hint)
{
    size_t len = strlen(message);

    snprintf(message + len, sizeof(message) - len, " (%s)", hint);
}

const char *error__get(void)
{
    return message;
}
