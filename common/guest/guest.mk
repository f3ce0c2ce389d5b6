# guest.mk - how guests are built from assembly with the host's binutils (chapter 1).
#
# Chapter 1's guests are 16-bit real-mode code linked as flat binaries by flat.ld.
# $(call flat_guest,CHAPTER,NAME,SOURCE) makes build/guests/chCHAPTER/NAME.bin.

GUEST_ASFLAGS := -m32 -c -nostdlib -ffreestanding

define flat_guest
$(BUILD)/guests/ch$(1)/$(2).bin: $(3) $(TOP)/common/guest/flat.ld
	@mkdir -p $$(dir $$@) $(BUILD)/obj/guests/ch$(1)
	$$(CC) $$(GUEST_ASFLAGS) -o $(BUILD)/obj/guests/ch$(1)/$(2).o $(3)
	$$(LD) -m elf_i386 -T $(TOP)/common/guest/flat.ld -o $$@ $(BUILD)/obj/guests/ch$(1)/$(2).o
endef
