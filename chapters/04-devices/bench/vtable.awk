# vtable.awk - chapter 4's virtio-blk benchmark table, from the lines vmeasure.sh prints
# (once on the host, once where KVM is; virtio.sh renames the KVM place's limit to
# host-read-kvm and its size line to size-kvm): MB/s for each run, its ratio to the limit
# measured in the same place, where, and the exits stepvm saw per request.
#
# Every figure is a difference of two runs, PASSES passes over the image and 0 passes:
# what both share (starting the process, building the VM, the guest's boot and the
# device's set-up) cancels. Each run length keeps its shortest time over the rounds:
# whatever else the machine does meanwhile only ever adds time.

$1 == "place" { place[$2] = $3; next }
$1 == "na" { why[$2] = substr($0, index($0, $3)); next }
$1 == "size" { bytes = $2; request = $3; requests = $4; next }
$1 == "size-kvm" { kbytes = $2; krequests = $4; next }

$1 == "time" {
    if ($3 > 0) passes[$2] = $3
    k = $2 " " $3
    if (!(k in best) || $4 < best[k]) best[k] = $4
    next
}

$1 == "exits" {
    if ($3 > 0) epasses[$2] = $3
    count[$2 " " $3 " " $4 " " $5] = $6
    if (!(($2 " " $4 " " $5) in where))
        where[$2 " " $4 " " $5] = ++nwhere # the order of the --stats table
    counted[$2] = 1
    next
}

function on_host(run) { return run == "host-read" || run == "tcg" }

# MB/s (10^6 bytes a second) of RUN; -1 when it was not measured.
function mbs(run,    p, ns, b) {
    p = passes[run]
    if (p == "" || !((run " 0") in best) || !((run " " p) in best)) return -1
    ns = best[run " " p] - best[run " 0"]
    b = on_host(run) ? bytes : kbytes
    return ns > 0 ? p * b / ns * 1000 : -1
}

function limit(run) { return mbs(on_host(run) ? "host-read" : "host-read-kvm") }
function size_text(b) {
    if (b % 1048576 == 0) return sprintf("%d MiB", b / 1048576)
    if (b % 1024 == 0) return sprintf("%d KiB", b / 1024)
    return sprintf("%d bytes", b)
}
function cell(v) { return v > 0 ? sprintf("%8.0f", v) : sprintf("%8s", "n/a") }
function ratio(a, b) { return a > 0 && b > 0 ? sprintf("%7.2f", a / b) : sprintf("%7s", "n/a") }

# What an exit is, for the reader of the exit counts.
function what(reason, at) {
    if (at == "0xd0000050") return "QueueNotify"
    if (at == "0xd0000060") return "InterruptStatus"
    if (at == "0xd0000064") return "InterruptACK"
    if (at == "0xd0000070") return "Status"
    if (at == "0xfee000b0") return "LAPIC EOI"
    if (at == "0xfec00000" || at == "0xfec00010") return "IOAPIC"
    if (reason == "INTR") return "kick"
    if (reason == "HLT") return "HLT"
    sub(/^port_/, "port ", at)
    return reason " " at
}

# Exits per request of RUN, "total" or the breakdown "2 InterruptStatus, ...".
function exits(run, part,    p, n, total, text, w, parts, d, i) {
    p = epasses[run]
    if (p == "") return "n/a"
    n = p * (on_host(run) ? requests : krequests)
    total = 0; text = ""
    for (i = 1; i <= nwhere; i++) {
        for (w in where)
            if (where[w] == i) break
        split(w, parts, " ")
        if (parts[1] != run) continue
        d = (count[run " " p " " parts[2] " " parts[3]] - count[run " 0 " parts[2] " " parts[3]]) / n
        if (d < 0.005 || parts[3] == "port_0x00e9") continue # the guest's one line
        total += d
        text = text sprintf(", %.2g %s", d, what(parts[2], parts[3]))
    }
    return part == "total" ? sprintf("%.2f", total) : substr(text, 3)
}

BEGIN {
    name["host-read"] = "the host's own read (limit)"
    name["tcg"] = "stepvm, interpreter"
    name["host-read-kvm"] = "the host's own read (limit)"
    name["kvm"] = "KVM, ioeventfd + irqfd"
    name["kvm-noioeventfd"] = "KVM, irqfd only"
    name["kvm-noirqfd"] = "KVM, ioeventfd only"
    name["kvm-neither"] = "KVM, neither"
    name["user"] = "KVM user irqchip, ioeventfd"
    name["user-noioeventfd"] = "KVM user irqchip, neither"
    order = "host-read tcg host-read-kvm kvm kvm-noioeventfd kvm-noirqfd kvm-neither user " \
        "user-noioeventfd"
    about["nested"] = "inside the nested machine (QEMU TCG, emulated AMD-V): KVM's exits cost\n" \
        "           some 40 us each there, tens of times more than on real VT-x/AMD-V hardware,\n" \
        "           and the host's read runs on an emulated CPU too"
    about["kvm"] = "this machine, with its own KVM"
    about["host"] = "this machine's CPU, no KVM involved"
}

END {
    nruns = split(order, runs, " ")
    printf "\nchapter 4: virtio-blk, sequential read of a %d MiB image in requests of %s,\n",
        bytes / 1048576, size_text(request)
    printf "one in flight, each completion an interrupt (MB/s = 10^6 bytes/s; best of %d,\n", ROUNDS
    printf "start-up cancelled; the limit is the host's pread of the same file, same request size)\n"
    printf "(KVM rows: irqchip=kernel unless they say user; irqfd needs KVM's irqchip)\n"
    printf "%-29s %8s %7s  %-7s %6s  %s\n", "run", "MB/s", "x limit", "where", "passes",
        "exits/request"
    for (i = 1; i <= nruns; i++) {
        r = runs[i]
        if (!(r in place)) {
            printf "%-29s %8s %7s  %s\n", name[r], "n/a", "n/a", why[r]
            continue
        }
        printf "%-29s %s %s  %-7s %6d  %s\n", name[r], cell(mbs(r)), ratio(mbs(r), limit(r)),
            place[r], passes[r], r in counted ? exits(r, "total") : ""
    }
    for (p in about)
        for (i = 1; i <= nruns; i++)
            if (place[runs[i]] == p) {
                printf "%-8s = %s\n", p, about[p]
                break
            }
    k = mbs("kvm"); l = limit("kvm")
    if (k > 0 && l > 0)
        printf "goal: KVM with ioeventfd and irqfd at least 0.5x the host's read: %.2fx, %s\n",
            k / l, (k / l >= 0.5 ? "met" : "NOT met")
    printf "\nexits to stepvm per request (--stats, a run of the passes above less one of 0)\n"
    for (i = 1; i <= nruns; i++)
        if (runs[i] in counted)
            printf "%-29s %s\n", name[runs[i]], exits(runs[i], "part")
}
