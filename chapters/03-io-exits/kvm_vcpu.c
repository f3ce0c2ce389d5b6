/*
 * kvm_vcpu.c - the vCPU interface on KVM (see kvm_vcpu.h; chapter 3).
 */
#include "kvm_vcpu.h"

#include "error.h"

#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

static struct kvm_vcpu *to_kvm(struct vcpu *v)
{
    return (struct kvm_vcpu *)v;
}

/* [translate-exit] */
/* Describes the exit in the kvm_run page in the interface's words. The fatal ones are
 * explained by chapter 1's kvm_cpu__explain_exit, so every chapter says the same. */
static void describe_exit(struct kvm_vcpu *kv, struct vcpu_exit *e)
{
    struct kvm_run *run = kv->cpu->run;

    memset(e, 0, sizeof(*e));
    e->raw = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        e->kind = VCPU_EXIT_IO;
        e->io.port = run->io.port;
        e->io.size = run->io.size;
        e->io.write = run->io.direction == KVM_EXIT_IO_OUT;
        e->io.count = run->io.count;
        e->io.data = kvm_cpu__io_data(kv->cpu);
        if (!e->io.data)
            e->kind = VCPU_EXIT_FATAL;
        return;
    case KVM_EXIT_MMIO:
        e->kind = VCPU_EXIT_MMIO;
        e->mmio.addr = run->mmio.phys_addr;
        e->mmio.size = run->mmio.len;
        e->mmio.write = run->mmio.is_write;
        e->mmio.data = run->mmio.data;
        return;
    case KVM_EXIT_HLT:
        e->kind = VCPU_EXIT_HLT;
        return;
    case KVM_EXIT_DEBUG:
        e->kind = VCPU_EXIT_STEP;
        return;
    case KVM_EXIT_INTR:
    case KVM_EXIT_IRQ_WINDOW_OPEN: /* the guest can take an interrupt: the next run injects */
        e->kind = VCPU_EXIT_INTR;
        return;
    }
    kvm_cpu__explain_exit(run);
    e->kind = run->exit_reason == KVM_EXIT_SHUTDOWN ? VCPU_EXIT_SHUTDOWN : VCPU_EXIT_FATAL;
}
/* [translate-exit] */

/* [inject] */
/* With stepvm's own interrupt controllers (chapter 4), KVM delivers nothing by itself: an
 * interrupt waiting at the INTR pin is injected with KVM_INTERRUPT, but only when the
 * last exit said the guest can take one now (RFLAGS.IF set, no STI or MOV SS shadow).
 * Otherwise KVM is asked to exit as soon as it can (request_interrupt_window), and the
 * next run injects. QEMU does the same with kernel_irqchip=off. */
static int inject(struct kvm_vcpu *kv)
{
    struct kvm_run *run = kv->cpu->run;

    run->request_interrupt_window = 0;
    if (!kv->vcpu.intr || !atomic_load(&kv->vcpu.intr_pin))
        return 0;
    if (!run->ready_for_interrupt_injection || !run->if_flag) {
        run->request_interrupt_window = 1;
        return 0;
    }
    int vector = kv->vcpu.intr->ack(kv->vcpu.intr->ctx, &kv->vcpu);
    if (vector < 0)
        return 0; /* gone meanwhile */
    struct kvm_interrupt irq = {.irq = (uint32_t)vector};
    if (ioctl(kv->cpu->fd, KVM_INTERRUPT, &irq) < 0)
        return error__errno("KVM_INTERRUPT vector %d on vCPU %d", vector, kv->vcpu.id);
    return 0;
}
/* [inject] */

/* [nmi] */
/* An NMI from another CPU's local APIC (chapter 5, stepvm's own models): KVM_NMI queues
 * it, and KVM delivers it when the guest can take one (not while an NMI handler runs). */
static int inject_nmi(struct kvm_vcpu *kv)
{
    if (!atomic_exchange(&kv->vcpu.nmi_pin, 0))
        return 0;
    if (ioctl(kv->cpu->fd, KVM_NMI) < 0)
        return error__errno("KVM_NMI on vCPU %d", kv->vcpu.id);
    return 0;
}
/* [nmi] */

static int kvm_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
    struct kvm_vcpu *kv = to_kvm(v);

    if (!atomic_load(&kv->has_thread)) {
        kv->thread = pthread_self();
        atomic_store(&kv->has_thread, 1);
    }
    if (inject_nmi(kv) < 0 || inject(kv) < 0 || kvm_cpu__run(kv->cpu) < 0)
        return -1;
    /* A kick sets immediate_exit before its signal: it has done its work once KVM_RUN
     * returned. Cleared before anything the kicker changed is looked at again. */
    __atomic_store_n(&kv->cpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    describe_exit(kv, e);
    return 0;
}

/* [kick] */
/* KVM's API document gives the race-free way to stop a vCPU: set immediate_exit in its
 * kvm_run page, then signal its thread. If the thread is in KVM_RUN, the signal makes KVM
 * return with EINTR; if it is about to enter, KVM sees immediate_exit and returns at once.
 * The signal's handler does nothing: its only work is to interrupt the system call. */
static void kick_handler(int sig)
{
    (void)sig;
}

