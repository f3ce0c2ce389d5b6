# Lab break-on-data (chapter 3): the inspector's 'b data N' stops at an exit carrying N.
runs() {
    kvm brk bin/ch3 --batch --batch-script guests/ch3/lab-break.script --load-addr 0x1000 \
        guests/ch1/hello.bin
}
# What the inspector answered to each command of the script: the command, then the part
# of its status line after the guest's name and the counters.
answers() {
    awk '/^=== / { cmd = substr($0, 5); next }
         cmd != "" && /^status: / { n = split($0, f, " [|] "); print cmd " -> " f[n]; cmd = "" }' \
        "$R/brk.out" 2>/dev/null
}
# The transcript has a line matching $1; on a FAIL, the answers show what it said instead.
answered() {
    expected="the transcript has a line matching '$1'"
    seen=$(answers)
    [ -n "$seen" ] && seen="the inspector's answers:
$seen" || seen=$(describe brk)
    grep -q -- "$1" "$R/brk.out" 2>/dev/null
}
checks() {
    check "'b data' without a value explains itself" answered "^status: .*usage: b .*b data N"
    check "'b data 0x13ba' sets a breakpoint" answered "breakpoint 1: data 0x13ba$"
    check "c stops at the 16-bit write of the sum, exit 37" \
        answered "continue: breakpoint 1 hit at exit 37 (IO)$"
    check "'b data 0x0a' stops at the last newline, exit 55" \
        answered "continue: breakpoint 1 hit at exit 55 (IO)$"
    check "the inspector ends cleanly (exit status 0)" status_is brk 0
}
