#!/bin/sh
# run.sh - run a chapter program on KVM: here when /dev/kvm is usable, otherwise inside
# the nested machine (common/scripts/nested-kvm.sh), saying so in one line.
#
# usage: run.sh BUILD_DIR PROGRAM [ARGS...]   (PROGRAM relative to BUILD_DIR, e.g. bin/ch1)
# In the nested machine the build is at /stepvm; an argument naming an existing file
# outside it is copied in and renamed to match. Exits with the program's status.
# The nested machine has no terminal: $STEPVM_NESTED_INPUT, when set, is typed to the
# program there instead (after a moment, once the guest is listening).
set -eu

build=$1 program=$2
shift 2
dev=${STEPVM_KVM_DEV:-/dev/kvm}
if sh "$(dirname "$0")/kvm-usable.sh"; then
    [ -z "${STEPVM_KVM_DEV:-}" ] || set -- --kvm-dev "$dev" "$@"
    exec "$build/$program" "$@"
fi

echo "(no usable $dev here: running $program in a QEMU machine with nested KVM, ~10 s)" >&2
script=$(mktemp)
files=$(mktemp -d)
trap 'rm -rf "$script" "$files"' EXIT
line="$program"
for arg in "$@"; do
    if [ -f "$arg" ]; then
        cp "$arg" "$files/" && arg="/stepvm/files/$(basename "$arg")"
    fi
    line="$line '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
done
if [ -n "${STEPVM_NESTED_INPUT:-}" ]; then
    echo "(the nested machine has no terminal: typing $(printf '%b' "$STEPVM_NESTED_INPUT" |
        sed 's/.*/"&"/' | tr '\n' ' ')for you)" >&2
    line="(sleep 2; printf '%b' '$STEPVM_NESTED_INPUT') | $line"
fi
echo "cd /stepvm && $line" > "$script"
STEPVM_NESTED_FILES="$files" sh "$(dirname "$0")/nested-kvm.sh" "$build" "$script"
