# Lab disk-stats (chapter 4): --stats prints each virtio-blk disk's requests, bytes and errors.
#
# What vblk.elf asks of its disk (chapters/04-devices/guest/vblk.c): it reads the whole
# disk in requests of 64 KiB (128 sectors), the last one shorter; then on a read-write
# disk it writes the last sector, reads it back, flushes and asks for the id; on a
# read-only one ("ro" on its command line) it reads the last sector, tries to write it
# (VIRTIO_BLK_S_IOERR), reads it again and asks for the id. The disk here has 600 sectors:
# 5 reads (4 x 128 + 88 sectors) cover it.
SECTORS=600
COVER=$(((SECTORS + 127) / 128))
runs() {
    head -c $((SECTORS * 512)) /dev/urandom > "$R/disk.img"
    head -c 4096 /dev/urandom > "$R/spare.img"
    host rw bin/stepvm --accel=tcg --stats --disk "$R/disk.img" --disk "$R/spare.img" \
        guests/ch4/vblk.elf
    host ro bin/stepvm --accel=tcg --stats --disk "$R/disk.img,ro" --cmdline ro guests/ch4/vblk.elf
    host plain bin/stepvm --accel=tcg --disk "$R/disk.img" guests/ch4/vblk.elf
}
# The line of disk $2 in run $1.
line() { grep "^virtio-blk$2: " "$R/$1.err"; }
# Its line is exactly the expected one: counts $3.. as reads, bytes read, writes, bytes
# written, flushes, get-ids, unsupported, errors.
is() {
    run=$1 disk=$2; shift 2
    want="virtio-blk$disk: reads $1 ($2 bytes), writes $3 ($4 bytes), flushes $5, get-ids $6, unsupported $7, errors $8"
    expected="$run's standard error has the line '$want'"
    seen=$(seen_line "$run" "$disk")
    [ "$(line "$run" "$disk")" = "$want" ]
}
# What run $1 printed for disk $2: its line, or what the run left when there is none.
seen_line() {
    l=$(line "$1" "$2")
    if [ -n "$l" ]; then echo "$1 printed: $l"; else echo "no line 'virtio-blk$2: ...' in $1's standard error;"; describe "$1"; fi
}
# The disks' names in run $1's lines, in order.
names() { grep '^virtio-blk' "$R/$1.err" 2>/dev/null | cut -d: -f1 | tr '\n' ' '; }
# A field of disk $2's line in run $1, by its name ("reads", "flushes", ...).
field() { line "$1" "$2" | sed -n "s/.* $3 \([0-9]*\).*/\1/p"; }
form='^virtio-blk[0-9]: reads [0-9]+ \([0-9]+ bytes\), writes [0-9]+ \([0-9]+ bytes\), flushes [0-9]+, get-ids [0-9]+, unsupported [0-9]+, errors [0-9]+$'
lines_per_disk() {
    expected="lines for virtio-blk0 and virtio-blk1 (two disks), then virtio-blk0 alone (one disk)"
    seen="with two disks: $(names rw)(end); with one: $(names ro)(end)"
    [ "$(names rw)" = "virtio-blk0 virtio-blk1 " ] && [ "$(names ro)" = "virtio-blk0 " ]
}
well_formed() {
    expected="every 'virtio-blk' line matches $form"
    grep -h '^virtio-blk' "$R/rw.err" "$R/ro.err" > "$R/lines" 2>/dev/null
    if [ ! -s "$R/lines" ]; then
        seen="no line starts with 'virtio-blk'; $(describe rw)"
        return 1
    fi
    seen="a line not in that form: $(grep -Ev -m 1 "$form" "$R/lines")"
    ! grep -Evq "$form" "$R/lines"
}
rw_reads() {
    expected="virtio-blk0's line (read-write) has 'reads $((COVER + 1)) ($(((SECTORS + 1) * 512)) bytes)'"
    seen=$(seen_line rw 0)
    line rw 0 | grep -qF "reads $((COVER + 1)) ($(((SECTORS + 1) * 512)) bytes)"
}
rw_rest() {
    expected="virtio-blk0's line (read-write) has 'writes 1 (512 bytes)', 'flushes 1', 'get-ids 1'"
    seen=$(seen_line rw 0)
    [ "$(field rw 0 flushes)" = 1 ] && [ "$(field rw 0 get-ids)" = 1 ] &&
        line rw 0 | grep -qF 'writes 1 (512 bytes)'
}
checks() {
    check "vblk.elf runs to its end on both disks (exit status 1)" statuses_are 1 rw ro
    check "--stats prints a line per disk, in --disk order" lines_per_disk
    check "each line as 'virtio-blkN: reads R (B bytes), writes W (B bytes), flushes F, get-ids G, unsupported U, errors E'" well_formed
    check "read-write: $((COVER + 1)) reads of $((SECTORS + 1)) sectors ($(((SECTORS + 1) * 512)) bytes)" rw_reads
    check "read-write: 1 write (512 bytes), 1 flush, 1 get-id" rw_rest
    check "read-write: the whole line, 0 unsupported and 0 errors" \
        is rw 0 $((COVER + 1)) $(((SECTORS + 1) * 512)) 1 512 1 1 0 0
    check "read-only: $((COVER + 2)) reads, 1 write of 0 bytes (refused), no flush, 1 error" \
        is ro 0 $((COVER + 2)) $(((SECTORS + 2) * 512)) 1 0 0 1 0 1
    check "the second disk, never used: all zeros" is rw 1 0 0 0 0 0 0 0 0
    check "without --stats, nothing on stderr" err_empty plain
}
