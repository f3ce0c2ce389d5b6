#!/bin/sh
# linux.sh - chapter 6's Linux boot table: Debian's kernel with chapter 4's initramfs and
# disk (build/guests/linux), from power-on to the line /init prints first (LINUX-INIT),
# side by side in one run: stepvm on the interpreter, QEMU TCG on its microvm and pc
# machines, and stepvm on KVM (here when /dev/kvm is usable, else in the nested machine,
# whose figures are those of KVM emulated in software, not of a real CPU's VT-x/AMD-V).
#
# usage: linux.sh [BUILD_DIR]   (builds nothing; the guest is made once by mkinitramfs.sh)
# Columns: seconds from starting the process to LINUX-INIT on the console (measured here),
# the kernel's own uptime when /init ran (what the guest saw), the ratio to QEMU TCG
# microvm, and the guest instructions the interpreter ran in the whole run (its --stats). QEMU gets the same kernel, initramfs and command line, plus
# tsc_early_khz on microvm (see chapters/04-devices/linux/qemu-boot.sh). On the pc machine
# the disk is virtio-pci, whose driver the initramfs lacks: only the time to /init counts.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
linux=$build/guests/linux
qemu=$(command -v qemu-system-x86_64 || true)
[ -f "$linux/disk.sha256" ] || sh "$top/chapters/04-devices/linux/mkinitramfs.sh" "$linux" >&2 ||
    { echo "linux.sh: no Linux guest (see above)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lines=$tmp/lines

# measure NAME CMD...: runs CMD (at most 300 s), notes when LINUX-INIT appears on its
# output and the guest's uptime on that line; appends "NAME to_init uptime insns" to $lines.
measure() {
    name=$1
    shift
    cp "$linux/disk.img" "$tmp/disk.img"
    start=$(date +%s.%N)
    cr=$(printf '\r')
    # (no filter before the loop: a pipe would buffer the lines and delay the marker)
    timeout 300 "$@" </dev/null 2>"$tmp/err" | while IFS= read -r line; do
        line=${line%"$cr"}
        case $line in
        LINUX-INIT*) echo "$(date +%s.%N) $line" >"$tmp/mark" ;;
        esac
        echo "$line" >>"$tmp/$name.log"
    done
    if [ -f "$tmp/mark" ]; then
        read -r at _ _ up _ <"$tmp/mark"
        insns=$(sed -n 's/^instructions: \([0-9]*\).*/\1/p' "$tmp/err")
        echo "$name $(echo "$start $at" | awk '{ printf "%.2f", $2 - $1 }') $up ${insns:--}" >>"$lines"
        rm -f "$tmp/mark"
    else
        echo "$name - - - $(tail -n 1 "$tmp/$name.log" 2>/dev/null | cut -c1-60)" >>"$lines"
    fi
}

args="--mem 256M --virtio-console --disk $tmp/disk.img --initrd $linux/initramfs.cpio.gz"
# The interpreter in each of its ways to run code (--tcg, chapter 6), slowest first.
for mode in insn block jit; do
    echo "(stepvm on the interpreter, --tcg=$mode)" >&2
    # shellcheck disable=SC2086
    measure "stepvm-$mode" "$build/bin/stepvm" --accel=tcg --tcg=$mode --stats $args \
        --append console=ttyS0 "$linux/vmlinuz"
done
if [ -n "$qemu" ]; then
    echo "(QEMU TCG, microvm and pc)" >&2
    measure qemu-microvm qemu-system-x86_64 -accel tcg -cpu max \
        -M microvm,acpi=on,rtc=on,auto-kernel-cmdline=off -m 256 -smp 1 -display none \
        -monitor none -serial stdio -no-reboot -kernel "$linux/vmlinuz" \
        -initrd "$linux/initramfs.cpio.gz" -append 'console=ttyS0 tsc_early_khz=2000000' \
        -global virtio-mmio.force-legacy=false \
        -drive id=d0,file="$tmp/disk.img",format=raw,if=none -device virtio-blk-device,drive=d0 \
        -device isa-debug-exit,iobase=0xf4,iosize=4
    measure qemu-pc qemu-system-x86_64 -accel tcg -cpu max -M pc -m 256 -smp 1 -display none \
        -monitor none -serial stdio -no-reboot -kernel "$linux/vmlinuz" \
        -initrd "$linux/initramfs.cpio.gz" -append 'console=ttyS0' \
        -drive file="$tmp/disk.img",format=raw,if=virtio \
        -device isa-debug-exit,iobase=0xf4,iosize=4
fi
if sh "$top/common/scripts/kvm-usable.sh"; then
    echo "(stepvm on KVM)" >&2
    # shellcheck disable=SC2086
    measure stepvm-kvm "$build/bin/stepvm" --accel=kvm $args --append console=ttyS0 \
        "$linux/vmlinuz"
else
    # In the nested machine only the guest's uptime at /init is measured (busybox's date
    # has whole seconds).
    echo "(stepvm on KVM: in the nested machine)" >&2
    cat >"$tmp/script" <<END
cd /stepvm && cp guests/linux/disk.img /tmp/disk.img
bin/stepvm --accel=kvm --mem 256M --virtio-console --disk /tmp/disk.img \
    --initrd guests/linux/initramfs.cpio.gz --append console=ttyS0 guests/linux/vmlinuz \
    </dev/null 2>&1 | tr -d '\r' | sed -n 's/^LINUX-INIT uptime \([0-9.]*\).*/nested-init \1/p'
END
    sh "$top/common/scripts/nested-kvm.sh" "$build" "$tmp/script" 2>/dev/null |
        sed -n 's/^nested-init \([0-9.]*\)$/stepvm-kvm(nested) - \1 -/p' >>"$lines"
    grep -q '^stepvm-kvm' "$lines" ||
        echo "stepvm-kvm(nested) - - - not measured: the nested machine did not run it" >>"$lines"
fi

awk '
    { name[NR] = $1; t[NR] = $2; up[NR] = $3; ins[NR] = $4; rest[NR] = ""
      for (i = 5; i <= NF; i++) rest[NR] = rest[NR] " " $i
      if ($1 == "qemu-microvm") ref = $2 }
    END {
        print "chapter 6: Debian Linux, power-on to /init (LINUX-INIT), one run each"
        printf "%-20s %10s %12s %12s %16s\n", "run", "seconds", "guest uptime", "vs microvm",
            "instructions"
        for (k = 1; k <= NR; k++) {
            ratio = (t[k] != "-" && ref != "" && ref + 0 > 0) ? sprintf("%.1fx", t[k] / ref) : "-"
            printf "%-20s %10s %12s %12s %16s%s\n", name[k], t[k], up[k], ratio, ins[k], rest[k]
        }
        print "(stepvm-kvm in the nested machine is KVM emulated by QEMU TCG: far slower than"
        print " VT-x/AMD-V hardware)"
    }' "$lines"
