#!/bin/sh
# vmeasure.sh - the measuring half of chapter 4's virtio-blk benchmark (virtio.sh prepares
# it and runs it on the host and in the nested machine, then vtable.awk prints the table).
# POSIX sh and awk only: the nested machine has busybox and nothing else.
#
# Inputs (environment): STEPVM (the stepvm program), GUEST (bench-vblk.elf), HOSTREAD
# (bench/hostread.c built), IMG (the disk image), PASSES, ROUNDS, RUNS (which runs to
# time, from: host-read tcg kvm kvm-noioeventfd kvm-noirqfd kvm-neither user
# user-noioeventfd), STATS (the stepvm runs whose exits to count with --stats), PLACE and
# MEASURE_LIB (common/scripts/measure-lib.sh).
#
# Prints raw lines for vtable.awk, nothing else on stdout:
#   place RUN PLACE                       where RUN was measured
#   size BYTES REQUEST_BYTES REQUESTS     the image, one request, requests per pass
#   time RUN PASSES NS                    one whole run, timed from outside
#   exits RUN PASSES REASON WHERE COUNT   one row of stepvm --stats
# A run that fails says why on stderr and ends this script with status 1.
set -u

# The busybox fallbacks, now_ns and exit_lines.
. "$MEASURE_LIB"

err=/tmp/bench-vblk.$$.err
out=/tmp/bench-vblk.$$.out
trap 'rm -f "$err" "$out"' EXIT

# [start]
# Reads the image PASSES times under RUN: the host's own reads, or the guest's through
# the virtio-blk device on the interpreter or on KVM with or without the shortcuts.
start() { # RUN PASSES [stepvm options]
    run=$1 passes=$2
    shift 2
    case $run in
    host-read) "$HOSTREAD" "$IMG" "$passes" "$REQUEST"; return ;;
    tcg) set -- --accel=tcg "$@" ;;
    kvm) set -- --accel=kvm --irqchip=kernel "$@" ;;
    kvm-noioeventfd) set -- --accel=kvm --irqchip=kernel --no-ioeventfd "$@" ;;
    kvm-noirqfd) set -- --accel=kvm --irqchip=kernel --no-irqfd "$@" ;;
    kvm-neither) set -- --accel=kvm --irqchip=kernel --no-ioeventfd --no-irqfd "$@" ;;
    user) set -- --accel=kvm --irqchip=user "$@" ;;
    user-noioeventfd) set -- --accel=kvm --irqchip=user --no-ioeventfd "$@" ;;
    esac
    timeout 300 "$STEPVM" "$@" --disk "$IMG,ro" --cmdline "irq=apic passes=$passes" "$GUEST"
}
# [start]

# One run, checked: the guest ends with status (0 << 1) | 1 = 1 having read every byte
# (hostread with 0). Prints its nanoseconds.
run_once() { # RUN PASSES [stepvm options]
    t0=$(now_ns)
    start "$@" >"$out" 2>"$err" </dev/null
    rc=$?
    t1=$(now_ns)
    want=1
    [ "$1" = host-read ] && want=0
    if [ $rc -ne $want ] || ! grep -q " $(($2 * BYTES)) bytes read" "$out"; then
        echo "vmeasure.sh: $1 passes=$2: exit status $rc: $(head -n 3 "$err")" >&2
        head -n 3 "$out" >&2
        return 1
    fi
    echo $((t1 - t0))
}

# The --stats table of one run as "exits" lines.
count_exits() { # RUN PASSES
    run_once "$1" "$2" --stats >/dev/null || return 1
    exit_lines "$1 $2" "$err"
}

BYTES=$(wc -c <"$IMG")
BYTES=$((BYTES + 0))

# Warm up: the first runs read the image into the page cache. The guest's first pass
# says how large its requests are; hostread reads in the same size.
REQUEST=
for run in $RUNS; do
    [ $run = host-read ] && continue
    run_once $run 1 >/dev/null || exit 1
    REQUEST=$(sed -n 's/.* requests of up to \([0-9]*\) bytes.*/\1/p' "$out")
    break
done
[ -n "$REQUEST" ] || { echo "vmeasure.sh: no guest run to learn the request size" >&2; exit 1; }
echo "size $BYTES $REQUEST $(((BYTES + REQUEST - 1) / REQUEST))"
for run in $RUNS; do
    echo "place $run $PLACE"
    run_once $run 1 >/dev/null || exit 1
done

# Each round times every run at PASSES and at 0 passes, in turn, so that whatever else
# the machine does meanwhile falls on all of them alike; vtable.awk keeps the best.
for _ in $(seq "$ROUNDS"); do
    for run in $RUNS; do
        for p in 0 $PASSES; do
            ns=$(run_once $run $p) || exit 1
            echo "time $run $p $ns"
        done
    done
done

for run in $STATS; do
    for p in 0 $PASSES; do
        count_exits $run $p || exit 1
    done
done
