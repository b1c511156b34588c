#!/bin/bash
# concurrent.sh - many programs, one database, nothing lost: the sensor
# reads the corpus into a database while the analyzer runs in a loop on it,
# a sqlite3 CLI holds a write transaction well past the sensor's busy
# timeout and another CLI holds a read transaction. The sensor must store
# exactly the detections of a private run of the same files (kinds,
# sources, counts), lose no record to its ring, end its run 'finished' and
# exit 0; the analyzer must wait for the lock, not fail. Then the
# patience: [database] busy_timeout of -c, SPANWATCH_BUSY_TIMEOUT over it,
# and a bad value refused by all three programs with one line.
# The first file comes through a FIFO so that the lock is surely held while
# the sensor still has packets to read. Everything runs under timeout.
. "$(dirname "$0")/lib.sh"
need_sqlite3

DB="$TMP/shared.db"
PRIVATE="$TMP/private.db"
FIFO="$TMP/first.pcap"
FIRST="$CORPUS/dev_13_mixed.pcap"
OTHERS=()
for f in "$CORPUS"/dev_0[1-9]*.pcap "$CORPUS"/dev_1[0-2]*.pcap; do OTHERS+=(-r "$f"); done

# detections of the sensor's run (the newest run of the sensor named NAME)
detections() {
	q "$1" "SELECT d.kind, d.variant, d.src, d.targets, d.ports, d.packets
	        FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id
	        WHERE s.name = 'conc' ORDER BY 1, 2, 3, 4, 5, 6"
}
wait_file() { # up to 20 s for a file to appear
	local i=0
	while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}

# --- the private run: the reference ---
timeout 60 "$SENSOR" -q -Z root -n conc -r "$FIRST" "${OTHERS[@]}" -w "$PRIVATE" \
	|| fail "private sensor run exited $?"
ref=$(detections "$PRIVATE")
check_match "the private run detects something" . "$ref"

# --- the shared database: made by an earlier run, busy with an analyzer loop ---
timeout 60 "$SENSOR" -q -Z root -n other -r "$CORPUS/dev_12c_benign_dns200.pcap" -w "$DB" \
	|| fail "first sensor run exited $?"
( for i in $(seq 1 200); do
	[ -e "$TMP/stop" ] && break
	timeout 60 "$ANALYZER" -q -w "$DB" 2>>"$TMP/analyzer.err" || echo "analyzer exited $?" >>"$TMP/analyzer.fail"
  done ) &
loop=$!

# the FIFO gives the pcap header at once, the packets once the lock is held
mkfifo "$FIFO"
( head -c 24 "$FIRST"; wait_file "$TMP/go"; tail -c +25 "$FIRST" ) >"$FIFO" &
feeder=$!
SPANWATCH_BUSY_TIMEOUT=0.5 timeout 120 "$SENSOR" -Z root -n conc -r "$FIFO" "${OTHERS[@]}" \
	-w "$DB" 2>"$TMP/sensor.err" &
