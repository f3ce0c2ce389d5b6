/*
 * lab-fairness.c - the ticket-lock lab's guest: how fair the runtime's spinlock is.
 *
 * Part 1, a free-for-all: every CPU takes the lock again and again for RACE_MS, and counts
 * its acquisitions. The counts add up only if the lock excludes (a plain ++ of a shared
 * counter under it must come to their sum); their spread (most / fewest) is the fairness
 * figure.
 * Part 2, the queue's order: in each of ROUNDS rounds the BSP holds the lock while the APs
 * come to it one at a time, in an order that changes from round to round, each well after
 * the one before; then it lets go. A FIFO lock grants it in the order they came.
 * Exits 0 when the counts add up and every round was granted in arrival order, else 1.
 */
#include <atomic.h>
#include <irq.h>
#include <multiboot.h>
#include <pit.h>
#include <smp.h>
#include <spinlock.h>
#include <stdio.h>
#include <x86.h>

#define RACE_MS    200 /* part 1's length */
#define ROUNDS     10
#define ARRIVAL_US 50000 /* between one AP's arrival and the next's: it is waiting by then */

static int ncpus;
static struct spinlock lock = SPINLOCK_INIT;

/* Part 1. Under the lock: */
static volatile long taken;               /* acquisitions so far */
static volatile long plain;               /* the same, counted with a plain ++ */
static volatile long count[SMP_MAX_CPUS]; /* each CPU's own; one writer each */
static volatile long started, finished;   /* CPUs that began and ended part 1 */
static volatile long stop;                /* the BSP's word: part 1 is over */
static uint64_t race_end;                 /* when, by the TSC */

/* Part 2. go[cpu] = r + 1 sends the AP to the lock in round r; it answers with
 * arrived[cpu] = r + 1 just before it calls spin_lock. Under the lock: granted, in the
 * order the lock was granted. */
static volatile long go[SMP_MAX_CPUS], arrived[SMP_MAX_CPUS];
static volatile int granted[SMP_MAX_CPUS];
static volatile long ngranted;

static void free_for_all(int cpu)
{
    atomic_add(&started, 1);
    while (atomic_read(&started) < ncpus)
        cpu_relax();
    while (!atomic_read(&stop)) {
        spin_lock(&lock);
        taken++;
        plain = plain + 1;
        count[cpu]++;
        spin_unlock(&lock);
        if (cpu == 0 && rdtsc() > race_end)
            atomic_write(&stop, 1);
    }
    atomic_add(&finished, 1);
}

/* An AP's part 2: each round, when sent, come to the lock and note the grant. */
static void queue_rounds(int cpu)
{
    for (long r = 0; r < ROUNDS; r++) {
        while (atomic_read(&go[cpu]) != r + 1)
            cpu_relax();
        atomic_write(&arrived[cpu], r + 1);
        spin_lock(&lock);
        granted[ngranted++] = cpu;
        spin_unlock(&lock);
    }
}

static void ap_main(int cpu)
{
    free_for_all(cpu);
    queue_rounds(cpu);
    for (;;)
        wait_for_interrupt();
}

/* The k-th AP to come in round r: rotations and reversals, so every order occurs. */
static int nth_arrival(int r, int k)
{
    int aps = ncpus - 1;
    int i = r % 2 ? aps - 1 - k : k;
    return 1 + (i + r / 2) % aps;
}

/* Part 2 on the BSP. Returns the rounds granted in arrival order. */
static int queue_order(void)
{
    int in_order = 0;

    for (int r = 0; r < ROUNDS; r++) {
        spin_lock(&lock);
        ngranted = 0;
        for (int k = 0; k < ncpus - 1; k++) {
            int ap = nth_arrival(r, k);
            atomic_write(&go[ap], r + 1);
            while (atomic_read(&arrived[ap]) != r + 1)
                cpu_relax();
            pit_delay_us(ARRIVAL_US);
        }
        spin_unlock(&lock);
        while (atomic_read(&ngranted) < ncpus - 1)
            cpu_relax();
        spin_lock(&lock);
        int same = 1;
        for (int k = 0; k < ncpus - 1; k++)
            same &= granted[k] == nth_arrival(r, k);
        spin_unlock(&lock);
        printf("round %d: came", r);
        for (int k = 0; k < ncpus - 1; k++)
            printf(" %d", nth_arrival(r, k));
        printf(", granted");
        for (int k = 0; k < ncpus - 1; k++)
            printf(" %d", granted[k]);
        printf("\n");
        in_order += same;
    }
    return in_order;
}

int main(uint32_t magic, const struct multiboot_info *mbi)
{
    long most = 0, fewest = -1, sum = 0;
    uint64_t t0 = rdtsc();

    (void)magic;
    (void)mbi;
    pit_delay_us(10000); /* the TSC's rate, for part 1's end */
    uint64_t tsc_per_ms = (rdtsc() - t0) / 10;
    ncpus = smp_cpus();
    if (ncpus < 3 || smp_start(ap_main) != ncpus) {
        printf("fairness: needs 3 or more CPUs, all started\n");
        return 1;
    }
    race_end = rdtsc() + RACE_MS * tsc_per_ms; /* before the APs pass the barrier */
    free_for_all(0);
    while (atomic_read(&finished) < ncpus)
        cpu_relax();
    for (int cpu = 0; cpu < ncpus; cpu++) {
        printf("cpu %d: %ld acquisitions\n", cpu, count[cpu]);
        sum += count[cpu];
        most = count[cpu] > most ? count[cpu] : most;
        fewest = fewest < 0 || count[cpu] < fewest ? count[cpu] : fewest;
    }
    int exact = sum == taken && plain == taken;
    printf("totals: %ld acquisitions, counted %ld: %s\n", sum, plain, exact ? "exact" : "WRONG");
    if (fewest > 0)
        printf("fairness: most/fewest %ld.%02ld\n", most / fewest, most * 100 / fewest % 100);
    else
        printf("fairness: most/fewest infinite (a CPU never got the lock)\n");
    int in_order = queue_order();
    printf("fifo: %d of %d rounds granted in arrival order: %s\n", in_order, ROUNDS,
           in_order == ROUNDS ? "yes" : "no");
    return !(exact && in_order == ROUNDS);
}
