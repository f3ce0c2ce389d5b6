# Lab com-file-input (chapter 4): --com2-in FILE, COM2's receiver hears a file.
# The input: 60 lines (about 2 KB, many times the 16-byte FIFO), then "end".
make_input() {
    awk 'BEGIN { for (i = 1; i <= 60; i++) printf "the quick brown fox, line %02d of 60\n", i; print "end" }' > "$R/in.txt"
}
runs() {
    make_input
    host help bin/stepvm --help
    host com2 bin/stepvm --accel=tcg --com2 "$R/com2-tx.txt" --com2-in "$R/in.txt" guests/ch4/lab-com2in.elf
    host missing bin/stepvm --accel=tcg --com2-in "$R/no-such-file" guests/ch4/lab-com2in.elf
}
# The lines the guest printed, as the file had them.
lines_in_order() {
    ran com2 || return 1
    sed -n 's/^line [0-9]*: //p' "$R/com2.out" > "$R/got.txt"
    sed '$d' "$R/in.txt" | cmp -s - "$R/got.txt"
}
# Every byte of the file, read in the guest's interrupt handler (it never polls).
by_interrupt() {
    b=$(sed -n 's/^bytes: \([0-9]*\)$/\1/p' "$R/com2.out")
    i=$(sed -n 's/^interrupts: \([0-9]*\)$/\1/p' "$R/com2.out")
    [ -n "$b" ] && [ -n "$i" ] && [ "$b" -eq "$(wc -c < "$R/in.txt")" ] && [ "$i" -ge 1 ]
}
echoed_in_capitals() {
    [ -f "$R/com2-tx.txt" ] && sed '$d' "$R/in.txt" | tr a-z A-Z | cmp -s - "$R/com2-tx.txt"
}
checks() {
    check "--help describes --com2-in" out_has help "--com2-in FILE"
    check "the guest runs to its end (exit status 1)" sh -c "[ \"\$(cat $R/com2.status)\" = 1 ] && grep -q '^lines: ' $R/com2.out"
    check "every line arrives, in order, and then 'end'" lines_in_order
    check "the input ends with the file's 'end', not a timeout" out_has com2 "^end: seen$"
    check "every byte of the file, taken by the receive interrupt" by_interrupt
    check "no byte lost to an overrun" out_has com2 "^overruns: 0$"
    check "COM2's output file holds the lines in capitals" echoed_in_capitals
    check "a missing input file is refused, naming it (exit status 1)" \
        sh -c "[ \"\$(cat $R/missing.status)\" = 1 ] && grep -q 'no-such-file' $R/missing.err"
}