sensor=$!
i=0
while [ "$(q "$DB" "SELECT count(*) FROM runs r JOIN sensors s ON s.id = r.sensor_id
                    WHERE s.name = 'conc'" 2>/dev/null)" != 1 ] && [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
# a reader keeping its snapshot, and a writer holding the lock for 4 s
# (eight times the sensor's busy timeout)
printf '.timeout 30000\nBEGIN;\nSELECT count(*) FROM detections;\n.shell sleep 6\nCOMMIT;\n' |
	timeout 60 "$SQLITE3" -batch "$DB" >/dev/null 2>"$TMP/reader.err" &
reader=$!
printf '.timeout 30000\nBEGIN IMMEDIATE;\nUPDATE sensors SET name = name;\n.shell touch %s/locked\n.shell sleep 4\nCOMMIT;\n' "$TMP" |
	timeout 60 "$SQLITE3" -batch "$DB" >/dev/null 2>"$TMP/writer.err" &
holder=$!
wait_file "$TMP/locked"
touch "$TMP/go"
wait $sensor; rc=$?
wait $feeder $holder $reader
touch "$TMP/stop"
wait $loop

check "the sensor exits 0 beside a lock held past its busy timeout" 0 "$rc"
check_match "the sensor said it waited for the lock" "database is locked by another program" \
	"$(cat "$TMP/sensor.err")"
check "the CLI writer held its lock and committed" "" "$(cat "$TMP/writer.err")"
check "the analyzer loop waited for the locks, never failed" "" \
	"$(cat "$TMP/analyzer.fail" 2>/dev/null)"
check "the shared database holds the private run's detections" "$ref" "$(detections "$DB")"
check "no record lost to a full ring, the run finished" "0 finished" \
	"$(q "$DB" "SELECT r.ring_full || ' ' || r.status FROM runs r JOIN sensors s ON s.id = r.sensor_id
	            WHERE s.name = 'conc'")"

# --- the analyzer's patience: bounded, and the error says why ---
printf 'BEGIN IMMEDIATE;\nUPDATE sensors SET name = name;\n.shell sleep 4\nCOMMIT;\n' |
	timeout 60 "$SQLITE3" -batch "$DB" >/dev/null 2>&1 &
holder=$!
sleep 0.5
start=$(date +%s)
out=$(SPANWATCH_BUSY_TIMEOUT=1 timeout 60 "$ANALYZER" -q -w "$DB" 2>&1); rc=$?
took=$(( $(date +%s) - start ))
wait $holder
check "the analyzer gives up after its patience (SPANWATCH_BUSY_TIMEOUT)" "1 yes" \
	"$rc $([ $took -le 3 ] && echo yes || echo "no: ${took}s")"
check_match "the analyzer names the file and the lock" "$DB: database is locked by another writer" "$out"

# --- the patience from [database] busy_timeout; the environment wins ---
printf '[database]\nbusy_timeout = 1\n' >"$TMP/patience.conf"
printf '.timeout 30000\nBEGIN IMMEDIATE;\nUPDATE sensors SET name = name;\n.shell touch %s\n.shell i=0; while [ ! -e %s ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done\nCOMMIT;\n' \
	"$TMP/held" "$TMP/release" | timeout 90 "$SQLITE3" -batch "$DB" >/dev/null 2>&1 &
holder=$!
wait_file "$TMP/held"
out=$(timeout 60 "$ANALYZER" -q -c "$TMP/patience.conf" -w "$DB" 2>&1); rc=$?
check "the analyzer gives up after [database] busy_timeout: exit 1" 1 "$rc"
check_match "it says where its patience came from" \
	"$DB: database is locked by another writer .*; gave up after 1.0 s \(\[database\] busy_timeout in $TMP/patience.conf\)" "$out"
out=$(SPANWATCH_BUSY_TIMEOUT=0.5 timeout 60 "$ANALYZER" -q -c "$TMP/patience.conf" -w "$DB" 2>&1); rc=$?
check "SPANWATCH_BUSY_TIMEOUT beats the file: exit 1" 1 "$rc"
check_match "and says so" "gave up after 0.5 s \(SPANWATCH_BUSY_TIMEOUT\)" "$out"
out=$(SPANWATCH_BUSY_TIMEOUT=soon timeout 60 "$ANALYZER" -q -c "$TMP/patience.conf" -w "$DB" 2>&1); rc=$?
check_match "a bad SPANWATCH_BUSY_TIMEOUT is warned about, the file's value used" \
	"SPANWATCH_BUSY_TIMEOUT=soon: not seconds from 0 to 3600; using 1 .*gave up after 1.0 s" "$(printf '%s' "$out" | tr '\n' ' ')"
touch "$TMP/release"
wait $holder

# --- a bad value: one line naming the file, the line and the key, exit 2 ---
printf '[database]\n\nbusy_timeout = 4000\n' >"$TMP/bad.conf"
for prog in "$SENSOR -Z root -r $CORPUS/dev_12c_benign_dns200.pcap" "$ANALYZER" "$REPORTER --offline -o $TMP"; do
	name=$(basename "${prog%% *}")
	out=$(timeout 60 $prog -c "$TMP/bad.conf" -w "$TMP/none.db" 2>&1); rc=$?
	check "$name: busy_timeout out of range: exit 2" 2 "$rc"
	check "$name: the one line says where and why" \
		"$name: $TMP/bad.conf:3: [database] busy_timeout: 4000 is out of range [0, 3600]" "$out"
done
printf '[database]\nwal_limit_mib = 0\n' >"$TMP/bad.conf"
out=$(timeout 60 "$ANALYZER" -c "$TMP/bad.conf" -w "$TMP/none.db" 2>&1)
check "wal_limit_mib out of range" \
	"spanwatch-analyzer: $TMP/bad.conf:2: [database] wal_limit_mib: 0 is out of range 1..4096" "$out"
check "nothing was created" no "$([ -e "$TMP/none.db" ] && echo yes || echo no)"

finish
