# Lab sum-of-squares (chapter 1): finish guest/lab-squares.S.
runs() {
    kvm squares bin/ch1 --trace guests/ch1/lab-squares.bin
}
checks() {
    check "the guest halts (exit status 0)" status_is squares 0
    check "it writes 385 (0x0181) to port 0x80 as one 16-bit OUT" \
        err_has squares "out port 0x0080 size 2 data 0x0181"
    check "it writes to port 0x80 exactly once" \
        sh -c "[ \$(grep -c 'port 0x0080' $R/squares.err) -eq 1 ]"
    check "it ends with a HLT exit" err_has squares "  HLT  "
}
