# Lab watch-step (chapter 2): ch2 --watch ADDR, a watchpoint on one byte of guest RAM by
# single-stepping (KVM_SET_GUEST_DEBUG); builds on lab umb-slot (it watches the new RAM).
runs() {
    host help bin/ch2 --help
    kvm twice bin/ch2 --mode protected --watch 0x300000 guests/ch2/dirty.bin
    kvm beside bin/ch2 --mode protected --watch 0x305001 guests/ch2/dirty.bin
    kvm hole bin/ch2 --mode protected --watch 0xb8000 guests/ch2/dirty.bin
    kvm umb bin/ch2 --mode protected --watch 0xd3000 guests/ch2/lab-watch.bin
}
# Run $1's 'watch' lines are exactly the lines given after it.
watch_lines_are() {
    run=$1; shift
    want=$( [ $# -eq 0 ] || printf '%s|' "$@")
    got=$(grep '^watch ' "$R/$run.err" 2>/dev/null | tr '\n' '|')
    expected="$run's 'watch' lines: ${want:-none}"
    seen="${got:-no 'watch' line}; $(describe "$run" | tail -n 3 | tr '\n' ' ')"
    [ "$got" = "$want" ]
}
# The watch on lab umb-slot's RAM (guest/lab-watch.S).
umb_writes_seen() {
    watch_lines_are umb "watch 0xd3000: 0x00 -> 0x11, rip 0x10007" \
        "watch 0xd3000: 0x11 -> 0x33, rip 0x10015" && return 0
    grep -q 'not in guest RAM' "$R/umb.err" 2>/dev/null &&
        seen="ch2 refused 0xd3000 as not RAM: this lab builds on lab umb-slot, do that first"
    return 1
}
# The watch on a byte beside written ones: the run ends well and reports nothing.
quiet_beside() {
    watch_lines_are beside && [ "$(cat "$R/beside.status" 2>/dev/null)" = 0 ]
}
checks() {
    check "--help describes --watch" out_has help "--watch"
    check "the two writes to 0x300000, each with the RIP after its MOV" watch_lines_are twice \
        "watch 0x300000: 0x00 -> 0x01, rip 0x10007" "watch 0x300000: 0x01 -> 0x02, rip 0x10023"
    check "... and the guest still halts (exit status 0)" status_is twice 0
    check "a byte that is never written: no report, though its page is dirty" \
        quiet_beside
    check "... and the guest still halts (exit status 0)" status_is beside 0
    check "an address in the hole is refused (exit status 1)" status_is hole 1
    check "... with a message that names it" err_has hole "0xb8000"
    check "lab umb-slot's RAM: both writes to 0xd3000 are seen, not the one beside it" \
        umb_writes_seen
    check "... and the guest halts (exit status 0)" status_is umb 0
}
