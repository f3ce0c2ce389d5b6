# Lab msi-doorbell (chapter 4): chapter 3's doorbell answers its rings with an MSI.
runs() {
    kvm kernel bin/ch4 --irqchip=kernel --trace guests/ch4/lab-msibell.elf
    kvm user bin/ch4 --irqchip=user guests/ch4/lab-msibell.elf
    host tcg bin/stepvm --accel=tcg guests/ch4/lab-msibell.elf
}
# The rounds the guest got its interrupt in, as "ROUND:COUNT " each.
rounds() {
    sed -n 's/^round \([0-9]\): the interrupt came, \([0-9]*\) rings counted$/\1:\2/p' \
        "$R/$1.out" 2>/dev/null | tr '\n' ' '
}
ALL="1:10 2:30 3:60 4:100 5:150 "
# Run $1 ended well and the guest saw every round's interrupt with every ring counted.
answered() {
    expected="$1 ends with status 1 after 5 rounds, each answered by an interrupt with the rings so far: $ALL"
    seen="$1 ended with status $(cat "$R/$1.status" 2>/dev/null || echo '(none)'); rounds answered: $(rounds "$1")"
    fail=$(grep -m 1 'FAIL' "$R/$1.out" 2>/dev/null) && seen="$seen; the guest said: $fail"
    [ "$(cat "$R/$1.status" 2>/dev/null)" = 1 ] && [ "$(rounds "$1")" = "$ALL" ]
}
# On KVM, no ring is an exit: the trace has no OUT to port 0x520.
no_ring_exits() {
    expected="the trace of the --irqchip=kernel run has no 'out port 0x0520' (KVM_IOEVENTFD takes the rings)"
    n=$(grep -c 'out port 0x0520' "$R/kernel.err" 2>/dev/null)
    seen="${n:-0} OUT exits on port 0x0520"
    ran kernel && grep -q '^exit ' "$R/kernel.err" && [ "${n:-0}" -eq 0 ]
}
checks() {
    check "KVM's irqchip: every round's interrupt comes (KVM_SIGNAL_MSI)" answered kernel
    check "on KVM, the rings still never leave the kernel" no_ring_exits
    check "stepvm's irqchip on KVM: every round's interrupt comes" answered user
    check "the interpreter: every round's interrupt comes" answered tcg
    check "the message registers are claimed (no warning about port 0x524 or 0x528)" \
        err_lacks tcg "port 0x52[48]"
}
