#!/bin/sh
# measure.sh - the measuring half of chapter 3's exit benchmark (run.sh prepares it and
# runs it here or in the nested machine). POSIX sh and awk only: the nested machine has
# busybox and nothing else.
#
# Inputs (environment): BIN (the directory of bench-bare and bench-path), GUEST
# (bench-exits.elf), N, ROUNDS, and QEMU (the QEMU command up to its options, or empty
# with QEMU_NA saying why not) and MEASURE_LIB (common/scripts/measure-lib.sh). Prints one
# table.
#
# Every figure is a difference of two runs, N and 2N writes, divided by N: what is the
# same in both (starting the process, building the VM, the guest's boot at CPL0, QEMU's
# BIOS) cancels, and what is left is N exits. bench-bare and bench-path time their own
# exit loop; QEMU is timed from outside, as a whole process. The three are measured in
# turn, ROUNDS times, and each run length keeps its shortest time: whatever else the
# machine was doing meanwhile only ever adds time, so the minimum is the least disturbed.
set -u

# The busybox fallbacks and now_ns.
. "$MEASURE_LIB"

err=/tmp/bench-exits.err

# One run of a bench program: prints "EXITS NS", or fails with its message on stderr.
run_bench() { # PROGRAM KIND COUNT
    "$BIN/$1" --cmdline "$2 $3" "$GUEST" 2>"$err" | awk '$1 == "exits" { print $2, $4 }' |
        grep . || { echo "$1 $2 $3: $(cat "$err")" >&2; return 1; }
}

# [pair]
# One QEMU-KVM run: prints "- NS". The guest ends with status (0 << 1) | 1 = 1.
run_qemu() { # KIND COUNT
    t0=$(now_ns)
    $QEMU -accel kvm -display none -vga none -nic none -serial none -monitor none \
        -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -kernel "$GUEST" -append "$1 $2" >/dev/null 2>"$err"
    rc=$?
    t1=$(now_ns)
    [ $rc -eq 1 ] || { echo "QEMU $1 $2: exit status $rc: $(head -n 1 "$err")" >&2; return 1; }
    echo "- $((t1 - t0))"
}

# The runs of N and 2N writes: prints "NS_N NS_2N", after checking that bench-bare and
# bench-path saw exactly N more exits in the longer run (one exit per write).
run_pair() { # WHO KIND
    case $1 in
    bare) a=$(run_bench bench-bare "$2" "$N") && b=$(run_bench bench-bare "$2" $((2 * N))) ;;
    path) a=$(run_bench bench-path "$2" "$N") && b=$(run_bench bench-path "$2" $((2 * N))) ;;
    qemu) a=$(run_qemu "$2" "$N") && b=$(run_qemu "$2" $((2 * N))) ;;
    esac || return 1
    echo "$a $b" | awk -v n="$N" -v who="$1" '{
        if ($1 != "-" && $3 - $1 != n) {
            printf "%s: %d more exits for %d more writes\n", who, $3 - $1, n > "/dev/stderr"
            exit 1
        }
        print $2, $4 }'
}
# [pair]

# Warm up: the first exits after boot also fill caches (the emulator's translations).
for kind in pio mmio; do
    run_bench bench-bare $kind 1000 >/dev/null && run_bench bench-path $kind 1000 >/dev/null ||
        exit 1
done

# [best-of]
results=""
for _ in $(seq "$ROUNDS"); do
    for kind in pio mmio; do
        for who in bare path qemu; do
            if [ "$who" = qemu ] && [ -z "$QEMU" ]; then
                continue
            fi
            ns=$(run_pair $who $kind) || exit 1
            results="$results$kind $who $ns
"
        done
    done
done

printf '%s' "$results" | awk -v n="$N" -v rounds="$ROUNDS" -v qna="${QEMU_NA:-}" '
    {
        key = $1 " " $2
        if (!(key in t1) || $3 < t1[key]) t1[key] = $3
        if (!(key in t2) || $4 < t2[key]) t2[key] = $4
    }
    function us(key) { return key in t1 ? (t2[key] - t1[key]) / n / 1000 : -1 }
    # [best-of]
    END {
        printf "chapter 3: exit round trip, µs per exit (N = %d and %d writes, best of %d)\n",
            n, 2 * n, rounds
        printf "%-6s %10s %10s %10s %12s %12s\n", "exit", "bare", "stepvm", "QEMU-KVM",
            "stepvm/bare", "stepvm/QEMU"
        split("pio mmio", kinds, " ")
        for (i = 1; i <= 2; i++) {
            b = us(kinds[i] " bare"); s = us(kinds[i] " path"); q = us(kinds[i] " qemu")
            if (q <= 0)
                printf "%-6s %10.2f %10.2f %10s %12.3f %12s\n", kinds[i], b, s, "n/a", s / b, "n/a"
            else
                printf "%-6s %10.2f %10.2f %10.2f %12.3f %12.3f\n", kinds[i], b, s, q, s / b, s / q
        }
        if (qna != "") printf "QEMU-KVM n/a: %s\n", qna
    }'
