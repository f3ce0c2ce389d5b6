# Lab device-stats (chapter 3): ch3 --device-stats counts the accesses each device saw.
runs() {
    host help bin/ch3 --help
    kvm stats bin/ch3 --device-stats --load-addr 0x1000 guests/ch1/hello.bin
    kvm plain bin/ch3 --load-addr 0x1000 guests/ch1/hello.bin
}
# The table's rows after "exits per device:", as "NAME COUNT;" each, in order.
rows() {
    sed -n '/^exits per device:$/,$p' "$R/stats.err" 2>/dev/null | sed '1d' | tr -s ' ' |
        sed 's/^ //' | tr '\n' ';'
}
table_is() {
    expected="the rows after 'exits per device:' are, in this order: $1"
    if grep -q '^exits per device:$' "$R/stats.err" 2>/dev/null; then
        seen="the rows are: $(rows)"
    else
        seen=$(describe stats)
    fi
    [ "$(rows)" = "$1" ]
}
checks() {
    check "--help describes --device-stats" out_has help "--device-stats"
    check "the guest runs as before (exit status 0)" status_is stats 0
    check "stderr has the 'exits per device:' header" err_has stats "^exits per device:$"
    check "post saw 1 access, debugcon 40, nobody 14, in bus order" \
        table_is 'post 1;debugcon 40;(none) 14;'
    check "without --device-stats there is no such table" err_lacks plain "exits per device"
}
