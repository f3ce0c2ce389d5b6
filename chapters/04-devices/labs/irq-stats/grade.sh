# Lab irq-stats (chapter 4): --stats counts the interrupts the CPU took, per vector and source.
runs() {
    host pic bin/stepvm --accel=tcg --stats --cmdline irq=pic guests/ch4/lab-irqstats.elf
    host apic bin/stepvm --accel=tcg --stats --cmdline irq=apic guests/ch4/lab-irqstats.elf
    host plain bin/stepvm --accel=tcg --cmdline irq=apic guests/ch4/lab-irqstats.elf
}
# The table's rows, as "VECTOR FROM COUNT": those right after "interrupts: N taken" and
# its column line.
table() {
    awk '/^interrupts: [0-9]+ taken$/ { on = 1; next }
         on == 1 && /^ +vector +from +count$/ { on = 2; next }
         on == 2 && /^ +0x[0-9a-f][0-9a-f] +(lapic|pic) +[0-9]+$/ { print $1, $2, $3; next }
         { on = 0 }' "$R/$1.err"
}
# The rows of run $1 on one line, or "(none)".
rows_of() { r=$(table "$1" | tr '\n' ';'); echo "${r:-(none)}"; }
# The header and the column line, in that order, and at least one row.
has_table() {
    expected="in both runs, 'interrupts: N taken', then the line 'vector  from  count', then rows"
    seen="$1's standard error: $(grep -A2 '^interrupts' "$R/$1.err" 2>/dev/null | tr '\n' '|' | cut -c 1-160)"
    [ "$seen" = "$1's standard error: " ] && seen="$1's standard error has no 'interrupts:' line"
    grep -A1 '^interrupts: [0-9]* taken$' "$R/$1.err" | grep -q '^ *vector  *from  *count$' &&
        [ -n "$(table "$1")" ]
}
tables() { has_table pic && has_table apic; }
# The header's total is the sum of the rows.
adds_up() {
    n=$(sed -n 's/^interrupts: \([0-9]*\) taken$/\1/p' "$R/$1.err")
    expected="in both runs, the header's N equals the sum of the rows' counts"
    seen="$1: header ${n:-(none)}, rows add to $(table "$1" | awk '{ s += $3 } END { print s + 0 }')"
    [ -n "$n" ] && table "$1" | awk -v n="$n" '{ s += $3 } END { exit !(NR > 0 && s == n) }'
}
totals() { adds_up pic && adds_up apic; }
# By vector, lowest first; a vector from both sources: lapic's row before pic's.
sorted() {
    expected="in both runs, rows by vector, lowest first, lapic before pic on one vector"
    seen="$1's rows: $(rows_of "$1")"
    [ -n "$(table "$1")" ] && table "$1" | LC_ALL=C sort -c -u -k1,2 2>/dev/null
}
both_sorted() { sorted pic && sorted apic; }
# What the guest counted on a vector, itself.
counted() { sed -n "s/^counted $2 \([0-9]*\)\$/\1/p" "$R/$1.out"; }
# The table has VECTOR from FROM as many times as the guest counted it (at least once).
agrees() {
    n=$(counted "$1" "$2")
    expected="$1's table has the row '$2 $3 ${n:-N}' (N: what the guest counted on $2)"
    seen="the guest counted ${n:-nothing} on $2; $1's rows: $(rows_of "$1")"
    [ -n "$n" ] && [ "$n" -gt 0 ] && table "$1" | grep -qx "$2 $3 $n"
}
ticks_from() { agrees "$1" 0x20 "$2" && agrees "$1" 0x28 "$2"; }
ipis_exact() {
    expected="$1's table has the rows '0x40 lapic 10' and '0x50 lapic 25'"
    seen="$1's rows: $(rows_of "$1")"
    table "$1" | grep -qx '0x50 lapic 25' && table "$1" | grep -qx '0x40 lapic 10'
}
# Every row a vector the guest counted, and every vector it counted a row.
same_vectors() {
    expected="$1's rows are exactly the vectors the guest counted, with its counts"
    seen="$1's rows: $(rows_of "$1") the guest's counts: $(sed -n 's/^counted //p' "$R/$1.out" 2>/dev/null | tr '\n' ';')"
    table "$1" | awk '{ print $1, $3 }' | sort > "$R/$1.vmm"
    sed -n 's/^counted \(0x[0-9a-f]*\) \([0-9]*\)$/\1 \2/p' "$R/$1.out" | sort > "$R/$1.guest"
    [ -s "$R/$1.guest" ] && cmp -s "$R/$1.vmm" "$R/$1.guest"
}
nothing_else() { same_vectors pic && same_vectors apic; }
checks() {
    check "the guest runs to its end in both modes (exit status 1)" \
        statuses_are 1 pic apic
    check "--stats prints 'interrupts: N taken', then 'vector from count' and rows" tables
    check "N is the sum of the rows' counts" totals
    check "the rows are sorted by vector, lowest first" both_sorted
    check "irq=pic: IRQ 0 and 8 (0x20, 0x28) from the pic, as the guest counted them" \
        ticks_from pic pic
    check "irq=pic: the self-IPIs, 25 on 0x50 and 10 on 0x40, from the lapic" ipis_exact pic
    check "irq=apic: IRQ 0 and 8 (0x20, 0x28) from the lapic, as the guest counted them" \
        ticks_from apic lapic
    check "irq=apic: the self-IPIs, 25 on 0x50 and 10 on 0x40, from the lapic" ipis_exact apic
    check "no row for a vector the guest did not take, and none missing" nothing_else
    check "without --stats, nothing on stderr" err_empty plain
}
