#!/bin/sh
# central.sh - many sensors, one analysis (spanwatch-analyzer --source):
# two sensors fed disjoint halves of the corpus's distributed scan (split
# by source address, as truth.tsv lists them) give a central database the
# incidents one sensor fed the whole capture gives; a re-run changes
# nothing; a third sensor is merged incrementally; two sensors fed the same
# capture give one incident per source, targets and packets not doubled,
# and one memo, the same as one sensor's; a run still going is updated,
# not duplicated; consistent copies; log lines; the sources are never
# written; refusals name the file.
. "$(dirname "$0")/lib.sh"
need_sqlite3

F=dev_11_distributed_scan.pcap
sense() { # DB NAME FILE [BPF]
	db=$1 name=$2 f=$3
	shift 3
	"$SENSOR" -q -n "$name" -r "$CORPUS/$f" -w "$db" "$@" || fail "sensor $name on $f exited $?"
}
# incidents as they compare between databases (no ids, no sensor names)
incidents() {
	q "$1" "SELECT level, src, netblock, kinds, targets, ports, packets, reportable, severity,
	        reasons FROM incidents ORDER BY level, src"
}
counts() {
	q "$1" "SELECT (SELECT count(*) FROM runs) || ' ' || (SELECT count(*) FROM detections)
	        || ' ' || (SELECT count(*) FROM evidence) || ' ' || (SELECT count(*) FROM run_counters)
	        || ' ' || (SELECT count(*) FROM log_lines) || ' ' || (SELECT count(*) FROM incidents)
	        || ' ' || (SELECT count(*) FROM incident_detections)"
}

# the scan's sources, from the corpus's ground truth: the first two to
# one sensor, the others to the second
srcs=$(awk -F'\t' -v f="$F" '$1 == f && $3 == "attacker" { print $2 }' "$CORPUS/truth.tsv")
check "truth.tsv lists the five sources of the distributed scan" 5 "$(echo "$srcs" | wc -l)"
half=$(echo "$srcs" | head -2 | sed 's/^/host /' | paste -sd' ' - | sed 's/ host / or host /g')
sense "$TMP/whole.db" whole "$F"
sense "$TMP/s1.db" s1 "$F" "$half"
sense "$TMP/s2.db" s2 "$F" "not ($half)"
"$ANALYZER" -q -w "$TMP/whole.db" || fail "analyzer on the whole capture"
check "the halves are disjoint and complete" \
	"$(q "$TMP/whole.db" "SELECT count(*) FROM detections")" \
	"$(( $(q "$TMP/s1.db" "SELECT count(*) FROM detections") + $(q "$TMP/s2.db" "SELECT count(*) FROM detections") ))"
check "each half holds its own sources" "2 3" \
	"$(q "$TMP/s1.db" "SELECT count(DISTINCT src) FROM detections") $(q "$TMP/s2.db" "SELECT count(DISTINCT src) FROM detections")"

sum1=$(cksum "$TMP/s1.db" "$TMP/s1.db-wal" 2>/dev/null)
C="$TMP/central.db"
out=$("$ANALYZER" -w "$C" --source "$TMP/s1.db" --source "$TMP/s2.db" 2>&1); rc=$?
check "central analysis exits 0" 0 "$rc"
check_match "it says what each source brought" "s1.db \(s1\): 1 runs new, 0 updated; 2 detections new" "$out"
check "the same incidents as one sensor fed the whole capture" \
	"$(incidents "$TMP/whole.db")" "$(incidents "$C")"
check "one distributed scan of the five sources" \
	"$(echo "$srcs" | paste -sd, -)|198.51.100.0/24|1" \
	"$(q "$C" "SELECT src, netblock, reportable FROM incidents WHERE kinds = 'distributed_scan'")"
