#!/bin/bash
# wal.sh - the WAL checkpoint policy under a long reader: while a sqlite3
# CLI holds a read transaction (an old snapshot) the sensor's writes grow
# the WAL past [database] wal_limit_mib (1 MiB here), and the sensor warns
# once the reader has blocked checkpoints for longer than its patience
# (busy_timeout = 1), naming the WAL's size; after the reader ends, the
# next batch's checkpoint cuts the WAL back to at most the limit (while the
# sensor still runs); the run completes with every detection of a private
# run stored, exit 0. The capture comes through a FIFO in three parts so
# that each step happens while the sensor still has packets to read.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null || skip_all "python3 not installed"

DB="$TMP/wal.db"
LIMIT=$((1024 * 1024))

# wait_for SQL VALUE: up to 60 s for the query to give VALUE
wait_for() {
	local i=0
	while [ "$(q "$DB" "$1" 2>/dev/null)" != "$2" ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
wal_size() { stat -c %s "$DB-wal" 2>/dev/null || echo 0; }

# three parts, 400 s of packet time apart (so the detections of one part
# close while the next is read): 2000, 100 and 100 sources, each 6 SYNs to
# closed ports of one host answered by RST; every frame is 70 bytes in the file
PYTHONPATH="$top_srcdir/tests/tools" python3 - "$TMP/scans.pcap" <<'PY'
import sys
from pcapwrite import a4, eth, ip4, tcp, write_pcap

def frame(src, dst, sport, dport, flags):
    s, d = a4(src), a4(dst)
    return eth(ip4(s, d, 6, 1, 64, 0, tcp(s, d, sport, dport, 1000, 0, flags)))

frames = []
for s in range(2200):
    src = '198.18.%d.%d' % (s // 250, s % 250 + 1)
    for p in range(6):
        gap = 400000000 if s in (2000, 2100) and p == 0 else 1000
        frames.append((gap, frame(src, '203.0.113.9', 40000, 1000 + p, 0x02)))
        frames.append((1000, frame('203.0.113.9', src, 1000 + p, 40000, 0x14)))
write_pcap(sys.argv[1], frames)
PY
A_END=$((24 + 2000 * 12 * 70))
B_END=$((A_END + 100 * 12 * 70))
[ "$(stat -c %s "$TMP/scans.pcap")" = $((B_END + 100 * 12 * 70)) ] || { echo "FAIL: capture size"; exit 1; }

detections() {
	q "$1" "SELECT d.kind, d.variant, d.src, d.targets, d.ports, d.packets, d.closed_at IS NOT NULL
	        FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id
	        WHERE s.name = 'wal' ORDER BY 1, 2, 3"
}
timeout 60 "$SENSOR" -q -Z root -n wal -r "$TMP/scans.pcap" -w "$TMP/private.db" \
	|| fail "private run exited $?"
ref=$(detections "$TMP/private.db")
check "the private run stores the 2200 scans" 2200 "$(printf '%s\n' "$ref" | grep -c '^port_scan')"

printf '[database]\nbusy_timeout = 1\nwal_limit_mib = 1\n' >"$TMP/wal.conf"
timeout 60 "$SENSOR" -q -Z root -n other -r "$CORPUS/dev_12c_benign_dns200.pcap" -w "$DB" \
	|| fail "first run exited $?"

# the reader: a snapshot held until $TMP/release exists (90 s at most)
printf 'BEGIN;\nSELECT count(*) FROM detections;\n.shell touch %s\n.shell i=0; while [ ! -e %s ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done\nCOMMIT;\n' \
	"$TMP/held" "$TMP/release" | timeout 120 "$SQLITE3" -batch "$DB" >/dev/null 2>"$TMP/reader.err" &
reader=$!
i=0
while [ ! -e "$TMP/held" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done

# gate NAME: up to 90 s for $TMP/NAME
gate() {
	local i=0
	while [ ! -e "$TMP/$1" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
}
mkfifo "$TMP/fifo"
( head -c $A_END "$TMP/scans.pcap"
  gate part2; head -c $B_END "$TMP/scans.pcap" | tail -c +$((A_END + 1))
  gate part3; tail -c +$((B_END + 1)) "$TMP/scans.pcap"
  gate end ) >"$TMP/fifo" &
feeder=$!
timeout 180 "$SENSOR" -Z root -c "$TMP/wal.conf" -n wal -r "$TMP/fifo" -w "$DB" 2>"$TMP/sensor.err" &
sensor=$!

# part 1, the reader holding its snapshot: the WAL grows past the limit
wait_for "SELECT count(*) FROM detections WHERE run_id = 2" 2000
during=$(wal_size)
echo "measured: WAL with the reader holding, 2000 detections stored: $during bytes"
check "behind the reader the WAL grows past wal_limit_mib" yes \
	"$([ "$during" -gt $LIMIT ] && echo yes || echo "no: $during")"
# part 2 once the reader has blocked checkpoints longer than the patience
sleep 1.5
touch "$TMP/part2"
wait_for "SELECT count(*) FROM detections WHERE run_id = 2" 2100
i=0
while ! grep -q 'a reader has kept' "$TMP/sensor.err" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check_match "the sensor warns, naming the WAL and its size" \
	"warning: $DB-wal: [0-9.]+ MiB, over \[database\] wal_limit_mib \(1\): a reader has kept it from being checkpointed for [0-9]+ s" \
	"$(cat "$TMP/sensor.err")"
check "warned once" 1 "$(grep -c 'a reader has kept' "$TMP/sensor.err")"
still=$(wal_size)
echo "measured: WAL still held by the reader, 2100 detections stored: $still bytes"

# the reader ends; part 3 gives the writer its next batches
touch "$TMP/release"
wait $reader
touch "$TMP/part3"
# watched from outside (no query of ours may hold a snapshot just when
# the writer checkpoints): up to 60 s for the file to shrink
after=$(wal_size) i=0
while [ "$after" -gt $LIMIT ] && [ $i -lt 600 ]; do sleep 0.1; after=$(wal_size); i=$((i + 1)); done
wait_for "SELECT count(*) FROM detections WHERE run_id = 2" 2200
echo "measured: WAL after the reader ended and the next batches: $after bytes"
check "after the reader, the next batches cut the WAL back to the limit" yes \
	"$([ "$after" -le $LIMIT ] && echo yes || echo "no: $after")"
check_match "and the sensor says so" "$DB-wal: checkpointed and cut back from [0-9.]+ MiB" \
	"$(cat "$TMP/sensor.err")"
check "the sensor is still running then" yes "$(kill -0 $sensor 2>/dev/null && echo yes || echo no)"
touch "$TMP/end"
wait $sensor; rc=$?
wait $feeder
check "the run completes: exit 0" 0 "$rc"
check "every detection of the private run is stored" "$ref" "$(detections "$DB")"
check "nothing lost, the run finished" "0 finished" \
	"$(q "$DB" "SELECT ring_full || ' ' || status FROM runs WHERE id = 2")"
check "the reader's transaction was fine" "" "$(cat "$TMP/reader.err")"

finish
