# Lab park-ap (chapter 5): two hypercalls, HC_PARK (4: the calling CPU waits in the VMM,
# its thread asleep, until woken) and HC_UNPARK (5: wakes CPU arg[0]; result 0, or 1 when
# it was not parked, HC_EINVAL (-22) for no such CPU).
#
# lab-park.elf (chapters/05-smp/guest/lab-park.c) on 4 CPUs: the APs park themselves, the
# BSP checks that their heartbeats stand still and wakes them one by one; with leave=1 it
# ends the machine with the last AP still parked. --trace shows each vCPU's exits: a
# parked CPU makes none (an AP's few are its hypercall, its line on the console and, with
# stepvm's local APICs, its startup).
PARK="timeout 60 bin/ch5 --smp 4 guests/ch5/lab-park.elf"
runs() {
    kvm user $PARK --irqchip user --trace
    kvm kernel $PARK --irqchip kernel --trace
    kvm leave $PARK --irqchip kernel --cmdline leave=1
}
both() { "$@" user && "$@" kernel; }
exit0() { status_is "$1" 1; }
parked() { out_has "$1" '^park: 3 aps parked$'; }
# Each AP resumed once, and HC_PARK returned 0 to it.
resumed() {
    expected="$1: the line 'cpu N: resumed (park returned 0)' once for each of CPUs 1, 2, 3"
    seen=$(grep -m 6 '^cpu [0-9]*: resumed' "$R/$1.out" | sed 's/^/found: /')
    [ -n "$seen" ] || seen=$(describe "$1")
    for cpu in 1 2 3; do
        [ "$(grep -c "^cpu $cpu: resumed (park returned 0)$" "$R/$1.out")" = 1 ] || return 1
    done
}
ok() { out_has "$1" '^park: ok$'; }
# With the APs parked as the guest checked, each AP made fewer than 100 exits.
quiet() {
    parked "$1" || return 1
    expected="$1: fewer than 100 exits of each AP in the --trace"
    seen="$1: exits of cpu1, cpu2, cpu3: $(for cpu in 1 2 3; do
        printf '%s ' "$(grep -c "^exit  *[0-9]*  cpu$cpu " "$R/$1.err")"; done)"
    for cpu in 1 2 3; do
        [ "$(grep -c "^exit  *[0-9]*  cpu$cpu " "$R/$1.err")" -lt 100 ] || return 1
    done
}
left_parked() {
    expected="leave: status 1 and the line 'park: ok, one left parked'"
    seen=$(describe leave)
    [ "$(cat "$R/leave.status" 2>/dev/null)" = 1 ] && grep -q '^park: ok, one left parked$' "$R/leave.out"
}
checks() {
    check "lab-park.elf exits 0 on 4 CPUs, both irqchips (exit status 1)" both exit0
    check "the three APs park and stand still" both parked
    check "each AP resumes once when woken, HC_PARK returning 0" both resumed
    check "HC_UNPARK: 1 for a CPU not parked, -22 for no such CPU; the guest says 'park: ok'" both ok
    check "a parked AP's thread waits in the VMM: under 100 exits for each AP" both quiet
    check "the guest ends the machine with an AP parked: it ends, exit status 1" left_parked
}
