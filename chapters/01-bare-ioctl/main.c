/*
 * main.c - chapter 1's program: run a flat real-mode binary on KVM with nothing but
 * ioctls. Usage: ch1 [--trace] [--kvm-dev PATH] [GUEST.bin]
 */
#include "vm.h"

#include "error.h"
#include "file.h"
#include "guestpath.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ch1 [options] [GUEST.bin]\n"
            "\n"
            "Runs a flat real-mode binary in a virtual machine built from raw /dev/kvm\n"
            "ioctls: 64 KiB of RAM, one vCPU, the binary loaded and entered at 0x1000.\n"
            "The guest writes to the console through port 0xe9 or COM1 (0x3f8), ends with\n"
            "HLT (status 0) or by writing v to port 0xf4 (status (v << 1) | 1).\n"
            "\n"
            "options:\n"
            "  --trace          print every VM exit (reason, port, size, data, RIP) on stderr\n"
            "  --kvm-dev PATH   the KVM device to open (default %s)\n"
            "  -h, --help       show this help\n"
            "\n"
            "GUEST.bin defaults to the chapter's greeting guest, guests/ch1/hello.bin\n"
            "beside this program's directory. Exit status: the guest's, or 1 when the\n"
            "guest file is refused or the VM fails (with a register dump for a crash).\n"
            "\n"
            "The book: chapter 1, build/book/html/ch01-bare-ioctl.html (make book).\n"
            "Guests of chapter 1: build/guests/ch1/ ('make chapter-1' runs the default).\n",
            KVM_DEVICE);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"trace", no_argument, NULL, 't'},
        {"kvm-dev", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *dev = KVM_DEVICE;
    char guest[4096];
    int trace = 0, opt;

    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 't':
            trace = 1;
            break;
        case 'k':
            dev = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "ch1: try 'ch1 --help'\n");
            return 1;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "ch1: one guest file at most, got %d; try 'ch1 --help'\n", argc - optind);
        return 1;
    }
    if (optind < argc)
        snprintf(guest, sizeof(guest), "%s", argv[optind]);
    else if (guestpath__default(guest, sizeof(guest), "ch1/hello.bin") < 0) {
        fprintf(stderr, "ch1: %s\n", error__get());
        return 1;
    }

    unsigned char *image;
    size_t len;
    if (file__read_all(guest, VM_MAX_IMAGE, &image, &len) < 0) {
        fprintf(stderr, "ch1: %s\n", error__get());
        return 1;
    }
    struct vm vm;
    int ret = vm__init(&vm, dev, image, len, stdout, trace ? stderr : NULL, stderr);
    free(image);
    if (ret == 0)
        ret = vm__run(&vm);
    if (ret < 0) {
        fflush(stdout);
        fprintf(stderr, "ch1: %s\n", error__get());
        kvm__explain_nested(stderr, "ch1", 1);
        if (vm.crashed)
            vm__dump(&vm);
    }
    vm__exit(&vm);
    return ret < 0 ? 1 : vm.status;
}
