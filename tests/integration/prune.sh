#!/bin/sh
# prune.sh - spanwatch-analyzer --prune on a real database: each
# [retention] window applied to its rows (evidence, detections, incidents
# never reportable, log lines, whois answers), what a memo told kept with
# its evidence, nothing recent touched, a second prune and a new analysis
# changing nothing, small transactions, and bad keys refused.
. "$(dirname "$0")/lib.sh"
need_sqlite3

DAY=86400000000
DB="$TMP/prune.db"
"$SENSOR" -q -Z root -n prune-test -r "$CORPUS/dev_13_mixed.pcap" -w "$DB" || fail "sensor dev_13"
"$SENSOR" -q -Z root -n prune-test -r "$CORPUS/rw_04_retry.pcap" -w "$DB" || fail "sensor rw_04"
# log lines from 2023: older than any default window
"$ANALYZER" -q -w "$DB" --offline --year 2023 --tz UTC --syslog "$top_srcdir/tests/data/syslog/auth.log" ||
	fail "analyzer --syslog"
det_id() { q "$DB" "SELECT id FROM detections WHERE src = '$1' AND kind = '$2'"; }
scan=$(det_id 198.51.100.30 port_scan)
sweep=$(det_id 192.0.2.60 host_sweep)
login=$(det_id 192.0.2.124 login_attempts)
probe=$(det_id 192.0.2.23 port_probe)
check "four packet detections to work on" 4 "$(echo $scan $sweep $login $probe | wc -w)"
check "the retry's port_probe is not reportable" 0 \
	"$(q "$DB" "SELECT reportable FROM incidents WHERE src = '192.0.2.23'")"
lines=$(q "$DB" "SELECT count(*) FROM log_lines")
check_match "log lines stored" '^[1-9][0-9]*$' "$lines"
syslog_dets=$(q "$DB" "SELECT count(*) FROM detections d JOIN runs r ON r.id = d.run_id JOIN sensors s ON s.id = r.sensor_id WHERE s.name = 'syslog'")
check_match "the log lines made detections" '^[1-9][0-9]*$' "$syslog_dets"

# defaults: the 2023 log lines and their detections go; this week's packets stay
out=$("$ANALYZER" -w "$DB" --prune 2>&1); rc=$?
check "--prune exits 0" 0 "$rc"
check_match "and says what it removed" "pruned $syslog_dets detections .* $lines log lines" "$out"
check "log lines older than a year removed" 0 "$(q "$DB" "SELECT count(*) FROM log_lines")"
check "recent packet detections kept" 4 "$(q "$DB" "SELECT count(*) FROM detections")"
check "their evidence kept" 36 "$(q "$DB" "SELECT count(*) FROM evidence")"

# age them: the probe 40 days (beyond unreportable_days = 30), the scan
# 100 days (beyond evidence_days = 90), the sweep and the login 400 days
# (beyond detections_days = 365); a memo told the sweep
age() { # ID DAYS
	q "$DB" "UPDATE detections SET first_seen = first_seen - $2 * $DAY, last_seen = last_seen - $2 * $DAY,
		detected_at = detected_at - $2 * $DAY WHERE id = $1;
		UPDATE evidence SET ts = ts - $2 * $DAY WHERE detection_id = $1"
}
age "$probe" 40
age "$scan" 100
age "$sweep" 400
age "$login" 400
q "$DB" "INSERT INTO reports (id, netblock, created, recipients, subject) VALUES (1, '192.0.2.0/24',
	(SELECT last_seen FROM detections WHERE id = $sweep), 'abuse@example.net', 'told');
	INSERT INTO report_detections (report_id, detection_id, last_seen)
	SELECT 1, id, last_seen FROM detections WHERE id = $sweep;
	INSERT INTO whois_lookups (kind, query, status, fetched_at) VALUES
	('ip', '198.51.100.30', 'ok', (strftime('%s','now') - 40 * 86400) * 1000000),
	('ip', '192.0.2.60', 'ok', strftime('%s','now') * 1000000)"
"$ANALYZER" -q -w "$DB" || fail "analyzer after ageing"
incidents_before=$(q "$DB" "SELECT count(*) FROM incidents")

printf '[retention]\nbatch_rows = 10\n' > "$TMP/small.conf"
out=$("$ANALYZER" -w "$DB" -c "$TMP/small.conf" --prune 2>&1); rc=$?
check "--prune with small batches exits 0" 0 "$rc"
check_match "one transaction per batch, many of them" "in ([2-9]|[1-9][0-9]+) transactions" "$out"
has() { q "$DB" "SELECT count(*) FROM detections WHERE id = $1"; }
ev() { q "$DB" "SELECT count(*) FROM evidence WHERE detection_id = $1"; }
check "never reportable, 40 days old: removed" 0 "$(has "$probe")"
check "and its incident" 0 "$(q "$DB" "SELECT count(*) FROM incidents WHERE src = '192.0.2.23'")"
check "reportable, 100 days old: the detection kept" 1 "$(has "$scan")"
check "but its evidence removed" 0 "$(ev "$scan")"
check "400 days old, told by a memo: kept" 1 "$(has "$sweep")"
check "with its evidence" 8 "$(ev "$sweep")"
check "400 days old, never told: removed" 0 "$(has "$login")"
check "with its evidence" 0 "$(ev "$login")"
check "the report and its ledger rows kept" "1 1" \
	"$(q "$DB" "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM report_detections)" | tr '|' ' ')"
check "a whois answer older than 30 days removed, a fresh one kept" "192.0.2.60" \
	"$(q "$DB" "SELECT group_concat(query) FROM whois_lookups")"
check "no incident left without a detection" 0 \
	"$(q "$DB" "SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM incident_detections x WHERE x.incident_id = i.id)")"

# nothing more to do; a new analysis brings nothing back
out=$("$ANALYZER" -w "$DB" --prune 2>&1)
check_match "a second prune removes nothing" "pruned 0 detections \(0 incidents never reportable\), 0 evidence lines, 0 log lines, 0 whois answers, 0 runs" "$out"
after=$(q "$DB" "SELECT group_concat(src || kinds, ';') FROM incidents ORDER BY src")
"$ANALYZER" -q -w "$DB" || fail "analyzer after prune"
check "the analysis afterwards agrees" "$after" "$(q "$DB" "SELECT group_concat(src || kinds, ';') FROM incidents ORDER BY src")"
check "fewer incidents than before" yes "$([ "$(q "$DB" "SELECT count(*) FROM incidents")" -lt "$incidents_before" ] && echo yes)"

# 0 keeps for ever
printf '[retention]\nevidence_days = 0\ndetections_days = 0\nunreportable_days = 0\n' > "$TMP/keep.conf"
n0=$(q "$DB" "SELECT count(*) FROM detections")
age "$scan" 10000
"$ANALYZER" -q -w "$DB" -c "$TMP/keep.conf" --prune
check "0 days: kept for ever" "$n0" "$(q "$DB" "SELECT count(*) FROM detections")"

# a bad value names the file, the line and the key; nothing is removed
printf '[retention]\nevidence_days = soon\n' > "$TMP/bad.conf"
out=$("$ANALYZER" -w "$DB" -c "$TMP/bad.conf" --prune 2>&1); rc=$?
check "a bad retention value: usage error" 2 "$rc"
check_match "naming file, line and key" "bad.conf:2: \[retention\] evidence_days" "$out"
check "nothing removed" "$n0" "$(q "$DB" "SELECT count(*) FROM detections")"

finish
