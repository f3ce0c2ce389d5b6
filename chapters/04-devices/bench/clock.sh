# clock.sh - sourced by chapter 4's measuring scripts (measure.sh, vmeasure.sh): the few
# commands they need, and a clock in nanoseconds, here and in the nested machine. POSIX
# sh only: the nested machine has busybox and nothing else.

# The nested machine links only a few of busybox's commands; call it for the others.
for cmd in awk date grep head seq timeout; do
    command -v $cmd >/dev/null 2>&1 || eval "$cmd() { busybox $cmd \"\$@\"; }"
done

# Nanoseconds of CLOCK_MONOTONIC from the shell: date's %N where it has one, else the
# kernel's own clock in /proc/timer_list (busybox's date has no %N).
now_ns() {
    t=$(date +%s%N 2>/dev/null)
    case $t in
    *N | '') awk '/^now at/ { print $3; exit }' /proc/timer_list ;;
    *) echo "$t" ;;
    esac
}
