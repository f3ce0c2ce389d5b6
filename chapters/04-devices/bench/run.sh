#!/bin/sh
# run.sh - chapter 4's benchmark: the interrupt round trip, side by side in one run. A
# guest (bench-irq.elf, bench/guest/irq.c) makes COM1 raise its THR-empty interrupt N
# times; each time the handler reads IIR and the EOI goes to the PIC (irq=pic) or to the
# local APIC through the I/O APIC (irq=apic). It runs under stepvm on KVM with KVM's
# in-kernel irqchip and with stepvm's own (--irqchip=kernel|user), QEMU-KVM (-M pc),
# stepvm's interpreter and QEMU TCG. Prints µs per round trip, the ratios, where each row
# was measured, and the exits stepvm saw per round trip (--stats): measure.sh measures,
# table.awk prints.
#
# usage: run.sh [BUILD_DIR]   (default: build/; builds nothing, 'make' does that)
# STEPVM_BENCH_N (default 100000) round trips on the interpreters, STEPVM_BENCH_KVM_N
# on KVM (default: the same where /dev/kvm is usable, 1000 in the nested machine) and
# STEPVM_BENCH_ROUNDS (default 3) change the work. Without a usable /dev/kvm the KVM rows
# run in the nested machine (nested-kvm.sh), and QEMU goes in with them (nested-qemu.sh);
# the interpreters always run here, on this machine's CPU.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/common/scripts/bench-lib.sh"
bench_start run.sh "${1:-}" bin/stepvm guests/ch4/bench-irq.elf
n=${STEPVM_BENCH_N:-100000}
rounds=${STEPVM_BENCH_ROUNDS:-3}
qemu=$(command -v qemu-system-x86_64 || true)
lib=$top/common/scripts/measure-lib.sh

# Runs measure.sh here: RUNS and STATS as it takes them, N, PLACE.
measure_here() { # RUNS STATS N PLACE
    STEPVM=$build/bin/stepvm GUEST=$build/guests/ch4/bench-irq.elf N=$3 ROUNDS=$rounds \
        RUNS=$1 STATS=$2 QEMU=$qemu PLACE=$4 MEASURE_LIB=$lib sh "$here/measure.sh" >>"$lines"
}

# The interpreters, here.
runs=tcg
if [ -n "$qemu" ]; then
    runs="tcg qemu-tcg"
else
    bench_no_qemu qemu-tcg
fi
echo "(the interpreters: stepvm and QEMU TCG on this machine)" >&2
measure_here "$runs" tcg "$n" host

# KVM, here or in the nested machine.
kvm_runs="kvm-kernel kvm-user"
if [ -n "$qemu" ]; then
    kvm_runs="$kvm_runs qemu-kvm"
else
    bench_no_qemu qemu-kvm
fi
if sh "$top/common/scripts/kvm-usable.sh"; then
    measure_here "$kvm_runs" "kvm-kernel kvm-user" "${STEPVM_BENCH_KVM_N:-$n}" kvm
else
    echo "(no usable ${STEPVM_KVM_DEV:-/dev/kvm} here: the KVM rows run in a QEMU machine with" \
        "nested KVM)" >&2
    mkdir "$tmp/files"
    cp "$here/measure.sh" "$lib" "$tmp/files/"
    qemu_cmd=""
    [ -z "$qemu" ] || qemu_cmd=$(sh "$top/common/scripts/nested-qemu.sh" "$tmp/files")
    cat >"$tmp/script" <<END
STEPVM=/stepvm/bin/stepvm GUEST=/stepvm/guests/ch4/bench-irq.elf N=${STEPVM_BENCH_KVM_N:-1000} \\
    ROUNDS=$rounds RUNS="$kvm_runs" STATS="kvm-kernel kvm-user" QEMU="$qemu_cmd" \\
    PLACE=nested MEASURE_LIB=/stepvm/files/measure-lib.sh sh /stepvm/files/measure.sh
END
    # The nested machine's console mixes measure.sh's stderr into its stdout.
    bench_nested '^(place|time|exits) ' '' "$kvm_runs"
fi

awk -v ROUNDS="$rounds" -f "$here/table.awk" "$lines"

# The second table: virtio-blk's throughput against the host's own read (virtio.sh).
sh "$here/virtio.sh" "$build"
