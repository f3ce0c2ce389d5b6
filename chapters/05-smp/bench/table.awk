# table.awk - chapter 5's benchmark table, from the lines measure.sh prints (once on the
# host, once where KVM is): the work guest's time on 1 and 2 vCPUs and the speed-up, the
# IPI round trip in µs, the ratios, and where each row was measured.
#
# Every time is a difference of two runs, the guest with its work and without it (total=0,
# iter=0), on the same number of vCPUs: what both share (starting the process, building
# the VM, QEMU's BIOS, the guest's boot, the APs' start) cancels. Each run keeps its
# shortest time over the rounds: whatever else the machine does meanwhile only ever adds
# time, so the minimum is the least disturbed.
#
# The speed-up is the ratio of the guest's own TSC ticks from start to all done, on 1 and
# on 2 vCPUs (the fewest over the rounds): a ratio of one clock on one machine needs no
# TSC frequency, and it leaves out the boot, whose time varies from run to run far more
# than the work does where an exit costs tens of µs. The ratio of the wall-clock times
# is printed beside it as a check.

$1 == "place" { place[$2] = $3; next }
$1 == "na" { why[$2] = substr($0, index($0, $3)); next }

$1 == "work" {
    k = $2 " " $3 " " $4
    if (!(k in wbest) || $5 < wbest[k]) wbest[k] = $5
    if ($4 > 0 && (!(k in tbest) || $6 < tbest[k])) tbest[k] = $6
    if ($4 > 0) total[$2] = $4
    if ($4 > 0 && $3 == 1) wrounds[$2]++
    next
}
$1 == "ipi" {
    k = $2 " " $3
    if (!(k in ibest) || $4 < ibest[k]) ibest[k] = $4
    if ($3 > 0) n[$2] = $3
    next
}

# Milliseconds of RUN's work on CPUS vCPUs; -1 when not measured.
function work_ms(run, cpus,    a, b) {
    a = run " " cpus " 0"; b = run " " cpus " " total[run]
    if (!(a in wbest) || !(b in wbest) || wbest[b] <= wbest[a]) return -1
    return (wbest[b] - wbest[a]) / 1e6
}

# µs per IPI round trip of RUN; -1 when not measured.
function ipi_us(run,    a, b) {
    a = run " 0"; b = run " " n[run]
    if (!(a in ibest) || !(b in ibest) || ibest[b] <= ibest[a]) return -1
    return (ibest[b] - ibest[a]) / n[run] / 1000
}

function tsc_speedup(run,    a, b) {
    a = run " 1 " total[run]; b = run " 2 " total[run]
    return (a in tbest) && (b in tbest) && tbest[b] > 0 ? tbest[a] / tbest[b] : -1
}

function cell(v, w) { return v > 0 ? sprintf("%" w ".2f", v) : sprintf("%" w "s", "n/a") }
function ratio(a, b, w) { return a > 0 && b > 0 ? cell(a / b, w) : cell(-1, w) }

# What the row's place means for its speed-up.
function note(run) {
    if (place[run] == "nested" && run != "qemu-tcg")
        return "  (nested machine: 1 host CPU, so at most 1x)"
    return ""
}

BEGIN {
    name["kvm-kernel"] = "stepvm, KVM, irqchip=kernel"
    name["kvm-user"] = "stepvm, KVM, irqchip=user"
    name["qemu-kvm"] = "QEMU-KVM -M pc"
    name["qemu-tcg"] = "QEMU TCG -M pc (MTTCG)"
    order = "kvm-kernel kvm-user qemu-kvm qemu-tcg"
    about["nested"] = "KVM inside the nested machine (QEMU TCG, emulated AMD-V) with ONE CPU:\n" \
        "           2 vCPUs take turns on it, and every exit costs some 40 us, tens of times\n" \
        "           more than on real VT-x/AMD-V hardware"
    about["kvm"] = "this machine's own KVM"
    about["host"] = "this machine's CPU, no KVM involved"
}

END {
    nruns = split(order, runs, " ")
    printf "chapter 5: parallel work, ms: rounds of xorshift split evenly over the vCPUs (best of\n"
    printf "the runs, start-up cancelled); speed-up = 1 vCPU / 2 vCPUs, ideal 2x (%s host CPUs)\n",
        HOST_CPUS
    printf "%-27s %8s %8s %8s %6s %6s  %-7s %s\n", "run", "1 vCPU", "2 vCPUs", "speed-up", "/ 2x",
        "wall", "where", "work x runs"
    for (i = 1; i <= nruns; i++) {
        r = runs[i]
        if (!(r in place)) {
            printf "%-27s %8s %8s %8s %6s %6s  %s\n", name[r], "n/a", "n/a", "n/a", "n/a",
                "n/a", why[r]
            continue
        }
        s = tsc_speedup(r)
        printf "%-27s %s %s %s %s %s  %-7s %d x %d%s\n", name[r], cell(work_ms(r, 1), 8),
            cell(work_ms(r, 2), 8), cell(s, 8), cell(s / 2, 6),
            ratio(work_ms(r, 1), work_ms(r, 2), 6), place[r], total[r], wrounds[r], note(r)
    }
    printf "(speed-up: the guest's own TSC ticks, start to all done, 1 vCPU / 2 vCPUs; wall: the\n"
    printf "same from the ms columns, boot included in the noise. This machine's load average was\n"
    printf "%s when the run began: other work here takes CPUs from the runs on 2 vCPUs)\n", LOAD

    printf "\nIPI round trip, µs each: the BSP sends a fixed IPI to CPU 1, whose handler sends\n"
    printf "one back, one at a time (best of the runs, start-up cancelled)\n"
    printf "%-27s %9s  %-7s %s\n", "run", "µs", "where", "round trips"
    for (i = 1; i <= nruns; i++) {
        r = runs[i]
        if (!(r in place))
            printf "%-27s %9s  %s\n", name[r], "n/a", why[r]
        else
            printf "%-27s %s  %-7s %d\n", name[r], cell(ipi_us(r), 9), place[r], n[r]
    }
    printf "%-27s %9s\n", "ratio", ""
    printf "%-27s %s\n", "irqchip user / kernel", ratio(ipi_us("kvm-user"), ipi_us("kvm-kernel"), 9)
    printf "%-27s %s\n", "stepvm / QEMU on KVM", ratio(ipi_us("kvm-kernel"), ipi_us("qemu-kvm"), 9)
    printf "(QEMU-KVM uses KVM's in-kernel irqchip, as stepvm's first row does)\n"
    for (p in about)
        for (i = 1; i <= nruns; i++)
            if (place[runs[i]] == p) {
                printf "%-8s = %s\n", p, about[p]
                break
            }
}
