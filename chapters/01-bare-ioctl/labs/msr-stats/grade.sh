# Lab msr-stats (chapter 1): the guest reads lab exit-stats' counters through MSRs that
# KVM leaves to user space (KVM_CAP_X86_USER_SPACE_MSR, KVM_EXIT_X86_RDMSR).
runs() {
    kvm msr bin/ch1 --stats guests/ch1/lab-msr.bin
    kvm hello bin/ch1
}
# The guest's verdict: its exit status, and what each status means (guest/lab-msr.S).
guest_agrees() {
    expected="msr prints 'msr' and ends with status 1: every read as guest/lab-msr.S expects"
    if grep -q "unrecognized option '--stats'" "$R/msr.err" 2>/dev/null; then
        seen="ch1 does not know --stats yet: this lab builds on lab exit-stats, do that first"
        return 1
    fi
    case $(cat "$R/msr.status" 2>/dev/null) in
    1) grep -q '^msr$' "$R/msr.out" && return 0
       seen=$(describe msr) ;;
    3) seen="status 3: MSR 0x57e90002 did not read 4, the IO exits before it" ;;
    5) seen="status 5: MSR 0x57e90005 did not read 0, the HLT exits so far" ;;
    7) seen="status 7: reading a counter raised #GP (the RDMSR never reached ch1, or ch1 refused it)" ;;
    9) seen="status 9: MSR 0x57e90040, which has no counter, did not raise #GP" ;;
    *) seen=$(describe msr) ;;
    esac
    return 1
}
checks() {
    check "the guest reads the exit counters it expects (exit status 1)" guest_agrees
    check "its output is 'msr'" out_has msr "^msr$"
    check "lab exit-stats' table counts its three RDMSR exits" err_has msr "^  X86_RDMSR  *3$"
    check "... beside 5 IO exits (4 bytes and the 0xf4 write)" err_has msr "^  IO  *5$"
    check "the greeting guest still runs (exit status 0)" status_is hello 0
    check "... and prints its sum" out_has hello "^sum 1..100 = 5050$"
}
