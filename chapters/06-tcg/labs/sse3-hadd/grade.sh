# Lab sse3-hadd (chapter 6): the interpreter learns SSE3's horizontal adds, HADDPD
# (66 0F 7C) and HADDPS (F2 0F 7C), which it refuses with #UD before the lab.
#
# The lab asks for three changes: the decoder's row 0F 7C (common/x86/opcodes.c) admits the
# 66 and F2 forms, sse.c computes them on the host's SSE unit under the guest's MXCSR as
# it does ADDPS (flags, #XM, the 16-byte alignment of m128 and all), and the differential
# test's rule that expects #UD for SSE3 (diff_rules.c, diff__beyond_sse2) leaves 0F 7C to
# the host CPU, which judges it. CPUID still does not advertise SSE3: the rest of it is
# missing.
#
# The reference is the host CPU itself: guest/lab-hadd.c, built as a Linux program
# (tests/lab-hadd-host), runs the same tests natively, and every line stepvm prints must
# be the one the host prints. The differential slice (STEPVM_DIFF_OPCODE=0f7c: 64-bit
# cases of row 0F 7C alone, judged by the host CPU) must compare cases and find no
# difference, but two it finds in ADDPS too (STEPVM_DIFF_OPCODE=0f58), which are no part
# of the lab: MXCSR.PE after an unmasked underflow (sse.c leaves PE clear, the CPU sets it
# when the result is inexact), and #SS against the reference's #GP for a misaligned
# operand at a non-canonical rBP-based address.
runs() {
    host hadd bin/stepvm --accel=tcg guests/ch6/lab-hadd.elf
    host native tests/lab-hadd-host
    STEPVM_DIFF_OPCODE=0f7c STEPVM_DIFF_CASES=3000 STEPVM_DIFF_REPORTS=100000 \
        CK_RUN_CASE=diff host diff tests/check_ch6
}
no_ud() { ran hadd && out_has hadd "^haddpd: executed$" && out_has hadd "^haddps: executed$" &&
    ! grep -q ' #6$' "$R/hadd.out"; }
# Every line the host CPU printed, in order, and no other (the #XM and #GP lines apart,
# which the next two marks judge).
same_as_host() {
    if ! status_is native 0 || ! grep -q '^done$' "$R/native.out"; then
        expected="the host's run (tests/lab-hadd-host) ends 'done', status 0"
        return 1
    fi
    expected="stepvm prints every line the host CPU prints, in order, and no other"
    seen=$(diff "$R/native.out" "$R/hadd.out" | grep '^[<>]' | head -6 |
        sed 's/^</host CPU only:/; s/^>/stepvm only:/')
    diff "$R/native.out" "$R/hadd.out" > /dev/null
}
# The lines of the section that starts with "-- $1", by the host and by stepvm: the same,
# and present.
section() { awk -v s="-- $1" 'index($0, s) == 1 { on = 1; next } /^-- / { on = 0 } on' "$2"; }
same_section() {
    section "$1" "$R/native.out" > "$R/want"
    section "$1" "$R/hadd.out" > "$R/got"
    expected="the lines of section '-- $1' as the host CPU prints them"
    seen=$(diff "$R/want" "$R/got" | grep '^[<>]' | head -6 |
        sed 's/^</host CPU only:/; s/^>/stepvm only:/')
    [ -s "$R/want" ] || seen="the host's run printed no section '-- $1'"
    [ -s "$R/want" ] && cmp -s "$R/want" "$R/got"
}
xm_behaves() { same_section "unmasked exceptions" && grep -q ' #19$' "$R/native.out"; }
gp_behaves() { same_section "alignment" && grep -q ' #13$' "$R/native.out"; }
# The slice's summary: x87/SSE cases compared against the host CPU (all of them 0F 7C).
host_compared() {
    sed -n 's/^  x87\/SSE: [0-9]* cases ([0-9]* compared, \([0-9]*\) of them against the host CPU).*/\1/p' \
        "$R/diff.out"
}
# The differences, but the two kinds ADDPS shows too (see the top of this file).
lab_differences() {
    awk '/^difference: case/ { n++ }
         /^  differs: mxcsr\(0x20\) *$/ || /^  differs: ends differ: stepvm exception 12, unicorn exception 13$/ { old++ }
         END { print n - old }' "$R/diff.out"
}
diff_clean() {
    n=$(host_compared) d=$(lab_differences)
    expected="'diff: 3000 cases', over 1000 of them compared against the host CPU, no difference"
    seen="$(grep -m 1 '^diff: ' "$R/diff.out" || echo 'no diff: summary line'); compared against the host CPU: ${n:-none}; differences (but the two kinds ADDPS shows): ${d:-?}"
    grep -q '^diff: 3000 cases' "$R/diff.out" && [ -n "$n" ] && [ "$n" -gt 1000 ] && [ "$d" -eq 0 ]
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is hadd 1
    check "HADDPD and HADDPS run: no #UD any more" no_ud
    check "every line equals the host CPU's (results as bits, MXCSR after)" same_as_host
    check "unmasked exceptions: #XM where the CPU raises it, MXCSR's flags as its" xm_behaves
    check "a misaligned m128 operand: #GP(0), the destination unchanged" gp_behaves
    check "diff test over 0F 7C: over 1000 cases compared against the host CPU, no difference" \
        diff_clean
}
