# build.mk - the build rules every part of stepvm shares (chapter 1).
#
# A chapter's Makefile sets TOP, includes this file, names its sources and guests, and
# includes chapter.mk. Everything built goes under $(BUILD): build/ normally, build/san/
# with SAN=1, build/tsan/ with SAN=thread, so a sanitizer build never mixes with a normal one.

SAN ?= 0
ifeq ($(SAN),1)
BUILD := $(TOP)/build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SAN),thread)
# ThreadSanitizer (make test TSAN=1): chapter 5's threads, for data races. -Wno-tsan: the
# fences in virtq.c order the VMM's accesses against the guest's CPUs, which ThreadSanitizer
# cannot see (it does not model fences); between the VMM's own threads the lock orders all.
BUILD := $(TOP)/build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
else
BUILD := $(TOP)/build
SANFLAGS :=
endif

CC ?= cc
CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -MMD -MP $(SANFLAGS) \
          -I$(TOP)/common
LDFLAGS := $(SANFLAGS)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
INSPECTOR_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncurses) -lZydis

# libcommon.a: shared vocabulary, built the same way from whichever Makefile asks. The
# inspector is in it too; a program that calls the inspector links INSPECTOR_LIBS as well.
# So is the x86 decoder (common/x86, chapter 6), which the inspector and interpreter share.
COMMON_SRCS := $(wildcard $(TOP)/common/*.c) $(wildcard $(TOP)/common/inspector/*.c) \
               $(wildcard $(TOP)/common/x86/*.c)
COMMON_OBJS := $(patsubst $(TOP)/common/%.c,$(BUILD)/obj/common/%.o,$(COMMON_SRCS))
COMMON_LIB := $(BUILD)/lib/libcommon.a
CHECK_HELPER_OBJS := $(BUILD)/obj/common/tests/check_helpers.o $(BUILD)/obj/common/tests/labs.o \
                     $(BUILD)/obj/common/tests/tui.o $(BUILD)/obj/common/tests/pty.o

$(BUILD)/obj/common/%.o: $(TOP)/common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

-include $(COMMON_OBJS:.o=.d) $(CHECK_HELPER_OBJS:.o=.d)
