# chapter.mk - the targets of one chapter directory (chapter 1).
#
# Inputs: CHAPTER (1..6), CH_SRCS (the layer, without main.c), CH_DEPS (earlier chapter
# numbers whose libraries this one links), CH_LIBS (further -l flags for the program and
# the test suite, such as $(INSPECTOR_LIBS)), CH_FLAT_GUESTS (chapter 1's .S guests),
# CH_C_GUESTS (C guests from chapter 2 on: NAME is built from guest/NAME.c, or from the
# files that CH_GUEST_SRCS_NAME lists, relative to the chapter's guest/ directory).
# Outputs: build/lib/libchN.a, build/bin/chN, build/guests/chN/*, build/tests/check_chN.

CH_DIR := $(TOP)/$(shell cd $(TOP) && ls -d chapters/0$(CHAPTER)-*)
CH_OBJ := $(BUILD)/obj/ch$(CHAPTER)
CH_LIB := $(BUILD)/lib/libch$(CHAPTER).a
CH_BIN := $(BUILD)/bin/ch$(CHAPTER)
CH_TEST := $(BUILD)/tests/check_ch$(CHAPTER)
CH_OBJS := $(patsubst %.c,$(CH_OBJ)/%.o,$(CH_SRCS))
CH_TEST_SRCS := $(wildcard $(CH_DIR)/tests/*.c)
CH_TEST_OBJS := $(patsubst $(CH_DIR)/tests/%.c,$(CH_OBJ)/tests/%.o,$(CH_TEST_SRCS))
# Later chapters link earlier layers (newest first, so the linker finds every symbol).
CH_DEP_LIBS := $(foreach n,$(CH_DEPS),$(BUILD)/lib/libch$(n).a)
CH_INCLUDES := -I$(CH_DIR) $(foreach n,$(CH_DEPS),-I$(TOP)/$(shell cd $(TOP) && ls -d chapters/0$(n)-*))
CH_GUEST_BINS := $(foreach g,$(CH_FLAT_GUESTS),$(BUILD)/guests/ch$(CHAPTER)/$(g).bin) \
                 $(foreach g,$(CH_C_GUESTS),$(BUILD)/guests/ch$(CHAPTER)/$(g).elf)
# Files that go with guests (what a guest must print, inspector scripts) are copied
# beside them: tests may run in the nested machine, which has only build/.
CH_GUEST_DATA := $(addprefix $(BUILD)/guests/ch$(CHAPTER)/,\
                 $(notdir $(wildcard $(CH_DIR)/guest/*.expected $(CH_DIR)/guest/*.script)))
# So do the inspector's golden transcripts and their scripts (tests/golden), under golden/.
CH_GOLDEN := $(addprefix $(BUILD)/guests/ch$(CHAPTER)/golden/,\
                 $(notdir $(wildcard $(CH_DIR)/tests/golden/*)))

.DEFAULT_GOAL := all
all: $(CH_BIN) guests $(CH_TEST)
guests: $(CH_GUEST_BINS) $(CH_GUEST_DATA) $(CH_GOLDEN)
.PHONY: all guests

$(CH_OBJ)/%.o: $(CH_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CH_INCLUDES) -c -o $@ $<

$(CH_LIB): $(CH_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# An earlier chapter's library is built by that chapter's own Makefile, so that
# 'make -C chapters/NN-name' works on a fresh tree. (The top-level build goes in order.)
$(filter-out $(CH_LIB),$(CH_DEP_LIBS)): $(BUILD)/lib/libch%.a:
	$(MAKE) --no-print-directory -C $(wildcard $(TOP)/chapters/0$*-*) SAN=$(SAN) $@

$(CH_BIN): $(CH_OBJ)/main.o $(CH_LIB) $(CH_DEP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CH_LIBS)

$(BUILD)/obj/common/tests/%.o: $(TOP)/common/tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags check 2>/dev/null) -c -o $@ $<

$(CH_OBJ)/tests/%.o: $(CH_DIR)/tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CH_INCLUDES) -I$(TOP)/common/tests $(shell pkg-config --cflags check 2>/dev/null) -c -o $@ $<

$(CH_TEST): $(CH_TEST_OBJS) $(CHECK_HELPER_OBJS) $(CH_LIB) $(CH_DEP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CH_LIBS) $(CHECK_LIBS)

$(BUILD)/guests/ch$(CHAPTER)/%.expected: $(CH_DIR)/guest/%.expected
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/guests/ch$(CHAPTER)/%.script: $(CH_DIR)/guest/%.script
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/guests/ch$(CHAPTER)/golden/%: $(CH_DIR)/tests/golden/%
	@mkdir -p $(dir $@)
	cp $< $@

include $(TOP)/common/guest/guest.mk
$(foreach g,$(CH_FLAT_GUESTS),$(eval $(call flat_guest,$(CHAPTER),$(g),$(CH_DIR)/guest/$(g).S)))
$(foreach g,$(CH_C_GUESTS),$(eval $(call c_guest,$(CHAPTER),$(g),\
    $(addprefix $(CH_DIR)/guest/,$(or $(CH_GUEST_SRCS_$(g)),$(g).c)))))

-include $(CH_OBJS:.o=.d) $(CH_OBJ)/main.d $(CH_TEST_OBJS:.o=.d)
