# bench-lib.sh - sourced by the chapters' benchmark scripts (chapters/*/bench/run.sh,
# chapter 4's virtio.sh; chapter 3 introduces it): the start every such script makes, and
# the running of its measuring script in the nested machine. The sourcing script has set
# `top`, the top of the tree, and `set -eu`.

# Sets `build` (BUILD_DIR, else build/ at the top), checks that each FILE (relative to it)
# is there, and makes `tmp`, a directory removed on exit, holding `lines`, the empty file
# where the measuring script's lines go. Exits 1, naming SCRIPT, when a FILE is missing.
bench_start() { # SCRIPT BUILD_DIR FILE...
    bench_script=$1
    build=$(cd "${2:-$top/build}" && pwd)
    shift 2
    for f in "$@"; do
        [ -e "$build/$f" ] || {
            echo "$bench_script: $build/$f is missing (run 'make')" >&2
            exit 1
        }
    done
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    lines=$tmp/lines
    : >"$lines"
}

# Adds an "na" line for RUN, which needs qemu-system-x86_64, to `lines`.
bench_no_qemu() { # RUN
    echo "na $1 not measured: qemu-system-x86_64 is not installed" >>"$lines"
}

# Runs $tmp/script in the nested machine, with $tmp/files in it as /stepvm/files. The lines
# of its console that match PATTERN (an extended regular expression), edited by the sed
# script EDIT (empty: as they are), go to `lines`, the rest (the measuring script's
# messages) to stderr. When the nested machine cannot be built here, each of RUNS gets an
# "na" line; any other failure exits 1.
bench_nested() { # PATTERN EDIT RUNS
    rc=0
    STEPVM_NESTED_FILES=$tmp/files sh "$top/common/scripts/nested-kvm.sh" "$build" \
        "$tmp/script" >"$tmp/nested" || rc=$?
    grep -E "$1" "$tmp/nested" | sed "$2" >>"$lines" || true
    grep -vE "$1" "$tmp/nested" >&2 || true
    if [ $rc -eq 77 ]; then
        for run in $3; do
            echo "na $run not measured: the nested machine cannot be built here" >>"$lines"
        done
    elif [ $rc -ne 0 ]; then
        exit 1
    fi
}
