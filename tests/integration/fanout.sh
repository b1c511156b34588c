#!/bin/bash
# fanout.sh - -j N on a live interface: the corpus replayed (tests/pcapreplay,
# pcap_inject) into one end of a veth pair between two network namespaces
# this test makes (and removes), the sensor on the other end with -j 1 and
# then -j 2 (the seccomp filter on, root dropped): every packet sent is
# counted (v_runs) with no drop, the run ends finished on SIGTERM, and the
# detections (kind, variant, source, targets, ports) of -j 2 are those of
# -j 1. Also: -j out of range is refused (-j with -r: fanout_files.sh).
#
# The carpet SYN flood of random spoofed sources (rw_08) is checked on its
# own at the end, at its own rate: by the external address its packets are
# spread over the workers, which count them in one shared flood table, so
# -j 2 makes the one syn_flood -j 1 makes. The big mixed capture (dev_14,
# 200,000 packets) is left out to keep the test short. FANOUT_PPS sets the
# rate (0: as fast as the replayer goes; it passes so too).
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ "$(id -u)" = 0 ] || skip_all "network namespaces need root"
command -v ip >/dev/null 2>&1 || skip_all "ip (iproute2) not installed"
REPLAY="$top_builddir/tests/pcapreplay"
RATE=${FANOUT_PPS:-20000}

# usage errors first: nothing to set up
"$SENSOR" -j 17 -i lo -w "$TMP/x.db" 2>"$TMP/err"
check "-j 17: usage error" 2 "$?"
check_match "-j 17: names the bound" "-j.*16" "$(cat "$TMP/err")"

NS=swfo$$
SND=${NS}s RCV=${NS}r
cleanup() {
	ip netns del "$SND" 2>/dev/null
	ip netns del "$RCV" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$SND" && ip netns add "$RCV" || skip_all "cannot make network namespaces"
ip link add "${NS}a" netns "$SND" type veth peer name "${NS}b" netns "$RCV" ||
	skip_all "cannot make a veth pair"
for ns in "$SND" "$RCV"; do
	# no IPv6 of their own (router solicitations, MLD): only what is replayed
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$SND" link set "${NS}a" up && ip -n "$RCV" link set "${NS}b" up || fail "veth up"

printf '[networks]\nhome = 203.0.113.0/24, 2001:db8:113::/48\n' >"$TMP/sensor.conf"
FILES=
for f in $(cut -f1 "$CORPUS/truth.tsv" | tail -n +2 | sort -u); do
	case "$f" in rw_08_*|dev_14_*) continue ;; esac
	FILES="$FILES $CORPUS/$f"
done

