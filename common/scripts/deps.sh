#!/bin/sh
# deps.sh - install the Debian packages stepvm needs; do nothing when all are there.
#
# Used by 'make deps', and so by 'make run', 'make test' and 'make book'.
set -eu

packages="build-essential check pkg-config libncurses-dev doxygen tmux qemu-system-x86"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "deps: stepvm needs these packages (Debian names):$missing" >&2
    echo "deps: this system has no apt-get; install their equivalents by hand" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
echo "deps: done"
