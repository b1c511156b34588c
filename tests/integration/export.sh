#!/bin/bash
# export.sh - the JSON events: the sensor's -A json:PATH on every corpus
# capture and spanwatch-analyzer --export json, every line validated against
# the shipped schema (data/schema/events.schema.json); as many lines as the
# database has rows (with and without --since); the sensor's closing event
# of each detection equal to the export's line; a hostile sensor name and a
# hostile memo coming back as the same characters; and SIGHUP: the file
# renamed away, a new one at PATH, no event lost, confined (as root: a
# dropped user and the seccomp filter).
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
python3 -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema not installed"
SCHEMA="$top_srcdir/data/schema/events.schema.json"
EVCHECK="$top_srcdir/tests/tools/evcheck.py"

# as root the sensor drops to a user that must be able to write (and, on
# SIGHUP, create) the events' file: a directory of that user's
if [ "$(id -u)" = 0 ]; then
	USER_OPT="-Z nobody"
	DIR="$TMP/state"
	mkdir "$DIR" && chown nobody: "$DIR"
else
	USER_OPT=""
	DIR="$TMP"
fi
DB="$DIR/export.db"
EV="$DIR/events.json"

# a sensor name no log pipeline should trust: quotes, a backslash, control
# characters, an escape sequence, U+2028, non-ASCII and a byte that is not UTF-8
HOSTILE=$'evil "sensor"\\\x01\x1b[31m\n\t\xe2\x80\xa8caf\xc3\xa9 \xf0\x9d\x84\x9e \xff end'

