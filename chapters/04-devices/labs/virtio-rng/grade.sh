# Lab virtio-rng (chapter 4): --rng, a virtio entropy device filling the guest's buffers.
runs() {
    head -c 65536 /dev/zero > "$R/a.img"
    head -c 65536 /dev/zero > "$R/b.img"
    host help bin/stepvm --help
    host alone bin/stepvm --accel=tcg --rng guests/ch4/lab-vrng.elf
    host again bin/stepvm --accel=tcg --rng guests/ch4/lab-vrng.elf
    host third bin/stepvm --accel=tcg --disk "$R/a.img" --disk "$R/b.img" --rng \
        guests/ch4/lab-vrng.elf
}
# The guest's line "vrng: WHAT: ok" in run $1.
ok() {
    expected="$1's standard output has the line 'vrng: $2: ok'"
    seen=$(grep -F "vrng: $2" "$R/$1.out" 2>/dev/null | head -n 3)
    [ -n "$seen" ] && seen="$1 printed: $seen" || seen=$(describe "$1")
    grep -qxF "vrng: $2: ok" "$R/$1.out" 2>/dev/null
}
bytes() { sed -n 's/^vrng: bytes //p' "$R/$1.out"; }
# The first request's bytes, as two runs printed them: 64 of them, and not the same twice.
differ() {
    a=$(bytes alone) b=$(bytes again)
    expected="two runs each print 'vrng: bytes' with 64 bytes, not the same in both"
    seen="first run: $(echo "$a" | wc -w) bytes ($(echo "$a" | cut -c 1-48)...), second: $(echo "$b" | wc -w) bytes ($(echo "$b" | cut -c 1-48)...)"
    [ "$(echo "$a" | wc -w)" = 64 ] && [ "$(echo "$b" | wc -w)" = 64 ] && [ "$a" != "$b" ]
}
canary() {
    ok alone "readable then writable: the readable canary untouched" &&
        ok alone "a readable buffer alone: the canary untouched"
}
readable() {
    ok alone "readable then writable: used length 64, the writable part filled" &&
        ok alone "a readable buffer alone: used length 0" &&
        ok alone "an empty writable buffer: used length 0" &&
        ok alone "after all that: 64 bytes again"
}
all_pass() {
    for r in alone again third; do
        expected="every run ends with status 1 and prints 'vrng: 0 failed'"
        seen="$r ended with status $(cat "$R/$r.status" 2>/dev/null); $(grep -m 1 'failed$' "$R/$r.out" 2>/dev/null || echo "no 'vrng: N failed' line")"
        [ "$(cat "$R/$r.status" 2>/dev/null)" = 1 ] && grep -qx 'vrng: 0 failed' "$R/$r.out" || return 1
    done
}
first_request() { ok alone "64 bytes: used length 64" && ok alone "64 bytes: not all zero"; }
checks() {
    check "--help describes --rng" out_has help "--rng"
    check "the guest finds device ID 4 in the first slot (0xd0000000, IRQ 5)" \
        out_has alone "^vrng: virtio-rng at 0xd0000000, IRQ 5$"
    check "after two disks, it is in the next free slot (0xd0002000, IRQ 7)" \
        out_has third "^vrng: virtio-rng at 0xd0002000, IRQ 7$"
    check "64 bytes asked, used length 64, not all zero" first_request
    check "a second request brings other bytes" ok alone "64 more bytes: not the same as the first"
    check "two runs bring other bytes (from getrandom, not a fixed seed)" differ
    check "a chain of two writable buffers: both filled, used length 132" \
        ok alone "two writable buffers: used length 132, both filled"
    check "a device-readable buffer is never written (its canary intact)" canary
    check "readable-only and empty chains: used length 0, and the device goes on" readable
    check "completions come by interrupt" ok alone "completions by interrupt"
    check "every step passes in every run (exit status 1, 'vrng: 0 failed')" all_pass
    check "nothing on stderr: no warning, no DEVICE_NEEDS_RESET" err_empty alone
}
