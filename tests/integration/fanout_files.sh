#!/bin/bash
# fanout_files.sh - -j N with -r: every capture of the corpus read with -j 1
# and then -j 2 and -j 3 (one reader thread, the packets split by the fanout
# rule), with [networks] home set as in fanout.sh, and -j 2 once more with
# no home (the lower address picks the worker). For each capture the
# detections (every column but the row ids, the seq, src_bin and the probe
# signature), their evidence lines, the run row (times, packets, bytes,
# errors, status, active seconds, peak rate) and every run counter must be
# those of -j 1: times included, as each worker's clock and expiries follow
# packet time (the reader's ticks), and the end of the file closes every
# worker at the last packet time.
#
# Left out of the comparison: the carpet SYN flood from random forged
# sources (rw_08), which the rule spreads over the workers as live -j N
# does (fanout.sh, README), and whose syn_flood's first packet and count
# depend on which worker's packet crosses the threshold: checked on its
# own below, several runs each (the workers' clocks diverge differently
# each time), for one syn_flood as with -j 1 and no row from a forged
# source; and the same flood twice, 20 s apart, for -j 1's two. The big mixed capture
# (dev_14) fills the flood table (its evictions vary from run to run with
# -j 1 too: the table's hash key is random), and each worker has a table
# of its own, so a flood's entry may live longer or shorter: there
# the detections are compared by kind, variant, source, targets and ports
# (as fanout.sh compares them), and the counters but the table's.
# Also: bad -j values are refused as before, and -j N with --evidence-pcap.
. "$(dirname "$0")/lib.sh"
need_sqlite3

C1="$CORPUS/dev_01_nmap_sS_top1000.pcap"
"$SENSOR" -j 0 -r "$C1" -w "$TMP/x.db" 2>"$TMP/err"
check "-j 0: usage error" 2 "$?"
check_match "-j 0: names the option" "-j" "$(cat "$TMP/err")"
"$SENSOR" -j 17 -r "$C1" -w "$TMP/x.db" 2>"$TMP/err"
check "-j 17 with -r: usage error" 2 "$?"
check_match "-j 17 with -r: names the bound" "-j.*16" "$(cat "$TMP/err")"
"$SENSOR" -j two -r "$C1" -w "$TMP/x.db" 2>"$TMP/err"
check "-j two: usage error" 2 "$?"
"$SENSOR" -j 2 -r "$C1" -w "$TMP/x.db" --evidence-pcap "$TMP/ev.pcap" 2>"$TMP/err"
check "-j 2 with --evidence-pcap: usage error" 2 "$?"
[ ! -e "$TMP/x.db" ] || fail "a refused -j made a database"

printf '[networks]\nhome = 203.0.113.0/24, 2001:db8:113::/48\n' >"$TMP/home.conf"
: >"$TMP/none.conf"

