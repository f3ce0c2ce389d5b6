#!/bin/sh
# nested-qemu.sh - take this machine's qemu-system-x86_64 into the nested machine, for the
# benchmarks that run QEMU-KVM beside stepvm there (chapters 3 and 4).
#
# usage: nested-qemu.sh FILES_DIR
# Copies the binary, its libraries and the firmware it opens for a -kernel guest with
# -vga none -nic none (found with strace) into FILES_DIR/qemu, and prints the command that
# runs it inside, where FILES_DIR is /stepvm/files (nested-kvm.sh's $STEPVM_NESTED_FILES).
# Exits 1, printing nothing, when qemu-system-x86_64 is not installed.
set -eu

files=$1
qemu=$(command -v qemu-system-x86_64) || exit 1
mkdir -p "$files/qemu/lib" "$files/qemu/fw"
cp "$qemu" "$files/qemu/"
ldd "$qemu" | grep -o '/[^ ]*' | grep -v ld-linux | xargs -I{} cp -L {} "$files/qemu/lib/"
share=$(dirname "$qemu")/../share
for fw in bios-256k.bin kvmvapic.bin multiboot_dma.bin linuxboot_dma.bin; do
    for d in qemu seabios; do # Debian keeps SeaBIOS in its own directory
        [ ! -e "$share/$d/$fw" ] || { cp -L "$share/$d/$fw" "$files/qemu/fw/"; break; }
    done
done
echo "env LD_LIBRARY_PATH=/stepvm/files/qemu/lib /stepvm/files/qemu/$(basename "$qemu") -L /stepvm/files/qemu/fw"
