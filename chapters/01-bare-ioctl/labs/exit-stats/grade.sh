# Lab exit-stats (chapter 1): ch1 --stats counts the exits by reason.
runs() {
    host help bin/ch1 --help
    kvm stats bin/ch1 --stats
    kvm plain bin/ch1
}
# The table of run stats: its header and exactly two rows (IO and HLT).
table_has_two_rows() {
    rows=$(sed -n '/^exit statistics:/,$p' "$R/stats.err" 2>/dev/null | sed 1d)
    expected="after 'exit statistics:', two rows (IO and HLT), the only reasons seen"
    seen="$(printf '%s\n' "$rows" | grep -c .) row(s) after the header: $(printf '%s' "$rows" | tr '\n' '|')"
    grep -q '^exit statistics:$' "$R/stats.err" && [ "$(printf '%s\n' "$rows" | grep -c .)" -eq 2 ]
}
checks() {
    check "--help describes --stats" out_has help "--stats"
    check "the guest runs as before with --stats (exit status 0)" status_is stats 0
    check "its output is unchanged" out_has stats "^sum 1..100 = 5050$"
    check "stderr has the 'exit statistics:' header" err_has stats "^exit statistics:$"
    check "IO exits counted: 55" err_has stats "^  IO  *55$"
    check "HLT exits counted: 1" err_has stats "^  HLT  *1$"
    check "only the reasons seen are listed" table_has_two_rows
    check "without --stats nothing extra is printed" err_empty plain
}
