#!/bin/sh
# run.sh - chapter 6's benchmark: how fast the interpreter runs guest code, side by side in
# one run with QEMU TCG on the same guest file. The guest, bench-cpu.elf (bench/guest/cpu.c),
# is integer work at CPL3: a sieve, a sort, a CRC-32 and a bytecode interpreter. It runs
# under (a) stepvm --accel=tcg, (b) QEMU TCG, and (c) stepvm --accel=kvm where the KVM
# device is usable here (common/scripts/kvm-usable.sh; elsewhere its row says why not).
# Prints guest instructions per second for each, the ratio (a)/(b) beside the chapter's
# target, and then the decoder's own throughput beside Zydis (bench-x86).
#
# usage: run.sh [BUILD_DIR]   (default: build/; builds nothing, 'make' does that)
# STEPVM_BENCH_ROUNDS (default 3) changes how many times each run is repeated.
#
# The instruction count comes from the interpreter (--stats prints "instructions: N"); QEMU
# and KVM run the same file, so the same count gives their rate too. Every run is timed
# from outside, as a whole process, and each guest must end with status 1 (exit(0): its
# self-checks held) and print exactly bench-cpu.expected: a fast wrong answer is no result.
#
# Start-up is subtracted with a second guest, bench-empty.elf: the same runtime (boot, long
# mode, one trip to CPL3) with no work. T(cpu) - T(empty) is the time of the work alone,
# and instructions(cpu) - instructions(empty) its instruction count; what both runs share
# (starting the process, QEMU's BIOS and loader, the runtime's boot) cancels. (Running the
# work N and 2N times would do the same, but then the size could not be a compile-time
# constant of the guest.) Each run keeps its shortest time over the rounds: whatever else
# the machine was doing only ever adds time, so the minimum is the least disturbed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
rounds=${STEPVM_BENCH_ROUNDS:-3}
guests=$build/guests/ch6
qemu=$(command -v qemu-system-x86_64 || true)
for f in bin/stepvm bin/bench-x86 guests/ch6/bench-cpu.elf guests/ch6/bench-empty.elf \
    guests/ch6/bench-cpu.expected; do
    [ -e "$build/$f" ] || { echo "run.sh: $build/$f is missing (run 'make')" >&2; exit 1; }
done
kvm_na=""
sh "$top/common/scripts/kvm-usable.sh" ||
    kvm_na="not measured: no usable ${STEPVM_KVM_DEV:-/dev/kvm} here (common/scripts/kvm-usable.sh)"
qemu_na=""
[ -n "$qemu" ] || qemu_na="not measured: qemu-system-x86_64 is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs WHO (tcg, qemu or kvm) on the guest FILE, to the end.
start() { # WHO FILE
    case $1 in
    tcg) "$build/bin/stepvm" --accel=tcg --stats "$2" ;;
    kvm) "$build/bin/stepvm" --accel=kvm "$2" ;;
    qemu) "$qemu" -accel tcg -display none -vga none -nic none -serial none -monitor none \
        -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$2" ;;
    esac
}

# [run-once]
# One run of WHO on GUEST (cpu or empty): prints its nanoseconds, and leaves the guest's
# output in $tmp/out and the runner's messages in $tmp/err. Fails, saying why, when the
# guest did not end with status 1 or printed other than its .expected file.
run_once() { # WHO GUEST
    file=$guests/bench-$2.elf
    t0=$(date +%s%N)
    rc=0
    start "$1" "$file" >"$tmp/out" 2>"$tmp/err" || rc=$?
    t1=$(date +%s%N)
    if [ $rc -ne 1 ]; then
        echo "run.sh: $1 on $(basename "$file"): exit status $rc: $(head -n 3 "$tmp/err")" >&2
        return 1
    fi
    expected=$guests/bench-$2.expected
    if [ -e "$expected" ] && ! cmp -s "$expected" "$tmp/out"; then
        echo "run.sh: $1 on $(basename "$file") printed other than $expected:" >&2
        diff "$expected" "$tmp/out" | head -n 10 >&2
        return 1
    fi
    echo $((t1 - t0))
}
# [run-once]

# The instructions the interpreter counted in its last run (its --stats line on stderr).
instructions() {
    awk '$1 == "instructions:" { n = $2 } END { if (n == "") exit 1; print n }' "$tmp/err" ||
        { echo "run.sh: stepvm --stats printed no 'instructions: N' line" >&2; return 1; }
}

# Lines "WHO GUEST NS" for every run, and "count GUEST N" for the interpreter's counts.
results=""
for _ in $(seq "$rounds"); do
    for who in tcg qemu kvm; do
        if { [ $who = qemu ] && [ -n "$qemu_na" ]; } || { [ $who = kvm ] && [ -n "$kvm_na" ]; }; then
            continue
        fi
        for guest in empty cpu; do
            ns=$(run_once $who $guest) || exit 1
            results="$results$who $guest $ns
"
            if [ $who = tcg ]; then
                n=$(instructions) || exit 1
                results="${results}count $guest $n
"
            fi
        done
    done
done

# [table]
printf '%s' "$results" | awk -v rounds="$rounds" -v qna="$qemu_na" -v kna="$kvm_na" '
    $1 == "count" { count[$2] = $3; next }
    { key = $1 " " $2; if (!(key in t) || $3 < t[key]) t[key] = $3 }
    # The seconds the work took under who: the run of the empty guest subtracted.
    function secs(who) { return (t[who " cpu"] - t[who " empty"]) / 1e9 }
    function row(name, who, why) {
        if (why != "") {
            printf "%-12s %10s %12s %12s  %s\n", name, "n/a", "n/a", "n/a", why
            return
        }
        s = secs(who)
        printf "%-12s %10.3f %12.1f", name, s, insns / s / 1e6
        if (qna == "")
            printf " %11.3fx\n", secs("qemu") / s
        else
            printf " %12s\n", "n/a"
    }
    END {
        insns = count["cpu"] - count["empty"]
        printf "chapter 6: bench-cpu.elf, %.1f M guest instructions (best of %d, start-up" \
            " subtracted)\n", insns / 1e6, rounds
        printf "%-12s %10s %12s %12s\n", "run", "seconds", "M insns/s", "vs QEMU TCG"
        row("stepvm-tcg", "tcg", "")
        row("QEMU-TCG", "qemu", qna)
        row("stepvm-kvm", "kvm", kna)
        print "target: >= 0.03x QEMU TCG"
    }'
# [table]
echo
"$build/bin/bench-x86"
echo
sh "$here/linux.sh" "$build"
