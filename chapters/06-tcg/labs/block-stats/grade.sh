# Lab block-stats (chapter 6): stepvm --stats counts the translation blocks it made, the
# times it entered one through a link (chained), and the blocks it threw away (dropped).
runs() {
    host plain bin/stepvm --accel=tcg --tcg=block guests/ch6/lab-blocks.elf
    host short bin/stepvm --accel=tcg --tcg=block --stats --cmdline trips=1 guests/ch6/lab-blocks.elf
    host trips1 bin/stepvm --accel=tcg --tcg=block --stats --cmdline trips=100000 guests/ch6/lab-blocks.elf
    host trips2 bin/stepvm --accel=tcg --tcg=block --stats --cmdline trips=200000 guests/ch6/lab-blocks.elf
    host vm bin/stepvm --accel=tcg --tcg=block --stats guests/ch6/bench-vm.elf
    host smc bin/stepvm --accel=tcg --tcg=block --stats guests/ch6/smc.elf
    host insn bin/stepvm --accel=tcg --tcg=insn --stats --cmdline trips=1000 guests/ch6/lab-blocks.elf
}
# The blocks line of run $1, or nothing when it has none of the right form.
blocks_line() {
    grep -m 1 '^blocks: [0-9][0-9]* made, [0-9][0-9]* chained, [0-9][0-9]* dropped$' "$R/$1.err"
}
# One count of run $1's blocks line: made, chained or dropped.
count() { blocks_line "$1" | sed "s/.* \([0-9][0-9]*\) $2.*/\1/"; }
# Run $1's instructions line: field 1 instructions, 2 decoded.
instr() { sed -n 's/^instructions: \([0-9]*\) (decoded: \([0-9]*\))$/\1 \2/p' "$R/$1.err" | cut -d' ' -f"$2"; }
# What run $1 printed for blocks, for a FAIL.
blocks_seen() {
    if ! ran "$1"; then echo "$1 never ran"; return; fi
    line=$(grep -m 1 '^blocks' "$R/$1.err")
    if [ -n "$line" ]; then echo "$1: $line"; else echo "$1: no 'blocks' line on stderr (status $(cat "$R/$1.status"))"; fi
}
line_in_place() {
    expected="after 'translation: block, ...' the line 'blocks: M made, C chained, D dropped' (numbers), then 'instructions: ...'"
    seen=$(grep -A2 '^translation: ' "$R/trips1.err" | sed 's/^/line: /')
    [ -n "$seen" ] || seen="no 'translation:' line on stderr"
    grep -A2 '^translation: ' "$R/trips1.err" | sed -n 2p |
        grep -q '^blocks: [0-9][0-9]* made, [0-9][0-9]* chained, [0-9][0-9]* dropped$' &&
        grep -A2 '^translation: ' "$R/trips1.err" | sed -n 3p | grep -q '^instructions: '
}
short_is_small() {
    expected="trips=1 (about 11000 instructions in all): fewer than 1000 made, fewer than 20000 chained"
    seen=$(blocks_seen short)
    m=$(count short made) c=$(count short chained)
    [ -n "$m" ] && [ "$m" -gt 0 ] && [ "$m" -lt 1000 ] && [ "$c" -lt 20000 ]
}
trips_chain() {
    c1=$(count trips1 chained) c2=$(count trips2 chained)
    expected="trips=200000 chains 2 x 100000 = 200000 more times than trips=100000 (within 1%)"
    seen="$(blocks_seen trips1)
$(blocks_seen trips2)"
    [ -n "$c1" ] && [ -n "$c2" ] && seen="$seen
the difference is $((c2 - c1))"
    [ -n "$c1" ] && [ -n "$c2" ] && [ $((c2 - c1)) -ge 198000 ] && [ $((c2 - c1)) -le 202000 ]
}
trips_made_once() {
    m1=$(count trips1 made) m2=$(count trips2 made)
    expected="the same blocks made for trips=100000 and trips=200000 (the loop is translated once; within 5)"
    seen="$(blocks_seen trips1)
$(blocks_seen trips2)"
    [ -n "$m1" ] && [ -n "$m2" ] && [ "$m1" -gt 0 ] && [ $((m2 - m1)) -le 5 ] && [ $((m1 - m2)) -le 5 ]
}
vm_chains() {
    m=$(count vm made) c=$(count vm chained)
    expected="bench-vm.elf: chained at least 1000 times made (a few dozen blocks entered millions of times)"
    seen=$(blocks_seen vm)
    [ -n "$m" ] && [ "$m" -gt 0 ] && [ "$c" -ge $((1000 * m)) ]
}
smc_drops() {
    expected="smc.elf (it rewrites code it ran): dropped > 0"
    seen=$(blocks_seen smc)
    d=$(count smc dropped)
    [ -n "$d" ] && [ "$d" -gt 0 ]
}
# Runs $1: dropped <= made <= decoded, and chained <= instructions.
consistent() {
    m=$(count "$1" made) c=$(count "$1" chained) d=$(count "$1" dropped)
    i=$(instr "$1" 1) n=$(instr "$1" 2)
    expected="$1: dropped <= made <= decoded (a block holds at least one decoded instruction), chained <= instructions"
    seen="$(blocks_seen "$1")
$1: instructions: ${i:-none}, decoded: ${n:-none}"
    [ -n "$m" ] && [ -n "$i" ] && [ "$d" -le "$m" ] && [ "$m" -le "$n" ] && [ "$c" -le "$i" ]
}
checks() {
    check "lab-blocks.elf runs to its end (exit status 1)" status_is trips1 1
    check "'blocks: M made, C chained, D dropped' between the translation and instructions lines" line_in_place
    check "a short run: few blocks made, few chained" short_is_small
    check "every extra loop trip: two blocks chained" trips_chain
    check "a loop's blocks are made once, however often it runs" trips_made_once
    check "bench-vm.elf: chained far more often than made" vm_chains
    check "smc.elf: blocks whose code was rewritten are dropped" smc_drops
    check "smc.elf runs to its end (exit status 1)" status_is smc 1
    check "the counts agree with each other and with the instructions line (smc.elf)" consistent smc
    check "the counts agree with each other and with the instructions line (bench-vm.elf)" consistent vm
    check "--tcg=insn: 'blocks: none ...'" err_has insn '^blocks: none'
    check "without --stats, nothing on stderr" err_empty plain
}
