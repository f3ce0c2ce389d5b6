/*
 * smp.c - several CPUs on chapter 4's PC: a thread a vCPU, INIT and startup IPIs with
 * stepvm's own local APICs, and a clean end (see smp.h; chapter 5).
 */
#include "smp.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

const char *smp__state_name(enum smp_cpu_state state)
{
    switch (state) {
    case SMP_CPU_RUNNING:
        return "running";
    case SMP_CPU_HALTED:
        return "halted";
    case SMP_CPU_WAIT_SIPI:
        return "wait-for-SIPI";
    }
    return "?";
}

static int user_irqchip(const struct smp *s)
{
    return s->pc->chip.kind == IRQCHIP_USER;
}

/* ---- The APIC bus's requests (--irqchip=user), with the machine's lock held ---- */

/* [bus-ops] */
static void bus_changed(void *ctx, unsigned cpu)
{
    struct smp *s = ctx;

    irqchip__update(&s->pc->chip, cpu);
}

static void bus_nmi(void *ctx, unsigned cpu)
{
    struct smp *s = ctx;

    vcpu__raise_nmi(s->vmm->cpu[cpu].vcpu);
    /* An NMI ends HLT, even with interrupts off: a CPU halted for good is not any more,
     * so that the machine does not end before it has woken (one waiting for its startup
     * IPI ignores NMIs). */
    if (s->cpu[cpu].state != SMP_CPU_WAIT_SIPI)
        vmm__set_stopped(s->vmm, cpu, 0);
    irqchip__wake(&s->pc->chip);
}

/* INIT: from now on the CPU waits for a startup IPI (one that follows at once counts);
 * it leaves the guest at once, and its own thread resets its registers (see
 * take_init_and_startup). */
static void bus_init(void *ctx, unsigned cpu)
{
    struct smp *s = ctx;

    s->cpu[cpu].state = SMP_CPU_WAIT_SIPI;
    s->cpu[cpu].startup_pending = 0;
    vcpu__raise_init(s->vmm->cpu[cpu].vcpu);
    irqchip__wake(&s->pc->chip);
}

/* A startup IPI counts only for a CPU that waits for one (SDM: otherwise it is ignored). */
static void bus_startup(void *ctx, unsigned cpu, uint8_t vector)
{
    struct smp *s = ctx;
    struct smp_cpu *c = &s->cpu[cpu];

    if (c->state != SMP_CPU_WAIT_SIPI || c->startup_pending)
        return;
    c->startup_pending = 1;
    c->startup_vector = vector;
    pthread_cond_broadcast(&s->startup);
}
/* [bus-ops] */

static const struct apicbus_ops bus_ops = {bus_changed, bus_nmi, bus_init, bus_startup};

static void chip_send_ipi(void *ctx, struct lapic *from, uint32_t icr_low, uint32_t dest)
{
    apicbus__send_ipi(&((struct smp *)ctx)->bus, from, icr_low, dest);
}

static void chip_deliver(void *ctx, const struct ioapic_msg *m)
{
    apicbus__deliver(&((struct smp *)ctx)->bus, m);
}

/* ---- INIT and startup, on the CPU's own thread (--irqchip=user) ---- */

/* [startup] */
/* The state a startup IPI gives: real mode, CS = vector << 8 (base vector << 12), IP 0;
 * everything else as INIT left it. */
static int start_at(struct vcpu *v, uint8_t vector)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs;

    if (vcpu__get_sregs(v, &sregs) < 0 || vcpu__get_regs(v, &regs) < 0)
        return -1;
    sregs.cs.selector = (uint16_t)(vector << 8);
    sregs.cs.base = (uint64_t)vector << 12;
    regs.rip = 0;
    if (vcpu__set_sregs(v, &sregs) < 0)
        return -1;
    return vcpu__set_regs(v, &regs);
}

/*
 * Before each run: an INIT that came puts the CPU's registers back in their power-up
 * state; a CPU that waits for a startup IPI sleeps until one comes (or the machine ends),
 * then starts where it says. A waiting CPU is stopped for good as far as the machine's
 * end is concerned (vmm__set_stopped): only another CPU can wake it. Returns 0 to run the
 * CPU, 1 when the machine has ended, -1 on an error.
 */
static int take_init_and_startup(struct smp_cpu *c)
{
    struct smp *s = c->smp;
    struct vmm *x = s->vmm;
    struct vcpu *v = x->cpu[c->index].vcpu;
    int ret = 0;

    pthread_mutex_lock(&x->lock);
    while (ret == 0 && !x->done) {
        if (atomic_exchange(&v->init_pin, 0)) {
            atomic_store(&v->intr_pin, 0);
            /* (With one CPU there is no power-up state to copy: its INIT only stops it.) */
            if (s->have_reset &&
                (vcpu__set_sregs(v, &s->reset_sregs) < 0 || vcpu__set_regs(v, &s->reset_regs) < 0))
                ret = -1;
        }
        if (ret < 0 || c->state != SMP_CPU_WAIT_SIPI)
            break;
        vmm__set_stopped(x, c->index, 1);
        while (!c->startup_pending && !x->done && !atomic_load(&v->init_pin))
            pthread_cond_wait(&s->startup, &x->lock);
        if (c->startup_pending && !x->done && !atomic_load(&v->init_pin)) {
            c->startup_pending = 0;
            c->state = SMP_CPU_RUNNING;
            vmm__set_stopped(x, c->index, 0);
            ret = start_at(v, c->startup_vector);
        }
    }
    if (ret == 0 && x->done)
        ret = 1;
    pthread_mutex_unlock(&x->lock);
    return ret;
}
/* [startup] */

