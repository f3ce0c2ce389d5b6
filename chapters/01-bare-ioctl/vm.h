/*
 * vm.h - chapter 1's whole machine: 64 KiB of RAM, one vCPU in real mode, and an exit
 * loop that knows four ports.
 *
 * Guest memory map (one real-mode segment, every segment base 0):
 *   0x0000 - 0x0fff   stack, growing down from 0x1000
 *   0x1000 - 0xffff   the guest's flat binary, entered at its first byte
 */
#ifndef STEPVM_VM_H
#define STEPVM_VM_H

#include "cpu.h"
#include "hw/uart16550.h"
#include "kvm.h"
#include "ports.h"

#include <stdint.h>
#include <stdio.h>

#define VM_MEM_SIZE  0x10000u /* one real-mode segment */
#define VM_LOAD_ADDR 0x1000u  /* where the binary goes and runs from */
#define VM_STACK_TOP 0x1000u  /* SP at entry; the stack grows down below the binary */
#define VM_MAX_IMAGE (VM_MEM_SIZE - VM_LOAD_ADDR)

/* The ports chapter 1 gives meaning to are DESIGN.md's, in common/ports.h: the debug
 * console and COM1's data register print, COM1's line status is always "ready to send",
 * the test exit device ends the machine, POST codes are shown by --trace only. */

/** COM1's line status: transmitter holding register and transmitter empty (0x60). */
#define COM1_LSR_READY (UART_LSR_THRE | UART_LSR_TEMT)

/** The machine, and where its output goes. */
struct vm {
    struct kvm kvm;
    struct kvm_cpu cpu;
    uint8_t *mem;              /* VM_MEM_SIZE bytes of guest RAM, guest-physical 0 */
    FILE *console;             /* bytes the guest writes to 0xe9 and COM1 */
    FILE *trace;               /* one line per exit, or NULL */
    FILE *diag;                /* warnings and the register dump */
    unsigned long exits;       /* exits handled so far */
    int done;                  /* set when the guest has ended */
    int status;                /* the exit status the guest asked for, valid once done */
    int crashed;               /* the guest died in a way worth a register dump */
    uint8_t warned[65536 / 8]; /* ports already reported as unhandled */
    /* Later chapters extend the machine here: called after each exit, before chapter 1's
     * handling. Returns 1 when it handled the exit, 0 to leave it to chapter 1, -1 to
     * stop with the error set. NULL in chapter 1. */
    int (*exit_hook)(struct vm *vm);
};

/**
 * Builds the machine from raw ioctls on dev: VM, memory slot, the image copied to
 * VM_LOAD_ADDR, one vCPU in real mode. Output goes to console, trace (may be NULL) and
 * diag. Returns 0, or -1 with the error set; vm__exit is safe either way.
 */
int vm__init(struct vm *vm, const char *dev, const uint8_t *image, size_t len, FILE *console,
             FILE *trace, FILE *diag);

/**
 * Runs the guest until it halts, exits through port 0xf4, or fails. Returns 0 with
 * vm->status set when the guest ended, or -1 with the error set (and vm->crashed set
 * when the state is worth a vm__dump).
 */
int vm__run(struct vm *vm);

/**
 * Handles the exit described in vm->cpu.run (an I/O exit or a halt), as vm__run does
 * after each KVM_RUN. Returns 0 to go on (vm->done says whether the guest ended), or -1.
 */
int vm__handle_exit(struct vm *vm);

/**
 * Prints the register dump and the code bytes around RIP on vm->diag: what a reader needs
 * after a triple fault, a failed entry or an internal error (vm->crashed).
 */
void vm__dump(struct vm *vm);

/** Prints one --trace line for the exit in run; rip is the guest's RIP after the exit. */
void vm__trace_exit(FILE *out, unsigned long n, const struct kvm_run *run, uint64_t rip);

/** Frees guest memory and closes every fd. */
void vm__exit(struct vm *vm);

#endif
