#!/bin/sh
# book-screens.sh - capture a real screen of the inspector, as text, for the book.
#
# usage: book-screens.sh OUT_DIR   (run by book.sh, from the top of the tree, after the build)
#
# Runs chapter 6's program, build/bin/stepvm, on its interpreter (so no /dev/kvm is
# needed) with chapter 3's default guest under --inspect, in a tmux session of 80x24,
# steps it three exits with 'n', and writes the screen to OUT_DIR/inspector-screen.txt.
# Chapter 3's page shows that file with \verbinclude. Polls the pane, never sleeps blind;
# exits 1 with a message when the screen does not come.
set -u
out=$1
program=build/bin/stepvm
guest=build/guests/ch3/devices.elf
tmux="tmux -L stepvm-book"

for f in "$program" "$guest"; do
    [ -e "$f" ] || { echo "book-screens: $f is missing (make build)" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "book-screens: tmux is not installed (make deps)" >&2; exit 1; }

# Waits until the pane shows $1 (a fixed string); 20 s at most.
wait_for() {
    i=0
    while [ $i -lt 200 ]; do
        $tmux capture-pane -p > "$out/screen.tmp" 2>/dev/null && grep -qF -- "$1" "$out/screen.tmp" && return 0
        i=$((i + 1))
        sleep 0.1
    done
    echo "book-screens: the inspector never showed \"$1\"; its screen was:" >&2
    cat "$out/screen.tmp" >&2
    return 1
}

mkdir -p "$out"
$tmux kill-server 2>/dev/null
TERM=xterm $tmux new-session -d -x 80 -y 24 "$program --accel=tcg --inspect $guest" \
    </dev/null >/dev/null 2>&1 || { echo "book-screens: tmux new-session failed" >&2; exit 1; }
ok=0
if wait_for "devices.elf | exits 0"; then
    $tmux send-keys n n n
    wait_for "devices.elf | exits 3" && ok=1
fi
[ $ok -eq 1 ] && sed -e 's/[ \t]*$//' "$out/screen.tmp" > "$out/inspector-screen.txt"
$tmux send-keys q 2>/dev/null
$tmux kill-server 2>/dev/null
rm -f "$out/screen.tmp"
[ $ok -eq 1 ] || exit 1
echo "book-screens: $out/inspector-screen.txt"
