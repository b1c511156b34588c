#!/bin/bash
# live.sh - a live capture on the loopback interface: traffic this test
# sends is stored while the sensor runs, the sqlite3 CLI reads the database
# meanwhile, root is dropped after opening, SIGTERM ends the run cleanly,
# and a scan of closed loopback ports is detected in real time.
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ "$(id -u)" = 0 ] || skip_all "live capture needs root"

DB="$TMP/live.db"
PORT=$(( 20000 + $$ % 20000 ))
COUNT=50

# start SENSOR ARGS... in the background as $pid, killed after 60 s whatever happens
start_sensor() {
	"$SENSOR" "$@" 2>>"$TMP/sensor.err" &
	pid=$!
	( sleep 60; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
	watchdog=$!
}
stop_watchdog() { kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null; }

start_sensor -q -Z nobody -i lo -w "$DB" --stats-interval 1 -n live-test udp and dst port $PORT

# wait for the run row: the capture is open and the database ready
i=0
while [ "$(q "$DB" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the run is recorded as soon as the capture is open" 1 "$(q "$DB" "SELECT count(*) FROM v_runs")"
check "the source is the interface" "lo" "$(q "$DB" "SELECT source FROM v_runs")"

# root is given up once the capture is open
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
check "the sensor runs as nobody after opening" "$(id -u nobody)" "$uid"

# bounded traffic: COUNT datagrams to a closed port on loopback only
i=0
while [ $i -lt $COUNT ]; do
	printf 'spanwatch live test %d\n' $i > /dev/udp/127.0.0.1/$PORT 2>/dev/null ||
		python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', $PORT))" 2>/dev/null
	i=$((i + 1))
done

# stored while it runs, read by a second process (this sqlite3 CLI)
seen=0 i=0
while [ $i -lt 100 ]; do
	seen=$(q "$DB" "SELECT packets FROM v_runs" 2>/dev/null || echo err)
	[ "$seen" = "$COUNT" ] && break
	sleep 0.1; i=$((i + 1))
done
check "packets are stored while the capture runs" "$COUNT" "$seen"
check "the sensor is still running" yes "$(kill -0 $pid 2>/dev/null && echo yes || echo no)"
check "the run is not finished yet" 0 "$(q "$DB" "SELECT finished FROM runs")"

kill -TERM $pid
wait $pid; rc=$?
stop_watchdog
check "SIGTERM ends the capture with status 0" 0 "$rc"
check "the run is finished and complete" "1 $COUNT 0" \
	"$(q "$DB" "SELECT finished, packets, decode_errors FROM runs" | tr '|' ' ')"
check_match "run times are set" '^20[0-9-]{8}T' "$(q "$DB" "SELECT ended FROM v_runs")"
check "udp traffic counted" "$COUNT" \
	"$(q "$DB" "SELECT value FROM run_counters WHERE name = 'udp'")"

# SIGINT does the same, and a second run appends
start_sensor -q -i lo -w "$DB" --stats-interval 1 udp and dst port $PORT
i=0
while [ "$(q "$DB" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 2 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -INT $pid
wait $pid; rc=$?
stop_watchdog
check "SIGINT ends the capture with status 0" 0 "$rc"
check "two runs, the first unchanged" "2 $COUNT" \
	"$(q "$DB" "SELECT count(*), (SELECT packets FROM runs ORDER BY id LIMIT 1) FROM runs" | tr '|' ' ')"
# a scan is caught in real time: connect() to closed loopback ports (each
# refused with a RST) shows up in v_detections while the sensor still runs
LO=$(( 40000 + $$ % 10000 ))
HI=$(( LO + 11 ))
start_sensor -q -i lo -w "$DB" --stats-interval 1 tcp and portrange $LO-$HI
i=0
while [ "$(q "$DB" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 3 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
p=$LO
while [ $p -le $HI ]; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
	p=$((p + 1))
done
row= i=0
while [ $i -lt 100 ]; do
	row=$(q "$DB" "SELECT kind || ' ' || ifnull(variant, '-') || ' ' || src FROM v_detections
	               WHERE kind = 'port_scan'" 2>/dev/null)
	[ -n "$row" ] && break
	sleep 0.1; i=$((i + 1))
done
check "a live scan is detected while the sensor runs" "port_scan connect 127.0.0.1" "$row"
check "the sensor was still running then" yes "$(kill -0 $pid 2>/dev/null && echo yes || echo no)"
# the detection fires after a few probes; on a loaded machine the last
# ones may still wait in the kernel's ring: let the stats (every second)
# show all 24 packets (12 SYNs, 12 RSTs) before ending the run
i=0
while [ "$(q "$DB" "SELECT packets >= 24 FROM runs ORDER BY id DESC LIMIT 1" 2>/dev/null)" != 1 ] &&
      [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $pid
wait $pid; rc=$?
stop_watchdog
check "SIGTERM ends it with status 0" 0 "$rc"
check "the detection is closed with all 12 ports" "12 1" \
	"$(q "$DB" "SELECT ports, closed_at IS NOT NULL FROM detections WHERE kind = 'port_scan'" | tr '|' ' ')"
check_match "its evidence shows the refusals" "TCP 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:$LO SYN, answered RST" \
	"$(q "$DB" "SELECT line FROM evidence ORDER BY ts LIMIT 1")"

[ -s "$TMP/sensor.err" ] && { echo "sensor stderr:"; cat "$TMP/sensor.err"; }
finish