check "sensor names kept" "s1 s2" "$(q "$C" "SELECT group_concat(sensor, ' ') FROM v_runs WHERE sensor <> 'syslog'")"
check "the incident names both sensors" "s1,s2" \
	"$(q "$C" "SELECT sensors FROM incidents WHERE kinds = 'distributed_scan'")"
check "every evidence line came along, on its own detection" \
	"$(q "$TMP/s1.db" "SELECT d.seq, d.src, e.ts, e.line FROM evidence e JOIN detections d ON d.id = e.detection_id ORDER BY d.seq, e.id")" \
	"$(q "$C" "SELECT d.seq, d.src, e.ts, e.line FROM evidence e JOIN detections d ON d.id = e.detection_id JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id WHERE s.name = 's1' ORDER BY d.seq, e.id")"
check "run counters came along" "$(q "$TMP/s2.db" "SELECT count(*) FROM run_counters")" \
	"$(q "$C" "SELECT count(*) FROM run_counters c JOIN runs r ON r.id = c.run_id JOIN sensors s ON s.id = r.sensor_id WHERE s.name = 's2'")"
check "the sensor's database was not written" "$sum1" "$(cksum "$TMP/s1.db" "$TMP/s1.db-wal" 2>/dev/null)"
check "the central export names each detection's sensor (observer.name)" "2 3" \
	"$("$ANALYZER" -w "$C" --export json 2>/dev/null | grep -c '"observer":{"name":"s1"') $("$ANALYZER" -w "$C" --export json 2>/dev/null | grep -c '"observer":{"name":"s2"')"
check "each source known by its own identity" \
	"$(q "$TMP/s1.db" "SELECT value FROM meta WHERE key = 'id'") $(q "$TMP/s2.db" "SELECT value FROM meta WHERE key = 'id'")" \
	"$(q "$C" "SELECT group_concat(uuid, ' ') FROM (SELECT uuid FROM central_sources ORDER BY id)")"

# again: nothing changes
before=$(counts "$C")
ids=$(q "$C" "SELECT group_concat(id || ikey, ';') FROM incidents")
out=$("$ANALYZER" -w "$C" --source "$TMP/s1.db" --source "$TMP/s2.db" 2>&1)
check_match "a second import brings nothing" "s2.db \(s2\): 0 runs new, 0 updated; 0 detections new, 0 updated; 0 evidence lines" "$out"
check_match "and changes no incident" " 0 rows changed" "$out"
check "same row counts" "$before" "$(counts "$C")"
check "same incidents, same ids" "$ids" "$(q "$C" "SELECT group_concat(id || ikey, ';') FROM incidents")"

# consistent copies, as operators ship them: the same database, nothing new
"$SQLITE3" "$TMP/s1.db" ".backup '$TMP/s1-backup.db'"
"$SQLITE3" "$TMP/s2.db" "VACUUM INTO '$TMP/s2-vacuum.db'"
out=$("$ANALYZER" -w "$C" --source "$TMP/s1-backup.db" --source "$TMP/s2-vacuum.db" 2>&1)
check_match "a .backup copy is the same source" "s1-backup.db \(s1\): 0 runs new, 0 updated; 0 detections new" "$out"
check_match "so is a VACUUM INTO copy" "s2-vacuum.db \(s2\): 0 runs new, 0 updated; 0 detections new" "$out"
out=$("$ANALYZER" -w "$C" --source "$TMP/s1.db" --source "$TMP/s1-backup.db" 2>&1)
check_match "a source given twice is read once" "s1-backup.db: the same database as .*s1.db .*read once" "$out"
check "still the same rows" "$before" "$(counts "$C")"

