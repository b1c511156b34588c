#!/bin/bash
# pipeline_files.sh - -j 1 with -r in two stages (--reader-thread: one
# thread reads, decodes and counts, the engine's takes only what detection
# needs, pipe.h) against one thread (--no-reader-thread): every capture of
# the corpus, the corpus in one run (time going back from one file to the
# next), the same with packets out of order (the time messages), and files
# of three link types in one run. The detections (every column but the
# row ids, src_bin and the probe signature: seq and times included), their
# evidence lines, the run row and every run counter must be the same (but
# the tables' evictions, which vary from run to run of one thread too: the
# tables' hash key is random). Also: the default is one thread,
# --evidence-pcap and a FIFO are read in one, and the stats
# interval stores the counters while the files are still being read.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# dump DB: what must not depend on the stages
dump() {
	local cols
	cols=$(q "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('detections')
	               WHERE name NOT IN ('id', 'run_id', 'probe_sig', 'src_bin')")
	echo "-- detections"
	q "$1" "SELECT $cols FROM detections ORDER BY seq"
	echo "-- evidence"
	q "$1" "SELECT d.seq, e.ts, e.line FROM evidence e JOIN detections d
	        ON d.id = e.detection_id ORDER BY d.seq, e.ts, e.id"
	echo "-- run"
	q "$1" "SELECT source, ifnull(filter, '-'), linktype, snaplen, started, ended, finished,
	               packets, bytes, dropped, ifdropped, decode_errors, ring_full, status,
	               active_seconds, peak_pps FROM runs"
	q "$1" "SELECT category, name, value FROM run_counters
	        WHERE NOT (category = 'table' AND name LIKE '%_evicted') ORDER BY 1, 2"
}

# run MODE FILE... : the dump of the run with --MODE (-v: its messages in
# $TMP/err.MODE)
run() {
	local mode=$1 db="$TMP/$1.db" f
	shift
	local args=()
	for f in "$@"; do args+=(-r "$f"); done
	rm -f "$db" "$db-wal" "$db-shm"
	"$SENSOR" -v -Z root -n pipe "--$mode" "${args[@]}" -w "$db" 2>"$TMP/err.$mode" ||
		fail "--$mode $*: exit $? ($(tail -n 3 "$TMP/err.$mode"))"
	dump "$db"
}

# same WHAT FILE...: both ways alike
same() {
	local what=$1
	shift
	run no-reader-thread "$@" >"$TMP/one"
	run reader-thread "$@" >"$TMP/two"
	CHECKS=$((CHECKS + 1))
	if cmp -s "$TMP/one" "$TMP/two"; then
		pass "$what: two stages as one thread"
	else
		fail "$what: two stages differ from one thread:"
		diff "$TMP/one" "$TMP/two" | head -20
	fi
	grep -q 'reader thread:' "$TMP/err.reader-thread" ||
		fail "$what: --reader-thread did not read in two stages"
	! grep -q 'reader thread:' "$TMP/err.no-reader-thread" ||
		fail "$what: --no-reader-thread read in two stages"
}

ndet=0
for f in "$CORPUS"/*.pcap; do
	same "$(basename "$f")" "$f"
	ndet=$((ndet + $(q "$TMP/reader-thread.db" "SELECT count(*) FROM detections")))
done
[ "$ndet" -ge 20 ] || fail "only $ndet detections on the corpus"

ALL=()
for f in "$CORPUS"/*.pcap; do ALL+=("$f"); done
same "the corpus in one run" "${ALL[@]}"

# shuffle IN OUT SEED: the packets of IN in an order a little off (each
# swapped with one of the next few, so time goes back now and then)
shuffle() {
	python3 - "$@" <<'PY'
import random, struct, sys
d = open(sys.argv[1], 'rb').read()
recs, o = [], 24
while o < len(d):
    cl = struct.unpack('<I', d[o + 8:o + 12])[0]
    recs.append(d[o:o + 16 + cl])
    o += 16 + cl
rnd = random.Random(int(sys.argv[3]))
for i in range(len(recs) - 1):
    if rnd.random() < 0.3:
        j = min(len(recs) - 1, i + rnd.randint(1, 5))
        recs[i], recs[j] = recs[j], recs[i]
open(sys.argv[2], 'wb').write(d[:24] + b''.join(recs))
PY
}
times=0
for name in dev_01_nmap_sS_top1000 dev_04_nmap_sU_top100 dev_09_nmap_slow_scan \
	dev_12d_benign_mix dev_13_mixed rw_05_nmap_frag rw_06_nmap_mtu8; do
	shuffle "$CORPUS/$name.pcap" "$TMP/$name.shuffled.pcap" 7 ||
		fail "cannot shuffle $name"
	same "$name, out of order" "$TMP/$name.shuffled.pcap"
	t=$(sed -n 's/.*reader thread: [0-9]* packets and \([0-9]*\) time messages.*/\1/p' \
		"$TMP/err.reader-thread")
	times=$((times + ${t:-0}))
done
[ "$times" -gt 0 ] || fail "out of order: no time message was passed (the test tests nothing)"

# relink IN OUT LINKTYPE: IN's Ethernet frames (untagged) as raw IP (101)
# or Linux cooked v1 (113)
relink() {
	python3 - "$@" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
lt = int(sys.argv[3])
out = [d[:20] + struct.pack('<I', lt)]
o = 24
while o < len(d):
    s, us, cl, ol = struct.unpack('<IIII', d[o:o + 16])
    fr = d[o + 16:o + 16 + cl]
    o += 16 + cl
    if cl < 14 or fr[12:14] not in (b'\x08\x00', b'\x86\xdd'):
        continue
    if lt == 101:
        fr, strip = fr[14:], 14
    else:
        fr, strip = struct.pack('>HHH8s', 0, 1, 6, fr[6:12] + b'\0\0') + fr[12:], -2
    out.append(struct.pack('<IIII', s, us, len(fr), ol - strip) + fr)
open(sys.argv[2], 'wb').write(b''.join(out))
PY
}
relink "$CORPUS/dev_02_nmap_sT_top500.pcap" "$TMP/raw.pcap" 101 || fail "cannot relink to raw"
relink "$CORPUS/dev_10_nmap_ipv6_sS.pcap" "$TMP/sll.pcap" 113 || fail "cannot relink to SLL"
same "three link types in one run" "$CORPUS/dev_05_nmap_sn_pingsweep.pcap" "$TMP/raw.pcap" \
	"$TMP/sll.pcap"
check "three link types in one run: all named" "EN10MB,RAW,LINUX_SLL" \
	"$(q "$TMP/reader-thread.db" "SELECT linktype FROM runs")"
check "three link types in one run: detections in each" 3 \
	"$(q "$TMP/reader-thread.db" "SELECT count(DISTINCT kind) FROM detections")"

# the default: one thread; never two stages with --evidence-pcap
C1="$CORPUS/dev_01_nmap_sS_top1000.pcap"
rm -f "$TMP/d.db"*
"$SENSOR" -v -Z root -r "$C1" -w "$TMP/d.db" 2>"$TMP/err" || fail "default run: exit $?"
CHECKS=$((CHECKS + 1))
grep -q 'reader thread:' "$TMP/err" && fail "the default: two stages"
rm -f "$TMP/d.db"*
"$SENSOR" -v -Z root --reader-thread -r "$C1" -w "$TMP/d.db" --evidence-pcap "$TMP/ev.pcap" \
	2>"$TMP/err" || fail "--evidence-pcap run: exit $?"
CHECKS=$((CHECKS + 1))
grep -q 'reader thread:' "$TMP/err" && fail "--evidence-pcap: read in two stages"
[ -s "$TMP/ev.pcap" ] || fail "--evidence-pcap: no evidence written"

# the stats interval while the files are read, in two stages: the
# counters are stored before the end. dev_14 (204,743 packets) 24 times in
# one run, and twice as many again while a run ends before the poll below
# has seen a count between 0 and the whole (an optimised build reads 24
# copies in well under the 1 s interval); at most 384 copies.
copies=24
mid=0
while :; do
	BIG=()
	for i in $(seq $copies); do BIG+=(-r "$CORPUS/dev_14_big_mixed_snap96.pcap"); done
	total=$((204743 * copies))
	rm -f "$TMP/s.db"*
	"$SENSOR" -v -Z root --reader-thread --stats-interval 1 "${BIG[@]}" -w "$TMP/s.db" \
		2>"$TMP/err.stats" &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		n=$(q "$TMP/s.db" "SELECT packets FROM v_runs" 2>/dev/null)
		[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt "$total" ] && mid=$n
		sleep 0.1
	done
	wait $pid || fail "--reader-thread --stats-interval 1: exit $?"
	[ "$mid" -gt 0 ] || [ "$copies" -ge 384 ] && break
	copies=$((copies * 2))
done
check_match "--stats-interval 1: two stages" "reader thread:" "$(cat "$TMP/err.stats")"
CHECKS=$((CHECKS + 1))
if [ "$mid" -gt 0 ]; then
	pass "--reader-thread: the counters stored while the files are read ($mid of $total packets)"
else
	fail "--reader-thread: no counters stored while the files were read ($copies copies)"
fi
check "--reader-thread --stats-interval 1: every packet in the end" "$total" \
	"$(q "$TMP/s.db" "SELECT packets FROM runs")"

# from a FIFO (a pipe) one thread reads, with --reader-thread too: a
# reader waiting for the next packet would hold back the last ones from
# detection. Fed in three parts with pauses: the counters of the first two
# are stored before the third comes (the stats go after a batch of
# packets is read: 4096, or the end of what is there)
mkfifo "$TMP/fifo" || fail "mkfifo"
for mode in reader-thread no-reader-thread; do
	rm -f "$TMP/f.db"*
	"$SENSOR" -v -Z root "--$mode" --stats-interval 1 -r "$TMP/fifo" -w "$TMP/f.db" \
		2>"$TMP/err.fifo" &
	pid=$!
	python3 - "$CORPUS/dev_14_big_mixed_snap96.pcap" "$TMP/fifo" "$TMP/f.db" <<'PY' >"$TMP/fifo.out"
import sqlite3, struct, sys, time
d = open(sys.argv[1], 'rb').read()
recs, o = [], 24
while o < len(d):
    cl = struct.unpack('<I', d[o + 8:o + 12])[0]
    recs.append(d[o:o + 16 + cl])
    o += 16 + cl
def stored():
    try:
        c = sqlite3.connect(sys.argv[3], timeout=5)
        n = c.execute('SELECT packets FROM v_runs').fetchone()[0]
        c.close()
        return n or 0
    except Exception:
        return -1
with open(sys.argv[2], 'wb', buffering=0) as f:
    f.write(d[:24] + b''.join(recs[:10000]))
    time.sleep(1.5)
    f.write(b''.join(recs[10000:20000]))
    n = -1
    for i in range(40):
        time.sleep(0.1)
        n = stored()
        if n >= 10000:
            break
    print(n)
    f.write(b''.join(recs[20000:]))
PY
	wait $pid || fail "--$mode from a FIFO: exit $?"
	n=$(cat "$TMP/fifo.out")
	CHECKS=$((CHECKS + 1))
	if [ "${n:-0}" -ge 10000 ] && [ "$n" -lt 204743 ]; then
		pass "--$mode from a FIFO: the counters stored while it is read ($n packets)"
	else
		fail "--$mode from a FIFO: the counters while it is read: '$n' packets stored"
	fi
	check "--$mode from a FIFO: every packet in the end" 204743 \
		"$(q "$TMP/f.db" "SELECT packets FROM runs")"
	CHECKS=$((CHECKS + 1))
	grep -q 'reader thread:' "$TMP/err.fifo" && fail "--$mode from a FIFO: two stages"
done
finish
