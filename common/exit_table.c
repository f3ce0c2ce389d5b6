/*
 * exit_table.c - the rows of exit statistics (see exit_table.h; chapter 3).
 */
#include "exit_table.h"

struct exit_key exit_table__key(const struct vcpu_exit *e)
{
    struct exit_key key = {.kind = e->kind};

    if (e->kind == VCPU_EXIT_IO)
        key.where = e->io.port;
    else if (e->kind == VCPU_EXIT_MMIO)
        key.where = e->mmio.addr;
    return key;
}

int exit_table__row(struct exit_key *keys, int *n, int max, struct exit_key key)
{
    for (int i = 0; i < *n; i++)
        if (keys[i].kind == key.kind && keys[i].where == key.where)
            return i;
    if (*n == max)
        return -1;
    keys[*n] = key;
    return (*n)++;
}
