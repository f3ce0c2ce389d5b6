# Lab opcode-counts (chapter 6): stepvm --stats shows the ten opcodes the interpreter ran most.
# --tcg=block: the counts are kept where the interpreter runs each instruction; host code
# made by --tcg=jit runs most instructions without passing there (see the book's lab).
runs() {
    host plain bin/stepvm --accel=tcg --tcg=block guests/ch6/lab-opcodes.elf
    host stats bin/stepvm --accel=tcg --tcg=block --stats guests/ch6/lab-opcodes.elf
}
# The opcode lines right after "top opcodes:", as "OPCODE COUNT" (0F-map ones as 0fXX).
top() {
    awk '/^top opcodes:$/ { on = 1; next }
         on && /^ +(0f )?[0-9a-f][0-9a-f] +[0-9]+$/ { print (NF == 3 ? $1 $2 : $1), $NF; next }
         { on = 0 }' "$R/stats.err"
}
# What the opcode lines were, for a FAIL: the lines found, or that there were none.
top_seen() {
    if [ -z "$(top)" ]; then
        echo "no opcode lines after a 'top opcodes:' line; stderr ends:"
        tail -n 3 "$R/stats.err" | sed 's/^/  /'
    else
        echo "opcode lines (opcode, count):"
        top | sed 's/^/  /'
    fi
}
header_follows() {
    expected="the line after 'instructions: N (decoded: M)' is 'top opcodes:'"
    seen=$(grep -A1 '^instructions: ' "$R/stats.err" | sed 's/^/line: /')
    [ -n "$seen" ] || seen="no 'instructions:' line on stderr"
    grep -A1 '^instructions: ' "$R/stats.err" | grep -q '^top opcodes:$'
}
ten_lines() {
    expected="10 opcode lines after 'top opcodes:'"
    seen="$(top | wc -l) lines; $(top_seen)"
    [ "$(top | wc -l)" -eq 10 ]
}
descending() {
    expected="the counts never grow from one line to the next"
    seen=$(top_seen)
    top | awk 'NR > 1 && $2 > last { bad = 1 } { last = $2 } END { exit bad || NR == 0 }'
}
within_total() {
    n=$(sed -n 's/^instructions: \([0-9]*\) .*/\1/p' "$R/stats.err")
    expected="the opcode lines' counts add up to at most the instructions run"
    seen="instructions: ${n:-none}; the counts add up to $(top | awk '{ s += $2 } END { print s + 0 }')"
    [ -n "$n" ] && top | awk -v n="$n" '{ s += $2 } END { exit !(NR > 0 && s <= n) }'
}
count_of() { top | awk -v op="$1" '$1 == op { print $2 }'; }
# MOVZX and OUT each run once a POST code; OUT imm8, AL once more per byte printed.
movzx_counted() {
    c=$(count_of 0fb6)
    expected="a line '0f b6  COUNT' with COUNT at least 20000"
    seen="0f b6: ${c:-no line}"
    [ -n "$c" ] && [ "$c" -ge 20000 ]
}
out_counted_once() {
    c=$(count_of e6) bytes=$(wc -c < "$R/stats.out")
    expected="'post codes: 20000', and e6 counted 20000 + $bytes (one per byte printed) = $((20000 + bytes))"
    seen="e6: ${c:-no line}; stdout: $(head -c 60 "$R/stats.out" | tr '\n' ' ')"
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
