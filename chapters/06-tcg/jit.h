/*
 * jit.h - the JIT of chapter 6 (--tcg=jit): hot translation blocks compiled to x86-64 host
 * code (jit.c), which runs common instructions inline and calls the interpreter for the rest.
 */
#ifndef STEPVM_TCG_JIT_H
#define STEPVM_TCG_JIT_H

#include "block.h"

#include <stddef.h>
#include <stdint.h>

/**
 * A compiled block: runs b from its first instruction. Returns 0 when it ran to its end
 * (as run_block's STEP_BRANCH), else what tcg__jit_step or tcg__jit_events returned that
 * was not 0 (tcg.c's enum step). A fault longjmps out of it, as out of any handler.
 */
typedef int (*jit_code)(struct tcg_cpu *c, struct vcpu_exit *exit);

/** One vCPU's code buffer; NULL with the error set when it cannot be made (or the host is
 * not x86-64). */
struct tcg_jit *jit__new(void);
void jit__free(struct tcg_jit *j);

/** Host bytes it takes (its code buffer). */
size_t jit__bytes(const struct tcg_jit *j);

/** Instructions its host code handed to the interpreter (tcg__jit_step) so far. */
uint64_t jit__stepped(const struct tcg_jit *j);

/** Whether this host can run the JIT's code at all (an x86-64 host). */
int jit__supported(void);

/**
 * b's host code, compiled now if b has run often enough (the hot threshold), else NULL:
 * then b runs in the interpreter, as block mode runs it. A full code buffer is emptied
 * whole first: every block's host code is forgotten (the buffer's generation moves on).
 */
jit_code jit__code(struct tcg_jit *j, struct tcg_block *b);

/**
 * Chaining (jit.c's [jit-chain]): before a block's code runs, jit__entered(j, b, page, NULL)
 * says which block it is and the linear page it was entered in; after the code returned 0,
 * jit__entered(j, NULL, 0, &page) returns the block whose code ran last, and its page:
 * the code may have gone on through blocks chained to it.
 */
struct tcg_block *jit__entered(struct tcg_jit *j, struct tcg_block *b, uint64_t page,
                               uint64_t *last_page);

/* What the host code calls (tcg.c). Both return 0 to go on with the next instruction of
 * the block, else the enum step that ends it. */

/** Runs op's instruction as step() does: executes it, commits it, looks at the boundary. */
int tcg__jit_step(struct tcg_cpu *c, const struct tcg_op *op, struct vcpu_exit *exit);

/** The boundary after an instruction the host code ran, when c->events is not 0. */
int tcg__jit_events(struct tcg_cpu *c, struct vcpu_exit *exit);

#endif
