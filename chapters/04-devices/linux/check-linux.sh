#!/bin/sh
# check-linux.sh - judge a run of chapter 4's Linux guest (see init): the console it
# printed and the disk it wrote, whatever machine ran it (stepvm, or QEMU as a reference).
#
# usage: check-linux.sh CONSOLE_LOG DISK_IMG EXPECTED_SHA
# CONSOLE_LOG is what the guest printed on its serial console, DISK_IMG the disk after the
# run (a copy of mkinitramfs.sh's disk.img), EXPECTED_SHA the content of disk.sha256.
# Prints one 'OK: ...' or 'FAIL: ...' line per check, then exits 0 when all passed and 1
# otherwise.
set -u

[ $# -eq 3 ] || { echo "usage: $0 CONSOLE_LOG DISK_IMG EXPECTED_SHA" >&2; exit 1; }
disk=$2 sha=$3
failed=0
# Serial consoles end their lines with CR LF: the checks read the lines without the CR.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tr -d '\r' < "$1" > "$log" || exit 1

# check WHAT COMMAND...: runs COMMAND and prints one line saying whether it held.
check() {
    what=$1
    shift
    if "$@" >/dev/null 2>&1; then
        echo "OK: $what"
    else
        echo "FAIL: $what"
        failed=1
    fi
}

# The block init writes: its line, zero-padded to 512 bytes, 8 sectors before the end.
block_written() {
    sector=$(($(wc -c < "$disk") / 512 - 8))
    [ "$(dd if="$disk" bs=512 skip="$sector" count=1 2>/dev/null | tr -d '\0')" = \
        "STEPVM-LINUX-WROTE sector $sector" ]
}

check "the kernel booted (Linux version banner)" grep -q 'Linux version' "$log"
check "/init ran (LINUX-INIT)" grep -q '^LINUX-INIT' "$log"
check "no step failed (no LINUX-FAIL)" sh -c "! grep '^LINUX-FAIL' '$log'"
check "hello.txt read from /dev/vda (LINUX-READ $sha)" grep -qx "LINUX-READ $sha" "$log"
check "the block was written (LINUX-WROTE)" grep -q '^LINUX-WROTE' "$log"
check "the disk image holds the written block" block_written
check "all steps passed (LINUX-OK)" grep -q '^LINUX-OK' "$log"
grep '^LINUX-HVC0\|^LINUX-FAIL' "$log" | sed 's/^/note: /'
exit "$failed"
