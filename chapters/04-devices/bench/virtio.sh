#!/bin/sh
# virtio.sh - chapter 4's virtio-blk benchmark, side by side in one run. A guest
# (bench-vblk.elf, bench/guest/vblk.c) reads a 64 MiB image of random bytes through the
# virtio-blk device from start to end, PASSES times, in requests of 1 MiB (the guest's
# REQUEST_BYTES), each waited for by the device's interrupt. The limit is the host's own
# read of the same file in the same request size (hostread, bench/hostread.c, is given the
# size the guest reports), with the file in the page cache, measured in the same place
# as the rows it divides. Rows: stepvm's interpreter (here), and KVM with its in-kernel irqchip with and without ioeventfd and
# irqfd, and with stepvm's own irqchip (--irqchip=user: no irqfd there) with and without
# ioeventfd. Prints MB/s, the ratio to the limit, where each row was measured and the
# exits stepvm saw per request (--stats): vmeasure.sh measures, vtable.awk prints.
# The guest reads one request at a time, so every request pays its exits, its interrupt
# and its wake-ups in full; its command line's bytes=B makes requests smaller, which shows
# what that fixed cost is (the time of a pass grows with the number of requests).
#
# usage: virtio.sh [BUILD_DIR]   (default: build/; builds nothing, 'make' does that)
# STEPVM_BENCH_VBLK_PASSES (default 16) passes here, STEPVM_BENCH_VBLK_KVM_PASSES on KVM
# (default: the same where /dev/kvm is usable, 4 in the nested machine) and
# STEPVM_BENCH_ROUNDS (default 3) change the work. Without a usable /dev/kvm the KVM rows
# and their limit run in the nested machine (nested-kvm.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/common/scripts/bench-lib.sh"
bench_start virtio.sh "${1:-}" bin/stepvm guests/ch4/bench-vblk.elf bench/ch4/hostread
passes=${STEPVM_BENCH_VBLK_PASSES:-16}
rounds=${STEPVM_BENCH_ROUNDS:-3}
lib=$top/common/scripts/measure-lib.sh
# 64 MiB: larger than the CPU's caches, small enough for a page cache and a RAM disk.
mkimg='head -c 67108864 /dev/urandom'

measure() { # RUNS STATS PASSES PLACE IMG
    STEPVM=$build/bin/stepvm GUEST=$build/guests/ch4/bench-vblk.elf \
        HOSTREAD=$build/bench/ch4/hostread IMG=$5 PASSES=$3 ROUNDS=$rounds RUNS=$1 \
        STATS=$2 PLACE=$4 MEASURE_LIB=$lib sh "$here/vmeasure.sh"
}

kvm_runs="host-read kvm kvm-noioeventfd kvm-noirqfd kvm-neither user user-noioeventfd"
# The KVM place's lines name its limit and its sizes apart from this machine's.
rename='s/^\(place\|time\|exits\) host-read /\1 host-read-kvm /; s/^size /size-kvm /'
kvm_stats="kvm kvm-noioeventfd kvm-noirqfd kvm-neither user user-noioeventfd"

# The limit and the interpreter, here.
echo "(virtio-blk: the host's read and stepvm's interpreter on this machine)" >&2
$mkimg >"$tmp/disk.img"
measure "host-read tcg" tcg "$passes" host "$tmp/disk.img" >>"$lines"

# KVM, here or in the nested machine.
if sh "$top/common/scripts/kvm-usable.sh"; then
    measure "$kvm_runs" "$kvm_stats" "${STEPVM_BENCH_VBLK_KVM_PASSES:-$passes}" kvm \
        "$tmp/disk.img" | sed "$rename" >>"$lines"
else
    echo "(no usable ${STEPVM_KVM_DEV:-/dev/kvm} here: the KVM rows and their limit run in a" \
        "QEMU machine with nested KVM)" >&2
    mkdir "$tmp/files"
    cp "$here/vmeasure.sh" "$lib" "$build/bench/ch4/hostread" "$tmp/files/"
    # The image is made in there, in its RAM: copying 64 MiB in costs more than that.
    cat >"$tmp/script" <<END
$mkimg >/tmp/disk.img
STEPVM=/stepvm/bin/stepvm GUEST=/stepvm/guests/ch4/bench-vblk.elf \\
    HOSTREAD=/stepvm/files/hostread IMG=/tmp/disk.img \\
    PASSES=${STEPVM_BENCH_VBLK_KVM_PASSES:-4} ROUNDS=$rounds RUNS="$kvm_runs" \\
    STATS="$kvm_stats" PLACE=nested MEASURE_LIB=/stepvm/files/measure-lib.sh \\
    sh /stepvm/files/vmeasure.sh
END
    # The nested machine's console mixes vmeasure.sh's stderr into its stdout.
    bench_nested '^(place|time|exits|size) ' "$rename" "$kvm_runs"
fi

awk -v ROUNDS="$rounds" -f "$here/vtable.awk" "$lines"
