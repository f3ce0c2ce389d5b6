/*
 * intr.c - external interrupts on the interpreter (chapter 6, for chapter 4's interrupt
 * controllers): the INTR pin, RFLAGS.IF, the STI and MOV SS / POP SS shadows, HLT and its
 * wake-up, and kicks from another thread.
 *
 * Each test builds a small program in guest memory, in long mode (an IDT) or in real mode
 * (the IVT), and plays the interrupt controller itself: its acknowledge cycle returns the
 * vector the test chose and lowers the pin, as a controller with nothing else to deliver
 * does. Single-stepping shows exactly at which instruction boundary an interrupt is taken.
 */
#include "ch6_tests.h"
#include "mem.h"
#include "modes.h"
#include "tcg.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define CODE       0x10000ull /* the program */
#define HANDLER    0x11000ull /* the interrupt handler: inc rcx; out al, 0x80; iret */
#define NP_ENTRY   0x12000ull /* the #NP handler: out al, 0x81; hlt */
#define IDT        0x20000ull
#define COUNTER    0x40000ull /* a quadword the endless loop counts in */
#define STACK      0x80000ull
#define TABLES     0x90000ull /* the GDT and page tables mode__long builds */
#define VECTOR     0x20       /* what the test controller delivers unless told otherwise */
#define REAL_SEG   0x1000     /* real mode: CS for CODE, and the handler's segment */
#define REAL_STACK 0xfff0

/* A CPU, its memory, and the test's interrupt controller. */
struct machine {
    struct guest_mem mem;
    struct vcpu *v;
    struct vcpu_intr intr;
    int vector; /* what ack returns */
    int acks;   /* acknowledge cycles run */
    int real;
};

/* The controller's acknowledge cycle: the chosen vector; the pin goes down. */
static int test_ack(void *ctx, struct vcpu *v)
{
    struct machine *m = ctx;

    m->acks++;
    atomic_store(&v->intr_pin, 0);
    return m->vector;
}

static void put(struct machine *m, uint64_t gpa, const void *bytes, size_t len)
{
    ck_assert_int_eq(vcpu__write_mem(m->v, gpa, bytes, len), 0);
}

static uint64_t get(struct machine *m, uint64_t gpa, size_t len)
{
    uint64_t value = 0;

    ck_assert_int_eq(vcpu__read_mem(m->v, gpa, &value, len), 0);
    return value;
}

/* A 64-bit interrupt gate (DPL 0) for vector to target; not present when present is 0. */
static void gate(struct machine *m, int vector, uint64_t target, int present)
{
    uint64_t lo = (target & 0xffff) | (uint64_t)GDT_SEL_CODE64 << 16 | 0xeull << 40 |
                  (uint64_t)(present != 0) << 47 | (target & 0xffff0000ull) << 32;
    uint64_t hi = target >> 32;

    put(m, IDT + 16 * (uint64_t)vector, &lo, 8);
    put(m, IDT + 16 * (uint64_t)vector + 8, &hi, 8);
}

/* Sets RFLAGS.IF as the program starts. */
static void set_if(struct machine *m, int on)
{
    struct kvm_regs r;

    ck_assert_int_eq(vcpu__get_regs(m->v, &r), 0);
    r.rflags = on ? 0x202 : 0x2;
    ck_assert_int_eq(vcpu__set_regs(m->v, &r), 0);
}

