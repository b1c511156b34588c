#!/bin/sh
# quickstart.sh - the main job on a bundled capture: install what is
# missing, build, run the sensor on a real scan capture and the analyzer on
# what it stored, and print runs, detections, incidents and evidence. (The
# reporter, which writes the memos, is the next piece of work.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
b="${BUILD_DIR:-$top/build}"
out="$top/out"
mkdir -p "$out"
db="$out/quickstart.db"
rm -f "$db" "$db-wal" "$db-shm"
capture="$top/tests/data/corpus/dev_13_mixed.pcap"

echo "== spanwatch-sensor -r $(basename "$capture") -w $db"
"$b/spanwatch-sensor" -n quickstart -r "$capture" -w "$db"
echo
echo "== runs (sqlite3 $db 'SELECT * FROM v_runs')"
sqlite3 -header -column "$db" 'SELECT * FROM v_runs'
echo
echo "== traffic and decode counters"
sqlite3 -header -column "$db" 'SELECT category, name, value FROM run_counters ORDER BY category, name'
echo
echo "== detections (sqlite3 $db 'SELECT * FROM v_detections')"
sqlite3 -header -column "$db" 'SELECT kind, variant, proto, src, first_seen, last_seen, targets, ports, packets, tool FROM v_detections'
echo
echo "== spanwatch-analyzer -w $db"
"$b/spanwatch-analyzer" -w "$db"
echo
echo "== incidents (sqlite3 $db 'SELECT * FROM v_incidents')"
sqlite3 -header -column "$db" 'SELECT netblock, src, kinds, severity, reportable, compromised FROM v_incidents'
sqlite3 "$db" "SELECT src || ': ' || reasons FROM incidents ORDER BY severity DESC"
echo
echo "== evidence: the first and last probes of each detection"
sqlite3 "$db" "SELECT d.kind || ' ' || d.src || ': ' || e.line FROM evidence e
               JOIN detections d ON d.id = e.detection_id ORDER BY d.id, e.ts"