/* ---- The threads ---- */

/* [vcpu-thread] */
/* One vCPU's thread: step it until the machine ends. Whatever ends it (this CPU's exit, or
 * another's, which kicks this one out of KVM_RUN) makes vmm__step_vcpu return 1. */
static void *vcpu_thread(void *arg)
{
    struct smp_cpu *c = arg;
    struct smp *s = c->smp;
    int ret = 0;
    uint64_t one = 1;

    while (ret == 0) {
        if (s->inspecting && smp__gate(c)) /* the inspector's permit (smp_inspect.c) */
            break;
        if (user_irqchip(s) && (ret = take_init_and_startup(c)) != 0)
            break;
        ret = vmm__step_vcpu(s->vmm, c->index, &c->last_exit);
        if (s->inspecting)
            smp__gate_passed(c, ret);
    }
    if (ret < 0) {
        c->failed = 1;
        snprintf(c->error, sizeof(c->error), "vCPU %u: %s", c->index, error__get());
    }
    if (write(s->done_fd, &one, sizeof(one)) < 0)
        perror("smp: telling the main thread a vCPU ended");
    return NULL;
}
/* [vcpu-thread] */

/* Each AP's power-up state, kept for INIT, and where it starts: waiting for its startup
 * IPI (--irqchip=user; KVM's own local APICs do this in the kernel). */
static int prepare_cpus(struct smp *s)
{
    struct vmm *x = s->vmm;

    for (unsigned i = 0; i < s->ncpus; i++) {
        struct smp_cpu *c = &s->cpu[i];
        struct vcpu *v = x->cpu[i].vcpu;
        c->smp = s;
        c->index = i;
        c->state = SMP_CPU_RUNNING;
        if (!user_irqchip(s) || i == 0)
            continue;
        if (i == 1 &&
            (vcpu__get_regs(v, &s->reset_regs) < 0 || vcpu__get_sregs(v, &s->reset_sregs) < 0))
            return -1;
        s->have_reset = 1;
        c->state = SMP_CPU_WAIT_SIPI;
        vmm__set_stopped(x, i, 1);
    }
    return 0;
}

int smp__start_threads(struct smp *s, struct vmm *x)
{
    if (vmm__start(x) < 0 || prepare_cpus(s) < 0)
        return -1;
    for (unsigned i = 0; i < s->ncpus; i++) {
        int err = pthread_create(&s->cpu[i].thread, NULL, vcpu_thread, &s->cpu[i]);
        if (err)
            return error__set("starting vCPU %u's thread: %s", i, strerror(err));
        s->cpu[i].thread_started = 1;
    }
    return 0;
}

void smp__join_threads(struct smp *s)
{
    struct vmm *x = s->vmm;
    int running = 0;

    for (unsigned i = 0; i < s->ncpus; i++)
        running |= s->cpu[i].thread_started;
    if (!running)
        return;
    pthread_mutex_lock(&x->lock);
    vmm__end(x, x->status); /* nothing when it has ended: the first end wins */
    pthread_mutex_unlock(&x->lock);
    for (unsigned i = 0; i < s->ncpus; i++) {
        if (s->cpu[i].thread_started)
            pthread_join(s->cpu[i].thread, NULL);
        s->cpu[i].thread_started = 0;
    }
}

/* [run] */
/*
 * The main thread: starts a thread for every vCPU, then waits for the first to finish
 * (the machine has ended, and every other vCPU has been kicked out of the guest) or for
 * SIGINT or SIGTERM, which end the machine with status 128 + the signal's number; then it
 * joins them all. The two signals are blocked in every thread and read from a signalfd
 * here, so none of them interrupts a vCPU at a bad moment.
 */
