# Lab opcode-counts (chapter 6): stepvm --stats shows the ten opcodes the interpreter ran most.
runs() {
    host plain bin/stepvm --accel=tcg guests/ch6/lab-opcodes.elf
    host stats bin/stepvm --accel=tcg --stats guests/ch6/lab-opcodes.elf
}
# The opcode lines right after "top opcodes:", as "OPCODE COUNT" (0F-map ones as 0fXX).
top() {
    awk '/^top opcodes:$/ { on = 1; next }
         on && /^ +(0f )?[0-9a-f][0-9a-f] +[0-9]+$/ { print (NF == 3 ? $1 $2 : $1), $NF; next }
         { on = 0 }' "$R/stats.err"
}
header_follows() { grep -A1 '^instructions: ' "$R/stats.err" | grep -q '^top opcodes:$'; }
ten_lines() { [ "$(top | wc -l)" -eq 10 ]; }
descending() { top | awk 'NR > 1 && $2 > last { bad = 1 } { last = $2 } END { exit bad || NR == 0 }'; }
within_total() {
    n=$(sed -n 's/^instructions: \([0-9]*\) .*/\1/p' "$R/stats.err")
    [ -n "$n" ] && top | awk -v n="$n" '{ s += $2 } END { exit !(NR > 0 && s <= n) }'
}
count_of() { top | awk -v op="$1" '$1 == op { print $2 }'; }
# MOVZX and OUT each run once a POST code; OUT imm8, AL once more per byte printed.
movzx_counted() { c=$(count_of 0fb6); [ -n "$c" ] && [ "$c" -ge 20000 ]; }
out_counted_once() {
    c=$(count_of e6) bytes=$(wc -c < "$R/stats.out")
    grep -q '^post codes: 20000$' "$R/stats.out" && [ -n "$c" ] && [ "$c" -eq $((20000 + bytes)) ]
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is stats 1
    check "'top opcodes:' follows the instructions line" header_follows
    check "ten opcode lines, as '  8b  COUNT' or '  0f b6  COUNT'" ten_lines
    check "the most executed first" descending
    check "the ten counts add up to at most the instructions run" within_total
    check "MOVZX (0f b6) ran at least 20000 times" movzx_counted
    check "OUT imm8, AL (e6): once per POST code and per byte printed" out_counted_once
    check "without --stats, nothing on stderr" err_empty plain
}
