#!/bin/sh
# deps.sh - install the Debian packages stepvm needs; do nothing when all are there.
#
# usage: deps.sh [book]
# Used by 'make deps', and so by 'make run' and 'make test'; 'make book' adds 'book': the
# headless browser its check renders the book in is a large package nobody else needs.
set -eu

packages="build-essential check pkg-config libncurses-dev libzydis-dev doxygen graphviz tmux qemu-system-x86 clang-format libunicorn-dev acpica-tools"
[ "${1:-}" = book ] && packages="$packages chromium"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Without a usable /dev/kvm, the KVM tests run in a nested machine whose kernel is taken
# from Debian's linux-image-amd64 package: the package lists must know it.
if command -v apt-cache >/dev/null && ! sh "$(dirname "$0")/kvm-usable.sh" &&
    ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
    echo "deps: updating the package lists (for the nested test machine's kernel)"
    $sudo apt-get update -qq
fi

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
echo "deps: installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
echo "deps: done"
