/*
 * hostcpu.c - ask CPUID for VT-x or AMD-V (see hostcpu.h; chapter 1).
 */
#include "hostcpu.h"

#include <cpuid.h>
#include <stddef.h>

const char *hostcpu__virt(void)
{
    unsigned eax, ebx, ecx, edx;

    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5)))
        return "VT-x";
    if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 2)))
        return "AMD-V";
    return NULL;
}
