#!/bin/sh
# tests/bench/instr.sh - owns `make bench-instr`: instructions per packet,
# counted by callgrind (valgrind), of the floor's read loop and of the
# sensor's packet loop on a slice of each benchmark capture. Instruction
# counts do not drift with the load of a shared machine the way the wall
# clock does, so they decide between two versions of the packet path.
# Only what runs inside pcap_dispatch() is counted (--toggle-collect), in
# both programs: the read loop and its callback, not start-up, creating the
# database or the writer thread.
#
# usage: instr.sh BUILDDIR
# environment: BENCH_INSTR_PACKETS (packets per capture, default 500000),
#   BENCH_CAPTURES (default "mixed flood heavy flood24"), BENCH_INSTR_KEEP
#   (a folder: keep the callgrind files there, for callgrind_annotate),
#   VALGRIND (default valgrind; make passes the one configure found), SENSOR,
#   PKTGEN, FLOOR, TMPDIR.

me=instr.sh
. "$(dirname "$0")/common.sh"
take_builddir "$@"
VALGRIND=${VALGRIND:-valgrind}
n=${BENCH_INSTR_PACKETS:-500000}
captures=${BENCH_CAPTURES:-mixed flood heavy flood24}
keep=${BENCH_INSTR_KEEP:-}

case $n in
'' | *[!0-9]* | 0)
	echo "$me: BENCH_INSTR_PACKETS must be a positive number, not '$n'" >&2
	exit 2 ;;
esac
check_captures "$captures"
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "$me: $VALGRIND: not found (install the Debian package valgrind)" >&2
	exit 1
fi
need_programs bench-instr "$PKTGEN" "$FLOOR" "$SENSOR"
if [ -n "$keep" ] && ! mkdir -p "$keep"; then
	echo "$me: BENCH_INSTR_KEEP: cannot make $keep" >&2
	exit 1
fi

make_tmp instr

# callgrind OUT CMD...: runs CMD under callgrind counting inside
# pcap_dispatch only; prints the instructions counted
callgrind() {
	cg_out=$1
	shift
	"$VALGRIND" --tool=callgrind --toggle-collect=pcap_dispatch \
		--callgrind-out-file="$cg_out" "$@" >"$tmp/cg.log" 2>&1 || {
		tail -n 20 "$tmp/cg.log" >&2
		return 1
	}
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cg_out"
}

echo "sensor:  $SENSOR"
echo "callgrind, $n packets of each capture, instructions inside pcap_dispatch()"
echo
: >"$tmp/results"
for name in $captures; do
	cap=$tmp/$name.pcap
	make_capture "$name" "$n" "$cap" -q
	out=${keep:-$tmp}
	fi=$(callgrind "$out/callgrind.floor.$name" "$FLOOR" "$cap") ||
		fail "floor failed under callgrind on the $name capture"
	rm -f "$tmp/i.db" "$tmp/i.db-wal" "$tmp/i.db-shm"
	# root stays root (-Z root) and no system-call filter: valgrind needs
	# its own system calls and files; the packet path is the same
	si=$(callgrind "$out/callgrind.sensor.$name" "$SENSOR" -q -Z root --no-seccomp \
		-r "$cap" -w "$tmp/i.db") ||
		fail "the sensor failed under callgrind on the $name capture"
	[ -n "$fi" ] && [ -n "$si" ] || fail "no instruction count in the callgrind output ($name)"
	echo "$name $n $fi $si" >>"$tmp/results"
done
awk 'BEGIN {
	printf "%-8s %8s | %12s %12s | %8s\n", "capture", "packets", "floor I/pkt", "sensor I/pkt", "ratio"
}
{
	f = $3 / $2; s = $4 / $2
	printf "%-8s %8s | %12.0f %12.0f | %7.1f%%\n", $1, $2, f, s, (s > 0 ? 100 * f / s : 0)
}' "$tmp/results"
[ -z "$keep" ] || echo "callgrind files kept in $keep (callgrind_annotate FILE)"
exit 0
