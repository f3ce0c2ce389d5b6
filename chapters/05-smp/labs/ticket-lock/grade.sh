# Lab ticket-lock (chapter 5): the guest runtime's spinlock becomes a ticket lock, behind
# the same interface.
#
# lab-fairness.elf (chapters/05-smp/guest/lab-fairness.c) runs on 4 CPUs under QEMU's TCG,
# the reference machine, which runs a thread per CPU (thread=multi). In its second part each
# of 10 rounds has the three APs come to the held lock one at a time, 50 ms apart, in an
# order that changes from round to round: a ticket lock grants it in that order every time,
# a test-and-set lock to whichever CPU's XCHG wins, which matches it about one round in six.
# smp.elf runs with few iterations: a ticket lock hands over to one CPU in particular, and
# when that CPU's thread is not running (4 CPUs on a host with fewer cores) every CPU waits.
QEMU="qemu-system-x86_64 -display none -m 128 -smp 4 -device isa-debug-exit,iobase=0xf4,iosize=4
      -serial none -monitor none -no-reboot -debugcon stdio -accel tcg,thread=multi -kernel"
runs() {
    host fair timeout 60 $QEMU guests/ch5/lab-fairness.elf
    host smp timeout 60 $QEMU guests/ch5/smp.elf -append iter=2000
}
# Part 1's lines: one per CPU, then the totals and the figure.
counts() {
    expected="fair: four lines 'cpu N: COUNT acquisitions' (N 0-3), then 'fairness: most/fewest ...'"
    seen="fair: $(grep -c '^cpu [0-3]: [0-9]* acquisitions$' "$R/fair.out") such lines; $(grep -m 1 '^fairness:' "$R/fair.out" || echo 'no fairness line')"
    [ "$(grep -c '^cpu [0-3]: [0-9]* acquisitions$' "$R/fair.out")" = 4 ] &&
        out_has fair '^fairness: most/fewest '
}
# The rounds: every one granted in the order the APs came.
in_order() {
    expected="fair: 10 lines 'round N: came A B C, granted A B C', each granted as it came"
    seen=$(grep '^round ' "$R/fair.out" | sed 's/^round [0-9]*: came \(.*\), granted \(.*\)$/&|\1|\2/' |
        awk -F'|' '$2 != $3 { print "out of order: " $1 }' | head -5)
    [ -n "$seen" ] || seen="fair: $(grep -c '^round [0-9]*: came' "$R/fair.out") round lines"
    [ "$(grep -c '^round [0-9]*: came' "$R/fair.out")" = 10 ] &&
        ! grep '^round ' "$R/fair.out" | sed 's/^round [0-9]*: came \(.*\), granted \(.*\)$/\1:\2/' |
            awk -F: '$1 != $2 { bad = 1 } END { exit !bad }'
}
checks() {
    check "lab-fairness.elf runs to its end and exits 0 on 4 CPUs (QEMU status 1)" status_is fair 1
    check "each CPU's acquisitions printed, and the fairness figure" counts
    check "mutual exclusion: the counts add up exactly" out_has fair '^totals: .*: exact$'
    check "first come, first served: every round granted in arrival order" in_order
    check "... and the guest's verdict: 'fifo: 10 of 10 rounds ... yes'" \
        out_has fair '^fifo: 10 of 10 rounds granted in arrival order: yes$'
    check "the interface unchanged: smp.elf's locked counter adds up on 4 CPUs" \
        out_has smp '^smp: 4 cpus, locked 8000, xadd 8000, ipis 6: ok$'
}
