/*
 * vcpu.c - the names of exit kinds (see vcpu.h; chapter 3).
 */
#include "vcpu.h"

const char *vcpu__exit_name(enum vcpu_exit_kind kind)
{
    static const char *const names[] = {
        [VCPU_EXIT_IO] = "IO",       [VCPU_EXIT_MMIO] = "MMIO",         [VCPU_EXIT_HLT] = "HLT",
        [VCPU_EXIT_STEP] = "STEP",   [VCPU_EXIT_SHUTDOWN] = "SHUTDOWN", [VCPU_EXIT_INTR] = "INTR",
        [VCPU_EXIT_FATAL] = "FATAL",
    };

    if ((unsigned)kind < sizeof(names) / sizeof(names[0]) && names[kind])
        return names[kind];
    return "?";
}
