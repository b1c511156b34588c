#!/bin/bash
# interrupted.sh - how a run ends, and what the summary says about it:
#  * a live sensor killed with SIGKILL leaves its run 'running' with open
#    detections; the analyzer (and, for the next one, the next sensor start)
#    marks it 'interrupted' and closes them at their last evidence;
#  * a capture file cut short gives a 'partial' run, alone or among others;
#  * the summary's "detections: N" is the number of rows stored;
#  * a live capture's rate is over the seconds traffic flowed (a 2 s idle
#    gap, then a burst), not over the wall time.
# Traffic: loopback only, bounded by a count; every sensor under a watchdog.
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"
command -v python3 >/dev/null || skip_all "python3 not installed"

DB="$TMP/int.db"
FILE="$CORPUS/dev_02_nmap_sT_top500.pcap"

# start SENSOR ARGS... in the background as $pid, killed after 60 s whatever happens
start_sensor() {
	"$SENSOR" "$@" 2>"$TMP/sensor.err" &
	pid=$!
	( sleep 60; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
	watchdog=$!
}
stop_watchdog() { kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null; }
# wait_for SQL VALUE: up to 10 s for the query to give VALUE
wait_for() {
	local i=0
	while [ "$(q "$DB" "$1" 2>/dev/null)" != "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
# the newest run (the analyzer adds a run of its own for log lines)
last_run() { q "$DB" "SELECT max(id) FROM runs"; }
# connect() to N closed loopback ports from LO: refused, a connect scan
scan_ports() {
	local p=$1 hi=$(( $1 + $2 - 1 ))
	while [ $p -le $hi ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
		p=$((p + 1))
	done
}

# --- 1. kill -9 during a live scan; the analyzer closes what was open ---
LO=$(( 40000 + $$ % 10000 ))
start_sensor -q -Z nobody -i lo -w "$DB" --stats-interval 1 -n int-test tcp and portrange $LO-$((LO + 11))
wait_for "SELECT count(*) FROM runs" 1
scan_ports $LO 12
wait_for "SELECT count(*) FROM detections WHERE kind = 'port_scan'" 1
wait_for "SELECT packets >= 24 FROM runs" 1
hb1=$(q "$DB" "SELECT heartbeat FROM runs")
sleep 1.5
hb2=$(q "$DB" "SELECT heartbeat FROM runs")
check "the writer renews the heartbeat while the run is live" yes \
	"$([ -n "$hb1" ] && [ "$hb2" -gt "$hb1" ] && echo yes || echo "no ($hb1 $hb2)")"
check "the run knows its host and pid" "$(hostname) $pid" \
	"$(q "$DB" "SELECT host || ' ' || pid FROM runs")"
kill -9 $pid
wait $pid 2>/dev/null
stop_watchdog
check "killed: the run is left running with an open detection" "running 0 1" \
	"$(q "$DB" "SELECT status, finished, (SELECT count(*) FROM detections WHERE closed_at IS NULL)
	            FROM runs" | tr '|' ' ')"
last_ev=$(q "$DB" "SELECT max(e.ts) FROM evidence e JOIN detections d ON d.id = e.detection_id
                   WHERE d.kind = 'port_scan'")
"$ANALYZER" --offline -w "$DB" 2>"$TMP/analyzer.err"; rc=$?
check "the analyzer runs" 0 "$rc"
check_match "the analyzer says what it marked" "1 interrupted runs marked, 1 of their detections closed" \
	"$(cat "$TMP/analyzer.err")"
check "the run is interrupted" "interrupted 0" \
	"$(q "$DB" "SELECT status, finished FROM runs WHERE id = 1" | tr '|' ' ')"
check "v_runs shows it" "interrupted" "$(q "$DB" "SELECT status FROM v_runs LIMIT 1")"
check "its detection is closed at its last evidence (or last_seen)" 1 \
	"$(q "$DB" "SELECT closed_at = max(last_seen, $last_ev) FROM detections WHERE kind = 'port_scan'")"
check_match "the run has an end" '^20[0-9-]{8}T' "$(q "$DB" "SELECT ended FROM v_runs LIMIT 1")"

# --- 2. the next sensor start marks a killed run too ---
UPORT=$(( 20000 + $$ % 20000 ))
before=$(last_run)
start_sensor -q -Z nobody -i lo -w "$DB" --stats-interval 1 udp and dst port $UPORT
wait_for "SELECT max(id) > $before FROM runs" 1
killed=$(last_run)
kill -9 $pid
wait $pid 2>/dev/null
stop_watchdog
check "a second killed run is left running" running "$(q "$DB" "SELECT status FROM runs WHERE id = $killed")"
"$SENSOR" -Z nobody -r "$FILE" -w "$DB" 2>"$TMP/sensor.err"; rc=$?
check "the next sensor start exits 0" 0 "$rc"
check_match "it says so" "1 interrupted runs marked" "$(cat "$TMP/sensor.err")"
check "the killed run is interrupted, the new one finished" "interrupted finished" \
	"$(q "$DB" "SELECT group_concat(status, ' ') FROM (SELECT status FROM runs WHERE id >= $killed ORDER BY id)")"

# --- 3. the summary counts the stored detections ---
n=$(sed -n 's/.*detections: \([0-9]*\)$/\1/p' "$TMP/sensor.err")
check "summary detections = rows stored" "$(q "$DB" "SELECT count(*) FROM detections WHERE run_id = $(last_run)")" "$n"
check "and the file had some" yes "$([ "${n:-0}" -gt 0 ] && echo yes || echo no)"
MANY=$(ls "$CORPUS"/dev_0[1-6]*.pcap | sed 's/^/-r /')
# shellcheck disable=SC2086
"$SENSOR" -Z nobody $MANY -w "$DB" 2>"$TMP/sensor.err"
n=$(sed -n 's/.*detections: \([0-9]*\)$/\1/p' "$TMP/sensor.err")
check "several files: summary detections = rows stored" \
	"$(q "$DB" "SELECT count(*) FROM detections WHERE run_id = $(last_run)")" "$n"

# --- 4. a capture file cut short: partial ---
size=$(stat -c %s "$FILE")
head -c $((size / 2)) "$FILE" > "$TMP/cut.pcap"
"$SENSOR" -q -Z nobody -r "$TMP/cut.pcap" -w "$DB" 2>"$TMP/sensor.err"; rc=$?
check "a truncated file: exit 1" 1 "$rc"
check "a truncated file: the run is partial (and ended)" "partial 1" \
	"$(q "$DB" "SELECT status, finished FROM runs ORDER BY id DESC LIMIT 1" | tr '|' ' ')"
"$SENSOR" -q -Z nobody -r "$FILE" -r "$TMP/cut.pcap" -r "$FILE" -w "$DB" 2>"$TMP/sensor.err"; rc=$?
check "one bad file among three: exit 1" 1 "$rc"
check "one bad file among three: partial, every good packet read" "partial 1" \
	"$(q "$DB" "SELECT status, packets > 2 * $("$PCAPCOUNT" "$FILE" 2>/dev/null | awk '{ print $1 }') - 1
	            FROM runs ORDER BY id DESC LIMIT 1" | tr '|' ' ')"
"$SENSOR" -q -Z nobody -r "$FILE" -w "$DB" 2>"$TMP/sensor.err"
check "a whole file: finished" finished "$(q "$DB" "SELECT status FROM runs ORDER BY id DESC LIMIT 1")"

# --- 5. a live rate over the seconds traffic flowed ---
COUNT=3000
before=$(last_run)
start_sensor -Z nobody -i lo -w "$DB" --stats-interval 1 udp and dst port $UPORT
wait_for "SELECT max(id) > $before FROM runs" 1
runs=$(last_run)
sleep 2 # idle
timeout 20 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($COUNT):
    s.sendto(b'x', ('127.0.0.1', $UPORT))
"
wait_for "SELECT packets FROM runs WHERE id = $runs" $COUNT
sleep 1.2 # one more stats record after the burst
stored=$(q "$DB" "SELECT active_seconds || ' ' || peak_pps FROM runs WHERE id = $runs")
kill -TERM $pid
wait $pid; rc=$?
stop_watchdog
check "SIGTERM: status 0" 0 "$rc"
line=$(grep 'capture loop:' "$TMP/sensor.err")
echo "summary: $line"
loop=$(printf '%s' "$line" | sed -n 's/.*capture loop: \([0-9.]*\) s.*/\1/p')
pps=$(printf '%s' "$line" | sed -n 's/.*s, \([0-9]*\) packets\/s while traffic flowed.*/\1/p')
active=$(printf '%s' "$line" | sed -n 's/.*flowed (\([0-9]*\) s).*/\1/p')
peak=$(printf '%s' "$line" | sed -n 's/.*peak \([0-9]*\) packets\/s.*/\1/p')
check "all $COUNT packets counted" "$COUNT" "$(q "$DB" "SELECT packets FROM runs WHERE id = $runs")"
check "the loop ran through the idle gap" yes \
	"$(awk -v l="${loop:-0}" 'BEGIN { print (l >= 2) ? "yes" : "no" }')"
check "the burst flowed in at most 2 seconds" yes \
	"$([ -n "$active" ] && [ "$active" -ge 1 ] && [ "$active" -le 2 ] && echo yes || echo "no ($line)")"
check "the rate is packets per active second" yes \
	"$(awk -v p="${pps:-0}" -v a="${active:-0}" -v n=$COUNT \
	   'BEGIN { print (a > 0 && p >= int(n / a) && p <= int(n / a) + 1) ? "yes" : "no" }')"
check "the rate is above the wall-clock average" yes \
	"$(awk -v p="${pps:-0}" -v l="${loop:-0}" -v n=$COUNT \
	   'BEGIN { print (l > 0 && p > 1.4 * n / l) ? "yes" : "no" }')"
check "the peak second holds at least half the burst" yes \
	"$([ -n "$peak" ] && [ "$peak" -ge $((COUNT / 2)) ] && [ "$peak" -le $COUNT ] && echo yes || echo no)"
check "the periodic statistics stored the same figures" "$active $peak" "$stored"
check "v_runs gives the active rate" "$(( COUNT / ${active:-1} ))" \
	"$(q "$DB" "SELECT active_pps FROM v_runs WHERE source = 'lo' AND status = 'finished'")"

finish
