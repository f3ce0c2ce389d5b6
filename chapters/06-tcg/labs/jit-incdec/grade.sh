# Lab jit-incdec (chapter 6): the JIT compiles INC and DEC inline (jit.c), with the lazy
# flags exactly as alu.c stores them, CF kept. --stats under --tcg=jit says how many
# instructions the host code still hands to the interpreter; that count is graded, the
# time is only shown (timing flakes).
runs() {
    host insn bin/stepvm --accel=tcg --tcg=insn guests/ch6/lab-incdec.elf
    host jit bin/stepvm --accel=tcg --tcg=jit --stats guests/ch6/lab-incdec.elf
    host short bin/stepvm --accel=tcg --tcg=jit --stats --cmdline rounds=1000 guests/ch6/lab-incdec.elf
    host long bin/stepvm --accel=tcg --tcg=jit --stats --cmdline rounds=3000 guests/ch6/lab-incdec.elf
    t0=$(date +%s%N)
    host timed bin/stepvm --accel=tcg --tcg=jit --cmdline rounds=20000 guests/ch6/lab-incdec.elf
    t1=$(date +%s%N)
    host timed_block bin/stepvm --accel=tcg --tcg=block --cmdline rounds=20000 guests/ch6/lab-incdec.elf
    t2=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000))" > "$R/times"
    STEPVM_BLOCK_CASES=1 STEPVM_JIT_CASES=300 CK_RUN_CASE=blocks host random tests/check_ch6
}
# The lines the interpreter printed (--tcg=insn is the reference), as the guest prints them.
reference='counters: 1312d00
adc after inc, CF from stc: 142
adc after inc, CF from add: 142
adc after inc, CF from cmp: 142
adc after inc, CF from shl: 142
adc after inc, CF clear: 42
branches after dec/inc taken (jc jz js jo): f
flags table: 40e6e425d7da1580
memory forms: 80000000ffff0100
checksum: b4623e58a19b7c48'
reference_ok() {
    expected="--tcg=insn prints the reference lines (the interpreter is not what this lab changes)"
    seen=$(printf '%s\n' "$reference" | diff - "$R/insn.out" | grep '^[<>]' | sed 's/^</missing:/; s/^>/printed:/')
    [ -n "$seen" ] || seen=$(describe insn)
    printf '%s\n' "$reference" | cmp -s - "$R/insn.out"
}
# Every line --tcg=jit printed differently from --tcg=insn: what the flags or values were.
same_as_insn() {
    expected="--tcg=jit prints what --tcg=insn prints, line for line"
    seen=$(diff "$R/insn.out" "$R/jit.out" | grep '^[<>]' | sed 's/^</insn:/; s/^>/jit: /')
    [ -n "$seen" ] || seen=$(describe jit)
    ran jit && [ -s "$R/insn.out" ] && cmp -s "$R/insn.out" "$R/jit.out"
}
# Run $1's count of instructions through the interpreter, and of instructions.
stepped() { sed -n 's/^jit: \([0-9]*\) instructions through the interpreter$/\1/p' "$R/$1.err"; }
instr() { sed -n 's/^instructions: \([0-9]*\) .*/\1/p' "$R/$1.err"; }
# rounds=3000 runs 2000 x 1000 inner trips more than rounds=1000: 2000 x 6006 instructions,
# 5 of 6 of them INC or DEC. Compiled inline, they add (almost) nothing to the count.
incdec_compiled() {
    s1=$(stepped short) s3=$(stepped long) i1=$(instr short) i3=$(instr long)
    expected="the 'jit: N instructions through the interpreter' count grows by less than 1% of the extra instructions from rounds=1000 to rounds=3000 (every INC and DEC compiled)"
    if [ -z "$s1" ] || [ -z "$s3" ] || [ -z "$i1" ] || [ -z "$i3" ]; then
        seen="no 'jit: N instructions through the interpreter' or 'instructions:' line:
$(describe short)"
        return 1
    fi
    seen="rounds=1000: $s1 of $i1 instructions through the interpreter; rounds=3000: $s3 of $i3
the extra $((i3 - i1)) instructions: $((s3 - s1)) of them through the interpreter ($(((s3 - s1) * 100 / (i3 - i1)))%)"
    [ $((i3 - i1)) -gt 0 ] && [ $(((s3 - s1) * 100)) -lt $((i3 - i1)) ]
}
# The whole run: the flag tests' STC, CLC and PUSHF stay in the interpreter, little else.
few_stepped() {
    s=$(stepped jit) i=$(instr jit)
    expected="in the default run, fewer than 2% of the instructions through the interpreter"
    seen=$( [ -n "$s" ] && [ -n "$i" ] && echo "$s of $i instructions through the interpreter" || describe jit)
    [ -n "$s" ] && [ -n "$i" ] && [ $((s * 50)) -lt "$i" ]
}
random_ok() {
    expected="tests/check_ch6's blocks TCase (300 random programs under --tcg=jit against --tcg=insn) passes"
    seen=$(grep -m 3 'differently\|jit seed' "$R/random.err" | cut -c 1-200; describe random)
    [ "$(cat "$R/random.status" 2>/dev/null)" = 0 ]
}
checks() {
    check "lab-incdec.elf runs to its end under --tcg=insn (exit status 1)" status_is insn 1
    check "--tcg=insn prints the reference lines" reference_ok
    check "lab-incdec.elf runs to its end under --tcg=jit (exit status 1)" status_is jit 1
    check "--tcg=jit prints the same lines as --tcg=insn (values, kept CF, branches, flags)" same_as_insn
    check "INC and DEC no longer go through the interpreter under --tcg=jit" incdec_compiled
    check "under --tcg=jit, few instructions through the interpreter at all" few_stepped
    check "random programs: --tcg=jit still runs as --tcg=insn does" random_ok
    read -r tj tb < "$R/times"
    echo "      (not graded) rounds=20000: ${tj} ms under --tcg=jit, ${tb} ms under --tcg=block"
}
