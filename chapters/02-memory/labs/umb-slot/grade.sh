# Lab umb-slot (chapter 2): RAM at 0xd0000-0xdffff, in a slot of its own.
runs() {
    kvm umb bin/ch2 --trace guests/ch2/lab-umb.elf
    kvm memmap bin/ch2
}
# The memory map the default guest prints still has low RAM and the ROM as before.
map_keeps_the_rest() {
    expected="memmap's map has low RAM (base 0, length 0xa0000, type 1) and the ROM"
    expected="$expected (base 0xf0000, length 0x1000, type 2), as before the lab"
    seen="its map: $(grep 'base 0x' "$R/memmap.out" 2>/dev/null | sed 's/  */ /g' | tr '\n' '|')"
    [ -n "$(grep 'base 0x' "$R/memmap.out" 2>/dev/null)" ] || seen=$(describe memmap)
    grep -q 'base 0x0000000000000000 length 0x00000000000a0000 type 1' "$R/memmap.out" &&
        grep -q 'base 0x00000000000f0000 length 0x0000000000001000 type 2' "$R/memmap.out"
}
checks() {
    check "the guest finds 0xd0000-0xdffff in the memory map" out_has umb "lists 0xd0000-0xdffff: yes"
    check "what it writes there, it reads back" out_has umb "write and read back: ok"
    check "the guest ends happily (exit status 1)" status_is umb 1
    check "its writes are plain RAM writes: no MMIO exit" err_lacks umb MMIO
    check "the map still lists low RAM and the ROM" map_keeps_the_rest
    check "the map lists the new RAM as available" \
        out_has memmap "base 0x00000000000d0000 length 0x0000000000010000 type 1"
}
