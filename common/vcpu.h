/*
 * vcpu.h - the one interface through which the machine drives a virtual CPU
 * (introduced in chapter 3).
 *
 * Chapter 3 implements it on KVM; chapter 6 implements it again on an x86 interpreter.
 * The exit loop, the bus, the devices and the inspector use nothing else, so they run
 * unchanged over either. The register structs are KVM's (struct kvm_regs and
 * struct kvm_sregs): plain C, complete, and what a reader has already met.
 */
#ifndef STEPVM_VCPU_H
#define STEPVM_VCPU_H

#include <linux/kvm.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* [vcpu-exit] */
/** Why the vCPU stopped. */
enum vcpu_exit_kind {
    VCPU_EXIT_IO,       /**< port I/O: see io */
    VCPU_EXIT_MMIO,     /**< an access to guest-physical memory that no RAM backs: see mmio */
    VCPU_EXIT_HLT,      /**< the CPU executed HLT */
    VCPU_EXIT_STEP,     /**< one instruction done (single-stepping) */
    VCPU_EXIT_SHUTDOWN, /**< triple fault: the CPU would reset */
    VCPU_EXIT_INTR,     /**< a signal interrupted the run; nothing to handle */
    VCPU_EXIT_FATAL,    /**< the backend cannot go on; error__get() says why */
};

/**
 * An exit, as the machine sees it. For an I/O or MMIO read, the handler writes the value
 * into data; the backend gives it to the guest when the vCPU next runs.
 */
struct vcpu_exit {
    enum vcpu_exit_kind kind;
    uint32_t raw; /**< the backend's own reason (KVM_EXIT_*), for traces */
    struct {
        uint16_t port;
        uint8_t size;   /**< 1, 2 or 4 bytes an item */
        uint8_t write;  /**< OUT: 1, IN: 0 */
        uint32_t count; /**< items: more than 1 for string I/O (REP INS/OUTS) */
        uint8_t *data;  /**< count * size bytes */
    } io;
    struct {
        uint64_t addr;
        uint32_t size; /**< 1, 2, 4 or 8 */
        uint8_t write;
        uint8_t *data; /**< size bytes */
    } mmio;
};
/* [vcpu-exit] */

struct vcpu;

/* [vcpu-ops] */
/** What a backend provides. Every function returns 0, or -1 with the error set. */
struct vcpu_ops {
    const char *name; /**< "kvm" or "tcg" */
    /** Runs the guest until its next exit and describes it in *exit. */
    int (*run)(struct vcpu *v, struct vcpu_exit *exit);
    int (*get_regs)(struct vcpu *v, struct kvm_regs *regs);
    int (*set_regs)(struct vcpu *v, const struct kvm_regs *regs);
    int (*get_sregs)(struct vcpu *v, struct kvm_sregs *sregs);
    int (*set_sregs)(struct vcpu *v, const struct kvm_sregs *sregs);
    /** Turns single-stepping on or off; -1 with the reason where the CPU cannot. */
    int (*single_step)(struct vcpu *v, int on);
    /** Copies guest-physical memory; -1 when the range is not all RAM. */
    int (*read_mem)(struct vcpu *v, uint64_t gpa, void *buf, size_t len);
    int (*write_mem)(struct vcpu *v, uint64_t gpa, const void *buf, size_t len);
    /**
     * A device wrote guest-physical [gpa, gpa + len) straight into RAM (chapter 4's virtio
     * DMA, which reads a disk into the guest's buffers without a copy): a vCPU that keeps
     * decoded code drops what came from there. NULL where nothing is kept (KVM: the
     * hardware's caches snoop every write).
     */
    void (*memory_written)(struct vcpu *v, uint64_t gpa, size_t len);
    /** Translates a linear address through the guest's page tables (if paging is on). */
    int (*translate)(struct vcpu *v, uint64_t linear, uint64_t *gpa);
    /**
     * Called from any thread (chapter 4): makes the vCPU leave its current run, or its
     * next one if it is not in one, soon, with VCPU_EXIT_INTR; does nothing else. So a
     * thread that has changed what the vCPU must see (an interrupt, the end of the
     * machine) gets the vCPU's thread back to the VMM.
     */
    void (*kick)(struct vcpu *v);
    /**
     * Whether the CPU is waiting in HLT for an interrupt (KVM_MP_STATE_HALTED) or runnable
     * (KVM_MP_STATE_RUNNABLE): *state gets one of those. From the vCPU's own thread.
     */
    int (*get_mp_state)(struct vcpu *v, uint32_t *state);
    /**
     * The x87 and SSE state (chapter 6): KVM's struct kvm_fpu, the registers in ST order,
     * ftwx the abridged tag (bit i set while physical register i is in use).
     */
    int (*get_fpu)(struct vcpu *v, struct kvm_fpu *fpu);
    int (*set_fpu)(struct vcpu *v, const struct kvm_fpu *fpu);
};
/* [vcpu-ops] */

