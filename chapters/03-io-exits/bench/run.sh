#!/bin/sh
# run.sh - chapter 3's benchmark: the exit round trip, side by side in one run. A guest
# (bench-exits.elf) writes N times to port 0x80, then N times to 0xd0000000 where no
# device is, each write one exit, under (a) bench-bare, a bare KVM_RUN loop, the limit
# here; (b) bench-path, stepvm's full exit path with the trace off; (c) QEMU-KVM on the
# same guest file. Prints µs per exit and the ratios (b)/(a) and (b)/(c) (measure.sh).
#
# usage: run.sh [BUILD_DIR]   (default: build/; builds nothing, 'make' does that)
# STEPVM_BENCH_N (default 10000) and STEPVM_BENCH_ROUNDS (default 3) change the work.
# Without a usable /dev/kvm it all runs in the nested machine (nested-kvm.sh), and QEMU
# goes in with it (nested-qemu.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/common/scripts/bench-lib.sh"
bench_start run.sh "${1:-}" bin/bench-bare bin/bench-path guests/ch3/bench-exits.elf
n=${STEPVM_BENCH_N:-10000}
rounds=${STEPVM_BENCH_ROUNDS:-3}
dev=${STEPVM_KVM_DEV:-/dev/kvm}
qemu=$(command -v qemu-system-x86_64 || true)
lib=$top/common/scripts/measure-lib.sh

if [ -r "$dev" ] && [ -w "$dev" ]; then
    BIN=$build/bin GUEST=$build/guests/ch3/bench-exits.elf N=$n ROUNDS=$rounds \
        QEMU=$qemu QEMU_NA=${qemu:+}${qemu:-qemu-system-x86_64 is not installed} \
        MEASURE_LIB=$lib sh "$here/measure.sh"
    exit 0
fi

echo "(no usable $dev here: measuring in a QEMU machine with nested KVM)" >&2
files=$tmp/files
script=$tmp/script
mkdir "$files"
cp "$here/measure.sh" "$lib" "$files/"
qemu_cmd="" qemu_na="qemu-system-x86_64 is not installed"
if [ -n "$qemu" ]; then
    qemu_cmd=$(sh "$top/common/scripts/nested-qemu.sh" "$files")
    qemu_na=""
fi
cat > "$script" <<END
BIN=/stepvm/bin GUEST=/stepvm/guests/ch3/bench-exits.elf N=$n ROUNDS=$rounds \\
    QEMU="$qemu_cmd" QEMU_NA="$qemu_na" MEASURE_LIB=/stepvm/files/measure-lib.sh \\
    sh /stepvm/files/measure.sh
END
STEPVM_NESTED_FILES=$files sh "$top/common/scripts/nested-kvm.sh" "$build" "$script"
