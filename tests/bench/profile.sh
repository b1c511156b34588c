#!/bin/sh
# tests/bench/profile.sh - owns `make bench-profile`: where the sensor's
# wall time goes on each benchmark capture, by sampling it with perf's
# software clock (perf record -e cpu-clock: no hardware counters needed,
# so it works on virtual machines that have none). Unlike callgrind's
# instruction counts (instr.sh), the samples fall where the time is spent,
# waits on memory included: a load that misses every cache shows, an
# instruction run in the shadow of one does not. Prints, per capture, the
# functions with the largest shares of the sensor's samples (all its
# threads, kernel included: the read of the capture is the floor's too).
#
# usage: profile.sh BUILDDIR
# environment: BENCH_PROFILE_PACKETS (packets per capture, default
#   2000000), BENCH_CAPTURES (default "mixed flood heavy flood24"),
#   BENCH_PROFILE_TOP (functions shown, default 15), BENCH_PROFILE_KEEP (a
#   folder: keep the perf.data files there, for perf report/annotate),
#   PERF (default perf), SENSOR, PKTGEN, TMPDIR.

me=profile.sh
. "$(dirname "$0")/common.sh"
take_builddir "$@"
PERF=${PERF:-perf}
n=${BENCH_PROFILE_PACKETS:-2000000}
top=${BENCH_PROFILE_TOP:-15}
captures=${BENCH_CAPTURES:-mixed flood heavy flood24}
keep=${BENCH_PROFILE_KEEP:-}

for v in "BENCH_PROFILE_PACKETS=$n" "BENCH_PROFILE_TOP=$top"; do
	case ${v#*=} in
	'' | *[!0-9]* | 0)
		echo "$me: ${v%%=*} must be a positive number, not '${v#*=}'" >&2
		exit 2 ;;
	esac
done
check_captures "$captures"
if ! command -v "$PERF" >/dev/null 2>&1; then
	echo "$me: $PERF: not found (install the Debian package linux-perf)" >&2
	exit 1
fi
need_programs bench-profile "$PKTGEN" "$SENSOR"
if [ -n "$keep" ] && ! mkdir -p "$keep"; then
	echo "$me: BENCH_PROFILE_KEEP: cannot make $keep" >&2
	exit 1
fi

make_tmp profile

echo "sensor:  $SENSOR"
echo "perf record -e cpu-clock, $n packets of each capture; share of the sensor's samples"
for name in $captures; do
	cap=$tmp/$name.pcap
	data=${keep:-$tmp}/perf.$name.data
	make_capture "$name" "$n" "$cap" -q
	rm -f "$tmp/p.db" "$tmp/p.db-wal" "$tmp/p.db-shm"
	# root stays root (-Z root) and no system-call filter: perf's
	# counters are opened before the sensor drops anything, but keep the
	# run as plain as the bench's
	"$PERF" record -q -e cpu-clock -F 4999 -o "$data" \
		"$SENSOR" -q -Z root --no-seccomp -r "$cap" -w "$tmp/p.db" >"$tmp/perf.log" 2>&1 ||
		{ cat "$tmp/perf.log" >&2; fail "perf record or the sensor failed on the $name capture"; }
	echo
	echo "$name:"
	"$PERF" report -q -i "$data" --no-children --sort dso,symbol --stdio 2>/dev/null |
		awk -v top="$top" 'NF >= 3 && $1 ~ /%$/ && shown < top {
			sub(/[ \t-]+$/, ""); sub(/^[ \t]+/, ""); print "  " $0; shown++ }'
	rm -f "$cap"
done
[ -z "$keep" ] || echo "perf files kept in $keep (perf report -i FILE, perf annotate -i FILE SYMBOL)"