# dump DB: what must not depend on -j, in an order that does not either
dump() {
	local cols
	cols=$(q "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('detections')
	               WHERE name NOT IN ('id', 'run_id', 'seq', 'probe_sig', 'src_bin')")
	echo "-- detections"
	q "$1" "SELECT $cols FROM detections" | sort
	echo "-- evidence"
	q "$1" "SELECT d.kind, ifnull(d.variant, '-'), d.src, d.first_seen, e.ts, e.line
	        FROM evidence e JOIN detections d ON d.id = e.detection_id" | sort
	echo "-- run"
	q "$1" "SELECT source, ifnull(filter, '-'), linktype, snaplen, started, ended, finished,
	               packets, bytes, dropped, ifdropped, decode_errors, ring_full, status,
	               active_seconds, peak_pps FROM runs"
	# flood_evicted is left out: it varies from run to run with -j 1 too
	# (the flood table's hash key is random; dev_11 evicts now and then)
	q "$1" "SELECT category, name, value FROM run_counters
	        WHERE NOT (category = 'table' AND name = 'flood_evicted') ORDER BY 1, 2"
}

# loose DUMP: what dev_14 must keep whatever the tables evict
loose() {
	sed -n '/^-- detections/,/^-- evidence/p' "$1" | cut -d'|' -f1,2,4,11,13
	sed -n '/^-- run/,$p' "$1" | grep -v '^table|'
}

# run J CONF FILE | run J CONF -r FILE...: the dump of the run with -j J
run() {
	local j=$1 conf=$2 db="$TMP/j$1.db" what
	shift 2
	[ $# = 1 ] && set -- -r "$1"
	what=$(basename "$2")
	[ $# -gt 2 ] && what="$(($# / 2)) files"
	rm -f "$db" "$db-wal" "$db-shm"
	"$SENSOR" -q -Z root -n split -j "$j" -c "$conf" "$@" -w "$db" 2>"$TMP/err.$j" ||
		fail "-j $j $what: exit $? ($(cat "$TMP/err.$j"))"
	grep -v 'more workers than the' "$TMP/err.$j" >"$TMP/err.rest"
	[ -s "$TMP/err.rest" ] && fail "-j $j $what: said $(cat "$TMP/err.rest")"
	dump "$db"
}

ndet=0
for f in "$CORPUS"/*.pcap; do
	name=$(basename "$f")
	case $name in rw_08_*) continue ;; esac
	for conf in home none; do
		run 1 "$TMP/$conf.conf" "$f" >"$TMP/d1"
		[ "$conf" = home ] && ndet=$((ndet + $(sed -n '/^-- detections/,/^-- evidence/p' "$TMP/d1" | grep -vc '^--')))
		if [ "$conf" = home ]; then js="2 3"; else js="2"; fi
		case $name in dev_14_*) js=2 ;; esac
		for j in $js; do
			run "$j" "$TMP/$conf.conf" "$f" >"$TMP/d$j"
			case $name in
			dev_14_*)
				loose "$TMP/d1" >"$TMP/d1.loose"
				loose "$TMP/d$j" >"$TMP/d$j.loose"
				cmp -s "$TMP/d1.loose" "$TMP/d$j.loose" ;;
			*) cmp -s "$TMP/d1" "$TMP/d$j" ;;
			esac
			if [ $? = 0 ]; then
				pass "$name, $conf home: -j $j as -j 1"
				CHECKS=$((CHECKS + 1))
			else
				fail "$name, $conf home: -j $j differs from -j 1:"
				diff "$TMP/d1" "$TMP/d$j" | head -20
			fi
		done
	done
done
[ "$ndet" -ge 20 ] || fail "-j 1 found only $ndet detections on the corpus"

# the captures in one run (-r, one after the other): long stretches of
# packet time in which a worker gets nothing while its state must expire,
# and time going back from one file to the next.
ALL=
for f in "$CORPUS"/*.pcap; do
	case $(basename "$f") in rw_08_*|dev_14_*) continue ;; esac
	ALL="$ALL -r $f"
done
# shellcheck disable=SC2086
run_all() { run "$1" "$TMP/home.conf" $ALL; }
run_all 1 >"$TMP/all1"
for j in 2 3; do
	run_all "$j" >"$TMP/all$j"
	if cmp -s "$TMP/all1" "$TMP/all$j"; then
		pass "the corpus in one run: -j $j as -j 1"
		CHECKS=$((CHECKS + 1))
	else
		fail "the corpus in one run: -j $j differs from -j 1:"
		diff "$TMP/all1" "$TMP/all$j" | head -20
	fi
done

# the carpet flood of forged sources (rw_08): split over the workers by its
# random sources, each counts its share in the one flood table they share,
# and however far apart the workers' packet clocks run (they differ from
# run to run), the flood is one syn_flood from the unspecified address with
# the packets -j 1 counts (give or take the window edges: which worker's
# packet crosses the threshold), and none of its forged sources is a row
# (each of their contacts settles while the flood is open for all workers,
# as with -j 1). Five runs each with -j 2 and -j 3.
f="$CORPUS/rw_08_carpet_synflood.pcap"
run 1 "$TMP/home.conf" "$f" >"$TMP/d1"
check "rw_08 -j 1: one syn_flood from 0.0.0.0, nothing else" "syn_flood 0.0.0.0" \
	"$(q "$TMP/j1.db" "SELECT kind, src FROM detections" | tr '|' ' ')"
p1=$(q "$TMP/j1.db" "SELECT packets FROM detections")
# flood_rows DB: kind, source and close of each detection, in order
flood_rows() {
	q "$1" "SELECT kind, src, closed_at FROM detections ORDER BY first_seen" | tr '|' ' '
}
# packets_near DB P1...: each detection's packets (by first_seen) within 1 % of -j 1's
packets_near() {
	local db=$1 p
	shift
	for p in $(q "$db" "SELECT packets FROM detections ORDER BY first_seen"); do
		[ $# -gt 0 ] && [ $(( (p - $1) * 100 / $1 )) = 0 ] || { echo "$p"; return; }
		shift
	done
	echo ok
}
for j in 2 3; do
	for r in 1 2 3 4 5; do
		run "$j" "$TMP/home.conf" "$f" >"$TMP/d$j"
		check "rw_08 -j $j, run $r: packets, bytes, traffic counted as -j 1" \
			"$(sed -n '/^-- run/,$p' "$TMP/d1" | grep -v '^table|')" \
			"$(sed -n '/^-- run/,$p' "$TMP/d$j" | grep -v '^table|')"
		check "rw_08 -j $j, run $r: one syn_flood from 0.0.0.0 and nothing else, as -j 1" \
			"$(flood_rows "$TMP/j1.db")" "$(flood_rows "$TMP/j$j.db")"
		check "rw_08 -j $j, run $r: the syn_flood's packets within 1 % of -j 1's ($p1)" ok \
			"$(packets_near "$TMP/j$j.db" "$p1")"
	done
done

# the same flood twice, 20 s of packet time apart: -j 1 closes the first at
# the second's first packet (10 s quiet) and opens another. With -j N a
# worker ahead finds the first over while the others have its last packets
# still to count: it must wait for them to close it, and count the
# second's packets for the second flood, not the first.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$f" "$TMP/twice.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
recs, o = [], 24
while o < len(d):
    s, us, cl, ol = struct.unpack('<IIII', d[o:o + 16])
    recs.append((s, us, ol, d[o + 16:o + 16 + cl]))
    o += 16 + cl
with open(sys.argv[2], 'wb') as out:
    out.write(d[:24])
    for shift in (0, 20):
        for s, us, ol, data in recs:
            out.write(struct.pack('<IIII', s + shift, us, len(data), ol) + data)
PY
	run 1 "$TMP/home.conf" "$TMP/twice.pcap" >/dev/null
	check "rw_08 twice, -j 1: two syn_floods from 0.0.0.0, nothing else" "syn_flood 0.0.0.0
syn_flood 0.0.0.0" "$(q "$TMP/j1.db" "SELECT kind, src FROM detections" | tr '|' ' ')"
	# shellcheck disable=SC2046
	set -- $(q "$TMP/j1.db" "SELECT packets FROM detections ORDER BY first_seen")
	for j in 2 3; do
		for r in 1 2 3; do
			run "$j" "$TMP/home.conf" "$TMP/twice.pcap" >/dev/null
			check "rw_08 twice, -j $j, run $r: the two syn_floods of -j 1, closed as -j 1's" \
				"$(flood_rows "$TMP/j1.db")" "$(flood_rows "$TMP/j$j.db")"
			check "rw_08 twice, -j $j, run $r: their packets within 1 % of -j 1's ($*)" ok \
				"$(packets_near "$TMP/j$j.db" "$@")"
		done
	done
else
	echo "# python3 not installed: rw_08 twice skipped"
fi
finish
