# Lab dirty-loop (chapter 2): dirty 64 pages with a loop.
runs() {
    kvm dirty bin/ch2 --mode protected --dirty-log guests/ch2/lab-dirty.bin
}
checks() {
    check "the guest halts (exit status 0)" status_is dirty 0
    check "interval 2 is exactly 0x400000-0x43ffff, 64 pages" \
        err_has dirty "^dirty interval 2 (POST 0x02): 0x400000-0x43ffff; 64 pages$"
    check "nothing is written after POST 0x02" err_has dirty "^dirty interval 3 (at exit): 0 pages$"
}
