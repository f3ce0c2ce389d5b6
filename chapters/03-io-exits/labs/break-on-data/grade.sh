# Lab break-on-data (chapter 3): the inspector's 'b data N' stops at an exit carrying N.
runs() {
    kvm brk bin/ch3 --batch --batch-script guests/ch3/lab-break.script --load-addr 0x1000 \
        guests/ch1/hello.bin
}
checks() {
    check "'b data' without a value explains itself" \
        out_has brk "^status: .*usage: b .*b data N"
    check "'b data 0x13ba' sets a breakpoint" out_has brk "breakpoint 1: data 0x13ba$"
    check "c stops at the 16-bit write of the sum, exit 37" \
        out_has brk "continue: breakpoint 1 hit at exit 37 (IO)$"
    check "'b data 0x0a' stops at the last newline, exit 55" \
        out_has brk "continue: breakpoint 1 hit at exit 55 (IO)$"
    check "the inspector ends cleanly (exit status 0)" status_is brk 0
}
