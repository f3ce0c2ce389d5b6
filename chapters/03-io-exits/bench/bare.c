/*
 * bare.c - bench-bare, the limit of chapter 3's exit benchmark: chapter 2's machine
 * loads the guest, then a loop of bare KVM_RUN looks at nothing but the exit reason.
 * No bus, no trace, no statistics: what an exit costs before a VMM does anything.
 */
#include "bench.h"
#include "machine.h"

#include "error.h"

#include <stdio.h>

/* [bare-loop] */
/*
 * Runs the guest until it writes to port 0xf4 or halts, counting the I/O and MMIO exits
 * in between (the guest only writes, so no exit needs data). Returns 0, or -1 with the
 * error set on any other exit.
 */
static int bare_loop(struct kvm_cpu *cpu, unsigned long *exits)
{
    struct kvm_run *run = cpu->run;

    for (;;) {
        if (kvm_cpu__run(cpu) < 0)
            return -1;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (run->io.port == PORT_TEST_EXIT)
                return 0;
            (*exits)++;
            break;
        case KVM_EXIT_MMIO:
            (*exits)++;
            break;
        case KVM_EXIT_INTR:
            break;
        case KVM_EXIT_HLT:
            return 0;
        default:
            return error__set("unexpected exit KVM_EXIT_%s", kvm_cpu__exit_name(run->exit_reason));
        }
    }
}
/* [bare-loop] */

int main(int argc, char **argv)
{
    static struct machine_options mo;
    static struct machine m;
    unsigned long exits = 0;
    int ret = -1;

    if (bench__options(&mo, argc, argv,
                       "Runs GUEST on chapter 2's machine with a bare KVM_RUN loop that only\n"
                       "counts I/O and MMIO exits, until the guest writes to port 0xf4 or\n"
                       "halts: the limit stepvm's exit path is measured against.") < 0) {
        fprintf(stderr, "bench-bare: %s\n", error__get());
        return 1;
    }
    mo.cfg.console = stdout;
    mo.cfg.diag = stderr;
    if (machine__init(&m, &mo.cfg) == 0 && machine__init_vcpu(&m) == 0 &&
        machine__load(&m, &mo.img) == 0) {
        uint64_t t0 = bench__now_ns();
        ret = bare_loop(&m.vm.cpu, &exits);
        uint64_t t1 = bench__now_ns();
        if (ret == 0)
            bench__report(exits, t1 - t0);
    }
    if (ret < 0) {
        fprintf(stderr, "bench-bare: %s\n", error__get());
        if (m.vm.cpu.run)
            machine__dump(&m);
    }
    machine__exit(&m);
    return ret < 0 ? 1 : 0;
}
