#!/bin/sh
# run.sh - chapter 6's benchmark: how fast the interpreter runs guest code, side by side in
# one run with QEMU TCG on the same guest files. bench-cpu.elf (bench/guest/cpu.c) is integer
# work at CPL3: a sieve, a sort, a CRC-32 and a bytecode interpreter; bench-vm.elf
# (bench/guest/vm.c) is a switch-dispatched bytecode machine, all short blocks and indirect
# jumps. Each runs under (a) the interpreter an instruction at a time (--tcg=insn), (b) the
# interpreter in translation blocks (--tcg=block), (c) the JIT (--tcg=jit, the default: hot
# blocks compiled to host code, x86-64 hosts only), (d) QEMU TCG, and (e) stepvm --accel=kvm
# where the KVM device is usable here (common/scripts/kvm-usable.sh; elsewhere its row says
# why not). Prints guest instructions per second for each, the ratio to QEMU TCG beside the
# chapter's targets, the interpreter's cache memory (--stats: decoded instructions or blocks,
# and the JIT's code buffer), and then the
# decoder's own throughput beside Zydis (bench-x86).
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
    guests/ch6/bench-cpu.expected guests/ch6/bench-vm.elf guests/ch6/bench-vm.expected; do
    [ -e "$build/$f" ] || { echo "run.sh: $build/$f is missing (run 'make')" >&2; exit 1; }
done
kvm_na=""
sh "$top/common/scripts/kvm-usable.sh" ||
    kvm_na="not measured: no usable ${STEPVM_KVM_DEV:-/dev/kvm} here (common/scripts/kvm-usable.sh)"
qemu_na=""
[ -n "$qemu" ] || qemu_na="not measured: qemu-system-x86_64 is not installed"
jit_na=""
[ "$(uname -m)" = x86_64 ] || jit_na="not measured: the JIT emits x86-64 code, this host is $(uname -m)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs WHO (insn, block, qemu or kvm) on the guest FILE, to the end.
start() { # WHO FILE
    case $1 in
    insn | block | jit) "$build/bin/stepvm" --accel=tcg --tcg="$1" --stats "$2" ;;
    kvm) "$build/bin/stepvm" --accel=kvm "$2" ;;
    qemu) "$qemu" -accel tcg -display none -vga none -nic none -serial none -monitor none \
        -debugcon stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$2" ;;
    esac
}

# [run-once]
# One run of WHO on GUEST (cpu, vm or empty): prints its nanoseconds, and leaves the guest's
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

# The KiB of decoded code its caches took (its --stats line "translation: HOW, cache N KiB").
cache_kib() {
    awk '$1 == "translation:" { n = $4 } END { print n == "" ? "?" : n }' "$tmp/err"
}

# Lines "WHO GUEST NS" for every run, "count GUEST N" for the interpreter's counts and
# "cache WHO GUEST KIB" for its caches.
results=""
for _ in $(seq "$rounds"); do
    for who in insn block jit qemu kvm; do
        if { [ $who = qemu ] && [ -n "$qemu_na" ]; } || { [ $who = kvm ] && [ -n "$kvm_na" ]; } ||
            { [ $who = jit ] && [ -n "$jit_na" ]; }; then
            continue
        fi
        for guest in empty cpu vm; do
            ns=$(run_once $who $guest) || exit 1
            results="$results$who $guest $ns
"
            if [ $who = insn ] || [ $who = block ] || [ $who = jit ]; then
                n=$(instructions) || exit 1
                results="${results}count $guest $n
cache $who $guest $(cache_kib)
"
            fi
        done
    done
done

# [table]
printf '%s' "$results" | awk -v rounds="$rounds" -v qna="$qemu_na" -v kna="$kvm_na" -v jna="$jit_na" '
    $1 == "count" { count[$2] = $3; next }
    $1 == "cache" { cache[$2 " " $3] = $4; next }
    { key = $1 " " $2; if (!(key in t) || $3 < t[key]) t[key] = $3 }
    # The seconds the work of guest g took under who: the run of the empty guest subtracted.
    function secs(who, g) { return (t[who " " g] - t[who " empty"]) / 1e9 }
    function row(name, who, g, why) {
        if (why != "") {
            printf "%-14s %10s %12s %12s  %s\n", name, "n/a", "n/a", "n/a", why
            return
        }
        s = secs(who, g)
        printf "%-14s %10.3f %12.1f", name, s, insns / s / 1e6
        if (qna == "")
            printf " %11.3fx", secs("qemu", g) / s
        else
            printf " %12s", "n/a"
        if ((who " " g) in cache)
            printf " %10s KiB", cache[who " " g]
        printf "\n"
    }
    function table(g, file) {
        insns = count[g] - count["empty"]
        printf "chapter 6: %s, %.1f M guest instructions (best of %d, start-up" \
            " subtracted)\n", file, insns / 1e6, rounds
        printf "%-14s %10s %12s %12s %14s\n", "run", "seconds", "M insns/s", "vs QEMU TCG", \
            "code cache"
        row("stepvm-insn", "insn", g, "")
        row("stepvm-block", "block", g, "")
        row("stepvm-jit", "jit", g, jna)
        row("QEMU-TCG", "qemu", g, qna)
        row("stepvm-kvm", "kvm", g, kna)
    }
    END {
        table("cpu", "bench-cpu.elf")
        print ""
        table("vm", "bench-vm.elf")
        print "targets: >= 0.10x QEMU TCG for stepvm-block, >= 0.25x for stepvm-jit, on bench-cpu.elf"
    }'
# [table]
echo
"$build/bin/bench-x86"
echo
sh "$here/linux.sh" "$build"
