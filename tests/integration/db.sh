#!/bin/sh
# db.sh - bad input gets one clear line naming the file and a non-zero
# exit, and nothing already stored is lost.
. "$(dirname "$0")/lib.sh"
need_sqlite3

GOOD="$CORPUS/dev_01_nmap_sS_top1000.pcap"
set -- $("$PCAPCOUNT" "$GOOD"); good_packets=$1

# a capture file that does not exist: refused before the database is made
out=$("$SENSOR" -r "$TMP/nope.pcap" -w "$TMP/a.db" 2>&1); rc=$?
check "missing capture exits 1" 1 "$rc"
check_match "the error names the file, on one line" "^spanwatch-sensor: cannot read capture $TMP/nope.pcap" "$out"
check "one line" 1 "$(printf '%s\n' "$out" | wc -l)"
check "no database was created" no "$([ -e "$TMP/a.db" ] && echo yes || echo no)"

# a file that is not a capture
printf 'hello, not a pcap\n' > "$TMP/text.pcap"
out=$("$SENSOR" -r "$TMP/text.pcap" -w "$TMP/a.db" 2>&1); rc=$?
check "non-capture file exits 1" 1 "$rc"
check_match "the error names it" "text.pcap" "$out"

# a capture cut in the middle of a packet: what was read is stored, the
# next file is still read, and the exit status says something went wrong
head -c 100000 "$GOOD" > "$TMP/cut.pcap"
out=$("$SENSOR" -q -r "$TMP/cut.pcap" -r "$GOOD" -w "$TMP/a.db" 2>&1); rc=$?
check "truncated capture exits 1" 1 "$rc"
check_match "the error names the truncated file" "cut.pcap: read error: truncated" "$out"
got=$(q "$TMP/a.db" "SELECT packets FROM v_runs")
CHECKS=$((CHECKS + 1))
if [ "$got" -gt "$good_packets" ] && [ "$got" -lt "$((2 * good_packets))" ]; then
	pass "packets before the cut and the whole next file are stored ($got)"
else
	fail "stored $got packets, expected between $good_packets and $((2 * good_packets))"
fi
check "the read error is counted with the run" 1 \
	"$(q "$TMP/a.db" "SELECT value FROM run_counters WHERE name = 'read_error'")"

# a database file that is not a database: refused, left as it was
printf 'precious notes, not a database at all, please keep me\n' > "$TMP/notes.db"
sum=$(cksum < "$TMP/notes.db")
out=$("$SENSOR" -r "$GOOD" -w "$TMP/notes.db" 2>&1); rc=$?
check "non-database file exits 1" 1 "$rc"
check_match "the error names the database" "^spanwatch-sensor: $TMP/notes.db: not a spanwatch database" "$out"
check "and leaves it untouched" "$sum" "$(cksum < "$TMP/notes.db")"

# a database from a newer spanwatch: refused, rows kept
"$SENSOR" -q -r "$GOOD" -w "$TMP/newer.db"; rc=$?
check "first run on a fresh database exits 0" 0 "$rc"
v=$(q "$TMP/newer.db" "PRAGMA user_version")
q "$TMP/newer.db" "PRAGMA user_version = $((v + 1))"
out=$("$SENSOR" -r "$GOOD" -w "$TMP/newer.db" 2>&1); rc=$?
check "newer database exits 1" 1 "$rc"
check_match "the error says why" "newer.db: database schema version $((v + 1)) is newer than this spanwatch understands" "$out"
check "its rows are kept" "1 $good_packets" "$(q "$TMP/newer.db" "SELECT count(*), sum(packets) FROM runs" | tr '|' ' ')"
"$ANALYZER" -w "$TMP/newer.db" >/dev/null 2>&1; rc=$?
check "spanwatch-analyzer refuses it too" 1 "$rc"
"$REPORTER" -w "$TMP/newer.db" --format text --from 'A <a@b.example>' >/dev/null 2>&1; rc=$?
check "spanwatch-reporter refuses it too" 1 "$rc"

# a database in a folder that does not exist
out=$("$SENSOR" -r "$GOOD" -w "$TMP/no/such/dir/x.db" 2>&1); rc=$?
check "unwritable database path exits 1" 1 "$rc"
check_match "and names it" "no/such/dir/x.db" "$out"

# the analyzer and reporter never create a database by accident
"$ANALYZER" -w "$TMP/never.db" >/dev/null 2>&1; rc=$?
check "analyzer on a missing database exits 1" 1 "$rc"
check "and does not create it" no "$([ -e "$TMP/never.db" ] && echo yes || echo no)"
"$REPORTER" -w "$TMP/never.db" --format text --from 'A <a@b.example>' >/dev/null 2>&1; rc=$?
check "reporter on a missing database exits 1" 1 "$rc"
check "and does not create it" no "$([ -e "$TMP/never.db" ] && echo yes || echo no)"
finish