static void kvm_vcpu_kick(struct vcpu *v)
{
    struct kvm_vcpu *kv = to_kvm(v);

    __atomic_store_n(&kv->cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (atomic_load(&kv->has_thread) && !pthread_equal(kv->thread, pthread_self()))
        pthread_kill(kv->thread, KVM_VCPU_KICK_SIGNAL);
}
/* [kick] */

static int kvm_vcpu_get_mp_state(struct vcpu *v, uint32_t *state)
{
    struct kvm_mp_state mp;

    if (ioctl(to_kvm(v)->cpu->fd, KVM_GET_MP_STATE, &mp) < 0)
        return error__errno("KVM_GET_MP_STATE on vCPU %d", v->id);
    *state = mp.mp_state;
    return 0;
}

static int kvm_vcpu_get_regs(struct vcpu *v, struct kvm_regs *r)
{
    return kvm_cpu__get_regs(to_kvm(v)->cpu, r);
}

static int kvm_vcpu_set_regs(struct vcpu *v, const struct kvm_regs *r)
{
    return kvm_cpu__set_regs(to_kvm(v)->cpu, r);
}

static int kvm_vcpu_get_sregs(struct vcpu *v, struct kvm_sregs *s)
{
    return kvm_cpu__get_sregs(to_kvm(v)->cpu, s);
}

static int kvm_vcpu_set_sregs(struct vcpu *v, const struct kvm_sregs *s)
{
    return kvm_cpu__set_sregs(to_kvm(v)->cpu, s);
}

/* [single-step] */
/* KVM_SET_GUEST_DEBUG with SINGLESTEP: KVM sets the trap flag for the guest and turns the
 * resulting #DB into KVM_EXIT_DEBUG after each instruction. */
static int kvm_vcpu_single_step(struct vcpu *v, int on)
{
    struct kvm_vcpu *kv = to_kvm(v);
    struct kvm_guest_debug dbg = {
        .control = on ? KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP : 0,
    };

    if (ioctl(kv->cpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return error__errno("KVM_SET_GUEST_DEBUG (single-step %s)", on ? "on" : "off");
    kv->stepping = on;
    return 0;
}
/* [single-step] */

static int kvm_vcpu_read_mem(struct vcpu *v, uint64_t gpa, void *buf, size_t len)
{
    return guest_mem__read(to_kvm(v)->mem, gpa, buf, len);
}

static int kvm_vcpu_write_mem(struct vcpu *v, uint64_t gpa, const void *buf, size_t len)
{
    return guest_mem__write(to_kvm(v)->mem, gpa, buf, len);
}

static int kvm_vcpu_translate(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
    return kvm_cpu__translate(to_kvm(v)->cpu, linear, gpa);
}

static int kvm_vcpu_get_fpu(struct vcpu *v, struct kvm_fpu *fpu)
{
    if (ioctl(to_kvm(v)->cpu->fd, KVM_GET_FPU, fpu) < 0)
        return error__errno("KVM_GET_FPU");
    return 0;
}

static int kvm_vcpu_set_fpu(struct vcpu *v, const struct kvm_fpu *fpu)
{
    if (ioctl(to_kvm(v)->cpu->fd, KVM_SET_FPU, fpu) < 0)
        return error__errno("KVM_SET_FPU");
    return 0;
}

static const struct vcpu_ops kvm_vcpu_ops = {
    .name = "kvm",
    .run = kvm_vcpu_run,
    .get_regs = kvm_vcpu_get_regs,
    .set_regs = kvm_vcpu_set_regs,
    .get_sregs = kvm_vcpu_get_sregs,
    .set_sregs = kvm_vcpu_set_sregs,
    .single_step = kvm_vcpu_single_step,
    .read_mem = kvm_vcpu_read_mem,
    .write_mem = kvm_vcpu_write_mem,
    .translate = kvm_vcpu_translate,
    .kick = kvm_vcpu_kick,
    .get_mp_state = kvm_vcpu_get_mp_state,
    .get_fpu = kvm_vcpu_get_fpu,
    .set_fpu = kvm_vcpu_set_fpu,
};

void kvm_vcpu__init(struct kvm_vcpu *kv, struct kvm_cpu *cpu, struct guest_mem *mem)
{
    kv->vcpu.ops = &kvm_vcpu_ops;
    kv->vcpu.id = cpu->id;
    kv->cpu = cpu;
    kv->mem = mem;
    kv->vcpu.intr = NULL;
    atomic_store(&kv->vcpu.intr_pin, 0);
    atomic_store(&kv->vcpu.nmi_pin, 0);
    atomic_store(&kv->vcpu.init_pin, 0);
    kv->stepping = 0;
    atomic_store(&kv->has_thread, 0);
    /* Once per process: the kick signal interrupts KVM_RUN instead of ending the process.
     * No SA_RESTART: the ioctl must return EINTR. */
    static atomic_int installed;
    if (!atomic_exchange(&installed, 1)) {
        struct sigaction sa = {.sa_handler = kick_handler};
        sigemptyset(&sa.sa_mask);
        sigaction(KVM_VCPU_KICK_SIGNAL, &sa, NULL);
    }
}
