# Lab rtc-alarm (chapter 4): the CMOS clock's alarm, AF in register C and IRQ 8 with AIE.
runs() {
    host alarm bin/stepvm --accel=tcg guests/ch4/lab-alarm.elf
}
# The guest's line that starts with $1, or a note that there is none.
said() { grep -m 1 "^$1" "$R/alarm.out" 2>/dev/null || echo "no line starting with '$1'"; }
# The ticks (10 ms each) the guest waited for the alarm two seconds ahead.
rang_in_time() {
    expected="'alarm: rang after N ticks' with N from 90 to 310 (10 ms a tick)"
    seen="the guest printed: $(said 'alarm:')"
    n=$(sed -n 's/^alarm: rang after \([0-9]*\) ticks$/\1/p' "$R/alarm.out")
    [ -n "$n" ] && [ "$n" -ge 90 ] && [ "$n" -le 310 ]
}
# The time read after the interrupt is the alarm's, or the second after it.
rang_at_its_time() {
    expected="'time when it rang: HH:MM:SS' equal to 'alarm at HH:MM:SS', or one second later"
    seen="the guest printed: $(said 'alarm at'); $(said 'time when it rang')"
    a=$(sed -n 's/^alarm at \([0-9:]*\)$/\1/p' "$R/alarm.out" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    t=$(sed -n 's/^time when it rang: \([0-9:]*\)$/\1/p' "$R/alarm.out" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    [ -n "$a" ] && [ -n "$t" ] && [ $(( (t - a + 86400) % 86400 )) -le 1 ]
}
irqf_and_af() {
    expected="'register C: 0xNN' with bits 0x80 (IRQF) and 0x20 (AF) set"
    seen="the guest printed: $(said 'register C')"
    c=$(sed -n 's/^register C: 0x\([0-9a-f][0-9a-f]\)$/\1/p' "$R/alarm.out")
    [ -n "$c" ] && [ $((0x$c & 0xa0)) -eq $((0xa0)) ]
}
once_a_second() {
    expected="'every second: 3 alarms in N ticks' with N from 150 to 410"
    seen="the guest printed: $(said 'every second')"
    set -- $(sed -n 's/^every second: \([0-9]*\) alarms in \([0-9]*\) ticks$/\1 \2/p' "$R/alarm.out")
    [ "${1:-0}" -eq 3 ] && [ "$2" -ge 150 ] && [ "$2" -le 410 ]
}
checks() {
    check "the guest runs to its end (exit status 1)" status_is alarm 1
    check "IRQ 8 comes for the alarm two seconds ahead (1 to 3 s)" rang_in_time
    check "register C has IRQF and AF (0xa0) set at the alarm" irqf_and_af
    check "the clock reads the alarm's time when it rings" rang_at_its_time
    check "0xff in all three alarm bytes rings once a second" once_a_second
    check "without AIE, AF is set in C but no interrupt comes" \
        out_has alarm "^without AIE: interrupts 0, AF set, IRQF clear$"
}
