#!/bin/sh
# mkinitramfs.sh - build chapter 4's Linux guest from Debian's own packages: the kernel,
# an initramfs holding busybox, the virtio drivers and ./init, and a disk for virtio-blk.
#
# usage: mkinitramfs.sh OUT_DIR
# Writes into OUT_DIR:
#   vmlinuz             Debian's kernel, a bzImage, as the package has it
#   initramfs.cpio.gz   busybox (static) with its applets, the modules virtio_mmio,
#                       virtio_blk and virtio_console with what they depend on, /init,
#                       and /bin/fpdemo (fpdemo.c, linked statically with the host's gcc
#                       and glibc; left out, with a note, when they cannot link it)
#   disk.img            a 4 MiB raw disk whose first bytes are a tar archive holding
#                       hello.txt (no file system: busybox tar reads /dev/vda itself)
#   disk.sha256         the sha256 of hello.txt, as computed here
# The packages come through common/scripts/debian-kernel.sh (cached in build/nested, or
# $STEPVM_NESTED_CACHE). Exits 77 after a 'SKIPPED: ...' line when they cannot be had.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
mkdir -p "$1" && out=$(cd "$1" && pwd)

cache=$(sh "$top/common/scripts/debian-kernel.sh") || { rc=$?; echo "$cache"; exit "$rc"; }
bb="$cache/pkg/bin/busybox"
moddir=$(ls -d "$cache"/pkg/lib/modules/*-amd64 | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# modfile NAME: the module's file in the package ('_' and '-' are the same in names).
modfile() {
    find "$moddir/kernel" -name "$(echo "$1" | sed 's/[_-]/[_-]/g').ko*" | head -n 1
}

# add_module NAME: copies NAME into the initramfs after what it depends on, and appends
# it to mods/order. The package has no modules.dep: each module names its dependencies
# in its own .modinfo section ("depends=a,b"), which is all depmod reads either.
add_module() {
    grep -qx "$1" "$work/root/mods/order" 2>/dev/null && return 0
    f=$(modfile "$1")
    [ -n "$f" ] || { echo "mkinitramfs: module $1 not in $moddir" >&2; exit 1; }
    case $f in
    *.ko) cp "$f" "$work/$1.ko" ;;
    *.ko.xz) "$bb" unxz -c "$f" > "$work/$1.ko" ;;
    *.ko.gz) "$bb" gunzip -c "$f" > "$work/$1.ko" ;;
    *) echo "mkinitramfs: $f: busybox cannot unpack this module" >&2; exit 1 ;;
    esac
    deps=$(tr '\0' '\n' < "$work/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' ')
    mv "$work/$1.ko" "$work/root/mods/$1.ko"
    for d in $deps; do add_module "$d"; done
    grep -qx "$1" "$work/root/mods/order" 2>/dev/null || echo "$1" >> "$work/root/mods/order"
}

echo "mkinitramfs: kernel $(basename "$moddir"), busybox $("$bb" | head -n 1 | cut -d ' ' -f 2)" >&2
mkdir -p "$work/root/bin" "$work/root/mods" "$work/root/etc" "$work/root/tmp" \
    "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$bb" "$work/root/bin/busybox"
for app in $("$bb" --list); do
    [ "$app" = busybox ] || ln -s busybox "$work/root/bin/$app"
done
for m in virtio_mmio virtio_blk virtio_console; do add_module "$m"; done
cp "$here/init" "$work/root/init" && chmod +x "$work/root/init"
if cc -O2 -static -o "$work/root/bin/fpdemo" "$here/fpdemo.c" -lm 2>"$work/cc.log"; then
    :
else
    echo "mkinitramfs: no static C toolchain (gcc, libc6-dev): /bin/fpdemo left out" >&2
    rm -f "$work/root/bin/fpdemo"
fi

# The disk: hello.txt, a few KiB so that a read spans several sectors, in a tar archive
# at sector 0, the rest zeros. The init compares what it reads with disk.sha256.
mkdir "$work/disk"
{ echo "hello from the stepvm disk"; seq 1 2000; } > "$work/disk/hello.txt"
(cd "$work/disk" && sha256sum hello.txt | cut -d ' ' -f 1) > "$out/disk.sha256"
cp "$out/disk.sha256" "$work/root/etc/disk.sha256"
dd if=/dev/zero of="$work/disk.img" bs=1024 count=4096 2>/dev/null
(cd "$work/disk" && "$bb" tar -cf - hello.txt) |
    dd of="$work/disk.img" conv=notrunc 2>/dev/null
mv "$work/disk.img" "$out/disk.img"

(cd "$work/root" && find . | "$bb" cpio -o -H newc 2>/dev/null) | gzip -9 > "$out/initramfs.cpio.gz"
cp "$cache/vmlinuz" "$out/vmlinuz"
echo "mkinitramfs: $out: vmlinuz initramfs.cpio.gz disk.img disk.sha256" \
    "(modules: $(tr '\n' ' ' < "$work/root/mods/order"| sed 's/ $//'))" >&2
