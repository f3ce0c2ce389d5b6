# Lab load-anywhere (chapter 2): make lab-pic.S position-independent.
runs() {
    kvm linked bin/ch2 --mode long --load-addr 0x10000 guests/ch2/lab-pic.bin
    kvm moved bin/ch2 --mode long --load-addr 0x200000 guests/ch2/lab-pic.bin
    kvm far bin/ch2 --mode long --load-addr 0x3000000 guests/ch2/lab-pic.bin
}
checks() {
    for run in linked moved far; do
        check "loaded for the '$run' run, it prints its message" \
            out_has $run "^position-independent: found my message$"
        check "... and halts (exit status 0)" status_is $run 0
    done
}