# replay J DB FILES...: the sensor with -j J on the receiving end, the files
# sent at RATE packets/s; what was sent goes to $TMP/sent.J
replay() {
	local j=$1 db=$2 i pid watchdog seen
	shift 2
	ip netns exec "$RCV" "$SENSOR" -q -j "$j" -c "$TMP/sensor.conf" -i "${NS}b" -w "$db" \
		-Z nobody --stats-interval 1 -n fanout 2>>"$TMP/sensor.$j.err" &
	pid=$!
	( sleep 240; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
	watchdog=$!
	i=0
	while [ "$(q "$db" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	timeout 200 ip netns exec "$SND" "$REPLAY" -i "${NS}a" -p "$RATE" -t 180 "$@" \
		>"$TMP/sent.$j" || fail "-j $j: replay failed: $(cat "$TMP/sent.$j")"
	# the sensor stores its counters every second: wait for all of them
	i=0
	while [ $i -lt 100 ]; do
		seen=$(q "$db" "SELECT packets FROM v_runs" 2>/dev/null)
		[ "$seen" = "$(cut -d' ' -f1 "$TMP/sent.$j")" ] && break
		sleep 0.1; i=$((i + 1))
	done
	check "-j $j: while it runs, the stored counters are the workers' sum" \
		"$(cut -d' ' -f1 "$TMP/sent.$j")" "$seen"
	kill -TERM $pid
	wait $pid
	check "-j $j: SIGTERM ends the run with status 0" 0 "$?"
	kill $watchdog 2>/dev/null
	wait $watchdog 2>/dev/null
	check "-j $j: every packet sent is counted, none dropped, the run finished" \
		"$(cut -d' ' -f1 "$TMP/sent.$j") 0 0 finished" \
		"$(q "$db" "SELECT packets, dropped, ifdropped, status FROM v_runs" | tr '|' ' ')"
}

detections() {
	q "$1" "SELECT kind, ifnull(variant, '-'), src, targets, ports FROM v_detections
	        ORDER BY 3, 1, 2, 4, 5" | tr '|' ' '
}

# shellcheck disable=SC2086
replay 1 "$TMP/j1.db" $FILES
# shellcheck disable=SC2086
replay 2 "$TMP/j2.db" $FILES
n1=$(detections "$TMP/j1.db" | wc -l)
[ "$n1" -ge 20 ] || fail "-j 1 found only $n1 detections on the corpus"
check "-j 2: the same detections as -j 1 ($n1)" "$(detections "$TMP/j1.db")" \
	"$(detections "$TMP/j2.db")"
check "-j 2: detections numbered once in the run" 0 \
	"$(q "$TMP/j2.db" "SELECT count(*) - count(DISTINCT seq) FROM detections")"
counts() {
	q "$1" "SELECT packets, bytes, decode_errors FROM v_runs"
	q "$1" "SELECT category, name, value FROM run_counters WHERE category <> 'table'
	        ORDER BY 1, 2"
}
check "-j 2: packets, bytes, decode errors, traffic and anomalies summed as -j 1 counts them" \
	"$(counts "$TMP/j1.db")" "$(counts "$TMP/j2.db")"
check "-j 2: the table counters are the workers' sum, like -j 1's" \
	"$(q "$TMP/j1.db" "SELECT count(*) FROM run_counters WHERE category = 'table'")" \
	"$(q "$TMP/j2.db" "SELECT count(*) FROM run_counters WHERE category = 'table'")"
check "-j 2: nothing on standard error" "" "$(cat "$TMP/sensor.2.err")"

# the spoofed carpet flood at its own rate (97,000 packets/s): its forged
# sources spread it over the workers, each sees about half (48,000/s), and
# the one flood table they share counts it whole (a worker's own table
# would need prefix_syn_pps 20,000 from its half, and each would open its
# own): one syn_flood from the unspecified address, as with -j 1, with all
# its packets, and nothing else
RATE=97000
replay 1 "$TMP/flood1.db" "$CORPUS/rw_08_carpet_synflood.pcap"
replay 2 "$TMP/flood.db" "$CORPUS/rw_08_carpet_synflood.pcap"
floods() {
	q "$1" "SELECT kind, src, ports FROM v_detections ORDER BY 1, 2, 3" | tr '|' ' '
}
check "-j 1: the spoofed carpet flood is one syn_flood from 0.0.0.0, nothing else" 	"syn_flood 0.0.0.0 0" "$(floods "$TMP/flood1.db")"
check "-j 2: the spoofed carpet flood is one syn_flood from 0.0.0.0, as with -j 1" 	"$(floods "$TMP/flood1.db")" "$(floods "$TMP/flood.db")"
# its packets: counted from the window that opened it on, by both workers
# (the same number give or take the packets of the window edges)
p1=$(q "$TMP/flood1.db" "SELECT sum(packets) FROM detections WHERE kind = 'syn_flood'")
p2=$(q "$TMP/flood.db" "SELECT sum(packets) FROM detections WHERE kind = 'syn_flood'")
check "-j 2: the syn_flood counts the packets -j 1 counts (within 2 %: $p1, $p2)" 0 \
	"$(( (p2 - p1) * 50 / p1 ))"
finish
