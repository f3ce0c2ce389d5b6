# Lab umb-slot (chapter 2): RAM at 0xd0000-0xdffff, in a slot of its own.
runs() {
    kvm umb bin/ch2 --trace guests/ch2/lab-umb.elf
    kvm memmap bin/ch2
}
checks() {
    check "the guest finds 0xd0000-0xdffff in the memory map" out_has umb "lists 0xd0000-0xdffff: yes"
    check "what it writes there, it reads back" out_has umb "write and read back: ok"
    check "the guest ends happily (exit status 1)" status_is umb 1
    check "its writes are plain RAM writes: no MMIO exit" err_lacks umb MMIO
    check "the map still lists low RAM and the ROM" sh -c \
        "grep -q 'base 0x0000000000000000 length 0x00000000000a0000 type 1' $R/memmap.out &&
         grep -q 'base 0x00000000000f0000 length 0x0000000000001000 type 2' $R/memmap.out"
    check "the map lists the new RAM as available" \
        out_has memmap "base 0x00000000000d0000 length 0x0000000000010000 type 1"
}