static int smp_run(void *ctx, struct vmm *x)
{
    struct smp *s = ctx;
    sigset_t stop, saved;
    int ret = 0, sfd;

    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &saved); /* before any thread: they inherit it */
    if ((sfd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0) {
        ret = error__errno("signalfd for SIGINT and SIGTERM");
        goto err_restore;
    }
    struct pollfd fds[2] = {{s->done_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    ret = smp__start_threads(s, x);
    while (ret == 0 && poll(fds, 2, -1) < 0 && errno == EINTR)
        ;
    if (ret == 0 && (fds[1].revents & POLLIN)) {
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            pthread_mutex_lock(&x->lock);
            vmm__end(x, 128 + (int)si.ssi_signo);
            pthread_mutex_unlock(&x->lock);
        }
    }
    smp__join_threads(s);
    for (unsigned i = 0; i < s->ncpus && ret == 0; i++)
        if (s->cpu[i].failed)
            ret = error__set("%s", s->cpu[i].error);
    close(sfd);
err_restore:
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return ret;
}
/* [run] */

/* ---- The platform: the PC's, with several CPUs ---- */

/* Each hook calls the PC's, with the PC's context; smp's own work comes before or after. */
#define INNER(s, hook, ...)                                                                        \
    ((s)->inner->hook ? (s)->inner->hook((s)->inner->ctx, ##__VA_ARGS__) : 0)

/* [platform] */
/* The PC's interrupt controllers, and with stepvm's models the bus between the local
 * APICs that chapter 4's one CPU did without. */
static int smp_irqchip(void *ctx, struct vmm *x)
{
    struct smp *s = ctx;

    s->vmm = x;
    if (INNER(s, irqchip, x) < 0)
        return -1;
    if (!user_irqchip(s))
        return 0;
    apicbus__init(&s->bus, &bus_ops, s);
    for (unsigned i = 0; i < s->ncpus; i++)
        if (apicbus__add(&s->bus, &s->pc->chip.lapic[i]) < 0)
            return -1;
    s->chip_bus = (struct irqchip_bus){chip_send_ipi, chip_deliver, s};
    s->pc->chip.bus = &s->chip_bus;
    return 0;
}

static void smp_ended(void *ctx, struct vmm *x)
{
    struct smp *s = ctx;

    if (s->inner->ended)
        s->inner->ended(s->inner->ctx, x);
    pthread_cond_broadcast(&s->startup); /* a CPU waiting for its startup IPI goes too */
    pthread_cond_broadcast(&s->gate);    /* and one waiting for the inspector's permit */
}
/* [platform] */

static int smp_devices(void *ctx, struct vmm *x)
{
    return INNER((struct smp *)ctx, devices, x);
}

static int smp_load(void *ctx, struct vmm *x, const struct machine_image *img)
{
    return INNER((struct smp *)ctx, load, x, img);
}

static int smp_start(void *ctx, struct vmm *x)
{
    return INNER((struct smp *)ctx, start, x);
}

/* A CPU in HLT is "halted" while the PC waits for its interrupt (the inspector shows it). */
static int smp_halt(void *ctx, struct vmm *x, struct vcpu *v)
{
    struct smp *s = ctx;
    struct smp_cpu *c = &s->cpu[v->id];

    c->state = SMP_CPU_HALTED;
    int ret = INNER(s, halt, x, v);
    if (c->state == SMP_CPU_HALTED)
        c->state = SMP_CPU_RUNNING;
    return ret;
}

static int smp_after_exit(void *ctx, struct vmm *x, struct vcpu *v, const struct vcpu_exit *e)
{
    return INNER((struct smp *)ctx, after_exit, x, v, e);
}

static void smp_stop(void *ctx, struct vmm *x)
{
    struct smp *s = ctx;

    if (s->vmm)
        smp__join_threads(s); /* the inspector's, if it left them running */

    if (s->inner->stop)
        s->inner->stop(s->inner->ctx, x);
    if (s->done_fd >= 0)
        close(s->done_fd);
    s->done_fd = -1;
    pthread_cond_destroy(&s->startup);
    pthread_cond_destroy(&s->gate);
}

/* [configure] */
int smp__configure(struct smp *s, struct pc *pc, struct vmm_config *cfg, unsigned ncpus)
{
    struct mptable_config mp = {.ncpus = ncpus};

    if (ncpus < 1 || ncpus > VMM_MAX_CPUS)
        return error__set("--smp %u: from 1 to %d CPUs", ncpus, VMM_MAX_CPUS);
    s->ncpus = ncpus;
    s->pc = pc;
    s->inner = cfg->platform;
    s->done_fd = eventfd(0, EFD_CLOEXEC);
    if (s->done_fd < 0)
        return error__errno("eventfd for the vCPU threads");
    pthread_cond_init(&s->startup, NULL);
    pthread_cond_init(&s->gate, NULL);
    s->platform = (struct vmm_platform){
        .irqchip = smp_irqchip,
        .devices = smp_devices,
        .load = smp_load,
        .start = smp_start,
        .halt = smp_halt,
        .after_exit = smp_after_exit,
        .ended = smp_ended,
        .run = smp_run,
        .stop = smp_stop,
        .ctx = s,
    };
    cfg->platform = &s->platform;
    cfg->ncpus = ncpus;
    /* The MP table is the ROM's content, where a kernel searches the F segment for it
     * (unless the reader gave a ROM of their own with --rom). */
    if (!cfg->machine.rom) {
        long len = mptable__build(&mp, MPTABLE_ADDR, s->rom, sizeof(s->rom));
        if (len < 0)
            return -1;
        cfg->machine.rom = s->rom;
        cfg->machine.rom_len = (size_t)len;
    }
    return 0;
}
/* [configure] */