/* The machine with code at CODE, in long mode (IDT) or real mode (IVT), IF clear. */
static void machine_new(struct machine *m, int real, const uint8_t *code, size_t len)
{
    static const uint8_t handler64[] = {0x48, 0xff, 0xc1, 0xe6, 0x80, 0x48, 0xcf};
    static const uint8_t handler16[] = {0x41, 0xe6, 0x80, 0xcf}; /* inc cx; out; iret */
    static const uint8_t np64[] = {0xe6, 0x81, 0xf4};
    struct kvm_regs r;
    struct kvm_sregs s;

    memset(m, 0, sizeof(*m));
    m->real = real;
    m->vector = VECTOR;
    ck_assert_int_eq(guest_mem__init(&m->mem, NULL, MEM_MIN_SIZE, 0), 0);
    m->v = tcg_vcpu__new(&m->mem);
    ck_assert_ptr_nonnull(m->v);
    m->intr = (struct vcpu_intr){.ack = test_ack, .ctx = m};
    m->v->intr = &m->intr;
    ck_assert_int_eq(vcpu__get_sregs(m->v, &s), 0);
    memset(&r, 0, sizeof(r));
    if (real) {
        ck_assert_int_eq(mode__real(&r, &s, CODE, REAL_STACK), 0);
        put(m, HANDLER, handler16, sizeof(handler16));
        uint32_t ivt = (uint32_t)REAL_SEG << 16 | (uint32_t)(HANDLER - REAL_SEG * 16);
        put(m, VECTOR * 4, &ivt, 4);
        s.idt.base = 0;
        s.idt.limit = 0x3ff;
        s.ss.selector = REAL_SEG; /* the stack at 0x1000:0xfff0 */
        s.ss.base = REAL_SEG * 16;
    } else {
        ck_assert_int_eq(mode__long(&r, &s, &m->mem, TABLES, CODE, STACK), 0);
        put(m, HANDLER, handler64, sizeof(handler64));
        put(m, NP_ENTRY, np64, sizeof(np64));
        for (int vector = 0; vector < 256; vector++)
            gate(m, vector, HANDLER, 1);
        gate(m, 11, NP_ENTRY, 1);
        s.idt.base = IDT;
        s.idt.limit = 256 * 16 - 1;
    }
    put(m, CODE, code, len);
    ck_assert_int_eq(vcpu__set_sregs(m->v, &s), 0);
    r.rflags = 0x2;
    ck_assert_int_eq(vcpu__set_regs(m->v, &r), 0);
}

static void machine_free(struct machine *m)
{
    tcg_vcpu__free(m->v);
    guest_mem__exit(&m->mem);
}

static struct kvm_regs regs(struct machine *m)
{
    struct kvm_regs r;

    ck_assert_int_eq(vcpu__get_regs(m->v, &r), 0);
    return r;
}

/* RIP as an address: CS base included in real mode. */
static uint64_t pc(struct machine *m)
{
    struct kvm_sregs s;

    ck_assert_int_eq(vcpu__get_sregs(m->v, &s), 0);
    return s.cs.base + regs(m).rip;
}

/* One run; returns the exit's kind. */
static enum vcpu_exit_kind run(struct machine *m, struct vcpu_exit *e)
{
    struct vcpu_exit ignored;

    if (!e)
        e = &ignored;
    ck_assert_int_eq(vcpu__run(m->v, e), 0);
    return e->kind;
}

/* One instruction (single-stepping). Returns the address of the next one. */
static uint64_t step(struct machine *m)
{
    ck_assert_int_eq(vcpu__single_step(m->v, 1), 0);
    ck_assert_int_eq(run(m, NULL), VCPU_EXIT_STEP);
    ck_assert_int_eq(vcpu__single_step(m->v, 0), 0);
    return pc(m);
}

/* Raises the pin as a controller does (with a kick): the next run returns at once with
 * VCPU_EXIT_INTR, nothing executed and nothing delivered. */
static void raise_pin(struct machine *m)
{
    struct vcpu_exit e;
    uint64_t before = tcg_vcpu__instructions(m->v), at = pc(m);
    int acks = m->acks;

    vcpu__set_intr_pin(m->v, 1);
    ck_assert_int_eq(run(m, &e), VCPU_EXIT_INTR);
    ck_assert_uint_eq(e.raw, KVM_EXIT_INTR);
    ck_assert_uint_eq(tcg_vcpu__instructions(m->v), before);
    ck_assert_uint_eq(pc(m), at);
    ck_assert_int_eq(m->acks, acks);
}

/* The return address an interrupt pushed, the stack being as the handler found it. */
static uint64_t pushed_rip(struct machine *m)
{
    struct kvm_regs r = regs(m);

    if (m->real)
        return REAL_SEG * 16 + get(m, REAL_SEG * 16 + (r.rsp & 0xffff), 2);
    return get(m, r.rsp, 8);
}

static uint32_t mp_state(struct machine *m)
{
    uint32_t state;

    ck_assert_int_eq(vcpu__get_mp_state(m->v, &state), 0);
    return state;
}

/* With IF clear the pin is ignored: the program runs to its HLT, and a run on the halted
 * CPU returns VCPU_EXIT_HLT again at once. */
