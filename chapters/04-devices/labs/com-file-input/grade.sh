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
# Where two texts first differ: "line N: got 'A', the file has 'B'" (or which is shorter).
first_difference() {
    awk 'NR == FNR { want[FNR] = $0; n = FNR; next }
         { got[FNR] = $0; m = FNR }
         END { for (i = 1; i <= (n > m ? n : m); i++)
                   if (!(i in got)) { printf "only %d lines of %d came; line %d missing: %s\n", m, n, i, want[i]; exit }
                   else if (!(i in want)) { printf "%d lines came, the file has %d; line %d is extra: %s\n", m, n, i, got[i]; exit }
                   else if (got[i] != want[i]) { printf "line %d: got \"%s\", the file has \"%s\"\n", i, got[i], want[i]; exit } }' "$1" "$2"
}
guest_done() {
    expected="com2 ends with status 1 and prints its 'lines: N' summary"
    seen=$(describe com2)
    [ "$(cat "$R/com2.status" 2>/dev/null)" = 1 ] && grep -q '^lines: ' "$R/com2.out"
}
# The lines the guest printed, as the file had them.
lines_in_order() {
    expected="the guest's 'line N: TEXT' lines are the file's 60 lines, in order"
    seen=$(describe com2)
    ran com2 || return 1
    sed -n 's/^line [0-9]*: //p' "$R/com2.out" > "$R/got.txt"
    sed '$d' "$R/in.txt" > "$R/want.txt"
    seen=$(first_difference "$R/want.txt" "$R/got.txt")
    cmp -s "$R/want.txt" "$R/got.txt"
}
# Every byte of the file, read in the guest's interrupt handler (it never polls).
by_interrupt() {
    size=$(wc -c < "$R/in.txt")
    expected="the guest prints 'bytes: $size' (the file's size) and 'interrupts: I' with I at least 1"
    b=$(sed -n 's/^bytes: \([0-9]*\)$/\1/p' "$R/com2.out" 2>/dev/null)
    i=$(sed -n 's/^interrupts: \([0-9]*\)$/\1/p' "$R/com2.out" 2>/dev/null)
    seen="bytes: ${b:-(no such line)}, interrupts: ${i:-(no such line)}"
    [ -n "$b" ] && [ -n "$i" ] && [ "$b" -eq "$size" ] && [ "$i" -ge 1 ]
}
echoed_in_capitals() {
    expected="COM2's output file holds the file's lines but the last ('end'), in capitals"
    if [ ! -f "$R/com2-tx.txt" ]; then
        seen="COM2's output file was never created"
        return 1
    fi
    sed '$d' "$R/in.txt" | tr a-z A-Z > "$R/caps.txt"
    seen=$(first_difference "$R/caps.txt" "$R/com2-tx.txt")
    cmp -s "$R/caps.txt" "$R/com2-tx.txt"
}
refused() {
    expected="missing ends with status 1 and its standard error names no-such-file"
    seen=$(describe missing)
    [ "$(cat "$R/missing.status" 2>/dev/null)" = 1 ] && grep -q 'no-such-file' "$R/missing.err"
}
checks() {
    check "--help describes --com2-in" out_has help "--com2-in FILE"
    check "the guest runs to its end (exit status 1)" guest_done
    check "every line arrives, in order, and then 'end'" lines_in_order
    check "the input ends with the file's 'end', not a timeout" out_has com2 "^end: seen$"
    check "every byte of the file, taken by the receive interrupt" by_interrupt
    check "no byte lost to an overrun" out_has com2 "^overruns: 0$"
    check "COM2's output file holds the lines in capitals" echoed_in_capitals
    check "a missing input file is refused, naming it (exit status 1)" refused
}
