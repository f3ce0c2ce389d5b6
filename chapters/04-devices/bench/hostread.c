/*
 * hostread.c - the limit of chapter 4's virtio-blk benchmark: the host's own sequential
 * read of the disk image, as the device would read it if there were no guest, no exits
 * and no interrupts.
 *
 * usage: hostread FILE PASSES BYTES
 * Reads FILE from start to end PASSES times with pread(2) in requests of BYTES (the
 * guest's request size), into one page-aligned buffer it never looks at, as the device's preadv
 * puts the guest's requests into guest memory. PASSES 0 opens the file and reads nothing, so that
 * the difference between two runs is the reading alone. Prints the bytes read; exits 1 on any error
 * or short read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct stat st;
    long long total = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: hostread FILE PASSES BYTES\n");
        return 1;
    }
    long passes = atol(argv[2]);
    size_t per = (size_t)atol(argv[3]);
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0 || per == 0) {
        perror(argv[1]);
        return 1;
    }
    /* Page-aligned, as the guest's buffer is: the kernel's copy runs slower to an address
     * that is not. */
    char *buf = aligned_alloc(4096, (per + 4095) / 4096 * 4096);
    if (buf == NULL) {
        perror("aligned_alloc");
        return 1;
    }
    for (long p = 0; p < passes; p++)
        for (off_t pos = 0; pos < st.st_size; pos += (off_t)per) {
            size_t n = st.st_size - pos < (off_t)per ? (size_t)(st.st_size - pos) : per;
            if (pread(fd, buf, n, pos) != (ssize_t)n) {
                fprintf(stderr, "hostread: %s: short read at %lld\n", argv[1], (long long)pos);
                return 1;
            }
            total += (long long)n;
        }
    printf("hostread: %ld passes: %lld bytes read\n", passes, total);
    return 0;
}
