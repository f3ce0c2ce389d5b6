#!/bin/sh
# boot.sh - boot Debian's Linux on chapter 4's machine: the kernel, the busybox
# initramfs and the virtio disk of mkinitramfs.sh (made first if they are missing), then
# check-linux.sh's verdict on the run.
#
# usage: boot.sh [ARGS...]   (from the top of the tree, after 'make')
# ARGS go to the program before the kernel ($STEPVM_PROGRAM, default bin/ch4, relative
# to build/). With a usable /dev/kvm the machine runs here; when standard input is a
# terminal, the kernel gets 'stepvm.shell' and /init ends in a shell on the console (its
# 'exit' powers off). Otherwise the machine runs in the nested machine
# (common/scripts/nested-kvm.sh), which has no terminal: no shell there, just the checks.
# The guest writes to a copy of disk.img. Exits 0 when the run passed every check.
set -eu

top=$(cd "$(dirname "$0")/../../.." && pwd)
linux="$top/build/guests/linux"
program=${STEPVM_PROGRAM:-bin/ch4}
[ -x "$top/build/$program" ] || { echo "boot: build/$program missing (run 'make')" >&2; exit 1; }
if [ ! -f "$linux/disk.sha256" ]; then
    echo "boot: building the kernel, initramfs and disk (once) into build/guests/linux" >&2
    sh "$top/chapters/04-devices/linux/mkinitramfs.sh" "$linux"
fi
sha=$(cat "$linux/disk.sha256")
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT

# In the nested machine the build is at /stepvm; the disk copy and the checks are
# made there too, since the disk the guest wrote stays inside.
if ! sh "$top/common/scripts/kvm-usable.sh"; then
    echo "boot: no usable /dev/kvm here: running $program in the nested machine" >&2
    mkdir "$run/files" && cp "$top/chapters/04-devices/linux/check-linux.sh" "$run/files/"
    {
        echo 'cd /stepvm && cp guests/linux/disk.img /tmp/disk.img'
        printf '%s' "$program --mem 256M --disk /tmp/disk.img"
        for arg in "$@"; do printf " '%s'" "$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"; done
        echo " --initrd guests/linux/initramfs.cpio.gz --append 'console=ttyS0'" \
            "guests/linux/vmlinuz > /tmp/console.log 2>&1"
        echo 'rc=$?; cat /tmp/console.log; echo "boot: exit status $rc"'
        echo "sh files/check-linux.sh /tmp/console.log /tmp/disk.img $sha && [ \$rc -eq 0 ]"
    } > "$run/script"
    STEPVM_NESTED_FILES="$run/files" exec sh "$top/common/scripts/nested-kvm.sh" \
        "$top/build" "$run/script"
fi

cp "$linux/disk.img" "$run/disk.img"
set -- "$top/build/$program" --mem 256M --disk "$run/disk.img" "$@" \
    --initrd "$linux/initramfs.cpio.gz"
if [ -t 0 ]; then
    "$@" --append 'console=ttyS0 stepvm.shell' "$linux/vmlinuz" | tee "$run/console.log"
else
    "$@" --append 'console=ttyS0' "$linux/vmlinuz" | tee "$run/console.log"
fi
sh "$top/chapters/04-devices/linux/check-linux.sh" "$run/console.log" "$run/disk.img" "$sha"
