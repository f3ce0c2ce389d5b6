# Lab cmos-rtc (chapter 3): the CMOS real-time clock at ports 0x70/0x71.
runs() {
    kvm rtc bin/ch3 guests/ch3/lab-rtc.elf
    host later bin/stepvm --accel=tcg guests/ch3/lab-rtc.elf
}
# The guest's "time" line, or a note that it printed none.
time_line() {
    grep -m 1 '^time ' "$R/rtc.out" 2>/dev/null || echo "no line starting with 'time ' (rtc: $(describe rtc | head -n 1))"
}
# The guest's time as seconds of the day, or nothing when it is not valid BCD.
guest_seconds() {
    sed -n 's/^time \([0-2][0-9]\):\([0-5][0-9]\):\([0-5][0-9]\) UTC$/\1 \2 \3/p' "$R/rtc.out" |
        awk '$1 < 24 { print $1 * 3600 + $2 * 60 + $3 }'
}
valid_bcd() {
    expected="a line 'time HH:MM:SS UTC' with HH 00-23 and MM, SS 00-59 (each digit 0-9: BCD)"
    seen=$(time_line)
    [ -n "$(sed -n 's/^time \([01][0-9]\|2[0-3]\):[0-5][0-9]:[0-5][0-9] UTC$/ok/p' "$R/rtc.out")" ]
}
near_host_clock() {
    h=$(date -u +%H:%M:%S)
    expected="the guest's time within two minutes of the host's clock in UTC (graded at $h)"
    seen="the guest printed: $(time_line)"
    g=$(guest_seconds); [ -n "$g" ] || return 1
    h=$(echo "$h" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    d=$(( (h - g + 86400) % 86400 ))
    seen="$seen, $d s behind the host's clock"
    [ "$d" -le 120 ]
}
later_runs() {
    expected="later ends with status 1 and prints 'status B 0x02' (chapter 4's rtc.c answers)"
    seen=$(describe later)
    [ "$(cat "$R/later.status" 2>/dev/null)" = 1 ] && grep -q '^status B 0x02$' "$R/later.out"
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is rtc 1
    check "status B says 24-hour BCD (0x02)" out_has rtc "^status B 0x02$"
    check "hours, minutes and seconds are valid BCD" valid_bcd
    check "the time is the host's (within two minutes, UTC)" near_host_clock
    check "ports 0x70 and 0x71 are no longer unclaimed" err_lacks rtc "port 0x7[01]"
    check "chapter 4's machine, with its own clock at 0x70, still starts (stepvm --accel=tcg)" \
        later_runs
}
