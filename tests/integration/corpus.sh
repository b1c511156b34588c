#!/bin/sh
# corpus.sh - the sensor on every capture of the bundled corpus stores as
# many packets and bytes as libpcap (and tcpdump, where installed) counts,
# decodes real traffic without errors, and appends runs without touching
# earlier ones.
. "$(dirname "$0")/lib.sh"
need_sqlite3

DB="$TMP/corpus.db"
total_packets=0
total_bytes=0
n=0
for f in "$CORPUS"/*.pcap; do
	name=$(basename "$f")
	set -- $("$PCAPCOUNT" "$f")
	want_packets=$1 want_bytes=$2
	if [ -n "$TCPDUMP" ]; then
		td=$("$TCPDUMP" -nr "$f" 2>/dev/null | wc -l)
		check "$name: libpcap and tcpdump agree" "$td" "$want_packets"
	fi
	"$SENSOR" -q -n corpus -r "$f" -w "$DB"; rc=$?
	check "$name: sensor exits 0" 0 "$rc"
	n=$((n + 1))
	row=$(q "$DB" "SELECT packets || ' ' || bytes || ' ' || decode_errors || ' ' || dropped
	               FROM v_runs LIMIT 1 OFFSET $((n - 1))")
	check "$name: packets bytes decode_errors dropped" "$want_packets $want_bytes 0 0" "$row"
	total_packets=$((total_packets + want_packets))
	total_bytes=$((total_bytes + want_bytes))
done

check "one run per file" "$n" "$(q "$DB" "SELECT count(*) FROM v_runs")"
check "every run finished" "$n" "$(q "$DB" "SELECT count(*) FROM runs WHERE finished = 1")"
check "runs are named by source file" 1 \
	"$(q "$DB" "SELECT count(*) FROM v_runs WHERE source LIKE '%dev_01_nmap_sS_top1000.pcap'")"

# started/ended come from packet time, not the wall clock: the slow scan
# took 30 s of packet time and was captured on 2026-11-27
row=$(q "$DB" "SELECT started || ' ' || ended FROM v_runs WHERE source LIKE '%dev_09_%'")
check_match "run times are packet times in ISO 8601 UTC" \
	'^2026-11-2[67]T[0-9:]{8}\.[0-9]{6}Z 2026-11-2[67]T[0-9:]{8}\.[0-9]{6}Z$' "$row"
secs=$(q "$DB" "SELECT (ended - started) / 1000000 FROM runs WHERE source LIKE '%dev_09_%'")
check "slow scan run lasts 30 s of packet time" 30 "$secs"

# traffic counters by protocol: the IPv6 scan is IPv6, the UDP scan has ICMP
check_match "IPv6 capture counted as ipv6" '^[1-9][0-9]*$' \
	"$(q "$DB" "SELECT value FROM run_counters c JOIN runs r ON r.id = c.run_id
	            WHERE r.source LIKE '%dev_10_%' AND c.name = 'ipv6'")"
check_match "UDP scan answers counted as icmp" '^[1-9][0-9]*$' \
	"$(q "$DB" "SELECT value FROM run_counters c JOIN runs r ON r.id = c.run_id
	            WHERE r.source LIKE '%dev_04_%' AND c.name = 'icmp'")"

# all files as one run, read in order; earlier rows unchanged
before=$(q "$DB" "SELECT group_concat(packets || '/' || bytes || '/' || started, ',') FROM v_runs")
set -- "$CORPUS"/*.pcap
args=
for f in "$@"; do args="$args -r $f"; done
"$SENSOR" -q -n corpus $args -w "$DB"; rc=$?
check "sensor on all files exits 0" 0 "$rc"
check "a second start appends a run" "$((n + 1))" "$(q "$DB" "SELECT count(*) FROM v_runs")"
check "one run over all files counts every packet and byte" "$total_packets $total_bytes" \
	"$(q "$DB" "SELECT packets || ' ' || bytes FROM runs ORDER BY id DESC LIMIT 1")"
check "earlier runs are unchanged" "$before" \
	"$(q "$DB" "SELECT group_concat(packets || '/' || bytes || '/' || started, ',')
	            FROM (SELECT * FROM v_runs LIMIT $n)")"

# a BPF expression filters exactly as tcpdump's does
f="$CORPUS/dev_13_mixed.pcap"
if [ -n "$TCPDUMP" ]; then
	want=$("$TCPDUMP" -nr "$f" 'tcp and dst port 22' 2>/dev/null | wc -l)
	"$SENSOR" -q -r "$f" -w "$TMP/bpf.db" tcp and dst port 22; rc=$?
	check "sensor with a BPF expression exits 0" 0 "$rc"
	check "BPF expression keeps what tcpdump keeps" "$want" \
		"$(q "$TMP/bpf.db" "SELECT packets FROM v_runs")"
	check "the expression is stored with the run" "tcp and dst port 22" \
		"$(q "$TMP/bpf.db" "SELECT filter FROM runs")"
fi
finish
