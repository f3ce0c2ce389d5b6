/*
 * hostcpu.h - what the host's CPU offers a hypervisor (chapter 1).
 *
 * KVM on x86 runs guests with the CPU's virtualization extensions: Intel's VT-x (VMX) or
 * AMD's AMD-V (SVM). A /dev/kvm can exist without them: a software KVM such as kvm_pvm
 * (which cloud VMs use for nested guests) runs only guests built for it, and a real-mode
 * guest like chapter 1's does not run there as on a CPU. stepvm asks the CPU first.
 */
#ifndef STEPVM_HOSTCPU_H
#define STEPVM_HOSTCPU_H

/**
 * Returns "VT-x" or "AMD-V" when CPUID reports the extension (CPUID.1:ECX.VMX[bit 5], or
 * CPUID.80000001h:ECX.SVM[bit 2]), NULL when it reports neither.
 */
const char *hostcpu__virt(void);

#endif