# 1. every corpus capture, one run each; one of them under the hostile name
n=0
for f in "$CORPUS"/*.pcap; do
	name=$(basename "$f" .pcap)
	[ "$name" = dev_13_mixed ] && name=$HOSTILE
	# shellcheck disable=SC2086
	"$SENSOR" -q $USER_OPT -n "$name" -A json:"$EV" -r "$f" -w "$DB" 2>>"$TMP/sensor.err" ||
		fail "sensor on $f exited $?"
	n=$((n + 1))
done
check "no system call was refused" "" "$(grep -i 'bad system call' "$TMP/sensor.err")"
check "the events' file is the user's" "$(stat -c %U "$DB")" "$(stat -c %U "$EV")"
out=$(python3 "$EVCHECK" "$SCHEMA" "$EV" 2>&1)
check "every sensor line validates against the schema" 0 "$?"
[ -n "${VERBOSE:-}" ] && printf '%s\n' "$out"
printf '%s\n' "$out" | grep -v ': [0-9]* lines$' | head -5

dets=$(q "$DB" "SELECT count(*) FROM detections")
closed=$(q "$DB" "SELECT count(*) FROM detections WHERE closed_at IS NOT NULL")
check_match "the corpus gives detections" '^[1-9][0-9]+$' "$dets"
count_action() { # FILE ACTION
	grep -c "\"action\":\"$2\"" "$1"
}
check "one detection-opened line per stored detection" "$dets" "$(count_action "$EV" detection-opened)"
check "one detection-closed line per closed detection" "$closed" "$(count_action "$EV" detection-closed)"
check "nothing else" $((dets + closed)) "$(wc -l < "$EV")"

# 2. the analyzer: incidents, then a memo with hostile text (as the
# reporter's ledger records one), then the export
"$ANALYZER" -q --offline -w "$DB" || fail "analyzer exited $?"
# a CERT memo (spanwatch-reporter's [cert]): exported with its kind and country
q "$DB" "INSERT INTO reports (netblock, created, recipients, subject, format, sent, kind, country)
	VALUES ('198.51.100.30', 1795900000000000, 'csirt@example.org, cert@cert.example',
	        'Security incident', 'eml', 0, 'cert', 'NL')"
q "$DB" "INSERT INTO reports (netblock, created, recipients, subject, path, format, message_id, sent)
	VALUES ('198.51.100.0/24', 1795900000000000,
	        'abuse@example.net, cc:noc@example.net, cc:security@example.org',
	        'Port scan from \"x\"' || char(10) || char(1) || char(8232) || CAST(X'C3A9FF' AS TEXT) || ' end',
	        '$TMP/outbox/1.eml', 'eml', '<1@spanwatch.invalid>', 1)"
memo=$(q "$DB" "SELECT max(id) FROM reports")
q "$DB" "INSERT INTO report_incidents (report_id, incident_id, last_seen)
	SELECT $memo, id, last_seen FROM incidents WHERE netblock = '198.51.100.0/24'"
q "$DB" "INSERT INTO report_detections (report_id, detection_id, last_seen)
	SELECT $memo, x.detection_id, d.last_seen FROM incident_detections x
	JOIN incidents i ON i.id = x.incident_id JOIN detections d ON d.id = x.detection_id
	WHERE i.netblock = '198.51.100.0/24' GROUP BY x.detection_id"

"$ANALYZER" -w "$DB" --export json -o "$TMP/all.json" 2>"$TMP/export.err"
check "--export exits 0" 0 "$?"
out=$(python3 "$EVCHECK" "$SCHEMA" "$TMP/all.json" 2>&1)
check "every exported line validates against the schema" 0 "$?"
printf '%s\n' "$out" | grep -v ': [0-9]* lines$' | head -5
incidents=$(q "$DB" "SELECT count(*) FROM incidents")
memos=$(q "$DB" "SELECT count(*) FROM reports")
dataset() { # FILE DATASET
	grep -c "\"dataset\":\"spanwatch.$2\"" "$1"
}
check "export: one line per detection" "$dets" "$(dataset "$TMP/all.json" detection)"
check "export: one line per incident" "$incidents" "$(dataset "$TMP/all.json" incident)"
check "export: one line per memo" "$memos" "$(dataset "$TMP/all.json" memo)"
check "export: nothing else" $((dets + incidents + memos)) "$(wc -l < "$TMP/all.json")"
check "export: a CERT memo says so, with its country" 1 \
	"$(grep -c '"netblock":"198.51.100.30",.*"kind":"cert","country":"NL"' "$TMP/all.json")"
check "export: a memo to an owner says so" 1 \
	"$(grep -c '"netblock":"198.51.100.0/24",.*"kind":"owner","country":null' "$TMP/all.json")"
check "export: its summary says so" \
	"spanwatch-analyzer: exported $dets detections, $incidents incidents, $memos memos to $TMP/all.json" \
	"$(cat "$TMP/export.err")"
"$ANALYZER" -q -w "$DB" --export json > "$TMP/stdout.json"
check "export to standard output: the same lines" "" "$(cmp "$TMP/all.json" "$TMP/stdout.json" 2>&1)"

# --since: what was active at or after the time, in each form it takes
since_us=$(q "$DB" "SELECT (strftime('%s', '2026-12-01') + 0) * 1000000")
want=$(q "$DB" "SELECT (SELECT count(*) FROM detections WHERE last_seen >= $since_us)
	+ (SELECT count(*) FROM incidents WHERE last_seen >= $since_us)
	+ (SELECT count(*) FROM reports WHERE created >= $since_us)")
check_match "--since splits the corpus" "^[1-9]" "$want"
for t in 2026-12-01 2026-12-01T00:00:00Z 2026-12-01T01:00:00+01:00 2026-11-30T19:00:00.000000-05:00; do
	"$ANALYZER" -q -w "$DB" --export json --since "$t" -o "$TMP/since.json"
	check "--since $t: the rows active since then" "$want" "$(wc -l < "$TMP/since.json")"
done
# a time inside the longest detection: it was active then, so it counts
mid=$(q "$DB" "SELECT first_seen + (last_seen - first_seen) / 2 FROM detections
	ORDER BY last_seen - first_seen DESC LIMIT 1")
mid_iso=$(q "$DB" "SELECT strftime('%Y-%m-%dT%H:%M:%S', $mid / 1000000, 'unixepoch')
	|| printf('.%06dZ', $mid % 1000000)")
want=$(q "$DB" "SELECT count(*) FROM detections WHERE last_seen >= $mid")
check_match "a detection spans $mid_iso" "^[1-9]" "$(q "$DB" "SELECT count(*) FROM detections
	WHERE first_seen < $mid AND last_seen >= $mid")"
"$ANALYZER" -q -w "$DB" --export json --since "$mid_iso" -o "$TMP/since.json"
check "--since $mid_iso: detections active since then" "$want" "$(dataset "$TMP/since.json" detection)"
"$ANALYZER" -q -w "$DB" --export json --since 2026-13-01 -o "$TMP/bad.json" 2>"$TMP/bad.err"
check "--since with a bad time: exit 2" 2 "$?"
check_match "and says which option" "^spanwatch-analyzer: --since" "$(cat "$TMP/bad.err")"
"$ANALYZER" -q -w "$DB" --since 2026-12-01 2>/dev/null
check "--since without --export: exit 2" 2 "$?"
"$ANALYZER" -q -w "$DB" --export csv 2>/dev/null
check "--export csv: exit 2" 2 "$?"
"$ANALYZER" -q -w "$DB" --export json -o "$TMP/no/such/dir.json" 2>"$TMP/nodir.err"
check "-o into a missing directory: exit 1" 1 "$?"
check_match "naming the file" "$TMP/no/such/dir.json: No such file" "$(cat "$TMP/nodir.err")"

# 3. the same detection from both: the sensor's closing event and the
# export's line agree field by field (but for when and what happened);
# the hostile texts come back as the same characters
HOSTILE="$HOSTILE" python3 - "$EV" "$TMP/all.json" "$DB" "$memo" > "$TMP/compare.out" <<'PY'
import json, os, sqlite3, sys
ev = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
ex = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
db = sqlite3.connect(sys.argv[3])
db.text_factory = bytes
closed = {e['spanwatch']['detection']['id']: e for e in ev
          if e['event']['action'] == 'detection-closed'}
diff = 0
for e in ex:
    if e['event']['dataset'] != 'spanwatch.detection':
        continue
    c = closed.get(e['spanwatch']['detection']['id'])
    if c is None:
        continue
    c = {k: v for k, v in c.items() if k not in ('@timestamp', 'event')}
    e = {k: v for k, v in e.items() if k not in ('@timestamp', 'event')}
    if c != e:
        diff += 1
        print('differs:', json.dumps(c), json.dumps(e))
print('compared', len(closed), 'differ', diff)
# the hostile name: the bytes given to -n, as stored, as JSON
raw = os.environb[b'HOSTILE']
stored = db.execute("SELECT name FROM sensors WHERE CAST(name AS BLOB) = ?", (raw,)).fetchone()
print('stored as given', stored is not None and stored[0] == raw)
want = raw.decode('utf-8', errors='replace')
names = {e['observer']['name'] for e in ev + ex
         if 'name' in e.get('observer', {}) and e['observer']['name'].startswith('evil')}
print('hostile name events', sorted(names) == [want])
# incidents keep the analyzer's printable form of the names: the same text back
rows = {i: s.decode('utf-8', errors='replace').split(',') for i, s in
        db.execute("SELECT id, sensors FROM incidents")}
inc = [e['spanwatch']['incident'] for e in ex if e['event']['dataset'] == 'spanwatch.incident']
print('incident sensors as stored', len(inc) == len(rows) and
      all(rows[i['id']] == i['sensors'] for i in inc) and
      any(x.startswith('evil "sensor"') for i in inc for x in i['sensors']))
m = [e for e in ex if e['event']['dataset'] == 'spanwatch.memo'
     and e['spanwatch']['memo']['id'] == int(sys.argv[4])][0]
print('memo subject', m['email']['subject'] == 'Port scan from "x"\n\x01\u2028\u00e9\ufffd end')
print('memo to', m['email']['to']['address'] == ['abuse@example.net'])
print('memo cc', m['email']['cc']['address'] == ['noc@example.net', 'security@example.org'])
print('memo action', m['event']['action'] == 'memo-sent')
n_inc = db.execute("SELECT count(*) FROM report_incidents WHERE report_id = ?",
                   (int(sys.argv[4]),)).fetchone()[0]
print('memo incidents', len(m['spanwatch']['memo']['incident_ids']) == n_inc and n_inc > 0)
PY
check "python compare ran" 0 "$?"
[ -n "${VERBOSE:-}" ] && cat "$TMP/compare.out"
grep '^differs' "$TMP/compare.out" | head -3
check "each closing event equals the export's line" "compared $closed differ 0" \
	"$(grep '^compared' "$TMP/compare.out")"
for what in "stored as given" "hostile name events" "incident sensors as stored" "memo subject" \
	"memo to" "memo cc" "memo action" "memo incidents"; do
	check "round trip: $what" "$what True" "$(grep "^$what " "$TMP/compare.out")"
done
check "the lines are one per line: no raw control character" "" \
	"$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$EV" "$TMP/all.json" | grep -v ':0$')"

# 4. SIGHUP: the capture comes through a pipe in two halves; between
# them the events' file is renamed away and the sensor told to reopen it
HUPDB="$DIR/hup.db"
HUPEV="$DIR/hup.json"
mkfifo "$TMP/capture"
PYTHONPATH="$top_srcdir/tests/tools" python3 - "$TMP/capture" "$TMP/go" <<'PY' &
import os, struct, sys, time
from pcapwrite import a4, eth, ip4, tcp

def frame(src, dst, sport, dport, flags):
    s, d = a4(src), a4(dst)
    return eth(ip4(s, d, 6, 1, 64, 0, tcp(s, d, sport, dport, 1000, 0, flags)))

us = 1795800000 * 1000000
def half(first):  # 40 sources, each 6 SYNs to closed ports answered by RST
    global us
    out = b''
    for s in range(first, first + 40):
        src = '198.18.%d.%d' % (s // 200, s % 200 + 1)
        us += 2000000
        for p in range(6):
            for f in ((src, '203.0.113.9', 40000, 1000 + p, 0x02),
                      ('203.0.113.9', src, 1000 + p, 40000, 0x14)):
                us += 1000
                b = frame(*f)
                out += struct.pack('<IIII', us // 1000000, us % 1000000, len(b), len(b)) + b
    return out

with open(sys.argv[1], 'wb') as w:
    w.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    w.write(half(0))
    w.flush()
    for _ in range(600):  # the second half once the file has been rotated
        if os.path.exists(sys.argv[2]):
            break
        time.sleep(0.1)
    w.write(half(200))
PY
WRITER=$!
# shellcheck disable=SC2086
"$SENSOR" -q $USER_OPT -n hup-test -A json:"$HUPEV" -r "$TMP/capture" -w "$HUPDB" 2>"$TMP/hup.err" &
SENSOR_PID=$!
( sleep 120; kill -9 $SENSOR_PID $WRITER 2>/dev/null ) >/dev/null 2>&1 &
WATCHDOG=$!
i=0
while [ "$(grep -c detection-opened "$HUPEV" 2>/dev/null)" != 40 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the first half's 40 scans are in the file" 40 "$(grep -c detection-opened "$HUPEV")"
mv "$HUPEV" "$HUPEV.1"
kill -HUP $SENSOR_PID
i=0
while [ ! -e "$HUPEV" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP: a new file at PATH" yes "$([ -e "$HUPEV" ] && echo yes)"
touch "$TMP/go"
wait $SENSOR_PID; rc=$?
wait $WRITER
kill $WATCHDOG 2>/dev/null; wait $WATCHDOG 2>/dev/null
check "SIGHUP does not end the sensor: exit 0" 0 "$rc"
check "no system call was refused" "" "$(grep -i 'bad system call' "$TMP/hup.err")"
check "nothing said" "" "$(cat "$TMP/hup.err")"
check "the run is finished" finished "$(q "$HUPDB" "SELECT status FROM runs")"
check "the new file is the user's" "$(stat -c %U "$HUPDB")" "$(stat -c %U "$HUPEV")"
hdets=$(q "$HUPDB" "SELECT count(*) FROM detections")
check "80 scans stored" 80 "$hdets"
check "the renamed file: the first half opened, nothing after" 40 "$(wc -l < "$HUPEV.1")"
check "the new file: the second half opened" 40 "$(grep -c detection-opened "$HUPEV")"
check "the new file: every detection closed" 80 "$(grep -c detection-closed "$HUPEV")"
check "no event lost or doubled" "$(q "$HUPDB" "SELECT group_concat(id, ' ') FROM (SELECT id FROM detections ORDER BY id)")" \
	"$(cat "$HUPEV.1" "$HUPEV" | python3 -c '
import json, sys
print(" ".join(str(i) for i in sorted(json.loads(l)["spanwatch"]["detection"]["id"]
      for l in sys.stdin if "detection-opened" in l)))')"
out=$(python3 "$EVCHECK" "$SCHEMA" "$HUPEV.1" "$HUPEV" 2>&1)
check "both files validate against the schema" 0 "$?"

# 5. usage
"$SENSOR" -q -A json: -r "$CORPUS/dev_13_mixed.pcap" -w "$TMP/u.db" 2>/dev/null
check "-A json: without a path: exit 2" 2 "$?"
"$SENSOR" -q -A json:a -A json:b -r "$CORPUS/dev_13_mixed.pcap" -w "$TMP/u.db" 2>/dev/null
check "-A json twice: exit 2" 2 "$?"
"$SENSOR" -q -n "$(head -c 1025 /dev/zero | tr '\0' n)" -A json:"$TMP/long.json" \
	-r "$CORPUS/dev_13_mixed.pcap" -w "$TMP/u.db" 2>"$TMP/u.err"
check "-n of 1025 bytes with -A json: exit 2" 2 "$?"
check_match "saying so" "^spanwatch-sensor: -n: at most 1024 bytes" "$(cat "$TMP/u.err")"
"$SENSOR" -q -Z root -A json:"$TMP/no/such/dir.json" -r "$CORPUS/dev_13_mixed.pcap" \
	-w "$TMP/u.db" 2>"$TMP/u.err"
check "-A json: into a missing directory: exit 1" 1 "$?"
check_match "naming the file" "$TMP/no/such/dir.json: cannot open" "$(cat "$TMP/u.err")"
"$SENSOR" -q -Z root -A stderr -A json:"$TMP/both.json" -r "$CORPUS/dev_13_mixed.pcap" \
	-w "$TMP/both.db" 2>"$TMP/both.err"
check "-A stderr and -A json together: exit 0" 0 "$?"
check "both: the lines on standard error" 3 "$(grep -c ': alert: ' "$TMP/both.err")"
check "both: the events in the file" 6 "$(wc -l < "$TMP/both.json")"

finish
