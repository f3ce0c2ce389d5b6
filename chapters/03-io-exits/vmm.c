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

int vmm__init(struct vmm *x, const struct vmm_config *cfg)
{
    memset(x, 0, sizeof(*x));
    x->cfg = *cfg;
    pthread_mutex_init(&x->lock, NULL);
    if (cfg->backend)
        x->cfg.machine.kvm_dev = NULL; /* memory and loaders only: no KVM */
    if (machine__init(&x->m, &x->cfg.machine) < 0 || PLATFORM(x, irqchip) < 0 ||
        machine__init_vcpu(&x->m) < 0)
        return -1;
    if (cfg->backend) {
        if (!(x->vcpu = cfg->backend(cfg->backend_ctx, &x->m.mem)))
            return -1;
    } else {
        kvm_vcpu__init(&x->kv, &x->m.vm.cpu, &x->m.mem);
        x->vcpu = &x->kv.vcpu;
    }
    bus__init(&x->pio, "port", cfg->machine.diag, cfg->strict);
    bus__init(&x->mmio, "mmio", cfg->machine.diag, cfg->strict);
    if (devices__register(&x->dev, &x->pio, cfg->machine.console) < 0 ||
        hypercall__register(&x->hc, &x->pio, cfg->machine.ram_size, cfg->machine.console,
                            cfg->machine.diag) < 0 ||
        fw_cfg__register(&x->fw_cfg, &x->pio, cfg->machine.ram_size, 1) < 0 ||
        PLATFORM(x, devices) < 0)
        return -1;
    /* With nothing to record, the exit loop reads no clocks: trace-off is the fast path. */
    x->timed = cfg->trace_text || cfg->trace_json || cfg->stats || cfg->record;
    x->t_start = x->t_enter = now_ns();
    return 0;
}
/* [init] */

int vmm__load(struct vmm *x, const struct machine_image *img)
{
    const struct vmm_platform *p = x->cfg.platform;
    int taken = p && p->load ? p->load(p->ctx, x, img) : 0;

    if (taken < 0 || (!taken && machine__load(&x->m, img) < 0))
        return -1;
    if (!x->cfg.backend)
        return 0; /* KVM's vCPU has the state already */
    if (vcpu_set_sregs(x->vcpu, &x->m.sregs) < 0)
        return -1;
    return vcpu_set_regs(x->vcpu, &x->m.regs);
}

/* [dispatch] */
/* Sends an I/O exit to the port bus, item by item (string I/O has count > 1). */
static int dispatch_io(struct vmm *x, struct vcpu_exit *e)
{
    uint8_t *item = e->io.data;

    for (uint32_t i = 0; i < e->io.count; i++, item += e->io.size) {
        uint64_t v = 0;
        memcpy(&v, item, e->io.size);
        if (bus__access(&x->pio, x->vcpu, e->io.port, e->io.size, e->io.write, &v) < 0)
            return -1;
        if (!e->io.write)
            memcpy(item, &v, e->io.size); /* the guest's register gets it on re-entry */
    }
    return 0;
}

static int dispatch_mmio(struct vmm *x, struct vcpu_exit *e)
{
    uint64_t v = 0;

    if (e->mmio.size > 8)
        return error_set("MMIO access of %u bytes at 0x%llx", e->mmio.size,
                         (unsigned long long)e->mmio.addr);
    memcpy(&v, e->mmio.data, e->mmio.size);
    if (bus__access(&x->mmio, x->vcpu, e->mmio.addr, e->mmio.size, e->mmio.write, &v) < 0)
        return -1;
    if (!e->mmio.write)
        memcpy(e->mmio.data, &v, e->mmio.size);
    return 0;
}
/* [dispatch] */

/* [record] */
/* Records the exit just handled: trace lines and statistics. */
static int record(struct vmm *x, const struct vcpu_exit *e, uint64_t t_exit)
{
    struct trace_record *r = &x->last;
    struct kvm_regs regs;
    uint64_t t_now = now_ns();

    trace__from_exit(r, e);
    r->seq = x->exits;
    r->vcpu = x->vcpu->id;
    r->t_ns = t_exit - x->t_start;
    r->guest_ns = t_exit - x->t_enter;
    r->vmm_ns = t_now - t_exit;
    r->rip = 0;
    if (x->cfg.trace_text || x->cfg.trace_json) {
        if (vcpu_get_regs(x->vcpu, &regs) < 0)
            return -1;
        r->rip = regs.rip;
    }
    if (x->cfg.trace_text)
        trace__print_text(x->cfg.trace_text, r);
    if (x->cfg.trace_json)
        trace__print_json(x->cfg.trace_json, r);
    return x->cfg.stats ? stats__add(&x->stats, r) : 0;
}
/* [record] */

