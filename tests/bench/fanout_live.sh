#!/bin/bash
# fanout_live.sh BUILD_DIR - -j 1 against -j N on a live interface: a
# capture replayed (tests/pcapreplay) out of one end of a veth pair between
# two network namespaces this script makes and removes, the sensor on the
# other end; for each rate, runs alternating -j 1 and -j N. Prints the
# packets sent, the rate reached, and what the sensor counted and dropped.
# Needs root. Bounded: the capture's packets times LOOPS, a timeout each.
#
#   FANOUT_CAPTURE   the capture (default: the corpus's dev_14, 204,743 packets)
#   FANOUT_LOOPS     times it is sent per run (default 5)
#   FANOUT_RATES     packets/s, 0 = as fast as the replayer goes (default "0")
#   FANOUT_J         the N to compare with 1 (default 2)
#   FANOUT_RUNS      pairs of runs per rate (default 3)
#   FANOUT_ARGS      more sensor options (e.g. "-B 2": a smaller kernel ring)
set -u
B=${1:?usage: fanout_live.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SENSOR="$B/spanwatch-sensor"
REPLAY="$B/tests/pcapreplay"
CAPTURE=${FANOUT_CAPTURE:-$SRC/tests/data/corpus/dev_14_big_mixed_snap96.pcap}
LOOPS=${FANOUT_LOOPS:-5}
RATES=${FANOUT_RATES:-0}
J=${FANOUT_J:-2}
RUNS=${FANOUT_RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "fanout_live.sh: needs root (network namespaces)" >&2; exit 1; }
[ -x "$REPLAY" ] || { echo "fanout_live.sh: build $REPLAY first (make tests/pcapreplay)" >&2; exit 1; }

TMP=$(mktemp -d)
chmod 755 "$TMP"
NS=swfb$$
cleanup() {
	ip netns del "${NS}s" 2>/dev/null
	ip netns del "${NS}r" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "${NS}s" && ip netns add "${NS}r" &&
	ip link add "${NS}a" netns "${NS}s" type veth peer name "${NS}b" netns "${NS}r" || exit 1
for ns in "${NS}s" "${NS}r"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "${NS}s" link set "${NS}a" up && ip -n "${NS}r" link set "${NS}b" up || exit 1
printf '[networks]\nhome = 203.0.113.0/24, 2001:db8:113::/48\n' >"$TMP/sensor.conf"

q() { sqlite3 -batch -noheader "$1" "$2"; }

one() { # J RATE
	local db="$TMP/run.db" pid out i cpu rss
	rm -f "$db"*
	# shellcheck disable=SC2086
	ip netns exec "${NS}r" "$SENSOR" -q -j "$1" -c "$TMP/sensor.conf" -i "${NS}b" -w "$db" \
		-Z nobody --stats-interval 1 ${FANOUT_ARGS:-} 2>/dev/null &
	pid=$!
	i=0
	while [ "$(q "$db" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	out=$(timeout 300 ip netns exec "${NS}s" "$REPLAY" -i "${NS}a" -p "$2" -l "$LOOPS" -t 280 \
		"$CAPTURE")
	sleep 2
	# the sensor's CPU time, all threads (utime + stime, clock ticks)
	cpu=$(awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$pid/stat")
	rss=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
	kill -TERM $pid; wait $pid
	set -- "$1" "$2" $out
	printf '%-4s %-8s %9s %7.2f %10.0f %9s %9s %7.2f %8s\n' "-j $1" "$2" "$3" "$4" \
		"$(echo "$3 / $4" | bc -l)" "$(q "$db" "SELECT packets FROM v_runs")" \
		"$(q "$db" "SELECT dropped + ifdropped FROM v_runs")" "$cpu" "$rss"
}

printf '%-4s %-8s %9s %7s %10s %9s %9s %7s %8s\n' run rate sent seconds sent/s counted dropped cpu_s rss_mib
for rate in $RATES; do
	for r in $(seq "$RUNS"); do
		one 1 "$rate"
		one "$J" "$rate"
	done
done
