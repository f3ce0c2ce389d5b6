/*
 * user.h - run a function at CPL3 (chapter 2).
 *
 * Some machines emulate every instruction a guest runs at CPL0 but run 64-bit CPL3 code
 * natively, so the book's guests put their heavy loops in user mode.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

/**
 * Calls fn(arg) at CPL3, on the runtime's user stack, with RFLAGS.IOPL = 3 so that it may
 * still use IN and OUT (printf works), and returns its result at CPL0.
 *
 * Every page is user-accessible, so fn sees all of memory. It must not call user_call
 * itself, nor run privileged instructions (a `#GP` ends the guest with a report).
 */
long user_call(long (*fn)(void *), void *arg);

#endif
