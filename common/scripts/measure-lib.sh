# measure-lib.sh - sourced by the chapters' measuring scripts (chapters/*/bench/*measure.sh;
# chapter 3 introduces it), here and in the nested machine: the few commands they need, a
# clock in nanoseconds, and stepvm's --stats table as lines. POSIX sh and awk only: the
# nested machine has busybox and nothing else.

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

# Prints each row of the --stats table in FILE (a run's stderr) as a line "exits KEY ...",
# the row's words after KEY, with "port 0x03f9" made the one word port_0x03f9.
exit_lines() { # KEY FILE
    awk -v key="$1" '
        /^exit statistics:/ { on = 1; next }
        on && $1 == "reason" { next }
        on && NF >= 6 {
            if ($2 == "port") print "exits", key, $1, $2 "_" $3, $4
            else print "exits", key, $1, $2, $3
        }' "$2"
}
