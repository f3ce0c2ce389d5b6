#!/bin/sh
# qemu-boot.sh - boot chapter 4's Linux guest under QEMU, the reference machine: the same
# kernel, initramfs and disk that stepvm runs, on QEMU's microvm with the devices stepvm
# has (COM1, virtio-mmio found through ACPI, isa-debug-exit). Proves the guest side
# before any stepvm device exists, and gives the time to compare stepvm's run with.
#
# usage: qemu-boot.sh OUT_DIR
# OUT_DIR holds mkinitramfs.sh's files. The run writes to a copy of disk.img. Prints the
# guest's marker lines, check-linux.sh's verdict and the time the run took; on failure,
# the end of the console too. Exits 0 when QEMU exited with status 0 and every check
# passed, 1 otherwise, 77 (after a SKIPPED line) without qemu-system-x86_64.
# $STEPVM_QEMU_ACCEL chooses QEMU's accelerator (default tcg, which needs no /dev/kvm).
set -u

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$1" && pwd) || exit 1
command -v qemu-system-x86_64 >/dev/null ||
    { echo "SKIPPED: Linux under QEMU: qemu-system-x86_64 not installed (make deps)"; exit 77; }
for f in vmlinuz initramfs.cpio.gz disk.img disk.sha256; do
    [ -f "$out/$f" ] || { echo "qemu-boot: $out/$f missing (run mkinitramfs.sh $1)" >&2; exit 1; }
done
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
cp "$out/disk.img" "$run/disk.img"

# microvm: no PCI, virtio-mmio devices listed in the ACPI DSDT (auto-kernel-cmdline=off
# keeps QEMU from also naming them on the command line, which Debian's kernel ignores),
# virtio 1.x registers (force-legacy=false), as stepvm's devices are. Under TCG the
# kernel cannot measure the TSC (microvm has no port 0x61 to gate the PIT, no HPET, no PM
# timer) and microvm's MADT lacks the IRQ0 -> GSI 2 override, so no timer tick arrives and
# the boot hangs at the delay-loop calibration: tsc_early_khz gives the TSC's frequency,
# against which the kernel then calibrates the LAPIC timer by polling.
start=$(date +%s.%N)
{
    timeout 300 qemu-system-x86_64 -accel "${STEPVM_QEMU_ACCEL:-tcg}" -cpu max \
        -M microvm,acpi=on,rtc=on,auto-kernel-cmdline=off \
        -m 256 -smp 1 -display none -monitor none -serial stdio -no-reboot \
        -kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
        -append 'console=ttyS0 panic=-1 tsc_early_khz=2000000' \
        -global virtio-mmio.force-legacy=false \
        -drive id=d0,file="$run/disk.img",format=raw,if=none -device virtio-blk-device,drive=d0 \
        -device virtio-serial-device \
        -chardev file,id=hvc,path="$run/hvc0.log" -device virtconsole,chardev=hvc \
        -device isa-debug-exit,iobase=0xf4,iosize=4 < /dev/null 2> "$run/qemu.err"
    echo $? > "$run/status"
} | tr -d '\r' > "$run/console.log"
end=$(date +%s.%N)
status=$(cat "$run/status")

grep '^LINUX-\|^FP-' "$run/console.log"
failed=0
sh "$here/check-linux.sh" "$run/console.log" "$run/disk.img" "$(cat "$out/disk.sha256")" ||
    failed=1
if [ "$status" -eq 0 ]; then
    echo "OK: QEMU exited with status 0 (ACPI power-off)"
else
    echo "FAIL: QEMU exited with status $status"
    failed=1
fi
if tr -d '\r' < "$run/hvc0.log" 2>/dev/null | grep -qx 'hello from hvc0'; then
    echo "OK: 'hello from hvc0' arrived on the virtio console"
else
    echo "FAIL: the virtio console did not receive 'hello from hvc0'"
    failed=1
fi
echo "qemu-boot: power-on to power-off in $(echo "$start $end" |
    awk '{ printf "%.1f", $2 - $1 }') s (QEMU ${STEPVM_QEMU_ACCEL:-tcg})"
if [ "$failed" -ne 0 ]; then
    echo "qemu-boot: the last lines of the console:"
    tail -n 30 "$run/console.log"
    cat "$run/qemu.err"
fi
exit "$failed"
