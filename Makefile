# stepvm - build, run and test the hypervisor, one chapter a layer.
#
#   make run         install what is missing, build, boot Debian's Linux on the complete system
#                    (build/bin/stepvm: KVM when usable, else its interpreter); ARGS='GUEST ...'
#                    runs build/bin/stepvm on those arguments instead
#   make test        install what is missing, build everything, run every test suite
#   make test SAN=1  the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make test TSAN=1 chapter 5's suite (several vCPUs, a thread each) under ThreadSanitizer
#   make chapter-N   build and run chapter N's program (ARGS='...' passes arguments)
#   make inspect-N   open chapter N's default guest (or ARGS) in the inspector (N >= 3;
#                    make inspect-6 needs no KVM)
#   make grade-N LAB=name   grade a lab of chapter N
#   make book        the textbook and API reference, with Doxygen, into build/book
#   make bench       build, then run every chapter's benchmark (chapters/*/bench/run.sh)
#   make fuzz        fuzz chapter 4's virtio devices with clang's libFuzzer (FUZZ_RUNS inputs)
#   make deps        install the Debian packages stepvm needs (with sudo when not root)

SAN ?= 0
TSAN ?= 0
ifeq ($(TSAN),1)
SAN := thread
endif
CHAPTER_DIRS := $(sort $(dir $(wildcard chapters/0*/Makefile)))
ifeq ($(SAN),1)
BUILD := build/san
else ifeq ($(SAN),thread)
# ThreadSanitizer looks at what has threads: chapter 5's machine, and stepvm on it. Its
# test run is chapter 5's suite (on KVM: in the nested machine here), with every vCPU a
# thread and the inspector, the event loop and the signals beside them.
BUILD := build/tsan
CHAPTER_DIRS := chapters/05-smp/ chapters/06-tcg/
TEST_SUITES := check_ch5
else
BUILD := build
endif

.PHONY: all deps build run test book bench fuzz clean

all: build

deps:
	@sh common/scripts/deps.sh

build: deps
	@$(MAKE) --no-print-directory -s -C common SAN=$(SAN)
	@for d in $(CHAPTER_DIRS); do \
	    $(MAKE) --no-print-directory -s -C $$d SAN=$(SAN) || exit 1; done

# The complete system takes KVM when it is usable and otherwise runs on its interpreter.
# With no ARGS it boots chapter 4's Linux guest (fetched and built once; see linux/run.sh).
run: build
	@if [ -n '$(ARGS)' ]; then $(BUILD)/bin/stepvm $(ARGS); \
	else sh chapters/06-tcg/linux/run.sh $(BUILD); fi

test: build
	@STEPVM_SUITES='$(TEST_SUITES)' sh common/scripts/run-tests.sh $(BUILD)

# Chapters 1-4 need KVM: without a usable /dev/kvm they run in the nested machine
# (common/scripts/run.sh). Chapter 6 has its interpreter to fall back on. Chapter 4's
# default guest is an echo shell: in the nested machine, with no terminal, a line and exit
# are typed (a guest that reads no input ignores them).
chapter-%: build
	@if [ $* -ge 6 ]; then $(BUILD)/bin/ch$* $(ARGS); else \
	    STEPVM_NESTED_INPUT='$(if $(filter 4,$*),hello\nexit\n)' \
	    sh common/scripts/run.sh $(BUILD) bin/ch$* $(ARGS); fi

# The inspector is interactive: it needs a terminal, and a usable /dev/kvm on this host
# before chapter 6 (whose program falls back to its interpreter).
inspect-%: build
	@test -x $(BUILD)/bin/ch$* && [ $* -ge 3 ] || { echo "make inspect-N: chapters 3 and later have the inspector"; exit 1; }
	@if [ $* -ge 6 ] || sh common/scripts/kvm-usable.sh; then $(BUILD)/bin/ch$* --inspect $(ARGS); else \
	    echo "make inspect-$*: the inspector needs a usable /dev/kvm here. Without one, its batch"; \
	    echo "mode runs in the nested machine: make chapter-$* ARGS='--batch --batch-script FILE'"; \
	    exit 1; fi

grade-%: build
	@test -n "$(LAB)" || { echo "usage: make grade-$* LAB=name (labs: $$(ls chapters/0$*-*/labs))"; exit 1; }
	@sh common/scripts/grade.sh $* '$(LAB)' $(BUILD)

# The book shows a screen of the inspector that it captures from the built stepvm.
book: build
	@sh common/scripts/deps.sh book
	@sh common/scripts/book.sh

# Each chapter's benchmark prints its own table, side by side with its limit and QEMU.
bench: build
	@for b in $(wildcard chapters/0*/bench/run.sh); do sh $$b $(BUILD) || exit 1; done

# Not part of 'make test': FUZZ_RUNS (default 10000000) inputs take minutes.
fuzz:
	@$(MAKE) --no-print-directory -C chapters/04-devices/fuzz $(if $(FUZZ_RUNS),FUZZ_RUNS=$(FUZZ_RUNS))

clean:
	rm -rf build
