#!/bin/sh
# run-tests.sh - run every Check suite, and the KVM tests inside a QEMU machine when the
# host has no usable /dev/kvm, then close with one line of totals.
#
# usage: run-tests.sh BUILD_DIR   (STEPVM_NO_NESTED=1 skips the QEMU machine;
#        STEPVM_SUITES='check_ch5 ...' runs only those suites)
#
# Without /dev/kvm the nested machine starts at once, beside the host's suites: it needs
# only the build, and the two share the machine's cores.
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT
# $STEPVM_SUITES, when set, names the suites to run (the ThreadSanitizer build: chapter 5's).
suites=${STEPVM_SUITES:-$(cd "$build/tests" && ls check_*)}

# Runs the KVM test cases of the given suites in the nested machine; output to $log.nested.
nested() {
    for suite in "$@"; do
        echo "CK_INCLUDE_TAGS=kvm /stepvm/tests/$suite || { s=\$?; rc=1; echo \"run-tests: $suite (nested) ended with status \$s\"; }"
    done > "$log.script"
    echo 'exit ${rc:-0}' >> "$log.script"
    sh "$here/nested-kvm.sh" "$build" "$log.script" > "$log.nested" 2>&1
    echo $? > "$log.nested.rc"
}

# Chapter 4's Linux guest (Debian's kernel, an initramfs, a disk), made once from the
# packages the nested machine also uses; without them the Linux tests say SKIPPED.
if [ ! -f "$build/guests/linux/disk.sha256" ]; then
    sh "$here/../../chapters/04-devices/linux/mkinitramfs.sh" "$build/guests/linux" >"$log.linux" 2>&1 ||
        { echo "run-tests: no Linux guest:"; tail -n 3 "$log.linux"; }
fi

nested_pid=""
if [ "${STEPVM_NO_NESTED:-0}" != 1 ] && ! sh "$here/kvm-usable.sh"; then
    nested $suites &
    nested_pid=$!
fi

# While the nested machine runs, the host's suites run at a lower priority: its tests
# count timer interrupts against the clock, and a QEMU process starved by the host's
# suites (a Linux boot on the interpreter, a lab's build) loses ticks it cannot get back.
# The host's own timer tests already share their machine with the suite they run in.
prio=""
[ -z "$nested_pid" ] || prio="nice -n 10"
skipped_suites=""
crashed=0
for suite in $suites; do
    $prio "$build/tests/$suite" > "$log.one" 2>&1
    rc=$?
    cat "$log.one"
    cat "$log.one" >> "$log"
    grep -q '^SKIPPED: .* KVM test' "$log.one" && skipped_suites="$skipped_suites $suite"
    # A suite that failed without a failing check to show for it died: one failure more.
    if [ $rc -ne 0 ] && ! grep -q '^[0-9]*%: Checks: .*Failures: [1-9]\|Errors: [1-9]' "$log.one"; then
        echo "run-tests: $suite ended with status $rc" | tee -a "$log"
        crashed=$((crashed + 1))
    fi
done

# What the host could not run, the nested machine runs. (/dev/kvm can look usable and
# still refuse a VM: then the machine starts only now.)
if [ -n "$skipped_suites" ] && [ -z "$nested_pid" ] && [ "${STEPVM_NO_NESTED:-0}" != 1 ]; then
    nested $skipped_suites
elif [ -n "$nested_pid" ]; then
    wait "$nested_pid"
fi
nested_rc=none
if [ -f "$log.nested.rc" ]; then
    cat "$log.nested"
    nested_rc=$(cat "$log.nested.rc")
fi

# What failed, again at the end where a reader of a long log looks first: Check's lines
# for a failed or erroring test (FILE:LINE:F: or :E:), the suites that died, a nested
# machine that did not finish.
failures=$(cat "$log" "$log.nested" 2>/dev/null | grep -E '^[^ ]+:[0-9]+:[EF]:|^run-tests: .* ended with status|^nested KVM: (the machine did not|kvm_amd did not)')
if [ -n "$failures" ]; then
    echo "run-tests: what failed:"
    printf '%s\n' "$failures" | cut -c 1-300 | sed 's/^/  /'
fi

# The totals. Host suites: their Check lines. KVM tests the host skipped count as skipped
# only when the nested machine could not be built (77); when it ran, its Check lines
# count instead, and every skipped test it did not run, or a failure without a failing
# check, counts as failed. Other skips ("SKIPPED: N lab test(s)") stay skipped.
touch "$log.nested"
awk -v crashed="$crashed" -v nested_rc="$nested_rc" -v nested="$log.nested" '
    function run_of(line)    { split(line, f, /[ ,]+/); return f[3] }
    function failed_of(line) { split(line, f, /[ ,]+/); return f[5] + f[7] }
    /^[0-9]+%: Checks: / {
        if (FILENAME == nested) { nrun += run_of($0); nfailed += failed_of($0) }
        else { hrun += run_of($0); hfailed += failed_of($0) }
    }
    FILENAME != nested && /^SKIPPED: [0-9]+ KVM test/ { kvm_skipped += $2 }
    FILENAME != nested && /^SKIPPED: [0-9]+ (lab )?test/ { other_skipped += $2 }
    END {
        passed = hrun - hfailed
        failed = hfailed + crashed
        skipped = other_skipped
        if (nested_rc == "none" || nested_rc == 77) {
            skipped += kvm_skipped
        } else {
            passed += nrun - nfailed
            failed += nfailed
            # KVM tests that never ran failed; so did a machine that died after its checks.
            if (nrun < kvm_skipped) failed += kvm_skipped - nrun
            else if (nested_rc != 0 && nfailed == 0) failed += 1
        }
        printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
        exit (failed > 0 || passed == 0)
    }' "$log" "$log.nested"
