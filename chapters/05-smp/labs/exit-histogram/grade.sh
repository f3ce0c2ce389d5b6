# Lab exit-histogram (chapter 5): --stats adds, after chapter 3's table, a row per vCPU
# with its exits by kind:
#   exits per vcpu:
#     vcpu   io   mmio   hlt   intr   other   total
#        0  ...
# smp.elf (chapters/05-smp/guest/smp.c) on 2 and 4 CPUs, both irqchips: every CPU prints
# a line on the debug console (port 0xe9: I/O exits); with stepvm's local APICs
# (--irqchip=user) every CPU also reaches its local APIC by MMIO (enabling it, EOIs).
SMP="bin/ch5 --stats --cmdline iter=1000"
runs() {
    kvm u2 $SMP --irqchip user --smp 2 guests/ch5/smp.elf
    kvm u4 $SMP --irqchip user --smp 4 guests/ch5/smp.elf
    kvm k4 $SMP --irqchip kernel --smp 4 guests/ch5/smp.elf
    kvm plain bin/ch5 --cmdline iter=1000 --smp 2 guests/ch5/smp.elf
}
# The histogram's rows, as "VCPU IO MMIO HLT INTR OTHER TOTAL": those right after the
# header and its column line.
rows() {
    awk '/^exits per vcpu:$/ { on = 1; next }
         on == 1 && /^ +vcpu +io +mmio +hlt +intr +other +total$/ { on = 2; next }
         on == 2 && NF == 7 && /^[ 0-9]+$/ { print $1, $2, $3, $4, $5, $6, $7; next }
         { on = 0 }' "$R/$1.err"
}
# For a FAIL: run $1's rows as the grader read them, or that it found none.
table_seen() {
    if [ -z "$(rows "$1")" ]; then
        echo "$1: no rows under 'exits per vcpu:' and its column line on stderr"
    else
        echo "$1's rows (vcpu io mmio hlt intr other total):"
        rows "$1" | sed 's/^/  /'
    fi
}
# One row per vCPU, 0 to $2 - 1, in order.
one_each() {
    expected="$1: rows for vCPUs $(seq -s ' ' 0 $(($2 - 1))), in that order"
    seen=$(table_seen "$1")
    [ "$(rows "$1" | awk '{ printf "%s ", $1 }')" = "$(seq -s ' ' 0 $(($2 - 1))) " ]
}
all_rows() { one_each u2 2 && one_each u4 4 && one_each k4 4; }
# Each row's total is the sum of its kinds.
row_sums() {
    expected="$1: on every row, io + mmio + hlt + intr + other = total"
    seen=$(table_seen "$1")
    [ -n "$(rows "$1")" ] && rows "$1" | awk '$2 + $3 + $4 + $5 + $6 != $7 { bad = 1 } END { exit bad }'
}
all_sums() { row_sums u2 && row_sums u4 && row_sums k4; }
# The rows add up to the exits counted in chapter 3's table: its count column, the
# seventh field from the end (the reason, where (two words for a port), count, three times).
table_total() {
    awk '/^exit statistics:$/ { on = 1; next }
         on && /^  (IO|MMIO|HLT|STEP|SHUTDOWN|INTR|FATAL) / { s += $(NF - 6); next }
         on && /^  \(([0-9]+) exits in further rows/ { s += substr($1, 2); next }
         on && !/^  reason / { on = 0 }
         END { print s + 0 }' "$R/$1.err"
}
adds_up() {
    n=$(rows "$1" | awk '{ s += $7 } END { print s + 0 }')
    expected="$1: the rows' totals add up to the count column of chapter 3's table"
    seen="$1: the rows add up to $n, chapter 3's table counts $(table_total "$1")"
    [ "$n" -gt 0 ] && [ "$n" = "$(table_total "$1")" ]
}
all_add_up() { adds_up u2 && adds_up u4 && adds_up k4; }
# Column $2 (2 io, 3 mmio) is non-zero on every row.
every_cpu() {
    expected="$1: column $([ "$2" = 2 ] && echo io || echo mmio) not 0 on any row"
    seen=$(table_seen "$1")
    [ -n "$(rows "$1")" ] && rows "$1" | awk -v c="$2" '$c == 0 { bad = 1 } END { exit bad }'
}
every_io() { every_cpu u2 2 && every_cpu u4 2 && every_cpu k4 2; }
all_end() { status_is u2 1 && status_is u4 1 && status_is k4 1; }
no_histogram() {
    status_is plain 1 || return 1
    expected="plain (no --stats): no 'exits per vcpu' on stderr"
    seen=$(grep -m 2 'exits per vcpu' "$R/plain.err" | sed 's/^/found: /')
    ! grep -q 'exits per vcpu' "$R/plain.err"
}
# The header line, right after 'exits per vcpu:'.
header() {
    expected="u4: 'exits per vcpu:', then the line 'vcpu io mmio hlt intr other total'"
    seen=$(grep -A1 '^exits per vcpu:$' "$R/u4.err" | sed 's/^/line: /')
    [ -n "$seen" ] || seen="u4: no line 'exits per vcpu:' on stderr"
    grep -A1 '^exits per vcpu:$' "$R/u4.err" | grep -q '^ *vcpu  *io  *mmio  *hlt  *intr  *other  *total$'
}
checks() {
    check "smp.elf runs to its end on 2 and 4 CPUs, both irqchips (exit status 1)" \
        all_end
    check "--stats still prints chapter 3's table" \
        sh -c "grep -q '^exit statistics:' $R/u4.err && grep -q '^exit statistics:' $R/k4.err" u4 k4
    check "then 'exits per vcpu:', the line 'vcpu io mmio hlt intr other total', and rows" \
        header
    check "one row per vCPU, in order (2 and 4 CPUs, both irqchips)" all_rows
    check "each row's total is the sum of its kinds" all_sums
    check "the rows' totals add up to the exits in chapter 3's table" all_add_up
    check "every CPU has I/O exits (its line on port 0xe9), both irqchips" every_io
    check "--irqchip=user: every CPU has MMIO exits (its local APIC)" every_cpu u4 3
    check "--irqchip=user on 2 CPUs: the same" every_cpu u2 3
    check "without --stats, no histogram" no_histogram
}
