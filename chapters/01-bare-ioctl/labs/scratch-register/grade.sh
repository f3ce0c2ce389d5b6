# Lab scratch-register (chapter 1): COM1's scratch register at port 0x3ff.
runs() {
    kvm scratch bin/ch1 guests/ch1/lab-scratch.bin
    kvm hello bin/ch1
}
# The guest's verdict (guest/lab-scratch.S): status 1 both bytes came back, 3 not.
reads_back() {
    status_is scratch 1 && return 0
    [ "$(cat "$R/scratch.status" 2>/dev/null)" = 3 ] &&
        seen="status 3: a byte read from port 0x3ff differed from the one written before it"
    return 1
}
checks() {
    check "the guest reads back 0x5a and 0xa5 (exit status 1)" reads_back
    check "port 0x3ff is no longer reported as missing" err_lacks scratch "port 0x03ff"
    check "the greeting guest still runs (exit status 0)" status_is hello 0
    check "the greeting guest still prints its sum" out_has hello "sum 1..100 = 5050"
}
