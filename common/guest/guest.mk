# guest.mk - how guests are built with the host's compiler and binutils (chapters 1 and 2).
#
# Chapter 1's guests are 16-bit real-mode code linked as flat binaries by flat.ld:
#   $(call flat_guest,CHAPTER,NAME,SOURCE) makes build/guests/chCHAPTER/NAME.bin.
# From chapter 2 on, guests are C programs on the runtime in common/guest (a Multiboot
# entry that switches to long mode, exception reports, a tiny libc, user_call):
#   $(call c_guest,CHAPTER,NAME,SOURCES) makes build/guests/chCHAPTER/NAME.elf
# from SOURCES (.c and .S files, absolute paths). Both are used as $(eval $(call ...)).

GUEST_ASFLAGS := -m32 -c -nostdlib -ffreestanding

define flat_guest
$(BUILD)/guests/ch$(1)/$(2).bin: $(3) $(TOP)/common/guest/flat.ld
	@mkdir -p $$(dir $$@) $(BUILD)/obj/guests/ch$(1)
	$$(CC) $$(GUEST_ASFLAGS) -o $(BUILD)/obj/guests/ch$(1)/$(2).o $(3)
	$$(LD) -m elf_i386 -T $(TOP)/common/guest/flat.ld -o $$@ $(BUILD)/obj/guests/ch$(1)/$(2).o
endef

# $(call asm_guest,CHAPTER,NAME,SOURCE,ADDR,BITS,FORMAT) makes NAME.bin (FORMAT bin: a
# flat binary linked at ADDR) or NAME.elf (FORMAT elf: an executable with one PT_LOAD
# segment at ADDR; ELF64 when BITS is 64, else ELF32) from one assembly SOURCE,
# preprocessed with -DBITS=BITS. Chapter 2 builds its payload this way for each CPU
# mode and each loader.
asm_guest_m = $(if $(filter 64,$(1)),-m64,-m32)
asm_guest_emul = $(if $(filter 64,$(1)),elf_x86_64,elf_i386)
define asm_guest
$(BUILD)/guests/ch$(1)/$(2).$(6): $(3) $(TOP)/common/guest/flat.ld
	@mkdir -p $$(dir $$@) $(BUILD)/obj/guests/ch$(1)
	$$(CC) $(call asm_guest_m,$(5)) -c -nostdlib -ffreestanding -DBITS=$(5) \
	    -o $(BUILD)/obj/guests/ch$(1)/$(2).o $(3)
	$$(LD) -m $(call asm_guest_emul,$(5)) -z max-page-size=0x1000 -z noexecstack \
	    $(if $(filter bin,$(6)),--defsym=flat_load_addr=$(4) -T $(TOP)/common/guest/flat.ld,\
	    -Ttext=$(4) -e _start -N --no-warn-rwx-segments) -o $$@ $(BUILD)/obj/guests/ch$(1)/$(2).o
endef

GUEST_DIR := $(TOP)/common/guest
OBJCOPY ?= objcopy

# Freestanding 64-bit code: no libc, no red zone (an exception would overwrite it), no
# SSE registers (nobody saves them), plain absolute addresses. -nostdinc with GCC's own
# include directory keeps <stdint.h> and <stdarg.h> but makes a host header such as the
# real <stdio.h> impossible to pick up by mistake. -fno-tree-loop-distribute-patterns stops
# GCC from turning memset's own loop into a call to memset. Of the rest of common/, guests
# see only common/hw, the hardware's names they share with the VMM's device models
# (<uart16550.h>); the VMM's own headers stay out of their reach.
GUEST_CFLAGS := -m64 -ffreestanding -nostdlib -mno-red-zone -mgeneral-regs-only \
                -fno-pic -fno-pie -fno-stack-protector -fcf-protection=none \
                -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                -O2 -Wall -Wextra -Werror -std=c11 -MMD -MP \
                -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
                -I$(GUEST_DIR)/include -I$(TOP)/common/hw
# -z noexecstack: the .S files carry no .note.GNU-stack; a guest has no such notion anyway.
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -z max-page-size=0x1000 -z noexecstack \
                 -T $(GUEST_DIR)/guest.ld

GUEST_RT_SRCS := boot.S vectors.S user.S start.c trap.c console.c printf.c string.c
GUEST_RT_OBJ := $(BUILD)/obj/guests/runtime
GUEST_RT_OBJS := $(addprefix $(GUEST_RT_OBJ)/,$(addsuffix .o,$(basename $(GUEST_RT_SRCS))))

$(GUEST_RT_OBJ)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_RT_OBJ)/%.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

-include $(GUEST_RT_OBJS:.o=.d)

# The device drivers of chapter 4 (interrupts, PIC, APICs, PIT, RTC, UART, virtio), and
# chapter 5's SMP support (fw_cfg, spinlocks, the AP trampoline and start-up), are an
# archive linked after the runtime: a guest gets only the modules it calls, so the guests
# of earlier chapters stay byte for byte what they were.
GUEST_DRV_SRCS := irq.c irqvec.S intc.c cmdline.c pic.c lapic.c ioapic.c pit.c rtc.c uart.c \
                  virtio.c virtio_blk.c watchdog.c fw_cfg.c spinlock.c smp.c ap.S
GUEST_DRV_OBJS := $(addprefix $(GUEST_RT_OBJ)/,$(addsuffix .o,$(basename $(GUEST_DRV_SRCS))))
GUEST_DRV_LIB := $(GUEST_RT_OBJ)/libdrivers.a

$(GUEST_DRV_LIB): $(GUEST_DRV_OBJS)
	$(AR) rcs $@ $^

-include $(GUEST_DRV_OBJS:.o=.d)

# One object of a C guest: $(call guest_object,OBJECT,SOURCE).
define guest_object
$(1): $(2)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(GUEST_CFLAGS) -c -o $$@ $$<
-include $(1:.o=.d)
endef

guest_objs = $(foreach s,$(3),$(BUILD)/obj/guests/ch$(1)/$(2)/$(basename $(notdir $(s))).o)

# [c-guest]
# Linked as a 64-bit ELF (kept as NAME.elf64 beside the objects, for objdump and gdb), then
# rewritten as a 32-bit ELF: QEMU's -kernel refuses a 64-bit ELF ("Cannot load x86-64
# image, give a 32bit one"), and a Multiboot loader enters in 32-bit mode anyway. The
# 64-bit code inside is just bytes to the loader.
define c_guest
$(foreach s,$(3),$(eval $(call guest_object,$(BUILD)/obj/guests/ch$(1)/$(2)/$(basename $(notdir $(s))).o,$(s))))
$(BUILD)/guests/ch$(1)/$(2).elf: $(call guest_objs,$(1),$(2),$(3)) $(GUEST_RT_OBJS) $(GUEST_DRV_LIB) $(GUEST_DIR)/guest.ld
	@mkdir -p $$(dir $$@)
	$$(LD) $$(GUEST_LDFLAGS) -o $(BUILD)/obj/guests/ch$(1)/$(2).elf64 $(call guest_objs,$(1),$(2),$(3)) $(GUEST_RT_OBJS) $(GUEST_DRV_LIB)
	$$(OBJCOPY) -O elf32-i386 $(BUILD)/obj/guests/ch$(1)/$(2).elf64 $$@
endef
# [c-guest]
