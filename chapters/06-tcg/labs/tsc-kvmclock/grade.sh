# Lab tsc-kvmclock (chapter 6): the interpreter learns KVM's paravirtual clock: CPUID
# leaves 0x40000000 ("KVMKVMKVM") and 0x40000001 (KVM_FEATURE_CLOCKSOURCE2, EAX bit 3),
# and MSRs 0x4b564d01 (MSR_KVM_SYSTEM_TIME_NEW) and 0x4b564d00 (MSR_KVM_WALL_CLOCK_NEW),
# whose writes make the CPU fill the structures they point to. Builds on lab rdtscp: the
# guest reads the TSC with RDTSCP, and TSC_AUX tells it which CPU's structure to use.
#
# The reference is KVM: lab-kvmclock.elf (chapters/06-tcg/guest/lab-kvmclock.c) runs on
# KVM too (stepvm --accel=kvm, in the nested machine when this host has no usable KVM),
# and prints only lines that are the same on both when both are right.
runs() {
    host tcg bin/stepvm --accel=tcg guests/ch6/lab-kvmclock.elf
    kvm kvm bin/stepvm --accel=kvm guests/ch6/lab-kvmclock.elf
}
line_is() {
    expected="$1's output has the line '$2'"
    seen=$(grep -m 1 "^${2%%:*}: " "$R/$1.out" | sed 's/^/found: /')
    [ -n "$seen" ] || seen=$(describe "$1")
    grep -qx -- "$2" "$R/$1.out"
}
# Both lines, as line_is says.
filled() {
    line_is tcg "version even and not 0: yes" && line_is tcg "scale set: yes"
}
# Every line KVM printed, in order, and no other.
same_as_kvm() {
    if ! status_is kvm 1 || ! grep -q '^kvmclock: ok$' "$R/kvm.out"; then
        expected="the reference run on KVM ends 'kvmclock: ok' (exit status 1)"
        seen="kvm ended with status $(cat "$R/kvm.status" 2>/dev/null); its lines but the 'yes' ones:
$(grep -v ': yes$' "$R/kvm.out" 2>/dev/null | head -5)"
        return 1
    fi
    expected="the interpreter prints exactly the lines KVM prints"
    seen=$(diff "$R/kvm.out" "$R/tcg.out" | grep '^[<>]' | head -6 |
        sed 's/^</kvm only:/; s/^>/interpreter only:/')
    cmp -s "$R/kvm.out" "$R/tcg.out"
}
checks() {
    check "the guest runs to its end on the interpreter (exit status 1)" status_is tcg 1
    check "CPUID 0x40000000 says KVMKVMKVM" line_is tcg "kvm signature: yes"
    check "CPUID 0x40000001 EAX bit 3: the kvmclock's new MSRs" \
        line_is tcg "kvmclock (clocksource2): yes"
    check "RDTSCP is there (lab rdtscp)" line_is tcg "rdtscp: yes"
    check "MSR_KVM_SYSTEM_TIME_NEW reads back what was written" \
        line_is tcg "system time msr reads back: yes"
    check "the structure filled: version even and not 0, a scale" filled
    check "the kvmclock never goes back" line_is tcg "monotonic over 1000 reads: yes"
    check "it counts nanoseconds: 20 ms of the PIT are 20 ms of kvmclock" \
        line_is tcg "20 ms by the PIT is 20 ms by kvmclock (within 25%): yes"
    check "MSR_KVM_WALL_CLOCK_NEW: the wall clock, after 2020" \
        line_is tcg "wall clock after 2020: yes"
    check "every line as on KVM" same_as_kvm
}
