#!/bin/sh
# quickstart.sh - the main job on a bundled capture: install what is
# missing, build, run the sensor on a real scan capture and the analyzer on
# what it stored, print runs, detections, incidents and evidence, then run
# the reporter and print the memos it writes. The capture's attackers use
# documentation addresses (198.51.100.0/24, 192.0.2.0/24) that no public
# whois or DNS server knows, so a whois and a DNS server on loopback
# (the test suite's, serving tests/data/reporter/) play the registries.
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

echo
echo "== spanwatch-reporter: one memo per offending netblock"
data="$top/tests/data/reporter"
rm -f "$out/whois.hosts" "$out/dns.port"
timeout 120 python3 "$top/tests/tools/whoisd.py" --config "$data/whoisd.json" \
	--port-file "$out/whois.hosts" --log "$out/whois.log" --lifetime 60 &
whoisd=$!
timeout 120 python3 "$top/tests/tools/dnsd.py" --zone "$data/dns.zone" \
	--port-file "$out/dns.port" --log "$out/dns.log" --lifetime 60 &
dnsd=$!
trap 'kill $whoisd $dnsd 2>/dev/null' EXIT
i=0
while [ ! -s "$out/whois.hosts" ] || [ ! -s "$out/dns.port" ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || { echo "quickstart: test servers did not start" >&2; exit 1; }
	sleep 0.1
done
memos="$out/memos"
mkdir -p "$memos"
rm -f "$memos"/*.eml
"$b/spanwatch-reporter" -w "$db" -o "$memos" -c "$data/reporter.conf" \
	--whois-server whois.testnets.example --whois-hosts "$out/whois.hosts" \
	--dns-server "127.0.0.1:$(cat "$out/dns.port")"
for f in "$memos"/*.eml; do
	echo
	echo "---- $f"
	tr -d '\r' <"$f"
done
echo
echo "== the ledger (sqlite3 $db 'SELECT * FROM v_reports')"
sqlite3 -header -column "$db" 'SELECT netblock, created, recipients FROM v_reports'
echo
echo "A second run writes nothing: the same incidents never produce two memos."
"$b/spanwatch-reporter" -w "$db" -o "$memos" -c "$data/reporter.conf" \
	--whois-server whois.testnets.example --whois-hosts "$out/whois.hosts" \
	--dns-server "127.0.0.1:$(cat "$out/dns.port")"
