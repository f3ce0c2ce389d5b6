/*
 * irq.c - the host's clock for devices that keep time (see irq.h; chapter 4).
 */
#include "irq.h"

#include <time.h>

static uint64_t host_now_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct vclock vclock_host = {host_now_ns, NULL};
