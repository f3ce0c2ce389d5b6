/*
 * smp_inspect.c - the inspector on a machine with several vCPUs (see smp.h; chapter 5).
 *
 * Every vCPU keeps its thread, as in an ordinary run, but before each exit the thread
 * waits for a permit the inspector gives: one exit (n on the vCPU in focus), none (the
 * others wait: the default), or any number (r: the others run). A gate and not a single
 * thread stepping every vCPU in turn, because a vCPU may wait inside its step - in HLT,
 * or in KVM_RUN for a startup IPI - for another vCPU to act, and one thread would wait
 * forever.
 */
#include "smp.h"

#include "trace.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define STEP_WAIT_NS 1000000000l /* how long n waits for the vCPU's exit before saying so */

/* [gate] */
int smp__gate(struct smp_cpu *c)
{
    struct smp *s = c->smp;
    struct vmm *x = s->vmm;

    pthread_mutex_lock(&x->lock);
    c->at_gate = 1;
    pthread_cond_broadcast(&s->gate);
    while (c->permits == 0 && !x->done)
        pthread_cond_wait(&s->gate, &x->lock);
    if (c->permits > 0)
        c->permits--;
    c->at_gate = 0;
    int done = x->done;
    pthread_mutex_unlock(&x->lock);
    return done;
}

void smp__gate_passed(struct smp_cpu *c, int ret)
{
    struct smp *s = c->smp;

    pthread_mutex_lock(&s->vmm->lock);
    c->steps++;
    c->step_ret = ret;
    if (ret < 0) /* the inspector's thread reports it */
        snprintf(c->error, sizeof(c->error), "vCPU %u: %s", c->index, error__get());
    pthread_cond_broadcast(&s->gate);
    pthread_mutex_unlock(&s->vmm->lock);
}
/* [gate] */

/* Waits on the gate until deadline; returns 0, or ETIMEDOUT. Lock held. */
static int wait_until(struct smp *s, const struct timespec *deadline)
{
    return pthread_cond_timedwait(&s->gate, &s->vmm->lock, deadline);
}

static struct timespec after(long ns)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += ns % 1000000000l;
    t.tv_sec += ns / 1000000000l + t.tv_nsec / 1000000000l;
    t.tv_nsec %= 1000000000l;
    return t;
}

/* [inspect-step] */
/* n and s on the vCPU in focus: one permit, then wait for its exit. A vCPU that does not
 * come back within a second is waiting for another CPU (in HLT, or for its startup IPI):
 * it is kicked once, then left to come back by itself, and the line says so. */
static int inspect_step(void *ctx, struct vcpu_exit *exit, char *line, size_t len)
{
    struct smp *s = ctx;
    struct vmm *x = s->vmm;
    struct smp_cpu *c = &s->cpu[s->focus];
    int ret = 0, err = 0;

    line[0] = '\0';
    pthread_mutex_lock(&x->lock);
    unsigned long before = c->steps;
    c->permits = 1;
    pthread_cond_broadcast(&s->gate);
    struct timespec deadline = after(STEP_WAIT_NS);
    while (c->steps == before && !x->done && err != ETIMEDOUT)
        err = wait_until(s, &deadline);
    if (c->steps == before && !x->done) {
        vcpu__kick(x->cpu[c->index].vcpu);
        deadline = after(STEP_WAIT_NS);
        err = 0;
        while (c->steps == before && !x->done && err != ETIMEDOUT)
            err = wait_until(s, &deadline);
    }
    if (c->steps == before) {
        snprintf(line, len, "cpu %u: no exit yet (%s, waiting for another CPU)", c->index,
                 smp__state_name(c->state));
        ret = x->done ? 1 : 0;
    } else {
        *exit = c->last_exit;
        ret = c->step_ret;
        FILE *f = fmemopen(line, len, "w");
        if (f) {
            fprintf(f, "cpu %u: ", c->index);
            trace__print_exit(f, &x->cpu[c->index].last);
            if (ret == 1)
                fprintf(f, " (status %d)", x->status);
            fclose(f);
        }
        if (ret < 0)
            error__set("%s", c->error);
    }
    pthread_mutex_unlock(&x->lock);
    return ret;
}
/* [inspect-step] */

static int inspect_focus(void *ctx, int i)
{
    struct smp *s = ctx;

    if (i < 0 || (unsigned)i >= s->ncpus)
        return error__set("no vCPU %d", i);
    pthread_mutex_lock(&s->vmm->lock);
    if (s->others_run) { /* the old focus runs with the others now; the new one waits */
        s->cpu[s->focus].permits = -1;
        s->cpu[i].permits = 0;
        vcpu__kick(s->vmm->cpu[i].vcpu);
        pthread_cond_broadcast(&s->gate);
    }
    s->focus = i;
    s->target->vcpu = s->vmm->cpu[i].vcpu;
    pthread_mutex_unlock(&s->vmm->lock);
    return 0;
}

static void inspect_describe(void *ctx, int i, char *line, size_t len)
{
    struct smp *s = ctx;
    struct smp_cpu *c = &s->cpu[i];
    FILE *f = fmemopen(line, len, "w");

    if (!f) {
        line[0] = '\0';
        return;
    }
    pthread_mutex_lock(&s->vmm->lock);
    fprintf(f, "%-13s", c->at_gate ? "paused" : smp__state_name(c->state));
    if (c->steps) {
        fprintf(f, " last: ");
        trace__print_exit(f, &s->vmm->cpu[i].last);
    }
    pthread_mutex_unlock(&s->vmm->lock);
    fclose(f);
}

static int inspect_run_others(void *ctx, int run)
{
    struct smp *s = ctx;

    pthread_mutex_lock(&s->vmm->lock);
    s->others_run = run;
    for (unsigned i = 0; i < s->ncpus; i++) {
        if ((int)i == s->focus)
            continue;
        s->cpu[i].permits = run ? -1 : 0;
        if (!run)
            vcpu__kick(s->vmm->cpu[i].vcpu); /* out of the guest, to the gate */
    }
    pthread_cond_broadcast(&s->gate);
    pthread_mutex_unlock(&s->vmm->lock);
    return 0;
}

/* The console pane: chapter 3's, with its own context. */
static const char *inspect_console(void *ctx)
{
    struct smp *s = ctx;

    return s->console ? s->console(s->console_ctx) : NULL;
}

/* [inspect] */
int smp__inspect(struct smp *s, struct vmm *x, struct inspector_target *t)
{
    if (s->ncpus < 2)
        return 0; /* chapter 3's inspector steps the one vCPU itself */
    s->inspecting = 1;
    s->target = t;
    s->focus = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        s->cpu[i].permits = 0; /* every vCPU waits before its first exit */
    if (smp__start_threads(s, x) < 0)
        return -1;
    /* The first stop is before any exit: the inspector starts once every thread waits. */
    pthread_mutex_lock(&x->lock);
    for (unsigned i = 0; i < s->ncpus; i++)
        while (!s->cpu[i].at_gate && !x->done)
            pthread_cond_wait(&s->gate, &x->lock);
    pthread_mutex_unlock(&x->lock);
    s->console = t->console;
    s->console_ctx = t->ctx;
    t->step = inspect_step;
    t->console = inspect_console;
    t->ctx = s;
    t->ncpus = (int)s->ncpus;
    t->focus = inspect_focus;
    t->describe = inspect_describe;
    t->run_others = inspect_run_others;
    return 0;
}
/* [inspect] */
