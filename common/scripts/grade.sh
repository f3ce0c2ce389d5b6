#!/bin/sh
# grade.sh - grade labs: run their programs, then print OK/FAIL per check and the score.
#
# usage: grade.sh CHAPTER 'LAB [LAB...]' [BUILD_DIR]   (from the top of the tree:
#        make grade-N LAB=name; LAB='a b' grades several, LAB=all every lab of the chapter)
#
# A lab's chapters/NN-name/labs/LAB/grade.sh uses three words:
#   host NAME CMD...     runs CMD (paths relative to the build dir) here, now
#   kvm NAME CMD...      runs CMD on KVM: here when /dev/kvm is usable, else all such runs,
#                        of every lab graded, together inside one nested machine
#                        (common/scripts/nested-kvm.sh)
#   check "WHAT" CMD...  a mark: OK when CMD succeeds
# After a run, $R/NAME.out, $R/NAME.err and $R/NAME.status hold what it left. The lab's
# file defines runs() and checks(); grade.sh calls every lab's runs(), then, when the
# KVM runs are back, every lab's checks(), each followed by its score.
# Exits 0 when every mark is earned, 1 when one is missing, 2 when a lab does not exist.
set -u

chapter=$1 labs=$2
top=$(pwd)
build="$top/${3:-build}"
labdir=$(ls -d "$top"/chapters/0"$chapter"-*/labs 2>/dev/null)
[ "$labs" = all ] && [ -n "$labdir" ] && labs=$(ls "$labdir")
for lab in $labs; do
    if [ -z "$labdir" ] || [ ! -f "$labdir/$lab/grade.sh" ]; then
        echo "grade: chapter $chapter has no lab '$lab'; its labs:" \
            "$(ls "$labdir" 2>/dev/null | tr '\n' ' ')"
        exit 2
    fi
done
RR=$(mktemp -d)
trap 'rm -rf "$RR"' EXIT
nested_script="$RR/nested.sh"
: > "$nested_script"

kvm_here() { sh "$top/common/scripts/kvm-usable.sh"; }

host() {
    name=$1; shift
    (cd "$build" && "$@" > "$R/$name.out" 2> "$R/$name.err"); echo $? > "$R/$name.status"
}

kvm() {
    if kvm_here; then host "$@"; return; fi
    name=$1; shift
    # Each result comes back over the serial console, base64-encoded between markers so
    # that every byte (and a missing final newline) arrives as it was.
    cat >> "$nested_script" <<EOS
cd /stepvm; $* > /tmp/o 2> /tmp/e; echo "@@STATUS $lab/$name \$?"
echo "@@OUT $lab/$name"; base64 /tmp/o; echo "@@ERR $lab/$name"; base64 /tmp/e; echo "@@END"
EOS
}

# A FAIL says what the check expected and what the runs left. The helpers below set
# $expected and $seen; a lab's own check may set them too. When a check set neither, the
# runs it names (or, naming none, every run) are shown: status, last lines of each stream.
check() {
    what=$1; shift
    total=$((total + 1))
    expected="" seen=""
    if "$@" > /dev/null 2>&1; then
        passed=$((passed + 1)); echo "OK    $what"
        return
    fi
    echo "FAIL  $what"
    [ -n "$expected" ] && echo "      expected: $expected"
    if [ -z "$seen" ]; then
        named=""
        for word in "$@"; do
            [ -e "$R/$word.status" ] && named="$named $word"
        done
        [ -n "$named" ] || named=$(cd "$R" && ls -- *.status 2>/dev/null | sed 's/\.status$//')
        seen=$(for name in $named; do describe "$name"; done)
    fi
    printf '%s\n' "$seen" | sed '1s/^/      seen:     /; 2,$s/^/                /'
}
# One run in a few lines: how it ended and the last lines it printed on each stream.
describe() {
    if ! ran "$1"; then echo "$1 never ran"; return; fi
    echo "$1 ended with status $(cat "$R/$1.status")"
    for stream in out err; do
        [ -s "$R/$1.$stream" ] || continue
        echo "$1's std$stream ends:"
        tail -n 3 "$R/$1.$stream" | cut -c 1-160 | sed 's/^/  /'
    done
}

# Helpers the labs' checks use. A run that left no status never ran: every check on it
# fails, those that look for an absence too.
ran() { [ -s "$R/$1.status" ]; }
status_is() {
    expected="$1 ends with status $2"
    seen=$(describe "$1")
    [ "$(cat "$R/$1.status" 2>/dev/null)" = "$2" ]
}
# Every RUN ends with STATUS; a FAIL describes each that did not.
statuses_are() { # STATUS RUN...
    want=$1; shift
    expected="$* end with status $want"
    failed=""
    for run in "$@"; do
        [ "$(cat "$R/$run.status" 2>/dev/null)" = "$want" ] || failed="$failed $run"
    done
    seen=$(for run in $failed; do describe "$run"; done)
    [ -z "$failed" ]
}
out_has() {
    expected="$1's standard output has a line matching '$2'"
    seen=$(describe "$1")
    grep -q -- "$2" "$R/$1.out"
}
err_has() {
    expected="$1's standard error has a line matching '$2'"
    seen=$(describe "$1")
    grep -q -- "$2" "$R/$1.err"
}
err_lacks() {
    expected="$1 runs and its standard error has no line matching '$2'"
    seen=$(ran "$1" && grep -m 3 -- "$2" "$R/$1.err" | sed 's/^/found: /' || describe "$1")
    ran "$1" && ! grep -q -- "$2" "$R/$1.err"
}
err_empty() {
    expected="$1 runs and prints nothing on standard error"
    seen=$(describe "$1")
    ran "$1" && [ ! -s "$R/$1.err" ]
}

for lab in $labs; do
    R="$RR/$lab"
    mkdir "$R"
    . "$labdir/$lab/grade.sh"
    runs
done
if [ -s "$nested_script" ]; then
    echo "(no usable /dev/kvm here: the KVM runs go to the nested machine, ~10 s)"
    sh "$top/common/scripts/nested-kvm.sh" "$build" "$nested_script" > "$RR/console" 2>&1
    awk -v R="$RR" '
        /^@@STATUS / { print $3 > (R "/" $2 ".status"); next }
        /^@@OUT /    { file = R "/" $2 ".out.b64"; printf "" > file; next }
        /^@@ERR /    { file = R "/" $2 ".err.b64"; printf "" > file; next }
        /^@@END/     { file = ""; next }
        file != ""   { print >> file }' "$RR/console"
    for f in "$RR"/*/*.b64; do
        [ -e "$f" ] && base64 -d "$f" > "${f%.b64}" && rm "$f"
    done
    grep -q '^SKIPPED' "$RR/console" && cat "$RR/console"
fi
all_earned=1
for lab in $labs; do
    R="$RR/$lab"
    . "$labdir/$lab/grade.sh"
    echo "grading lab $lab of chapter $chapter"
    passed=0 total=0
    checks
    echo "Score: $passed/$total"
    [ "$passed" -eq "$total" ] || all_earned=0
done
[ "$all_earned" = 1 ]
