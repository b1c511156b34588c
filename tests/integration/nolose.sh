#!/bin/bash
# nolose.sh - the sensor's 4096-record writer ring filled while another
# process holds the database's write lock (a sqlite3 CLI in BEGIN
# IMMEDIATE, released when this test says so):
#  1. reading a file (-r): the packet loop waits ("the packet loop waits"),
#     and once the lock is released every detection of a private run is
#     stored, the run is 'finished' with nothing lost, exit 0;
#  2. a live capture on lo (connect() scans from 1500 loopback sources):
#     records the full ring refused are counted (ring_full), a warning says
#     so, the run is 'partial', and every detection whose record got into
#     the ring is stored once the lock is released;
#  3. SIGTERM with the lock still held ([database] busy_timeout = 2 from a
#     configuration file): the sensor waits the patience, gives up what
#     waits (counted as lost), marks the run partial once the lock goes,
#     and exits 1 saying so;
#  4. the same with a lock that outlasts the sensor: it still exits (after
#     twice the patience at most), says the run could not be marked, and
#     the analyzer marks it interrupted afterwards.
# Traffic: loopback only, bounded by a count; everything under timeout.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null || skip_all "python3 not installed"

# wait_for DB SQL VALUE: up to 20 s for the query to give VALUE
wait_for() {
	local i=0
	while [ "$(q "$1" "$2" 2>/dev/null)" != "$3" ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
# wait_text FILE REGEX: up to 30 s for the file to say it
wait_text() {
	local i=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
# lock DB TAG: a sqlite3 CLI takes the write lock, touches $TMP/TAG.locked,
# and holds it until $TMP/TAG.release exists (60 s at most); its pid in $holder
lock() {
	printf '.timeout 30000\nBEGIN IMMEDIATE;\nUPDATE sensors SET name = name;\n.shell touch %s\n.shell i=0; while [ ! -e %s ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done\nCOMMIT;\n' \
		"$TMP/$2.locked" "$TMP/$2.release" |
		timeout 90 "$SQLITE3" -batch "$1" >/dev/null 2>"$TMP/$2.holder.err" &
	holder=$!
	local i=0
	while [ ! -e "$TMP/$2.locked" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}
release() { touch "$TMP/$1.release"; }

# --- 1. a file: the loop waits for the lock, nothing is lost ---
# 2000 sources, each 6 SYNs to closed ports of one host answered by RST:
# some 14,000 records, three times the ring
PYTHONPATH="$top_srcdir/tests/tools" python3 - "$TMP/scans.pcap" <<'PY'
import sys
from pcapwrite import a4, eth, ip4, tcp, write_pcap

def frame(src, dst, sport, dport, flags):
    s, d = a4(src), a4(dst)
    return eth(ip4(s, d, 6, 1, 64, 0, tcp(s, d, sport, dport, 1000, 0, flags)))

frames = []
for s in range(2000):
    src = '198.18.%d.%d' % (s // 250, s % 250 + 1)
    for p in range(6):
        frames.append(frame(src, '203.0.113.9', 40000, 1000 + p, 0x02))
        frames.append(frame('203.0.113.9', src, 1000 + p, 40000, 0x14))
write_pcap(sys.argv[1], frames)
PY
[ -s "$TMP/scans.pcap" ] || { echo "FAIL: no capture"; exit 1; }

detections() {
	q "$1" "SELECT d.kind, d.variant, d.src, d.targets, d.ports, d.packets, d.closed_at IS NOT NULL,
	               (SELECT count(*) FROM evidence e WHERE e.detection_id = d.id)
	        FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id
	        WHERE s.name = 'nolose' ORDER BY 1, 2, 3"
}
timeout 60 "$SENSOR" -q -Z root -n nolose -r "$TMP/scans.pcap" -w "$TMP/private.db" \
	|| fail "private run exited $?"
ref=$(detections "$TMP/private.db")
check "the private run stores the 2000 scans" 2000 "$(printf '%s\n' "$ref" | grep -c '^port_scan')"

DB="$TMP/file.db"
timeout 60 "$SENSOR" -q -Z root -n other -r "$CORPUS/dev_12c_benign_dns200.pcap" -w "$DB" \
	|| fail "first run exited $?"
# the FIFO gives the pcap header at once, the packets once the lock is held
mkfifo "$TMP/fifo"
( head -c 24 "$TMP/scans.pcap"; i=0
  while [ ! -e "$TMP/go" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  tail -c +25 "$TMP/scans.pcap" ) >"$TMP/fifo" &
feeder=$!
SPANWATCH_BUSY_TIMEOUT=0.5 timeout 120 "$SENSOR" -Z root -n nolose -r "$TMP/fifo" -w "$DB" \
	2>"$TMP/file.err" &
sensor=$!
wait_for "$DB" "SELECT count(*) FROM runs" 2
lock "$DB" file
touch "$TMP/go"
wait_text "$TMP/file.err" "ring full .*the packet loop waits"
check_match "with the lock held the ring fills and the packet loop waits" \
	"writer ring full \(4096 records\): the packet loop waits for the database \(nothing is lost\)" \
	"$(cat "$TMP/file.err")"
check "nothing is stored meanwhile" 0 \
	"$(q "$DB" "SELECT count(*) FROM detections d JOIN runs r ON r.id = d.run_id WHERE r.id = 2")"
check "the sensor waits, alive" yes "$(kill -0 $sensor 2>/dev/null && echo yes || echo no)"
release file
wait $holder
wait $sensor; rc=$?
wait $feeder
check "the lock released, the sensor exits 0" 0 "$rc"
check "the CLI writer held its lock and committed" "" "$(cat "$TMP/file.holder.err")"
check "every detection of the private run is stored" "$ref" "$(detections "$DB")"
check "nothing lost, the run finished" "0 finished" \
	"$(q "$DB" "SELECT ring_full || ' ' || status FROM runs WHERE id = 2")"
check "the packets are all counted" 24000 "$(q "$DB" "SELECT packets FROM runs WHERE id = 2")"

if [ "$(id -u)" != 0 ]; then
	echo "note: not root, the live parts are skipped"
	finish
fi

# start SENSOR ARGS... in the background as $pid, killed after 90 s whatever happens
start_sensor() {
	local err=$1
	shift
	"$SENSOR" "$@" 2>"$err" &
	pid=$!
	( sleep 90; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
	watchdog=$!
}
stop_watchdog() { kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null; }
# scan N LO P: N loopback sources (127.77.x.y), each connect() to P closed
# ports from LO on 127.0.0.1: refused (a RST each), a connect scan per source
scan() {
	timeout 60 python3 - "$@" <<'PY'
import socket, sys
n, lo, p = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for s in range(n):
    src = '127.77.%d.%d' % (s // 250, s % 250 + 1)
    for i in range(p):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(2)
        c.bind((src, 0))
        try:
            c.connect(('127.0.0.1', lo + i))
        except OSError:
            pass
        c.close()
PY
}
LO=$(( 40000 + $$ % 10000 ))
FILTER="tcp and portrange $LO-$((LO + 5))"
summary_n() { sed -n "s/.*  $2: \([0-9]*\)\$/\1/p" "$1"; }

# --- 2. live: a full ring loses records, counted, the run partial ---
DB="$TMP/live.db"
start_sensor "$TMP/live.err" -Z root -i lo -w "$DB" --stats-interval 1 -n live $FILTER
wait_for "$DB" "SELECT count(*) FROM runs" 1
lock "$DB" live
scan 1500 $LO 6 || fail "the scan generator exited $?"
wait_text "$TMP/live.err" "records are lost"
release live
wait $holder
# the kernel's ring holds all 18,000 packets; the run's counters show them
wait_for "$DB" "SELECT packets FROM runs" 18000
kill -TERM $pid
wait $pid; rc=$?
stop_watchdog
check "live, lock released before SIGTERM: exit 0" 0 "$rc"
check_match "a warning when the ring first refuses a record" \
	"writer ring full \(4096 records\).*a live capture cannot wait, records are lost" \
	"$(cat "$TMP/live.err")"
lost=$(q "$DB" "SELECT ring_full FROM runs")
check_match "and one at exit with the count" "warning: $lost records lost: the database writer did not keep up \(run marked partial\)" \
	"$(cat "$TMP/live.err")"
check "records were lost, the run is partial and ended" "1 partial 1" \
	"$(q "$DB" "SELECT ring_full > 0, status, finished FROM runs" | tr '|' ' ')"
check "v_runs says partial" partial "$(q "$DB" "SELECT status FROM v_runs")"
stored=$(summary_n "$TMP/live.err" detections)
notstored=$(summary_n "$TMP/live.err" "detections not stored")
check "every detection that got into the ring is stored" "$stored" \
	"$(q "$DB" "SELECT count(*) FROM detections")"
check "some were lost to the full ring, some stored" "yes yes" \
	"$([ "${notstored:-0}" -gt 0 ] && echo yes || echo no) $([ "${stored:-0}" -gt 0 ] && echo yes || echo no)"
check "nothing was given up by the writer itself" "" \
	"$(q "$DB" "SELECT value FROM run_counters WHERE name = 'db_locked_at_exit'")"
check "every stored detection closed with its evidence" 0 \
	"$(q "$DB" "SELECT count(*) FROM detections d WHERE closed_at IS NULL
	            OR NOT EXISTS (SELECT 1 FROM evidence e WHERE e.detection_id = d.id)")"

# --- 3. SIGTERM with the lock held: bounded by the patience ---
DB="$TMP/term.db"
printf '[database]\nbusy_timeout = 2\n' >"$TMP/patience.conf"
start_sensor "$TMP/term.err" -Z root -c "$TMP/patience.conf" -i lo -w "$DB" --stats-interval 1 \
	-n term $FILTER
wait_for "$DB" "SELECT count(*) FROM runs" 1
lock "$DB" term
scan 50 $LO 6 || fail "the scan generator exited $?"
# a batch waits for the lock (at least a statistics record); the scans'
# records usually join it before the stop (a second for the kernel's ring
# to hand the packets over), but how many the sensor has read by then
# depends on the machine: the checks below do not
wait_text "$TMP/term.err" "database is locked by another program"
sleep 1
kill -TERM $pid
wait_text "$TMP/term.err" "giving up"
check "at SIGTERM with the lock held, the sensor gives up after the patience" yes \
	"$(grep -q 'still locked 2.0 s after the stop: giving up' "$TMP/term.err" && echo yes || echo no)"
release term
wait $holder
wait $pid; rc=$?
stop_watchdog
check "records given up: exit 1" 1 "$rc"
notstored=$(summary_n "$TMP/term.err" "detections not stored")
check_match "it says how many, where the patience came from, and that the run is partial" \
	"term.db: locked by another program past the busy timeout \(2.0 s, \[database\] busy_timeout in $TMP/patience.conf\) at exit: [1-9][0-9]* records lost, ${notstored:-0} of them detections; the run is marked partial" \
	"$(cat "$TMP/term.err")"
check "no detection stored" 0 "$(summary_n "$TMP/term.err" detections)"
echo "note: $(q "$DB" "SELECT packets FROM runs") packets read before SIGTERM, ${notstored:-0} detections lost"
lost=$(sed -n 's/.* at exit: \([0-9]*\) records lost.*/\1/p' "$TMP/term.err")
check "the run: ended partial, the lost records counted" "partial 1 $lost $lost" \
	"$(q "$DB" "SELECT status, finished, ring_full,
	            (SELECT value FROM run_counters WHERE name = 'db_locked_at_exit') FROM runs" | tr '|' ' ')"

# --- 4. a lock that outlasts the sensor: it exits anyway ---
DB="$TMP/stuck.db"
start_sensor "$TMP/stuck.err" -Z root -c "$TMP/patience.conf" -i lo -w "$DB" --stats-interval 1 \
	-n stuck $FILTER
wait_for "$DB" "SELECT count(*) FROM runs" 1
lock "$DB" stuck
scan 20 $LO 6 || fail "the scan generator exited $?"
wait_text "$TMP/stuck.err" "database is locked by another program"
sleep 1
kill -TERM $pid
wait $pid; rc=$?
stop_watchdog
check "still locked: the sensor exits 1 all the same" 1 "$rc"
check "the lock was held throughout" yes "$(kill -0 $holder 2>/dev/null && echo yes || echo no)"
release stuck
wait $holder
check_match "it says the run could not be marked" \
	"stuck.db: locked by another program past the busy timeout \(2.0 s, .*\) at exit: [1-9][0-9]* records lost, $(n=$(summary_n "$TMP/stuck.err" "detections not stored"); echo "${n:-0}") of them detections; the run could not be marked either \(the next sensor start or analyzer run marks it interrupted\)" \
	"$(cat "$TMP/stuck.err")"
check "the run is left running" running "$(q "$DB" "SELECT status FROM runs")"
"$ANALYZER" -q --offline -w "$DB"
check "the analyzer marks it interrupted (its process is gone)" interrupted \
	"$(q "$DB" "SELECT status FROM runs WHERE id = 1")"

finish
