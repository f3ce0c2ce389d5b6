# Lab exit-stats (chapter 1): ch1 --stats counts the exits by reason.
runs() {
    host help bin/ch1 --help
    kvm stats bin/ch1 --stats
    kvm plain bin/ch1
}
checks() {
    check "--help describes --stats" out_has help "--stats"
    check "the guest runs as before with --stats (exit status 0)" status_is stats 0
    check "its output is unchanged" out_has stats "^sum 1..100 = 5050$"
    check "stderr has the 'exit statistics:' header" err_has stats "^exit statistics:$"
    check "IO exits counted: 55" err_has stats "^  IO  *55$"
    check "HLT exits counted: 1" err_has stats "^  HLT  *1$"
    check "only the reasons seen are listed" \
        sh -c "[ \$(sed -n '/^exit statistics:/,\$p' $R/stats.err | wc -l) -eq 3 ]"
    check "without --stats nothing extra is printed" err_empty plain
}
