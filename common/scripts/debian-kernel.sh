#!/bin/sh
# debian-kernel.sh - fetch Debian's kernel package and busybox-static, and unpack them
# into a cache directory, once. Shared by the nested machine (nested-kvm.sh) and chapter
# 4's Linux guest (chapters/04-devices/linux/mkinitramfs.sh).
#
# usage: debian-kernel.sh [CACHE_DIR]
# CACHE_DIR defaults to $STEPVM_NESTED_CACHE, else build/nested. On success, prints the
# cache directory's absolute path, which then holds:
#   vmlinuz                 the kernel (a bzImage)
#   pkg/lib/modules/VER/    its modules (uncompressed .ko files, no modules.dep)
#   pkg/bin/busybox         busybox, statically linked
# When the packages cannot be had, prints one 'SKIPPED: Debian kernel: REASON' line on
# standard output and exits 77, the status test drivers read as "skipped".
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache="${1:-${STEPVM_NESTED_CACHE:-$top/build/nested}}"
skip() { echo "SKIPPED: Debian kernel: $*"; exit 77; }

command -v apt-get >/dev/null || skip "apt-get not found (a Debian or Ubuntu host is needed)"
mkdir -p "$cache" && cache=$(cd "$cache" && pwd) && cd "$cache"

# [fetch] The kernel and busybox come as Debian packages, unpacked here, never installed.
# Several runs may start at once (the test suites run some side by side): the first one
# downloads and unpacks under a lock, and leaves a stamp; the others wait, then find it.
exec 9> "$cache/.lock"
flock 9
if [ ! -f ready ]; then
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
           sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
    [ -n "$kpkg" ] || skip "cannot resolve linux-image-amd64 (run 'apt-get update')"
    for pkg in "$kpkg" busybox-static; do
        if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
            echo "Debian kernel: downloading $pkg (once)" >&2
            apt-get download "$pkg" >/dev/null 2>&1 || skip "apt-get download $pkg failed"
        fi
    done
    rm -rf pkg && mkdir -p pkg
    for deb in "${kpkg}"_*.deb busybox-static_*.deb; do dpkg-deb -x "$deb" pkg; done
    cp pkg/boot/vmlinuz-* vmlinuz
    touch ready
fi
flock -u 9
# [fetch]

echo "$cache"
