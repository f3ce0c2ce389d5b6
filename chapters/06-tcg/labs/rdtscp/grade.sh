# Lab rdtscp (chapter 6): the interpreter learns RDTSCP and the TSC_AUX MSR.
runs() {
    host rdtscp bin/stepvm --accel=tcg guests/ch6/lab-rdtscp.elf
}
out_lacks() {
    expected="$1 runs and its standard output has no line matching '$2'"
    seen=$(ran "$1" && grep -m 3 -- "$2" "$R/$1.out" | sed 's/^/found: /' || describe "$1")
    ran "$1" && ! grep -q -- "$2" "$R/$1.out"
}
# RDTSCP, two MOVs after RDTSC, reads the same counter: a small positive difference. The
# TSC counts the host clock's ns (1 GHz): the interpreter takes microseconds to get from
# one to the other, more when the host lets another program run, so "small" is under 10 ms.
same_counter() {
    d=$(sed -n 's/^rdtscp - rdtsc: \(-\{0,1\}[0-9]*\)$/\1/p' "$R/rdtscp.out")
    expected="a line 'rdtscp - rdtsc: D' with D above 0 and below 10000000 (10 ms)"
    seen=$(grep -m 1 '^rdtscp - rdtsc:' "$R/rdtscp.out" | sed 's/^/found: /')
    [ -n "$seen" ] || seen=$(describe rdtscp)
    [ -n "$d" ] && [ "$d" -gt 0 ] && [ "$d" -lt 10000000 ]
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is rdtscp 1
    check "CPUID 0x80000001 advertises RDTSCP (EDX bit 27)" out_has rdtscp "^rdtscp: supported$"
    check "no exception: WRMSR to TSC_AUX, and RDTSCP itself, are not refused" \
        out_lacks rdtscp "^exception"
    check "RCX holds TSC_AUX as written, upper half clear: aux 42" out_has rdtscp "^aux 42$"
    check "the TSC advances from one RDTSCP to the next" out_has rdtscp "^tsc advanced: yes$"
    check "RDTSCP reads the counter RDTSC reads" same_counter
}
