#!/bin/sh
# run.sh - chapter 5's benchmark: several vCPUs, side by side in one run.
# - Parallel work: a guest (bench-work.elf, bench/guest/work.c) splits TOTAL rounds of
#   arithmetic evenly over its CPUs; run on 1 and on 2 vCPUs, the ratio of the times is
#   the speed-up, against the ideal 2x of a machine with 2 CPUs to spare.
# - IPI round trip: a guest (bench-ipi.elf, bench/guest/ipi.c) on 2 vCPUs sends N fixed
#   IPIs from the BSP to CPU 1, each answered by one back, one at a time.
# Rows: stepvm's ch5 on KVM with KVM's in-kernel irqchip and with stepvm's own
# (--irqchip=kernel|user), QEMU-KVM (-M pc, in-kernel irqchip) and QEMU TCG (multi-threaded:
# one host thread a vCPU, so its speed-up is real on this machine too). Prints ms of work,
# the speed-ups, µs per round trip, the ratios and where each row was measured:
# measure.sh measures, table.awk prints.
#
# How it measures: times are wall-clock, taken by this script around each whole run (the
# nanosecond clock of common/scripts/measure-lib.sh), minus the same run without work
# (total=0, iter=0) on the same number of vCPUs, best of the rounds. The guests' RDTSC figures are
# not used as times: nothing tells the guest its TSC's frequency, and a TSC tick is not
# the same time on two machines. The speed-up, though, is the ratio of the work guest's
# TSC ticks on 1 and on 2 vCPUs: one clock on one machine, so no frequency is needed, and
# the boot, whose time varies from run to run by more than the work takes in the nested
# machine, stays out of it. The ratio of the wall-clock times is printed beside it.
#
# usage: run.sh [BUILD_DIR]   (default: build/; builds nothing, 'make' does that)
# STEPVM_BENCH_WORK (default 1073741824) rounds of work, STEPVM_BENCH_IPI_N (default
# 100000) round trips and STEPVM_BENCH_ROUNDS (default 3) rounds, here and where /dev/kvm
# is usable; STEPVM_BENCH_KVM_WORK, STEPVM_BENCH_KVM_IPI_N and STEPVM_BENCH_KVM_ROUNDS
# for the KVM rows alone (defaults in the nested machine: 268435456, 500 and 3, since an
# IPI round trip costs 1-5 ms there; the whole run takes 2 to 4 minutes, the more the
# busier the machine).
# STEPVM_BENCH_RAW=FILE keeps measure.sh's raw lines in FILE. Without a usable /dev/kvm
# the KVM rows run in the nested machine (nested-kvm.sh), and QEMU-KVM goes in with them
# (nested-qemu.sh); QEMU TCG always runs here, on this machine's CPUs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$top/common/scripts/bench-lib.sh"
bench_start run.sh "${1:-}" bin/ch5 guests/ch5/bench-work.elf guests/ch5/bench-ipi.elf
lib=$top/common/scripts/measure-lib.sh
total=${STEPVM_BENCH_WORK:-1073741824}
n=${STEPVM_BENCH_IPI_N:-100000}
rounds=${STEPVM_BENCH_ROUNDS:-3}
qemu=$(command -v qemu-system-x86_64 || true)

# Other work on this machine takes CPUs from the runs on 2 vCPUs: the table says how much.
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')

# Runs measure.sh here: RUNS, TOTAL, N, ROUNDS, PLACE.
measure_here() { # RUNS TOTAL N ROUNDS PLACE
    CH5=$build/bin/ch5 WORK_GUEST=$build/guests/ch5/bench-work.elf \
        IPI_GUEST=$build/guests/ch5/bench-ipi.elf TOTAL=$2 N=$3 ROUNDS=$4 RUNS=$1 \
        QEMU=$qemu PLACE=$5 MEASURE_LIB=$lib sh "$here/measure.sh" >>"$lines"
}

# QEMU TCG, here.
if [ -n "$qemu" ]; then
    echo "(QEMU TCG on this machine)" >&2
    measure_here qemu-tcg "$total" "$n" "$rounds" host
else
    bench_no_qemu qemu-tcg
fi

# KVM, here or in the nested machine.
kvm_runs="kvm-kernel kvm-user"
if [ -n "$qemu" ]; then
    kvm_runs="$kvm_runs qemu-kvm"
else
    bench_no_qemu qemu-kvm
fi
if sh "$top/common/scripts/kvm-usable.sh"; then
    measure_here "$kvm_runs" "${STEPVM_BENCH_KVM_WORK:-$total}" "${STEPVM_BENCH_KVM_IPI_N:-$n}" \
        "${STEPVM_BENCH_KVM_ROUNDS:-$rounds}" kvm
else
    echo "(no usable ${STEPVM_KVM_DEV:-/dev/kvm} here: the KVM rows run in a QEMU machine with" \
        "nested KVM)" >&2
    mkdir "$tmp/files"
    cp "$here/measure.sh" "$lib" "$tmp/files/"
    qemu_cmd=""
    [ -z "$qemu" ] || qemu_cmd=$(sh "$top/common/scripts/nested-qemu.sh" "$tmp/files")
    cat >"$tmp/script" <<END
CH5=/stepvm/bin/ch5 WORK_GUEST=/stepvm/guests/ch5/bench-work.elf \\
    IPI_GUEST=/stepvm/guests/ch5/bench-ipi.elf TOTAL=${STEPVM_BENCH_KVM_WORK:-268435456} \\
    N=${STEPVM_BENCH_KVM_IPI_N:-500} ROUNDS=${STEPVM_BENCH_KVM_ROUNDS:-3} RUNS="$kvm_runs" \\
    QEMU="$qemu_cmd" PLACE=nested MEASURE_LIB=/stepvm/files/measure-lib.sh \\
    sh /stepvm/files/measure.sh
END
    # The nested machine's console mixes measure.sh's stderr into its stdout.
    bench_nested '^(place|work|ipi) ' '' "$kvm_runs"
fi

[ -z "${STEPVM_BENCH_RAW:-}" ] || cp "$lines" "$STEPVM_BENCH_RAW"
awk -v HOST_CPUS="$(nproc 2>/dev/null || echo '?')" -v LOAD="$load" \
    -f "$here/table.awk" "$lines"
