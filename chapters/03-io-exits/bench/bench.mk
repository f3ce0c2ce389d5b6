# bench.mk - chapter 3's exit benchmark programs (included by the chapter's Makefile):
# build/bin/bench-bare, a bare KVM_RUN loop on chapter 2's machine (the limit), and
# build/bin/bench-path, stepvm's exit path (vmm__run). Their guest, bench-exits.elf, is
# one of the chapter's C guests; bench/run.sh runs them side by side with QEMU-KVM.

BENCH_OBJS := $(CH_OBJ)/bench/bench.o
all: $(BUILD)/bin/bench-bare $(BUILD)/bin/bench-path

$(BUILD)/bin/bench-bare: $(CH_OBJ)/bench/bare.o $(BENCH_OBJS) $(BUILD)/lib/libch2.a \
                         $(BUILD)/lib/libch1.a $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/bench-path: $(CH_OBJ)/bench/path.o $(BENCH_OBJS) $(CH_LIB) $(CH_DEP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CH_LIBS)

-include $(CH_OBJ)/bench/bare.d $(CH_OBJ)/bench/path.d $(BENCH_OBJS:.o=.d)