START_TEST(if_clear_holds_interrupts_off)
{
    static const uint8_t code[] = {0xfa, 0x48, 0xff, 0xc3, 0x48, 0xff, 0xc3, 0xf4};
    struct machine m;

    machine_new(&m, 0, code, sizeof(code)); /* cli; inc rbx; inc rbx; hlt */
    set_if(&m, 1);
    step(&m); /* CLI */
    raise_pin(&m);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_int_eq(m.acks, 0);
    ck_assert_uint_eq(regs(&m).rbx, 2);
    ck_assert_uint_eq(regs(&m).rcx, 0);
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_HALTED);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_uint_eq(pc(&m), CODE + sizeof(code));
    ck_assert_int_eq(m.acks, 0);
    ck_assert_int_eq(atomic_load(&m.v->intr_pin), 1);
    machine_free(&m);
}
END_TEST

/* STI that sets IF: the instruction after it runs first; the interrupt comes at the
 * boundary after that one, in the step that runs the handler's first instruction. */
START_TEST(sti_shadow_delays_delivery_by_one_instruction)
{
    static const uint8_t code[] = {0xfb, 0x90, 0x90, 0xf4}; /* sti; nop; nop; hlt */
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    raise_pin(&m);
    ck_assert_uint_eq(step(&m), CODE + 1); /* STI */
    ck_assert_int_eq(m.acks, 0);
    ck_assert_uint_eq(step(&m), CODE + 2); /* the first NOP, in the shadow */
    ck_assert_int_eq(m.acks, 0);
    ck_assert_uint_eq(step(&m), HANDLER + 3); /* delivered, then INC RCX */
    ck_assert_int_eq(m.acks, 1);
    ck_assert_uint_eq(regs(&m).rcx, 1);
    ck_assert_uint_eq(pushed_rip(&m), CODE + 2);
    ck_assert_uint_eq(regs(&m).rflags & 0x200, 0); /* an interrupt gate clears IF */
    ck_assert_uint_eq(get(&m, regs(&m).rsp + 16, 8) & 0x200, 0x200);
    machine_free(&m);
}
END_TEST

/* STI with IF already set casts no shadow: the interrupt comes at the next boundary. */
START_TEST(sti_with_if_set_casts_no_shadow)
{
    static const uint8_t code[] = {0xfb, 0x90, 0x90, 0xf4};
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    set_if(&m, 1);
    ck_assert_uint_eq(step(&m), CODE + 1);
    raise_pin(&m);
    ck_assert_uint_eq(step(&m), HANDLER + 3);
    ck_assert_uint_eq(pushed_rip(&m), CODE + 1);
    machine_free(&m);
}
END_TEST

/* MOV SS: the instruction after it (the MOV to RSP, in real code) runs before any
 * interrupt. */
START_TEST(mov_ss_shadow_delays_delivery_by_one_instruction)
{
    /* mov eax, DATA; mov ss, eax; nop; nop; hlt */
    static const uint8_t code[] = {0xb8, GDT_SEL_DATA, 0, 0, 0, 0x8e, 0xd0, 0x90, 0x90, 0xf4};
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    set_if(&m, 1);
    step(&m);
    ck_assert_uint_eq(step(&m), CODE + 7); /* MOV SS */
    raise_pin(&m);
    ck_assert_uint_eq(step(&m), CODE + 8); /* the NOP in its shadow */
    ck_assert_int_eq(m.acks, 0);
    ck_assert_uint_eq(step(&m), HANDLER + 3);
    ck_assert_int_eq(m.acks, 1);
    ck_assert_uint_eq(pushed_rip(&m), CODE + 8);
    machine_free(&m);
}
END_TEST

/* Real mode: POP SS casts the same shadow; the IVT gives the handler, which IRET leaves
 * for the instruction that was next. */
