#!/bin/sh
# run.sh - 'make run': the complete system (build/bin/stepvm) boots Debian's Linux, on KVM
# when it is usable and on the interpreter otherwise (stepvm's --accel=auto says which).
# The guest is chapter 4's (chapters/04-devices/linux): Debian's kernel package, fetched
# once, a busybox initramfs and a virtio disk, made once into BUILD/guests/linux.
#
# usage: run.sh BUILD_DIR [STEPVM_ARGS...]
# At a terminal, /init ends in a busybox shell on COM1 ('exit' or Ctrl-A x leaves).
# Without one (a script, CI), /init shows the kernel, its CPUs, floating point in a user
# program and the virtio disk, then powers the machine off: the run ends by itself, with
# status 0 when every step passed. The guest writes to a copy of the disk.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [STEPVM_ARGS...]" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(cd "$1" && pwd)
shift
linux="$build/guests/linux"
if [ ! -f "$linux/disk.sha256" ]; then
    echo "run: Debian's kernel and a busybox initramfs are needed once: fetching the packages" \
        "(about 100 MB, apt-get download) and building into $linux" >&2
    sh "$top/chapters/04-devices/linux/mkinitramfs.sh" "$linux"
fi
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
cp "$linux/disk.img" "$run/disk.img"
append='console=ttyS0'
if [ -t 0 ] && [ -t 1 ]; then
    append="$append stepvm.shell"
    echo "run: booting Linux; a shell follows on this terminal ('exit' powers off, Ctrl-A x quits)" >&2
else
    echo "run: booting Linux (no terminal: /init runs its checks and powers off)" >&2
fi
exec "$build/bin/stepvm" --mem 256M --virtio-console --disk "$run/disk.img" \
    --initrd "$linux/initramfs.cpio.gz" --append "$append" "$@" "$linux/vmlinuz"
