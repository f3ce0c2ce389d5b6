# table.awk - chapter 4's interrupt benchmark table, from the lines measure.sh prints
# (once on the host, once where KVM is): µs per round trip for each run and mode, the
# ratios, where each row was measured, and the exits stepvm saw per round trip.
#
# Every figure is a difference of two runs, N and 2N round trips, divided by N: what
# both runs share (starting the process, building the VM, QEMU's BIOS, the guest's boot)
# cancels. Each run length keeps its shortest time over the rounds: whatever else the
# machine does meanwhile only ever adds time, so the minimum is the least disturbed.

$1 == "place" { place[$2] = $3; next }
$1 == "na" { why[$2] = substr($0, index($0, $3)); next }

# [best-of]
$1 == "time" {
    key = $2 " " $3
    if (!(key in n1) || $4 < n1[key]) n1[key] = $4
    if (!(key in n2) || $4 > n2[key]) n2[key] = $4
    k = key " " $4
    if (!(k in best) || $5 < best[k]) best[k] = $5
    rounds[k]++
    next
}
# [best-of]

$1 == "exits" {
    key = $2 " " $3
    if (!(key in first) || $4 < first[key]) first[key] = $4
    if (!(key in last) || $4 > last[key]) last[key] = $4
    count[key " " $4 " " $5 " " $6] = $7
    if (!((key " " $5 " " $6) in where))
        where[key " " $5 " " $6] = ++nwhere # the order of the --stats table
    counted[$2] = 1
    next
}

# µs per round trip of RUN in MODE; -1 when it was not measured.
function us(run, mode,    key) {
    key = run " " mode
    if (!(key in n1) || n1[key] == n2[key]) return -1
    return (best[key " " n2[key]] - best[key " " n1[key]]) / (n2[key] - n1[key]) / 1000
}

function cell(v) { return v > 0 ? sprintf("%9.2f", v) : sprintf("%9s", "n/a") }
function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%9.2f", a / b) : sprintf("%9s", "n/a") }

# What a port or address is, for the reader of the exit counts.
function what(reason, at) {
    if (at == "port_0x03f9") return "IER write"
    if (at == "port_0x03fa") return "IIR read"
    if (at == "port_0x0020") return "PIC EOI"
    if (at == "0xfee000b0") return "LAPIC EOI"
    if (reason == "INTR") return "kick"
    if (reason == "HLT") return "HLT"
    sub(/^port_/, "port ", at)
    return reason " " at
}

# "3.00: 2 IER write, 1 IIR read" for RUN in MODE.
function exits(run, mode,    key, a, b, total, text, w, parts, d, i) {
    key = run " " mode
    a = first[key]; b = last[key]
    if (a == b) return "n/a"
    total = 0; text = ""
    for (i = 1; i <= nwhere; i++) {
        for (w in where)
            if (where[w] == i) break
        split(w, parts, " ")
        if (parts[1] " " parts[2] != key) continue
        d = (count[key " " b " " parts[3] " " parts[4]] - count[key " " a " " parts[3] " " parts[4]]) / (b - a)
        if (d < 0.005) continue
        total += d
        text = text sprintf(", %.2g %s", d, what(parts[3], parts[4]))
    }
    return sprintf("%.2f", total) (text == "" ? "" : ":" substr(text, 2))
}

BEGIN {
    name["kvm-kernel"] = "stepvm, KVM, irqchip=kernel"
    name["kvm-user"] = "stepvm, KVM, irqchip=user"
    name["qemu-kvm"] = "QEMU-KVM -M pc"
    name["tcg"] = "stepvm, interpreter"
    name["qemu-tcg"] = "QEMU TCG -M pc"
    order = "kvm-kernel kvm-user qemu-kvm tcg qemu-tcg"
    about["nested"] = "KVM inside the nested machine (QEMU TCG, emulated AMD-V): every exit\n" \
        "           some 40 us, tens of times slower than on real VT-x/AMD-V hardware"
    about["kvm"] = "this machine's own KVM"
    about["host"] = "this machine's CPU, no KVM involved"
}

END {
    nruns = split(order, runs, " ")
    printf "chapter 4: interrupt round trip, µs each: IER.ETBEI 0->1 raises COM1's THRE interrupt,\n"
    printf "IRQ 4 reaches the handler, which reads IIR; then the EOI (best of %d, start-up cancelled)\n",
        ROUNDS
    printf "%-28s %9s %9s  %-8s %s\n", "run", "pic", "apic", "where", "round trips"
    for (i = 1; i <= nruns; i++) {
        r = runs[i]
        if (!(r in place)) {
            printf "%-28s %9s %9s  %s\n", name[r], "n/a", "n/a", why[r]
            continue
        }
        printf "%-28s %s %s  %-8s %d, %d\n", name[r], cell(us(r, "pic")), cell(us(r, "apic")),
            place[r], n1[r " pic"], n2[r " pic"]
    }
    printf "%-28s %9s %9s\n", "ratio", "pic", "apic"
    printf "%-28s %s %s\n", "irqchip user / kernel", ratio(us("kvm-user", "pic"), us("kvm-kernel", "pic")),
        ratio(us("kvm-user", "apic"), us("kvm-kernel", "apic"))
    printf "%-28s %s %s\n", "stepvm / QEMU on KVM", ratio(us("kvm-kernel", "pic"), us("qemu-kvm", "pic")),
        ratio(us("kvm-kernel", "apic"), us("qemu-kvm", "apic"))
    printf "%-28s %s %s\n", "stepvm / QEMU, interpreters", ratio(us("tcg", "pic"), us("qemu-tcg", "pic")),
        ratio(us("tcg", "apic"), us("qemu-tcg", "apic"))
    printf "(QEMU-KVM uses KVM's in-kernel irqchip, as stepvm's first row does)\n"
    for (p in about)
        for (i = 1; i <= nruns; i++)
            if (place[runs[i]] == p) {
                printf "%-8s = %s\n", p, about[p]
                break
            }
    printf "\nexits to stepvm per round trip (--stats, the runs of N and 2N round trips)\n"
    for (i = 1; i <= nruns; i++) {
        r = runs[i]
        if (!(r in counted)) continue
        for (m = 1; m <= 2; m++) {
            mode = m == 1 ? "pic" : "apic"
            printf "%-28s %-5s %s\n", name[r], mode, exits(r, mode)
        }
    }
}
