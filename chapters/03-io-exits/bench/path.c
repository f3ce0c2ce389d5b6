/*
 * path.c - bench-path, stepvm's side of chapter 3's exit benchmark: the guest on
 * chapter 3's machine, every exit through vmm__run's full path (the vCPU interface, the
 * bus, the devices), with the trace and the statistics off.
 */
#include "bench.h"
#include "vmm.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static struct machine_options mo;
    static struct vmm x;
    struct vmm_config cfg = {0};
    int ret = -1;

    if (bench__options(&mo, argc, argv,
                       "Runs GUEST on chapter 3's machine, as ch3 does with no trace and no\n"
                       "statistics, and times vmm__run: stepvm's full exit path.") < 0) {
        fprintf(stderr, "bench-path: %s\n", error__get());
        return 1;
    }
    cfg.machine = mo.cfg;
    cfg.machine.console = stdout;
    cfg.machine.diag = stderr;
    /* [path-timed] */
    if (vmm__init(&x, &cfg) == 0 && vmm__load(&x, &mo.img) == 0) {
        uint64_t t0 = bench__now_ns();
        ret = vmm__run(&x);
        uint64_t t1 = bench__now_ns();
        /* The exit through port 0xf4 is not one of the guest's writes. */
        if (ret == 0)
            bench__report(x.exits - 1, t1 - t0);
    }
    /* [path-timed] */
    if (ret < 0) {
        fprintf(stderr, "bench-path: %s\n", error__get());
        if (x.crashed)
            vmm__dump(&x, stderr);
    }
    vmm__exit(&x);
    return ret < 0 ? 1 : 0;
}
