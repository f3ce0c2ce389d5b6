/*
 * vmm.c - chapter 3's machine and its exit loop (see vmm.h).
 */
#include "vmm.h"

#include "dump.h"
#include "error.h"

#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* [init] */
/* Calls a platform step if the platform has it. */
#define PLATFORM(x, step, ...)                                                                     \
    ((x)->cfg.platform && (x)->cfg.platform->step                                                  \
         ? (x)->cfg.platform->step((x)->cfg.platform->ctx, (x), ##__VA_ARGS__)                     \
         : 0)

/* The vCPUs: the boot CPU is chapter 2's (or the backend's); KVM vCPUs 1 to n - 1 come
 * after it, each with its own CPUID (chapter 5). Another backend makes each of them, in
 * order (chapter 6). */
static int init_vcpus(struct vmm *x, const struct vmm_config *cfg)
{
    for (unsigned i = 0; cfg->backend && i < x->ncpus; i++) {
        if (!(x->cpu[i].vcpu = cfg->backend(cfg->backend_ctx, &x->machine.mem)))
            return -1;
        x->cpu[i].vcpu->id = (int)i;
    }
    if (cfg->backend)
        return 0;
    for (unsigned i = 0; i < x->ncpus; i++) {
        struct kvm_cpu *kc = vmm__kvm_cpu(x, i);
        if (i > 0 && machine__add_vcpu(&x->machine, kc, (int)i) < 0)
            return -1;
        kvm_vcpu__init(&x->cpu[i].kv, kc, &x->machine.mem);
        x->cpu[i].vcpu = &x->cpu[i].kv.vcpu;
    }
    return 0;
}

int vmm__init(struct vmm *x, const struct vmm_config *cfg)
{
    memset(x, 0, sizeof(*x));
    x->cfg = *cfg;
    pthread_mutex_init(&x->lock, NULL);
    for (unsigned i = 0; i < VMM_MAX_CPUS; i++)
        x->cpu[i].kc.fd = -1; /* nothing to release yet */
    x->ncpus = cfg->ncpus ? cfg->ncpus : 1;
    if (x->ncpus > VMM_MAX_CPUS)
        return error__set("%u vCPUs: at most %d", x->ncpus, VMM_MAX_CPUS);
    if (cfg->backend)
        x->cfg.machine.kvm_dev = NULL; /* memory and loaders only: no KVM */
    if (machine__init(&x->machine, &x->cfg.machine) < 0 || PLATFORM(x, irqchip) < 0 ||
        machine__init_vcpu(&x->machine) < 0 || init_vcpus(x, cfg) < 0)
        return -1;
    x->vcpu = x->cpu[0].vcpu;
    bus__init(&x->pio, "port", cfg->machine.diag, cfg->strict);
    bus__init(&x->mmio, "mmio", cfg->machine.diag, cfg->strict);
    if (devices__register(&x->dev, &x->pio, cfg->machine.console) < 0 ||
        hypercall__register(&x->hc, &x->pio, cfg->machine.ram_size, cfg->machine.console,
                            cfg->machine.diag) < 0 ||
        fw_cfg__register(&x->fw_cfg, &x->pio, cfg->machine.ram_size, (uint16_t)x->ncpus) < 0 ||
        PLATFORM(x, devices) < 0)
        return -1;
    /* With nothing to record, the exit loop reads no clocks: trace-off is the fast path. */
    x->timed = cfg->trace_text || cfg->trace_json || cfg->stats || cfg->record;
    x->t_start = now_ns();
    for (unsigned i = 0; i < x->ncpus; i++)
        x->cpu[i].t_enter = x->t_start;
    return 0;
}
/* [init] */

int vmm__load(struct vmm *x, const struct machine_image *img)
{
    const struct vmm_platform *p = x->cfg.platform;
    int taken = p && p->load ? p->load(p->ctx, x, img) : 0;

    if (taken < 0 || (!taken && machine__load(&x->machine, img) < 0))
        return -1;
    if (!x->cfg.backend)
        return 0; /* KVM's vCPU has the state already */
    if (vcpu__set_sregs(x->vcpu, &x->machine.sregs) < 0)
        return -1;
    return vcpu__set_regs(x->vcpu, &x->machine.regs);
}

/* [dispatch] */
/* Sends an I/O exit to the port bus, item by item (string I/O has count > 1). */
static int dispatch_io(struct vmm *x, struct vcpu *cpu, struct vcpu_exit *e)
{
    uint8_t *item = e->io.data;

    for (uint32_t i = 0; i < e->io.count; i++, item += e->io.size) {
        uint64_t v = 0;
        memcpy(&v, item, e->io.size);
        if (bus__access(&x->pio, cpu, e->io.port, e->io.size, e->io.write, &v) < 0)
            return -1;
        if (!e->io.write)
            memcpy(item, &v, e->io.size); /* the guest's register gets it on re-entry */
    }
    return 0;
}

static int dispatch_mmio(struct vmm *x, struct vcpu *cpu, struct vcpu_exit *e)
{
    uint64_t v = 0;

    if (e->mmio.size > 8)
        return error__set("MMIO access of %u bytes at 0x%llx", e->mmio.size,
                          (unsigned long long)e->mmio.addr);
    memcpy(&v, e->mmio.data, e->mmio.size);
    if (bus__access(&x->mmio, cpu, e->mmio.addr, e->mmio.size, e->mmio.write, &v) < 0)
        return -1;
    if (!e->mmio.write)
        memcpy(e->mmio.data, &v, e->mmio.size);
    return 0;
}
/* [dispatch] */

/* [record] */
/* Records the exit of vCPU c just handled: trace lines and statistics. Lock held, so the
 * lines of several vCPUs do not mix and the statistics have one writer at a time. */
static int record(struct vmm *x, struct vmm_cpu *c, const struct vcpu_exit *e, uint64_t t_exit)
{
    struct trace_record *r = &c->last;
    struct kvm_regs regs;
    uint64_t t_now = now_ns();

    trace__from_exit(r, e);
    r->seq = x->exits;
    r->vcpu = c->vcpu->id;
    r->t_ns = t_exit - x->t_start;
    r->guest_ns = t_exit - c->t_enter;
    r->vmm_ns = t_now - t_exit;
    r->rip = 0;
    if (x->cfg.trace_text || x->cfg.trace_json) {
        if (vcpu__get_regs(c->vcpu, &regs) < 0)
            return -1;
        r->rip = regs.rip;
    }
    x->last = *r;
    if (x->cfg.trace_text)
        trace__print_text(x->cfg.trace_text, r);
    if (x->cfg.trace_json)
        trace__print_json(x->cfg.trace_json, r);
    return x->cfg.stats ? stats__add(&x->stats, r) : 0;
}
/* [record] */

/* [end] */
void vmm__end(struct vmm *x, int status)
{
    if (x->done)
        return; /* the first end wins: its status is the guest's */
    x->status = status;
    atomic_store(&x->done, 1);
    for (unsigned i = 0; i < x->ncpus; i++)
        if (x->cpu[i].vcpu)             /* (a machine half built has fewer) */
            vcpu__kick(x->cpu[i].vcpu); /* out of KVM_RUN, to see done */
    if (x->cfg.platform && x->cfg.platform->ended)
        x->cfg.platform->ended(x->cfg.platform->ctx, x);
}
/* [end] */

void vmm__end_locking(struct vmm *x, int status)
{
    pthread_mutex_lock(&x->lock);
    vmm__end(x, status);
    pthread_mutex_unlock(&x->lock);
}

struct vcpu *vmm__vcpu(struct vmm *x, unsigned i)
{
    return i < x->ncpus ? x->cpu[i].vcpu : NULL;
}

unsigned long vmm__exits(const struct vmm *x)
{
    return x->exits;
}

int vmm__status(const struct vmm *x)
{
    return x->status;
}

int vmm__crashed(const struct vmm *x)
{
    return x->crashed;
}

struct kvm_cpu *vmm__kvm_cpu(struct vmm *x, unsigned i)
{
    if (x->cfg.backend || i >= x->ncpus)
        return NULL;
    return i == 0 ? &x->machine.vm.cpu : &x->cpu[i].kc; /* vCPU 0 is chapter 2's */
}

/* [step] */
/* HLT: in chapter 3 nothing can wake the CPU, so the guest has ended; from chapter 4 on,
 * the platform decides (a CPU that halts with interrupts enabled waits for one). */
static void halt(struct vmm *x, struct vcpu *v)
{
    if (!x->cfg.platform || !x->cfg.platform->halt ||
        x->cfg.platform->halt(x->cfg.platform->ctx, x, v))
        vmm__set_stopped(x, (unsigned)v->id, 1);
}

/* [stopped] */
void vmm__set_stopped(struct vmm *x, unsigned i, int stopped)
{
    uint64_t bit = 1ull << i, all = x->ncpus == 64 ? ~0ull : (1ull << x->ncpus) - 1;

    x->stopped = stopped ? x->stopped | bit : x->stopped & ~bit;
    if (x->stopped == all)
        vmm__end(x, 0); /* nothing is left that could wake a CPU */
}
/* [stopped] */

int vmm__start(struct vmm *x)
{
    int ret = 0;

    if (atomic_load(&x->started))
        return 0;
    pthread_mutex_lock(&x->lock);
    if (!x->started) {
        ret = PLATFORM(x, start);
        atomic_store(&x->started, 1);
    }
    pthread_mutex_unlock(&x->lock);
    return ret;
}

/* Handles exit e of vCPU c. Lock held. Returns 0, or -1 when the machine cannot go on. */
static int handle(struct vmm *x, struct vmm_cpu *c, struct vcpu_exit *e)
{
    switch (e->kind) {
    case VCPU_EXIT_IO:
        return dispatch_io(x, c->vcpu, e);
    case VCPU_EXIT_MMIO:
        return dispatch_mmio(x, c->vcpu, e);
    case VCPU_EXIT_HLT:
        halt(x, c->vcpu);
        return 0;
    case VCPU_EXIT_STEP:
    case VCPU_EXIT_INTR:
        return 0;
    case VCPU_EXIT_SHUTDOWN:
    case VCPU_EXIT_FATAL:
        x->crashed = 1;
        return -1;
    }
    return 0;
}

int vmm__step_vcpu(struct vmm *x, unsigned i, struct vcpu_exit *out)
{
    struct vmm_cpu *c = &x->cpu[i];
    struct vcpu_exit e = {.kind = VCPU_EXIT_FATAL};
    uint64_t t_exit = 0;
    int ret;

    if (atomic_load(&x->done))
        return 1;
    if (vmm__start(x) < 0)
        return -1;
    if (x->timed)
        c->t_enter = now_ns();
    int run = vcpu__run(c->vcpu, &e);
    if (x->timed)
        t_exit = now_ns();
    pthread_mutex_lock(&x->lock);
    x->exits++;
    c->exits++;
    ret = run < 0 ? -1 : handle(x, c, &e);
    if (ret == 0)
        ret = PLATFORM(x, after_exit, c->vcpu, &e);
    if (x->dev.exit_requested)
        vmm__end(x, x->dev.exit_status);
    if (run == 0 && x->timed && record(x, c, &e, t_exit) < 0)
        ret = -1;
    if (ret < 0 && !x->done) { /* this vCPU's failure ends the machine for all */
        x->fault_cpu = i;
        x->last.kind = e.kind; /* the dump wants to know a shutdown from another death */
        vmm__end(x, 0);
    }
    int done = x->done;
    pthread_mutex_unlock(&x->lock);
    if (out)
        *out = e;
    return ret < 0 ? -1 : done;
}

int vmm__step(struct vmm *x, struct vcpu_exit *exit)
{
    return vmm__step_vcpu(x, 0, exit);
}
/* [step] */

int vmm__run(struct vmm *x)
{
    int ret;

    if (x->cfg.platform && x->cfg.platform->run)
        ret = x->cfg.platform->run(x->cfg.platform->ctx, x);
    else
        while ((ret = vmm__step(x, NULL)) == 0)
            ;
    fflush(x->cfg.machine.console);
    return ret < 0 ? -1 : 0;
}

/* [dma] */
int vmm__dma_write(struct vmm *x, uint64_t gpa, const void *buf, size_t len)
{
    /* vCPU 0's write_mem writes and tells its backend; every other vCPU is told. */
    if (vcpu__write_mem(x->vcpu, gpa, buf, len) < 0)
        return -1;
    for (unsigned i = 1; i < x->ncpus; i++)
        vcpu__memory_written(x->cpu[i].vcpu, gpa, len);
    return 0;
}

void vmm__dma_written(struct vmm *x, uint64_t gpa, size_t len)
{
    for (unsigned i = 0; i < x->ncpus; i++)
        vcpu__memory_written(x->cpu[i].vcpu, gpa, len);
}
/* [dma] */

/* The dump's ways into memory, through the interface. */
static int dump_translate(void *ctx, uint64_t linear, uint64_t *gpa)
{
    return vcpu__translate(ctx, linear, gpa);
}

/* The bytes come through the interface too, into a buffer of the dump's. */
static const uint8_t *dump_guest_ptr(void *ctx, uint64_t gpa, size_t len)
{
    static uint8_t code[64];

    if (len > sizeof(code) || vcpu__read_mem(ctx, gpa, code, len) < 0)
        return NULL;
    return code;
}

void vmm__dump(struct vmm *x, FILE *out)
{
    struct vcpu *v = x->cpu[x->fault_cpu].vcpu;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct dump_memory mem = {dump_translate, v, dump_guest_ptr, v};
    char saved[ERROR_MAX];

    snprintf(saved, sizeof(saved), "%s", error__get());
    if (x->ncpus > 1)
        fprintf(out, "vCPU %u:\n", x->fault_cpu);
    if (vcpu__get_regs(v, &regs) == 0 && vcpu__get_sregs(v, &sregs) == 0)
        dump__state(out, &regs, &sregs, x->last.kind == VCPU_EXIT_SHUTDOWN, &mem);
    error__set("%s", saved);
}

void vmm__exit(struct vmm *x)
{
    if (x->cfg.platform && x->cfg.platform->stop) /* safe on a machine half built */
        x->cfg.platform->stop(x->cfg.platform->ctx, x);
    if (x->cfg.stats && x->exits)
        stats__print(x->cfg.stats_out ? x->cfg.stats_out : x->cfg.machine.diag, &x->stats);
    stats__free(&x->stats);
    for (unsigned i = 1; i < VMM_MAX_CPUS; i++)
        if (x->cpu[i].kc.fd >= 0)
            kvm_cpu__exit(&x->cpu[i].kc);
    machine__exit(&x->machine);
}