/* [step] */
/* HLT: in chapter 3 nothing can wake the CPU, so the guest has ended; from chapter 4 on,
 * the platform decides (a CPU that halts with interrupts enabled waits for one). */
static void halt(struct vmm *x)
{
    int ret = PLATFORM(x, halt);

    if (!x->cfg.platform || !x->cfg.platform->halt || ret != 0) {
        x->done = 1;
        x->status = 0;
    }
}

int vmm__step(struct vmm *x, struct vcpu_exit *out)
{
    struct vcpu_exit e;
    int ret = 0;

    if (x->done)
        return 1;
    if (!x->started) {
        x->started = 1;
        if (PLATFORM(x, start) < 0)
            return -1;
    }
    uint64_t t_exit = 0;
    if (x->timed)
        x->t_enter = now_ns();
    if (vcpu_run(x->vcpu, &e) < 0)
        return -1;
    if (x->timed)
        t_exit = now_ns();
    pthread_mutex_lock(&x->lock);
    x->exits++;
    switch (e.kind) {
    case VCPU_EXIT_IO:
        ret = dispatch_io(x, &e);
        break;
    case VCPU_EXIT_MMIO:
        ret = dispatch_mmio(x, &e);
        break;
    case VCPU_EXIT_HLT:
        halt(x);
        break;
    case VCPU_EXIT_STEP:
    case VCPU_EXIT_INTR:
        break;
    case VCPU_EXIT_SHUTDOWN:
    case VCPU_EXIT_FATAL:
        x->crashed = 1;
        ret = -1;
        break;
    }
    if (ret == 0)
        ret = PLATFORM(x, after_exit, &e);
    if (x->dev.exit_requested) {
        x->done = 1;
        x->status = x->dev.exit_status;
    }
    if (x->quit && !x->done) {
        x->done = 1;
        x->status = x->quit_status;
    }
    pthread_mutex_unlock(&x->lock);
    if (out)
        *out = e;
    if (x->timed && record(x, &e, t_exit) < 0)
        return -1;
    if (ret < 0) {
        x->last.kind = e.kind; /* the dump wants to know a shutdown from another death */
        return -1;
    }
    return x->done;
}
/* [step] */

int vmm__run(struct vmm *x)
{
    int ret;

    while ((ret = vmm__step(x, NULL)) == 0)
        ;
    fflush(x->cfg.machine.console);
    return ret < 0 ? -1 : 0;
}

/* [dma] */
int vmm__dma_write(struct vmm *x, uint64_t gpa, const void *buf, size_t len)
{
    /* One vCPU until chapter 5; its write_mem both writes and tells the backend. */
    return vcpu_write_mem(x->vcpu, gpa, buf, len);
}

void vmm__dma_written(struct vmm *x, uint64_t gpa, size_t len)
{
    vcpu_memory_written(x->vcpu, gpa, len);
}
/* [dma] */

/* The dump's ways into memory, through the interface. */
static int dump_translate(void *ctx, uint64_t linear, uint64_t *gpa)
{
    return vcpu_translate(ctx, linear, gpa);
}

/* The bytes come through the interface too, into a buffer of the dump's. */
static const uint8_t *dump_guest_ptr(void *ctx, uint64_t gpa, size_t len)
{
    static uint8_t code[64];

    if (len > sizeof(code) || vcpu_read_mem(ctx, gpa, code, len) < 0)
        return NULL;
    return code;
}

void vmm__dump(struct vmm *x, FILE *out)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct dump_memory mem = {dump_translate, x->vcpu, dump_guest_ptr, x->vcpu};
    char saved[ERROR_MAX];

    snprintf(saved, sizeof(saved), "%s", error_get());
    if (vcpu_get_regs(x->vcpu, &regs) == 0 && vcpu_get_sregs(x->vcpu, &sregs) == 0)
        dump_state(out, &regs, &sregs, x->last.kind == VCPU_EXIT_SHUTDOWN, &mem);
    error_set("%s", saved);
}

void vmm__exit(struct vmm *x)
{
    if (x->cfg.platform && x->cfg.platform->stop) /* safe on a machine half built */
        x->cfg.platform->stop(x->cfg.platform->ctx, x);
    if (x->cfg.stats && x->exits)
        stats__print(x->cfg.stats_out ? x->cfg.stats_out : x->cfg.machine.diag, &x->stats);
    stats__free(&x->stats);
    machine__exit(&x->m);
}
