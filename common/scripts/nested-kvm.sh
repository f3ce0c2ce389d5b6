#!/bin/sh
# nested-kvm.sh - run the KVM test cases inside a QEMU machine that has a real /dev/kvm.
#
# Where the host has no usable /dev/kvm (a cloud VM without nested virtualization, a CI
# runner), the KVM tests can still run against the real thing: QEMU's TCG emulates an
# AMD CPU with SVM (AMD-V), a stock Debian kernel boots on it, loads kvm_amd, and
# /dev/kvm appears inside. This is nested virtualization done in software: slow, but the
# ioctls, exits and errors are real KVM's.
#
# usage: nested-kvm.sh BUILD_DIR SCRIPT
# Runs the shell script SCRIPT inside the machine, with BUILD_DIR's bin/, guests/ and
# tests/ at /stepvm, and prints what it prints. Exits with the script's status, 1 when the
# machine did not finish, and 77 (after a loud SKIPPED line) when the machine cannot be
# built here (no QEMU, no kernel package). When tmux is installed here, it comes along
# (with its libraries, the terminfo entries and /dev/pts) for the inspector's TUI tests.
# The packages (common/scripts/debian-kernel.sh fetches them) are kept in build/nested
# (or $STEPVM_NESTED_CACHE) for the next run. $STEPVM_NESTED_FILES, when set, names a
# directory copied in as /stepvm/files. The machine has $STEPVM_NESTED_TIMEOUT seconds
# (default 1200), and a second try when it gives no result in that time.
set -eu

build=$(cd "$1" && pwd)
script=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
top=$(cd "$(dirname "$0")/../.." && pwd)
cache="${STEPVM_NESTED_CACHE:-$top/build/nested}"
skip() { echo "SKIPPED: nested KVM: $*"; exit 77; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (make deps)"
# The kernel and busybox: Debian's packages, fetched and unpacked once (see debian-kernel.sh).
cache=$(sh "$top/common/scripts/debian-kernel.sh" "$cache") || {
    rc=$?; echo "$cache" | sed 's/^SKIPPED: /SKIPPED: nested KVM: /'; exit "$rc"; }

# [rootfs] A root file system in RAM: busybox, the modules, the build, its libraries.
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
cd "$run"
mkdir -p root/bin root/proc root/sys root/dev root/tmp root/mods root/stepvm
cp "$cache/pkg/bin/busybox" root/bin/busybox
# Every applet, so that scripts run there have dd, grep, sed, tar and the rest.
for app in $("$cache/pkg/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -s busybox "root/bin/$app"
done
# kvm-amd needs kvm and ccp; kvm needs irqbypass. Loaded in this order by init.
for m in irqbypass kvm ccp kvm-amd; do
    find "$cache"/pkg/lib/modules -name "$m.ko*" -exec cp {} root/mods/ \;
done
cp -r "$build/bin" "$build/guests" "$build/tests" root/stepvm/
[ -z "${STEPVM_NESTED_FILES:-}" ] || cp -r "$STEPVM_NESTED_FILES" root/stepvm/files
if command -v tmux >/dev/null; then
    cp "$(command -v tmux)" root/bin/tmux
    mkdir -p root/usr/share/terminfo
    cp -r /lib/terminfo/. root/usr/share/terminfo/ 2>/dev/null || true
    # tmux refuses to start without a UTF-8 locale.
    mkdir -p root/usr/lib/locale
    cp -r /usr/lib/locale/C.utf8 root/usr/lib/locale/ 2>/dev/null || true
fi
for exe in root/stepvm/bin/* root/stepvm/tests/* root/bin/tmux; do
    [ -e "$exe" ] || continue
    ldd "$exe" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
        mkdir -p "root$(dirname "$lib")" && cp -L "$lib" "root$lib"
    done
done
{
    echo '#!/bin/sh'
    echo 'export PATH=/bin'
    echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
    echo 'mkdir -p /dev/pts; mount -t devpts devpts /dev/pts'
    echo 'for m in irqbypass kvm ccp kvm-amd; do insmod /mods/$m.ko* 2>/dev/null; done'
    echo '[ -e /dev/kvm ] || echo "NESTED-NOKVM"'
    echo 'cd /tmp; echo NESTED-BEGIN; sh /script; echo "NESTED-RC $?"'
    echo 'poweroff -f'
} > root/init
chmod +x root/init
cp "$script" root/script
(cd root && find . | ./bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.gz)
# [rootfs]

# [boot] EPYC: an AMD model with SVM and nested paging, which TCG emulates. The machine
# has 20 minutes ($STEPVM_NESTED_TIMEOUT seconds): under ThreadSanitizer a Linux boot on
# KVM in it takes up to 5 (each test has 300 s), and a suite boots two.
boot() {
    echo "nested KVM: booting a QEMU machine with emulated AMD-V" >&2
    timeout "${STEPVM_NESTED_TIMEOUT:-1200}" qemu-system-x86_64 -accel tcg -cpu EPYC -m 2048 \
        -nographic -no-reboot -kernel "$cache/vmlinuz" -initrd initrd.gz \
        -append 'console=ttyS0 quiet panic=-1' 2>/dev/null | tr -d '\r' > console.log || true
}
# [boot]

# The emulated machine itself has been seen to stall, idle, its clock stopped so that
# not even Check's timeouts fire: then it gets one more chance, and says so.
boot
if ! grep -q '^NESTED-RC [0-9]*$' console.log && ! grep -q NESTED-NOKVM console.log; then
    echo "nested KVM: no result from the machine; last lines:"
    tail -n 20 console.log
    echo "nested KVM: starting it once more"
    boot
fi
grep -q NESTED-NOKVM console.log && { echo "nested KVM: kvm_amd did not load"; exit 1; }
rc=$(sed -n 's/^NESTED-RC \([0-9]*\)$/\1/p' console.log)
[ -n "$rc" ] || {
    echo "nested KVM: the machine did not finish, twice; last lines:"; tail -n 20 console.log; exit 1; }
sed -n '/NESTED-BEGIN/,/^NESTED-RC/p' console.log | sed '1d;$d'
exit "$rc"