/* [vcpu-intr] */
/**
 * Where a vCPU takes external interrupts from when stepvm models the interrupt
 * controllers (--irqchip=user, and always on the interpreter), as a CPU takes them from
 * its INTR pin (chapter 4). Whoever drives the pin sets intr_pin in struct vcpu and kicks
 * the vCPU. At an instruction boundary where the pin is up, RFLAGS.IF is set and no
 * STI or MOV SS shadow blocks it, the backend runs the acknowledge cycle: ack returns
 * the vector and the controller moves it to in-service, or -1 when the interrupt has gone
 * meanwhile (then nothing is delivered). ack is called from the vCPU's own thread.
 */
struct vcpu_intr {
    int (*ack)(void *ctx, struct vcpu *v);
    void *ctx;
};
/* [vcpu-intr] */

/** A vCPU: its backend and its number. Backends embed this as their first member. */
struct vcpu {
    const struct vcpu_ops *ops;
    int id;
    /* Chapter 4: the interrupt controllers stepvm models for this CPU, or NULL when
     * there are none (chapter 3) or KVM's in-kernel ones deliver. */
    const struct vcpu_intr *intr;
    atomic_int intr_pin; /* 1 while an external interrupt waits (INTR asserted) */
    /* Chapter 5: messages from other CPUs' local APICs, with stepvm's own models. */
    atomic_int nmi_pin;  /* 1 while an NMI waits: the backend delivers it and clears it */
    atomic_int init_pin; /* 1 while an INIT waits: the machine resets the CPU at its next
                          * exit (the backend does nothing with it) */
};

static inline int vcpu__run(struct vcpu *v, struct vcpu_exit *e)
{
    return v->ops->run(v, e);
}
static inline int vcpu__get_regs(struct vcpu *v, struct kvm_regs *r)
{
    return v->ops->get_regs(v, r);
}
static inline int vcpu__set_regs(struct vcpu *v, const struct kvm_regs *r)
{
    return v->ops->set_regs(v, r);
}
static inline int vcpu__get_sregs(struct vcpu *v, struct kvm_sregs *s)
{
    return v->ops->get_sregs(v, s);
}
static inline int vcpu__set_sregs(struct vcpu *v, const struct kvm_sregs *s)
{
    return v->ops->set_sregs(v, s);
}
static inline int vcpu__single_step(struct vcpu *v, int on)
{
    return v->ops->single_step(v, on);
}
static inline int vcpu__read_mem(struct vcpu *v, uint64_t gpa, void *buf, size_t len)
{
    return v->ops->read_mem(v, gpa, buf, len);
}
static inline int vcpu__write_mem(struct vcpu *v, uint64_t gpa, const void *buf, size_t len)
{
    return v->ops->write_mem(v, gpa, buf, len);
}
static inline void vcpu__memory_written(struct vcpu *v, uint64_t gpa, size_t len)
{
    if (v->ops->memory_written)
        v->ops->memory_written(v, gpa, len);
}
static inline int vcpu__translate(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
    return v->ops->translate(v, linear, gpa);
}

static inline void vcpu__kick(struct vcpu *v)
{
    v->ops->kick(v);
}
static inline int vcpu__get_mp_state(struct vcpu *v, uint32_t *state)
{
    return v->ops->get_mp_state(v, state);
}

static inline int vcpu__get_fpu(struct vcpu *v, struct kvm_fpu *fpu)
{
    return v->ops->get_fpu(v, fpu);
}
static inline int vcpu__set_fpu(struct vcpu *v, const struct kvm_fpu *fpu)
{
    return v->ops->set_fpu(v, fpu);
}

/** Sets the INTR pin (chapter 4); raising it kicks the vCPU, so a running guest sees it. */
static inline void vcpu__set_intr_pin(struct vcpu *v, int level)
{
    atomic_store(&v->intr_pin, level);
    if (level)
        vcpu__kick(v);
}

/** Raises NMI (chapter 5): the backend delivers it at the next boundary; kicks the vCPU. */
static inline void vcpu__raise_nmi(struct vcpu *v)
{
    atomic_store(&v->nmi_pin, 1);
    vcpu__kick(v);
}

/** Signals INIT (chapter 5): the vCPU leaves its run so the machine can reset it. */
static inline void vcpu__raise_init(struct vcpu *v)
{
    atomic_store(&v->init_pin, 1);
    vcpu__kick(v);
}

/** Returns a short name for an exit kind ("IO", "MMIO", "HLT", ...). */
const char *vcpu__exit_name(enum vcpu_exit_kind kind);

#endif