# a third sensor, later: only its rows are new
sense "$TMP/s3.db" s3 dev_01_nmap_sS_top1000.pcap
old=$(q "$C" "SELECT group_concat(id || run_id || seq || src || packets || ifnull(closed_at, '-'), ';') FROM detections")
maxdet=$(q "$C" "SELECT max(id) FROM detections")
out=$("$ANALYZER" -w "$C" --source "$TMP/s1.db" --source "$TMP/s2.db" --source "$TMP/s3.db" 2>&1); rc=$?
check "with a third sensor: exit 0" 0 "$rc"
set -- $before
check "its run is the one new run" "$(($1 + 1))" "$(q "$C" "SELECT count(*) FROM runs")"
check "its detections are the new ones" "$(q "$TMP/s3.db" "SELECT count(*) FROM detections")" \
	"$(q "$C" "SELECT count(*) FROM detections WHERE id > $maxdet")"
check "its evidence lines are the new ones" "$(($3 + $(q "$TMP/s3.db" "SELECT count(*) FROM evidence")))" \
	"$(q "$C" "SELECT count(*) FROM evidence")"
check "the first two sensors' rows are untouched" "$old" \
	"$(q "$C" "SELECT group_concat(id || run_id || seq || src || packets || ifnull(closed_at, '-'), ';') FROM detections WHERE id <= $maxdet")"
check "its scanner has its incident" "port_scan|s3" \
	"$(q "$C" "SELECT kinds, sensors FROM incidents WHERE src = '198.51.100.66' AND kinds LIKE 'port_scan%'" | head -1)"

# overlap: two sensors fed the same capture
sense "$TMP/o1.db" o1 "$F"
sense "$TMP/o2.db" o2 "$F"
O="$TMP/overlap.db"
"$ANALYZER" -q -w "$O" --source "$TMP/o1.db" --source "$TMP/o2.db" || fail "analyzer on the overlap"
check "one incident per source, seen by both sensors" "5 5 o1,o2" \
	"$(q "$O" "SELECT count(*), count(DISTINCT src), min(sensors) FROM incidents WHERE level = 'source'" | tr '|' ' ')"
check "targets, ports and packets not doubled: the same incidents as one sensor's" \
	"$(incidents "$TMP/whole.db")" "$(incidents "$O")"
check "each incident holds both sensors' detections" "2" \
	"$(q "$O" "SELECT DISTINCT detections FROM incidents WHERE level = 'source'")"