START_TEST(pop_ss_shadow_and_the_ivt_in_real_mode)
{
    /* push ss; pop ss; nop; nop; inc bx; hlt */
    static const uint8_t code[] = {0x16, 0x17, 0x90, 0x90, 0x43, 0xf4};
    struct machine m;

    machine_new(&m, 1, code, sizeof(code));
    set_if(&m, 1);
    step(&m);
    ck_assert_uint_eq(step(&m), CODE + 2); /* POP SS */
    raise_pin(&m);
    ck_assert_uint_eq(step(&m), CODE + 3); /* the NOP in its shadow */
    ck_assert_int_eq(m.acks, 0);
    ck_assert_uint_eq(step(&m), HANDLER + 1); /* delivered, then INC CX */
    ck_assert_uint_eq(pushed_rip(&m), CODE + 3);
    ck_assert_uint_eq(regs(&m).rflags & 0x200, 0);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_IO); /* the handler's OUT */
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_uint_eq(pc(&m), CODE + sizeof(code));
    ck_assert_uint_eq(regs(&m).rbx, 1);
    ck_assert_uint_eq(regs(&m).rcx, 1);
    ck_assert_uint_eq(regs(&m).rflags & 0x200, 0x200); /* IRET gave IF back */
    machine_free(&m);
}
END_TEST

/* A whole round trip without stepping: raised during an I/O exit, taken after the OUT
 * completes, the handler runs, IRETQ returns, the program goes on to its HLT. */
START_TEST(handler_runs_and_iret_returns)
{
    /* sti; out 0x80, al; inc rbx; inc rbx; hlt */
    static const uint8_t code[] = {0xfb, 0xe6, 0x80, 0x48, 0xff, 0xc3, 0x48, 0xff, 0xc3, 0xf4};
    struct vcpu_exit e;
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_IO);
    vcpu__set_intr_pin(m.v, 1); /* while the VMM handles the OUT */
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_INTR);
    ck_assert_uint_eq(pc(&m), CODE + 3); /* the OUT completed first */
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_IO);
    ck_assert_uint_eq(e.io.port, 0x80);
    ck_assert_uint_eq(pc(&m), HANDLER + 3); /* at the OUT, which completes on the next run */
    ck_assert_uint_eq(pushed_rip(&m), CODE + 3);
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_HLT);
    ck_assert_uint_eq(pc(&m), CODE + sizeof(code));
    ck_assert_uint_eq(regs(&m).rbx, 2);
    ck_assert_uint_eq(regs(&m).rcx, 1);
    ck_assert_int_eq(m.acks, 1);
    machine_free(&m);
}
END_TEST

/* HLT with IF set: the CPU waits, runs do not pass the HLT, and an interrupt wakes it
 * with the address after the HLT pushed. Setting the registers also moves it on. */
START_TEST(hlt_then_interrupt_resumes_after_hlt)
{
    static const uint8_t code[] = {0xfb, 0xf4, 0x48, 0xff, 0xc3, 0xf4}; /* sti; hlt; inc rbx; hlt */
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_RUNNABLE);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_uint_eq(pc(&m), CODE + 2);
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_HALTED);
    uint64_t done = tcg_vcpu__instructions(m.v);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT); /* nothing to wake it */
    ck_assert_uint_eq(tcg_vcpu__instructions(m.v), done);
    ck_assert_uint_eq(regs(&m).rbx, 0);
    raise_pin(&m);
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_HALTED);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_IO); /* in the handler */
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_RUNNABLE);
    ck_assert_uint_eq(pushed_rip(&m), CODE + 2);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_uint_eq(pc(&m), CODE + sizeof(code));
    ck_assert_uint_eq(regs(&m).rbx, 1);
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_HALTED);
    struct kvm_regs r = regs(&m);
    ck_assert_int_eq(vcpu__set_regs(m.v, &r), 0);
    ck_assert_uint_eq(mp_state(&m), KVM_MP_STATE_RUNNABLE);
    machine_free(&m);
}
END_TEST

/* The acknowledge cycle may find the interrupt gone: then nothing is delivered. */
START_TEST(ack_of_minus_one_delivers_nothing)
{
    static const uint8_t code[] = {0x90, 0x90, 0xf4};
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    set_if(&m, 1);
    m.vector = -1;
    raise_pin(&m);
    ck_assert_int_eq(run(&m, NULL), VCPU_EXIT_HLT);
    ck_assert_int_eq(m.acks, 1);
    ck_assert_uint_eq(regs(&m).rcx, 0);
    ck_assert_uint_eq(pc(&m), CODE + sizeof(code));
    machine_free(&m);
}
END_TEST

/* An external interrupt is not an exception: vector 14 from the pin pushes no error
 * code; and a fault while delivering one (a gate not present) says EXT in its code. */
