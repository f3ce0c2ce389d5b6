/*
 * fpu.h - the x87 FPU and the SSE control state of the interpreter as the rest of it sees
 * them (chapter 6): the reset values and the vCPU interface's FPU image (struct kvm_fpu).
 */
#ifndef STEPVM_TCG_FPU_H
#define STEPVM_TCG_FPU_H

#include "cpu.h"

#include <linux/kvm.h>

/* The values FNINIT and reset give (KVM's reset uses the same; the SDM's power-up FCW is
 * 0x0040, but every BIOS and OS runs FNINIT first). */
#define FPU_FCW_INIT   0x037f /* all exceptions masked, 64-bit precision, round to nearest */
#define MXCSR_INIT     0x1f80 /* all SSE exceptions masked, round to nearest */
#define MXCSR_MASK_ALL 0xffff /* the MXCSR bits this CPU has: DAZ included (FXSAVE's mask) */

/** Puts the x87 and MXCSR in their reset state; XMM registers become zero. Reset only:
 * INIT leaves the x87 and SSE state as it was (SDM Vol. 3, 9.1), so an INIT IPI's reset
 * (chapter 5) does not call it. */
void fpu__reset(struct tcg_cpu *c);

/** Fills *f with the FPU and SSE state (registers in ST order, the abridged tag). */
void fpu__get(const struct tcg_cpu *c, struct kvm_fpu *f);

/** Loads the FPU and SSE state from *f. Returns 0, or -1 with the error set when MXCSR
 * has reserved bits set (then nothing changes). */
int fpu__set(struct tcg_cpu *c, const struct kvm_fpu *f);

#endif
