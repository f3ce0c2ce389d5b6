#!/bin/sh
# run-tests.sh - run every Check suite, then the KVM tests inside a QEMU machine when the
# host has no usable /dev/kvm, and close with one line of totals.
#
# usage: run-tests.sh BUILD_DIR   (STEPVM_NO_NESTED=1 skips the QEMU machine)
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

skipped_suites=""
suite_failed=0
for t in "$build"/tests/check_*; do
    "$t" > "$log.one" 2>&1 || suite_failed=1
    cat "$log.one"
    cat "$log.one" >> "$log"
    grep -q '^SKIPPED: .* KVM test' "$log.one" && skipped_suites="$skipped_suites $(basename "$t")"
done
rm -f "$log.one"

# What the host could not run, the nested machine runs; its Check lines join the count.
skipped=$(sed -n 's/^SKIPPED: \([0-9]*\) KVM test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
nested_failed=0
if [ -n "$skipped_suites" ] && [ "${STEPVM_NO_NESTED:-0}" != 1 ]; then
    for suite in $skipped_suites; do
        echo "CK_INCLUDE_TAGS=kvm /stepvm/tests/$suite || rc=1"
    done > "$log.script"
    echo 'exit ${rc:-0}' >> "$log.script"
    sh "$here/nested-kvm.sh" "$build" "$log.script" > "$log.nested" 2>&1
    rc=$?
    rm -f "$log.script"
    cat "$log.nested"
    if [ $rc -ne 77 ]; then
        cat "$log.nested" >> "$log"
        skipped=0
        [ $rc -eq 0 ] || nested_failed=1
    fi
    rm -f "$log.nested"
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
