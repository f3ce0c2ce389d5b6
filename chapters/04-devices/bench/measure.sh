#!/bin/sh
# measure.sh - the measuring half of chapter 4's interrupt benchmark (run.sh prepares it
# and runs it on the host and in the nested machine, then prints the table). POSIX sh and
# awk only: the nested machine has busybox and nothing else.
#
# Inputs (environment): STEPVM (the stepvm program), GUEST (bench-irq.elf), N, ROUNDS,
# RUNS (which runs to time, from: kvm-kernel kvm-user tcg qemu-kvm qemu-tcg), STATS (the
# stepvm runs whose exits to count with --stats, from the same list), QEMU (the QEMU
# command up to its options; may be empty when RUNS names no QEMU run), PLACE (where
# this is: a few words for the table) and MEASURE_LIB (common/scripts/measure-lib.sh).
#
# Prints raw lines for table.awk, nothing else on stdout:
#   place RUN TEXT                        where RUN was measured
#   time RUN MODE ROUND_TRIPS NS          one whole run, timed from outside
#   exits RUN MODE ROUND_TRIPS REASON WHERE COUNT   one row of stepvm --stats
# MODE is pic or apic, the guest's irq=. A run that fails says why on stderr and ends
# this script with status 1: a fast wrong answer is no result.
set -u

# The busybox fallbacks, now_ns and exit_lines.
. "$MEASURE_LIB"

err=/tmp/bench-irq.$$.err
out=/tmp/bench-irq.$$.out
trap 'rm -f "$err" "$out"' EXIT

# [start]
# Runs the guest to its end under RUN: N round trips through MODE's controllers. A guest
# that loses an interrupt waits in HLT for ever: timeout turns that into a failure.
start() { # RUN MODE N [stepvm options]
    run=$1 args="irq=$2 n=$3"
    shift 3
    case $run in
    kvm-kernel) timeout 300 "$STEPVM" --accel=kvm --irqchip=kernel "$@" --cmdline "$args" "$GUEST" ;;
    kvm-user) timeout 300 "$STEPVM" --accel=kvm --irqchip=user "$@" --cmdline "$args" "$GUEST" ;;
    tcg) timeout 300 "$STEPVM" --accel=tcg "$@" --cmdline "$args" "$GUEST" ;;
    qemu-kvm | qemu-tcg)
        timeout 300 $QEMU -accel "${run#qemu-}" -M pc -display none -vga none -nic none \
            -monitor none -serial null -debugcon stdio \
            -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$GUEST" -append "$args" ;;
    esac </dev/null
}
# [start]

# One run, checked: the guest ends with status (0 << 1) | 1 = 1 and says that each round
# trip brought one THRE interrupt. Prints its nanoseconds.
run_once() { # RUN MODE N [stepvm options]
    t0=$(now_ns)
    start "$@" >"$out" 2>"$err"
    rc=$?
    t1=$(now_ns)
    want="bench-irq: $3 round trips through the $2: $3 interrupts, 0 not THRE, 0 stray"
    if [ $rc -ne 1 ] || ! grep -qx "$want" "$out"; then
        echo "measure.sh: $1 irq=$2 n=$3: exit status $rc: $(head -n 3 "$err")" >&2
        head -n 3 "$out" >&2
        return 1
    fi
    echo $((t1 - t0))
}

# The --stats table of one run as "exits" lines.
count_exits() { # RUN MODE N
    run_once "$1" "$2" "$3" --stats >/dev/null || return 1
    exit_lines "$1 $2 $3" "$err"
}

for run in $RUNS; do
    echo "place $run $PLACE"
done

# Warm up: the first runs also fill caches (the page cache, the emulator's translations).
for run in $RUNS; do
    run_once $run pic $((N / 10)) >/dev/null || exit 1
done

# Each round times every run and mode at N and 2N round trips, in turn, so that whatever
# else the machine does meanwhile falls on all of them alike; table.awk keeps the best.
for _ in $(seq "$ROUNDS"); do
    for mode in pic apic; do
        for run in $RUNS; do
            for n in $N $((2 * N)); do
                ns=$(run_once $run $mode $n) || exit 1
                echo "time $run $mode $n $ns"
            done
        done
    done
done

for run in $STATS; do
    for mode in pic apic; do
        for n in $N $((2 * N)); do
            count_exits $run $mode $n || exit 1
        done
    done
done