# one memo, the same as one sensor's (the registry on loopback)
if command -v python3 >/dev/null 2>&1; then
	D="$top_srcdir/tests/data/reporter"
	timeout 120 python3 "$top_srcdir/tests/tools/whoisd.py" --config "$D/whoisd.json" \
		--port-file "$TMP/w.hosts" --log "$TMP/w.log" --lifetime 100 &
	WPID=$!
	i=0
	while [ ! -s "$TMP/w.hosts" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	for n in whole overlap; do
		mkdir -p "$TMP/$n.out"
		SOURCE_DATE_EPOCH=1796300000 timeout 60 "$REPORTER" -q -w "$TMP/$n.db" -o "$TMP/$n.out" \
			-c "$D/reporter.conf" --whois-server whois.testnets.example \
			--whois-hosts "$TMP/w.hosts" --no-dns --format eml 2>"$TMP/$n.rerr" ||
			fail "reporter on $n: $(cat "$TMP/$n.rerr")"
	done
	kill "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	check "one memo from the overlapping sensors" 1 "$(ls "$TMP/overlap.out" | grep -c '\.eml$')"
	check "the same memo as one sensor's" "$(cat "$TMP"/whole.out/*.eml)" "$(cat "$TMP"/overlap.out/*.eml)"
else
	echo "skipped: the memo check (no python3 for the loopback whois server)"
fi

# a run still going: open detections are updated later, not duplicated.
# A snapshot of the sensor's database taken mid-run (the run running, its
# last detection open with one packet and one evidence line), then the
# finished database (the same identity: a later copy).
sense "$TMP/live.db" live dev_01_nmap_sS_top1000.pcap
"$SQLITE3" "$TMP/live.db" "VACUUM INTO '$TMP/mid.db'"
last=$(q "$TMP/mid.db" "SELECT max(seq) FROM detections")
q "$TMP/mid.db" "UPDATE runs SET status = 'running', finished = 0, ended = NULL;
	UPDATE detections SET closed_at = NULL, packets = 1, last_seen = first_seen WHERE seq = $last;
	DELETE FROM evidence WHERE detection_id = (SELECT id FROM detections WHERE seq = $last)
	 AND id > (SELECT min(id) FROM evidence WHERE detection_id = (SELECT id FROM detections WHERE seq = $last))"
L="$TMP/livecentral.db"
"$ANALYZER" -q -w "$L" --source "$TMP/mid.db" || fail "import of the snapshot"
check "the open detection came in open" "1|1" \
	"$(q "$L" "SELECT closed_at IS NULL, packets FROM detections WHERE seq = $last")"
"$ANALYZER" -q -w "$L" || fail "the central analysis alone"
check "a run still going elsewhere is not marked interrupted here" "running|1" \
	"$(q "$L" "SELECT r.status, d.closed_at IS NULL FROM runs r JOIN detections d ON d.run_id = r.id WHERE d.seq = $last")"
out=$("$ANALYZER" -w "$L" --source "$TMP/live.db" 2>&1)
check_match "the later copy updates it" "live.db \(live\): 0 runs new, 1 updated; 0 detections new, 1 updated" "$out"
check "no detection twice" "$(q "$TMP/live.db" "SELECT count(*) FROM detections")" \
	"$(q "$L" "SELECT count(*) FROM detections")"
check "the detection as the sensor ended it" \
	"$(q "$TMP/live.db" "SELECT packets, last_seen, closed_at FROM detections WHERE seq = $last")" \
	"$(q "$L" "SELECT packets, last_seen, closed_at FROM detections WHERE seq = $last")"
check "its evidence complete, once" \
	"$(q "$TMP/live.db" "SELECT e.ts, e.line FROM evidence e JOIN detections d ON d.id = e.detection_id WHERE d.seq = $last ORDER BY e.id")" \
	"$(q "$L" "SELECT e.ts, e.line FROM evidence e JOIN detections d ON d.id = e.detection_id WHERE d.seq = $last ORDER BY e.id")"
check "the run finished" "finished" "$(q "$L" "SELECT status FROM v_runs WHERE sensor = 'live'")"
check "the same incidents as the sensor's own analysis" \
	"$("$ANALYZER" -q -w "$TMP/live.db" && incidents "$TMP/live.db")" "$(incidents "$L")"
out=$("$ANALYZER" -w "$L" --source "$TMP/mid.db" 2>&1)
check_match "the older snapshot again changes nothing" " 0 rows changed" "$out"
check "the detection stays as it ended" \
	"$(q "$TMP/live.db" "SELECT packets FROM detections WHERE seq = $last")" \
	"$(q "$L" "SELECT packets FROM detections WHERE seq = $last")"

# a sensor writing its database while it is imported, again and again:
# the capture reaches it through a pipe a chunk at a time, so its run
# stays open with open detections; every import succeeds, and the last,
# after the sensor ended, gives what the sensor's own database gives
if command -v python3 >/dev/null 2>&1 && mkfifo "$TMP/feed"; then
	R="$TMP/running.db"
	W="$TMP/watching.db"
	timeout 120 python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
n = 25
step = (len(data) + n - 1) // n
for i in range(n):
    out.write(data[i * step:(i + 1) * step])
    out.flush()
    time.sleep(0.2)
out.close()
' "$CORPUS/dev_13_mixed.pcap" "$TMP/feed" &
	FPID=$!
	timeout 120 "$SENSOR" -q -n running -r "$TMP/feed" -w "$R" &
	SPID=$!
	i=0
	until [ "$(q "file:$R?mode=ro" "SELECT count(*) FROM runs" 2>/dev/null)" = 1 ] ||
	      [ "$i" -ge 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	imports=0 failures=0 open=0
	while kill -0 "$SPID" 2>/dev/null && [ "$imports" -lt 600 ]; do
		"$ANALYZER" -q -w "$W" --source "$R" 2>>"$TMP/running.err" || failures=$((failures + 1))
		imports=$((imports + 1))
		[ "$(q "$W" "SELECT count(*) FROM v_runs WHERE sensor = 'running' AND status = 'running'")" = 1 ] &&
			open=$((open + 1))
	done
	wait "$SPID"; rc=$?
	wait "$FPID"
	check "the sensor ran to its end beside the imports" 0 "$rc"
	check "no import failed while it wrote" "0" "$failures"
	echo "($imports imports while the sensor ran, $open of them met its run open)"
	out=$("$ANALYZER" -w "$W" --source "$R" 2>&1) || fail "the last import: $out"
	"$ANALYZER" -q -w "$R" || fail "the sensor's own analysis"
	det="SELECT seq, kind, src, packets, targets, ports, last_seen, closed_at FROM detections d
	     JOIN runs r ON r.id = d.run_id WHERE r.source <> 'log lines' ORDER BY seq"
	check "the same detections as the sensor's database" "$(q "$R" "$det")" "$(q "$W" "$det")"
	ev="SELECT d.seq, e.ts, e.line FROM evidence e JOIN detections d ON d.id = e.detection_id
	    ORDER BY d.seq, e.ts, e.line"
	check "the same evidence, once" "$(q "$R" "$ev")" "$(q "$W" "$ev")"
	check "the same incidents" "$(incidents "$R")" "$(incidents "$W")"
else
	echo "skipped: a sensor writing while imported (no python3 or mkfifo)"
fi

# log lines stored in a sensor's database (its own analyzer read them)
# come along; the detections made of them are made again here, once
LG="$top_srcdir/tests/data/syslog"
"$ANALYZER" -q -w "$TMP/s3.db" --offline --tz UTC --year 2026 --syslog "$LG/auth.log" ||
	fail "analyzer --syslog on a sensor's database"
out=$("$ANALYZER" -w "$C" --source "$TMP/s3.db" 2>&1)
check_match "its log lines come along" "s3.db \(s3\): 0 runs new, 0 updated; 0 detections new, 0 updated; 0 evidence lines, $(q "$TMP/s3.db" "SELECT count(*) FROM log_lines") log lines" "$out"
check "the detections of log lines, once" \
	"$(q "$TMP/s3.db" "SELECT group_concat(kind || src, ' ') FROM (SELECT d.kind, d.src FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id WHERE s.name = 'syslog' ORDER BY d.src, d.kind)")" \
	"$(q "$C" "SELECT group_concat(kind || src, ' ') FROM (SELECT d.kind, d.src FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id WHERE s.name = 'syslog' ORDER BY d.src, d.kind)")"
check "one run of log lines" 1 "$(q "$C" "SELECT count(*) FROM v_runs WHERE sensor = 'syslog'")"
before=$(counts "$C")
"$ANALYZER" -q -w "$C" --source "$TMP/s1.db" --source "$TMP/s2.db" --source "$TMP/s3.db"
check "and again nothing changes" "$before" "$(counts "$C")"
"$ANALYZER" -q -w "$TMP/s2.db" --offline --tz UTC --year 2026 --syslog "$LG/auth.log" ||
	fail "analyzer --syslog on a second sensor's database"
out=$("$ANALYZER" -w "$C" --source "$TMP/s2.db" 2>&1); rc=$?
check "the same log lines from a second sensor: exit 0" 0 "$rc"
check_match "stored once" "s2.db \(s2\): .* 0 log lines" "$out"
check "nothing new" "$before" "$(counts "$C")"

# refusals: one line naming the file, exit 1, nothing imported
before=$(counts "$C")
printf 'not a database\n' >"$TMP/junk.db"
out=$("$ANALYZER" -q -w "$C" --source "$TMP/o1.db" --source "$TMP/junk.db" 2>&1); rc=$?
check "a file that is no database: exit 1" 1 "$rc"
check_match "named, not a spanwatch database" "junk.db: not a spanwatch database" "$out"
check "o1.db, given before it, was not imported either" "$before" "$(counts "$C")"
q "$TMP/other.db" "CREATE TABLE t (x)"
out=$("$ANALYZER" -q -w "$C" --source "$TMP/other.db" 2>&1); rc=$?
check "another program's database: exit 1" 1 "$rc"
check_match "named, not ours" "other.db: not a spanwatch database \(it holds other tables\)" "$out"
"$SQLITE3" "$TMP/s1.db" "VACUUM INTO '$TMP/old.db'"
# the database as it was before the migration that made meta and central_*
# (011-central.sql: the migrations are the schema files in order), with
# what later migrations made undone too
before_central=$(( $(ls "$top_srcdir"/schema/[0-9]*.sql | sort | grep -n '/011-central\.sql$' |
	cut -d: -f1) - 1 ))
q "$TMP/old.db" "DROP TABLE central_runs; DROP TABLE central_sources; DROP TABLE meta;
	PRAGMA user_version = $before_central"
# 012-cert.sql: reports.kind and .country, and the views it remade
if [ "$(q "$TMP/old.db" "SELECT count(*) FROM pragma_table_info('reports') WHERE name = 'kind'")" = 1 ]; then
	q "$TMP/old.db" "DROP VIEW v_reports; DROP VIEW v_offenders;
		ALTER TABLE reports DROP COLUMN kind; ALTER TABLE reports DROP COLUMN country;
		CREATE VIEW v_reports AS SELECT netblock FROM reports;
		CREATE VIEW v_offenders AS SELECT netblock FROM reports"
fi
out=$("$ANALYZER" -q -w "$C" --source "$TMP/old.db" 2>&1); rc=$?
check "an older schema: exit 1" 1 "$rc"
check_match "named, with its version and what to do" \
	"old.db: database schema version $before_central is older than [0-9]+; run spanwatch-analyzer -w .*old.db once to migrate it" "$out"
"$ANALYZER" -q -w "$TMP/old.db" || fail "migrating old.db"
"$ANALYZER" -q -w "$TMP/oldcentral.db" --source "$TMP/old.db"; rc=$?
check "once migrated it is read, under the identity its migration gave it" \
	"0 $(q "$TMP/old.db" "SELECT value FROM meta WHERE key = 'id'")" \
	"$rc $(q "$TMP/oldcentral.db" "SELECT uuid FROM central_sources")"
before=$(counts "$C")
"$SQLITE3" "$TMP/s1.db" "VACUUM INTO '$TMP/new.db'"
v=$(q "$TMP/new.db" "PRAGMA user_version")
q "$TMP/new.db" "PRAGMA user_version = $((v + 1))"
out=$("$ANALYZER" -q -w "$C" --source "$TMP/o1.db" --source "$TMP/new.db" 2>&1); rc=$?
check "a newer schema: exit 1" 1 "$rc"
check_match "named" "new.db: database schema version $((v + 1)) is newer than this spanwatch understands" "$out"
out=$("$ANALYZER" -q -w "$C" --source "$TMP/missing.db" 2>&1); rc=$?
check "a missing file: exit 1" 1 "$rc"
check_match "named" "missing.db: cannot open database" "$out"
[ ! -e "$TMP/missing.db" ] || fail "reading a missing source created it"
out=$("$ANALYZER" -q -w "$C" --source "$C" 2>&1); rc=$?
check "the central database as its own source: exit 1" 1 "$rc"
check_match "named" "central.db: is the database given with -w" "$out"
check "nothing was imported by the refused runs (o1.db, given before a refused file, neither)" \
	"$before" "$(counts "$C")"
"$ANALYZER" -w "$C" --source 2>/dev/null; check "--source without a file: usage error" 2 "$?"

finish
