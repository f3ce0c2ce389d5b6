# Lab pv-ipi (chapter 5): a hypercall HC_SEND_IPI (6) that delivers a fixed interrupt of
# vector arg[1] to the CPU of APIC ID arg[0] (result 0; HC_EINVAL for no such CPU or a
# vector below 32): by KVM_SIGNAL_MSI with KVM's local APICs, through the APIC bus with
# stepvm's. Builds on lab exit-histogram: its per-vCPU table shows who took the exits.
#
# lab-pvipi.elf (chapters/05-smp/guest/lab-pvipi.c) on 4 CPUs: the BSP sends each AP 100
# IPIs by the hypercall, one at a time, each after the AP's handler counted the last.
PV="timeout 60 bin/ch5 --smp 4 --stats guests/ch5/lab-pvipi.elf"
runs() {
    kvm kern $PV --irqchip kernel
    kvm user $PV --irqchip user
    host tcg timeout 60 bin/stepvm --accel=tcg --smp 4 --stats guests/ch5/lab-pvipi.elf
}
all_three() { "$@" kern && "$@" user && "$@" tcg; }
ok() { status_is "$1" 1 && out_has "$1" '^pvipi: ok$'; }
received() {
    expected="$1: 'pvipi: cpu N received 100 ipis' for CPUs 1, 2 and 3"
    seen=$(describe "$1")
    [ "$(grep -c '^pvipi: cpu [123] received 100 ipis$' "$R/$1.out")" = 3 ]
}
refused() {
    expected="$1: no line saying a refusal was not HC_EINVAL"
    seen=$(grep -m 3 'not HC_EINVAL' "$R/$1.out" | sed 's/^/found: /')
    [ -z "$seen" ] && seen=$(describe "$1")
    ok "$1" && ! grep -q 'not HC_EINVAL' "$R/$1.out"
}
# exit-histogram's rows, as "VCPU IO MMIO HLT INTR OTHER TOTAL".
rows() {
    awk '/^exits per vcpu:$/ { on = 1; next }
         on == 1 && /^ +vcpu +io +mmio +hlt +intr +other +total$/ { on = 2; next }
         on == 2 && NF == 7 && /^[ 0-9]+$/ { print $1, $2, $3, $4, $5, $6, $7; next }
         { on = 0 }' "$R/$1.err"
}
# Column $2 (2 io, 3 mmio, 7 total) of vCPU $3's row, or nothing.
cell() { rows "$1" | awk -v c="$2" -v cpu="$3" '$1 == cpu { print $c }'; }
table() {
    rows "$1" | awk 'BEGIN { print "vcpu io mmio hlt intr other total:" } { print }'
}
# Column $2 of run $1's table compared ($3, test(1)'s -lt or -ge) with $4, for every vCPU
# after them. Sets $seen to the table, or says it is missing.
cells() {
    run=$1 col=$2 op=$3 limit=$4
    shift 4
    seen=$(table "$run")
    [ -n "$(rows "$run")" ] || { seen="$run: no 'exits per vcpu:' table (lab exit-histogram)"; return 1; }
    for cpu; do
        n=$(cell "$run" "$col" "$cpu")
        [ -n "$n" ] && [ "$n" "$op" "$limit" ] || return 1
    done
}
# With KVM's local APICs: each AP took 100 IPIs and made fewer than 50 exits in all.
receivers_quiet() {
    expected="kern: exit-histogram's table, each AP (vcpu 1-3) under 50 exits in all"
    cells kern 7 -lt 50 1 2 3
}
# With stepvm's local APICs: each AP's EOIs (and the delivery's kicks) come to stepvm.
receivers_exit() {
    expected="user: exit-histogram's table, each AP (vcpu 1-3) at least 100 MMIO exits (EOIs)"
    cells user 3 -ge 100 1 2 3
}
# The sender pays one I/O exit per IPI: the BSP's I/O exits are at least the 300 calls.
sender_pays() {
    expected="kern: exit-histogram's table, vcpu 0 at least 300 I/O exits (one per hypercall)"
    cells kern 2 -ge 300 0
}
checks() {
    check "lab-pvipi.elf ends 'pvipi: ok' on 4 CPUs, KVM's irqchip (exit status 1)" ok kern
    check "the same with stepvm's local APICs (--irqchip=user)" ok user
    check "the same on the interpreter (stepvm --accel=tcg)" ok tcg
    check "each AP received its 100 IPIs, every machine" all_three received
    check "HC_EINVAL for an APIC ID the machine lacks and for vector 2" all_three refused
    check "KVM's irqchip: the receiving APs make (almost) no exits" receivers_quiet
    check "stepvm's irqchip: the APs' EOIs come to stepvm" receivers_exit
    check "the sender: one I/O exit per IPI" sender_pays
}
