/*
 * inspector_tests.h - the inspector's tests in chapter 3's suite (inspector.c): its
 * commands and panes on a scripted vCPU, and batch and TUI runs on KVM.
 */
#ifndef STEPVM_INSPECTOR_TESTS_H
#define STEPVM_INSPECTOR_TESTS_H

#include "check_helpers.h"

/** The commands, panes and disassembly on a fake vCPU; no KVM needed. */
TCase *inspector_tests(void);

/** Adds the --batch golden transcripts and the TUI in tmux, which need KVM. */
void add_inspector_kvm_tests(Suite *s);

#endif
