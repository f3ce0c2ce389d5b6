/*
 * file.c - read a guest image whole (see file.h; chapter 1).
 */
#include "file.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads exactly len bytes from fd into buf, riding over short reads. */
static int read_exact(int fd, const char *path, unsigned char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return error__errno("read %s", path);
        if (n == 0)
            return error__set("%s: file shrank while being read", path);
        done += (size_t)n;
    }
    return 0;
}

int file__read_all(const char *path, size_t max, unsigned char **data, size_t *len)
{
    struct stat st;
    unsigned char *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return error__errno("open %s", path);
    if (fstat(fd, &st) < 0) {
        error__errno("stat %s", path);
        goto err_close;
    }
    if (!S_ISREG(st.st_mode)) {
        error__set("%s: not a regular file", path);
        goto err_close;
    }
    if (st.st_size == 0) {
        error__set("%s: file is empty", path);
        goto err_close;
    }
    if ((unsigned long long)st.st_size > max) {
        error__set("%s: %lld bytes is too large (at most %zu bytes fit)", path,
                   (long long)st.st_size, max);
        goto err_close;
    }
    buf = malloc((size_t)st.st_size);
    if (!buf) {
        error__set("%s: out of memory for %lld bytes", path, (long long)st.st_size);
        goto err_close;
    }
    if (read_exact(fd, path, buf, (size_t)st.st_size) < 0)
        goto err_free;
    close(fd);
    *data = buf;
    *len = (size_t)st.st_size;
    return 0;

err_free:
    free(buf);
err_close:
    close(fd);
    return -1;
}
