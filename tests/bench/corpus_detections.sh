#!/bin/sh
# tests/bench/corpus_detections.sh - owns a check for changes to the packet
# path that must not change what is detected: runs a sensor over every
# capture of the corpus (and any other pcap given) and prints each one's
# detections, every column but the row ids, src_bin (src says it) and the
# probe signature (a hash with a random key per run), and their evidence
# lines, in a stable order.
# Run it with the old and the new sensor and diff the two outputs.
#
# usage: corpus_detections.sh SENSOR [PCAP...]   (default: tests/data/corpus/*.pcap)
# environment: SQLITE3 (default sqlite3), TMPDIR
me=corpus_detections.sh
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
	echo "usage: $me SENSOR [PCAP...]" >&2
	exit 2
fi
sensor=$1
shift
[ $# -gt 0 ] || set -- "$(dirname "$0")"/../data/corpus/*.pcap
SQLITE3=${SQLITE3:-sqlite3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spanwatch-cd.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
	rm -f "$tmp/d.db" "$tmp/d.db-wal" "$tmp/d.db-shm"
	if ! "$sensor" -q -Z root -n corpus -r "$f" -w "$tmp/d.db" >"$tmp/out" 2>&1; then
		echo "$me: $sensor failed on $f:" >&2
		cat "$tmp/out" >&2
		exit 1
	fi
	echo "== $(basename "$f")"
	cols=$("$SQLITE3" "$tmp/d.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('detections')
		WHERE name NOT IN ('id', 'run_id', 'probe_sig', 'src_bin')")
	"$SQLITE3" -separator ' | ' "$tmp/d.db" "SELECT $cols FROM detections ORDER BY seq" || exit 1
	"$SQLITE3" -separator ' | ' "$tmp/d.db" "SELECT d.seq, e.ts, e.line FROM evidence e
		JOIN detections d ON d.id = e.detection_id ORDER BY d.seq, e.ts, e.id" || exit 1
done