START_TEST(external_vector_is_no_exception_and_faults_say_ext)
{
    static const uint8_t code[] = {0x90, 0xf4};
    struct vcpu_exit e;
    struct machine m;

    machine_new(&m, 0, code, sizeof(code));
    set_if(&m, 1);
    m.vector = 14;
    raise_pin(&m);
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_IO);
    ck_assert_uint_eq(e.io.port, 0x80);
    ck_assert_uint_eq(pushed_rip(&m), CODE); /* a return address, not an error code */
    machine_free(&m);

    machine_new(&m, 0, code, sizeof(code));
    set_if(&m, 1);
    m.vector = 0x21;
    gate(&m, 0x21, HANDLER, 0);
    raise_pin(&m);
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_IO);
    ck_assert_uint_eq(e.io.port, 0x81); /* #NP's handler */
    uint64_t rsp = regs(&m).rsp;
    ck_assert_uint_eq(get(&m, rsp, 8), 0x21 * 8 + 2 + 1); /* IDT, EXT */
    ck_assert_uint_eq(get(&m, rsp + 8, 8), CODE);
    machine_free(&m);
}
END_TEST

/* ---- Kicks ---- */

struct kicker {
    struct machine *m;
    volatile uint64_t *counter; /* the guest's loop counter, seen from the host */
};

/* Waits until the guest's loop has gone round, then kicks its vCPU. */
static void *kick_later(void *arg)
{
    struct kicker *k = arg;
    struct timespec pause = {0, 1000000};

    while (__atomic_load_n(k->counter, __ATOMIC_RELAXED) < 1000)
        nanosleep(&pause, NULL);
    vcpu__kick(k->m->v);
    return NULL;
}

/* A kick from another thread ends a run of an endless loop at an instruction boundary:
 * RIP on one of the loop's two instructions, and the count in memory matching the
 * instructions done. The kick is used up: the next run steps normally. */
START_TEST(kick_from_another_thread_ends_an_endless_loop)
{
    /* 1: inc qword [COUNTER]; jmp 1b */
    static const uint8_t code[] = {0x48, 0xff, 0x04, 0x25, 0x00, 0x00, 0x04, 0x00, 0xeb, 0xf6};
    struct machine m;
    struct vcpu_exit e;
    pthread_t thread;

    machine_new(&m, 0, code, sizeof(code));
    struct kicker k = {&m, guest_mem__translate(&m.mem, COUNTER, 8)};
    ck_assert_ptr_nonnull((void *)k.counter);
    ck_assert_int_eq(pthread_create(&thread, NULL, kick_later, &k), 0);
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_INTR);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_uint_eq(e.raw, KVM_EXIT_INTR);
    uint64_t count = get(&m, COUNTER, 8), done = tcg_vcpu__instructions(m.v);
    ck_assert_uint_ge(count, 1000);
    if (pc(&m) == CODE)
        ck_assert_uint_eq(done, 2 * count);
    else
        ck_assert_msg(pc(&m) == CODE + 8 && done == 2 * count - 1,
                      "RIP 0x%llx after %llu instructions, count %llu", (unsigned long long)pc(&m),
                      (unsigned long long)done, (unsigned long long)count);
    uint64_t at = pc(&m);
    ck_assert_uint_ne(step(&m), at); /* the kick is gone */

    vcpu__kick(m.v); /* outside a run: the next one returns at once */
    at = pc(&m);
    ck_assert_int_eq(run(&m, &e), VCPU_EXIT_INTR);
    ck_assert_uint_eq(pc(&m), at);
    machine_free(&m);
}
END_TEST

TCase *intr_tests(void)
{
    TCase *tc = tcase_create("intr");

    tcase_add_test(tc, if_clear_holds_interrupts_off);
    tcase_add_test(tc, sti_shadow_delays_delivery_by_one_instruction);
    tcase_add_test(tc, sti_with_if_set_casts_no_shadow);
    tcase_add_test(tc, mov_ss_shadow_delays_delivery_by_one_instruction);
    tcase_add_test(tc, pop_ss_shadow_and_the_ivt_in_real_mode);
    tcase_add_test(tc, handler_runs_and_iret_returns);
    tcase_add_test(tc, hlt_then_interrupt_resumes_after_hlt);
    tcase_add_test(tc, ack_of_minus_one_delivers_nothing);
    tcase_add_test(tc, external_vector_is_no_exception_and_faults_say_ext);
    tcase_add_test(tc, kick_from_another_thread_ends_an_endless_loop);
    return tc;
}
