/*
 * x86.h - the instructions C cannot express: port I/O, MSRs and control registers
 * (chapter 2). Every guest from chapter 2 on includes it; each helper is one instruction.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/* Model-specific registers the runtime touches. */
#define MSR_EFER 0xc0000080u /* extended features: LME (long mode), SCE (syscall) */

/* Bits of RFLAGS the runtime sets. */
#define RFLAGS_IF   (1ul << 9)  /* interrupts enabled */
#define RFLAGS_IOPL (3ul << 12) /* I/O privilege level 3: CPL3 may use IN and OUT */

/** Writes the byte @p data to I/O port @p port. */
static inline void outb(uint16_t port, uint8_t data)
{
    __asm__ volatile("outb %0, %1" : : "a"(data), "Nd"(port));
}

/** Writes the 16-bit @p data to I/O port @p port. */
static inline void outw(uint16_t port, uint16_t data)
{
    __asm__ volatile("outw %0, %1" : : "a"(data), "Nd"(port));
}

/** Writes the 32-bit @p data to I/O port @p port. */
static inline void outl(uint16_t port, uint32_t data)
{
    __asm__ volatile("outl %0, %1" : : "a"(data), "Nd"(port));
}

/** Reads a byte from I/O port @p port. */
static inline uint8_t inb(uint16_t port)
{
    uint8_t data;
    __asm__ volatile("inb %1, %0" : "=a"(data) : "Nd"(port));
    return data;
}

/** Reads 16 bits from I/O port @p port. */
static inline uint16_t inw(uint16_t port)
{
    uint16_t data;
    __asm__ volatile("inw %1, %0" : "=a"(data) : "Nd"(port));
    return data;
}

/** Reads 32 bits from I/O port @p port. */
static inline uint32_t inl(uint16_t port)
{
    uint32_t data;
    __asm__ volatile("inl %1, %0" : "=a"(data) : "Nd"(port));
    return data;
}

/** Reads model-specific register @p msr (CPL0 only). */
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/** Writes @p value to model-specific register @p msr (CPL0 only). */
static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/** Returns CR0: protection, paging and cache control. */
static inline uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/** Returns CR2: the linear address of the last page fault. */
static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/** Returns CR3: the physical address of the top-level page table (PML4). */
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

/** Returns CR4: PAE and the other architecture extensions. */
static inline uint64_t read_cr4(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

/** Returns the time-stamp counter: it counts at a constant rate the machine chooses. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/** PAUSE: tells the CPU it is in a spin-wait loop (and a hyperthread sibling may run). */
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" : : : "memory");
}

/** Returns the privilege level the CPU runs at: the low two bits of CS. */
static inline unsigned read_cpl(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

#endif
