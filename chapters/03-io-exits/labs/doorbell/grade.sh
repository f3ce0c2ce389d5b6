# Lab doorbell (chapter 3): port 0x520 counts its rings, which KVM takes without an exit.
runs() {
    kvm bell bin/ch3 --stats guests/ch3/lab-bell.elf
    host tcg bin/stepvm --accel=tcg guests/ch3/lab-bell.elf
}
# The exits the statistics count on port 0x520, whatever their direction (0 if no row).
bell_exits() {
    sed -n 's/^ *IO *port 0x0520 *\([0-9]*\) .*/\1/p' "$R/bell.err" | awk '{ s += $1 } END { print s + 0 }'
}
# The guest's read of the count is the one exit the port may still cost.
no_ring_exits() {
    expected="the exit statistics show at most 1 exit on port 0x0520 (the read of the count)"
    if ! grep -q '^exit statistics:$' "$R/bell.err" 2>/dev/null; then
        seen=$(describe bell)
        return 1
    fi
    n=$(bell_exits)
    seen="$n exits on port 0x0520: $(grep 'port 0x0520' "$R/bell.err" | tr -s ' ' | head -n 2)"
    [ "$n" -le 1 ]
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is bell 1
    check "the doorbell counts the 1000 rings on KVM" out_has bell "^doorbell: 1000 rings counted$"
    check "on KVM, no ring leaves the kernel (KVM_IOEVENTFD)" no_ring_exits
    check "port 0x520 is no longer unclaimed" err_lacks bell "port 0x520"
    check "without KVM (stepvm --accel=tcg) every ring exits, and the device counts them" \
        out_has tcg "^doorbell: 1000 rings counted$"
}
