# Lab rtc-alarm (chapter 4): the CMOS clock's alarm, AF in register C and IRQ 8 with AIE.
runs() {
    host alarm bin/stepvm --accel=tcg guests/ch4/lab-alarm.elf
}
# The ticks (10 ms each) the guest waited for the alarm two seconds ahead.
rang_in_time() {
    n=$(sed -n 's/^alarm: rang after \([0-9]*\) ticks$/\1/p' "$R/alarm.out")
    [ -n "$n" ] && [ "$n" -ge 90 ] && [ "$n" -le 310 ]
}
# The time read after the interrupt is the alarm's, or the second after it.
rang_at_its_time() {
    a=$(sed -n 's/^alarm at \([0-9:]*\)$/\1/p' "$R/alarm.out" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    t=$(sed -n 's/^time when it rang: \([0-9:]*\)$/\1/p' "$R/alarm.out" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
    [ -n "$a" ] && [ -n "$t" ] && [ $(( (t - a + 86400) % 86400 )) -le 1 ]
}
irqf_and_af() {
    c=$(sed -n 's/^register C: 0x\([0-9a-f][0-9a-f]\)$/\1/p' "$R/alarm.out")
    [ -n "$c" ] && [ $((0x$c & 0xa0)) -eq $((0xa0)) ]
}
once_a_second() {
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
