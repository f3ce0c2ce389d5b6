#!/bin/sh
# run-tests.sh - run every Check suite, and the KVM tests inside a QEMU machine when the
# host has no usable /dev/kvm, then close with one line of totals.
#
# usage: run-tests.sh BUILD_DIR   (STEPVM_NO_NESTED=1 skips the QEMU machine)
#
# Without /dev/kvm the nested machine starts at once, beside the host's suites: it needs
# only the build, and the two share the machine's cores.
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT
suites=$(cd "$build/tests" && ls check_*)

# Runs the KVM test cases of the given suites in the nested machine; output to $log.nested.
nested() {
    for suite in "$@"; do
        echo "CK_INCLUDE_TAGS=kvm /stepvm/tests/$suite || rc=1"
    done > "$log.script"
    echo 'exit ${rc:-0}' >> "$log.script"
    sh "$here/nested-kvm.sh" "$build" "$log.script" > "$log.nested" 2>&1
    echo $? > "$log.nested.rc"
}

nested_pid=""
if [ "${STEPVM_NO_NESTED:-0}" != 1 ] && ! { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
    nested $suites &
    nested_pid=$!
fi

skipped_suites=""
suite_failed=0
for suite in $suites; do
    "$build/tests/$suite" > "$log.one" 2>&1 || suite_failed=1
    cat "$log.one"
    cat "$log.one" >> "$log"
    grep -q '^SKIPPED: .* KVM test' "$log.one" && skipped_suites="$skipped_suites $suite"
done

# What the host could not run, the nested machine runs; its Check lines join the count.
# (/dev/kvm can look usable and still refuse a VM: then the machine starts only now.)
skipped=$(sed -n 's/^SKIPPED: \([0-9]*\) KVM test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
if [ -n "$skipped_suites" ] && [ -z "$nested_pid" ] && [ "${STEPVM_NO_NESTED:-0}" != 1 ]; then
    nested $skipped_suites
elif [ -n "$nested_pid" ]; then
    wait "$nested_pid"
fi
nested_failed=0
if [ -f "$log.nested.rc" ]; then
    cat "$log.nested"
    rc=$(cat "$log.nested.rc")
    if [ "$rc" -ne 77 ]; then
        cat "$log.nested" >> "$log"
        skipped=0
        [ "$rc" -eq 0 ] || nested_failed=1
    fi
fi

awk -v skipped="$skipped" -v broken="$((nested_failed | suite_failed))" '
    /^[0-9]+%: Checks: / {
        gsub(",", ""); run += $3; failed += $5 + $7
    }
    END {
        # A suite or the nested machine that died without a Check line still fails the run.
        if (broken && failed == 0) failed = 1
        printf "tests: %d passed, %d failed, %d skipped\n", run - failed, failed, skipped
        exit (failed > 0 || run == 0)
    }' "$log"
