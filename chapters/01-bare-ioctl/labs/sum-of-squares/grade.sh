# Lab sum-of-squares (chapter 1): finish guest/lab-squares.S.
runs() {
    kvm squares bin/ch1 --trace guests/ch1/lab-squares.bin
}
# The --trace of run squares has exactly one write to port 0x80.
one_post_write() {
    n=$(grep -c 'port 0x0080' "$R/squares.err" 2>/dev/null)
    expected="exactly one trace line 'out port 0x0080 ...'"
    seen="${n:-no} such line(s): $(grep -m 3 'port 0x0080' "$R/squares.err" 2>/dev/null | tr '\n' '|')"
    [ "${n:-0}" -eq 1 ]
}
checks() {
    check "the guest halts (exit status 0)" status_is squares 0
    check "it writes 385 (0x0181) to port 0x80 as one 16-bit OUT" \
        err_has squares "out port 0x0080 size 2 data 0x0181"
    check "it writes to port 0x80 exactly once" one_post_write
    check "it ends with a HLT exit" err_has squares "  HLT  "
}
