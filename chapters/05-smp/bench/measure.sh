#!/bin/sh
# measure.sh - the measuring half of chapter 5's benchmark (run.sh prepares it and runs it
# on the host and in the nested machine, then table.awk prints the table). POSIX sh and
# awk only: the nested machine has busybox and nothing else.
#
# Inputs (environment): CH5 (the ch5 program), WORK_GUEST (bench-work.elf), IPI_GUEST
# (bench-ipi.elf), TOTAL (the work guest's total=), N (the IPI guest's iter=), ROUNDS,
# RUNS (from: kvm-kernel kvm-user qemu-kvm qemu-tcg), QEMU (the QEMU command up to its
# options; may be empty when RUNS names no QEMU run), PLACE (where this is: a word for
# the table) and MEASURE_LIB (common/scripts/measure-lib.sh).
#
# Prints raw lines for table.awk, nothing else on stdout:
#   place RUN TEXT                 where RUN was measured
#   work RUN CPUS TOTAL NS TICKS   one whole run of the work guest, timed from outside,
#                                  and the guest's own TSC ticks from start to all done
#   ipi RUN N NS                   one whole run of N IPI round trips, timed from outside
# A run that fails says why on stderr and ends this script with status 1: a fast wrong
# answer is no result.
set -u

# The busybox fallbacks and now_ns.
. "$MEASURE_LIB"

err=/tmp/bench-smp.$$.err
out=/tmp/bench-smp.$$.out
trap 'rm -f "$err" "$out"' EXIT

# Runs GUEST to its end under RUN with CPUS vCPUs and the command line ARGS. A guest that
# loses an IPI spins for ever: timeout turns that into a failure.
start() { # RUN CPUS ARGS GUEST
    case $1 in
    kvm-kernel | kvm-user)
        timeout 300 "$CH5" --smp "$2" --irqchip="${1#kvm-}" --cmdline "$3" "$4" ;;
    qemu-kvm | qemu-tcg)
        timeout 300 $QEMU -accel "${1#qemu-}" -M pc -smp "$2" -m 128 -display none \
            -vga none -nic none -monitor none -serial none -debugcon stdio -no-reboot \
            -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$4" -append "$3" ;;
    esac </dev/null
}

# One run, checked: the guest ends with status (0 << 1) | 1 = 1 and prints WANT, an
# extended regular expression for its whole last line. Prints its nanoseconds, then the
# guest's line.
run_once() { # WANT RUN CPUS ARGS GUEST
    want=$1
    shift
    t0=$(now_ns)
    start "$@" >"$out" 2>"$err"
    rc=$?
    t1=$(now_ns)
    if [ $rc -ne 1 ] || ! grep -qxE "$want" "$out"; then
        echo "measure.sh: $1 --smp $2 $3: exit status $rc: $(head -n 3 "$err")" >&2
        head -n 3 "$out" >&2
        return 1
    fi
    echo "$((t1 - t0)) $(grep -xE "$want" "$out")"
}

# The work guest: TOTAL rounds shared by CPUS. Prints "NS TICKS".
work_once() { # RUN CPUS TOTAL
    r=$(run_once "work: $2 cpus, [0-9]+ tsc ticks" "$1" "$2" "total=$3" "$WORK_GUEST") ||
        return 1
    echo "$r" | awk '{ print $1, $5 }'
}

# The IPI guest: N round trips between the BSP and CPU 1. Prints NS.
ipi_once() { # RUN N
    r=$(run_once "ipi: $2 round trips, [0-9]+ tsc ticks each \\($2 pings, $2 pongs\\)" \
        "$1" 2 "iter=$2" "$IPI_GUEST") || return 1
    echo "${r%% *}"
}

for run in $RUNS; do
    echo "place $run $PLACE"
done

# Warm up: the first runs also fill caches (the page cache, the emulator's translations).
for run in $RUNS; do
    work_once $run 2 $((TOTAL / 16)) >/dev/null || exit 1
    ipi_once $run $((N / 10)) >/dev/null || exit 1
done

# Each round times every run, with and without its work, in turn, so that whatever else
# the machine does meanwhile falls on all of them alike; table.awk keeps the best of each
# and subtracts the run without work (start-up, boot, the APs' start) from the one with.
for _ in $(seq "$ROUNDS"); do
    for run in $RUNS; do
        for cpus in 1 2; do
            for total in 0 $TOTAL; do
                r=$(work_once $run $cpus $total) || exit 1
                echo "work $run $cpus $total $r"
            done
        done
        for n in 0 $N; do
            ns=$(ipi_once $run $n) || exit 1
            echo "ipi $run $n $ns"
        done
    done
done
