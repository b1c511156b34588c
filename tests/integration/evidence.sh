#!/bin/bash
# evidence.sh - spanwatch-analyzer --evidence INCIDENT -o DIR: the packets
# of one incident read back from the run's capture file (the same packets
# tcpdump finds with a filter and window this test builds itself), a
# manifest that sha256sum -c verifies and that fails once a file changes,
# the capture's own SHA-256; a missing or changed capture, a non-empty DIR
# and an unknown incident refused with one line and nothing written; the
# sensor's --evidence-pcap and its caps on a file, an export from it when
# its run recorded no size; and (as root) a live capture on lo kept with
# --evidence-pcap, then exported.
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ -n "$TCPDUMP" ] || skip_all "tcpdump not installed"
command -v sha256sum >/dev/null || skip_all "sha256sum not installed"

# the capture is copied so that the test can move and change it
mkdir "$TMP/caps"
cp "$CORPUS/dev_13_mixed.pcap" "$TMP/caps/mixed.pcap"
CAP="$TMP/caps/mixed.pcap"
DB="$TMP/ev.db"
# a relative -r path: the run must record where the file really is
(cd "$TMP/caps" && "$SENSOR" -q -n evidence-test -r mixed.pcap -w "$DB") ||
	fail "sensor exited $?"
"$ANALYZER" -q -w "$DB" || fail "analyzer exited $?"
touch -r "$CAP" "$TMP/mtime.ref" # the capture's time as the sensor saw it

check "runs.source keeps what was given" "mixed.pcap" "$(q "$DB" "SELECT source FROM runs WHERE id = 1")"
check "run_files holds the absolute path, size and mtime" \
	"capture|$(realpath "$CAP")|$(stat -c %s "$CAP")|$(stat -c %Y "$CAP")" \
	"$(q "$DB" "SELECT kind, path, size, mtime / 1000000 FROM run_files")"

# the host sweep of 192.0.2.60 (its detections and their replies)
SRC=192.0.2.60
ID=$(q "$DB" "SELECT id FROM incidents WHERE src = '$SRC' AND level = 'source'")
FIRST=$(q "$DB" "SELECT first_seen FROM incidents WHERE id = $ID")
LAST=$(q "$DB" "SELECT last_seen FROM incidents WHERE id = $ID")
check_match "an incident to export" '^[0-9]+$' "$ID"

# what the export should hold, found by tcpdump alone: host SRC, both
# directions, time-stamped within [first_seen, last_seen] (microseconds)
in_window() {
	awk -v first="$FIRST" -v last="$LAST" '{
		split($1, t, "."); us = t[1] * 1000000 + t[2]
		if (us >= first && us <= last) print }'
}
"$TCPDUMP" -nn -tt -r "$CAP" "host $SRC" 2>/dev/null | in_window > "$TMP/expected.txt"
WANT=$(wc -l < "$TMP/expected.txt")
ALL=$("$TCPDUMP" -nn -r "$CAP" 2>/dev/null | wc -l)
check_match "the incident has packets, fewer than the capture" '^[1-9]' "$WANT"
check "the filter leaves the capture's other packets out" yes \
	"$([ "$WANT" -lt "$ALL" ] && echo yes || echo no)"

OUT="$TMP/export"
err=$("$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$OUT" 2>&1); rc=$?
check "the export exits 0" 0 "$rc"
check "and says nothing with -q" "" "$err"
check "it writes five files" \
	"captures.sha256 evidence.txt manifest.sha256 manifest.txt packets.pcap" \
	"$(ls "$OUT" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check "tcpdump counts as many packets in packets.pcap as in the capture" "$WANT" \
	"$("$TCPDUMP" -nn -r "$OUT/packets.pcap" 2>/dev/null | wc -l)"
"$TCPDUMP" -nn -tt -r "$OUT/packets.pcap" 2>/dev/null > "$TMP/got.txt"
check "the very same packets, in order" "" "$(diff "$TMP/expected.txt" "$TMP/got.txt" | head -3)"

check "sha256sum -c verifies the manifest" 0 \
	"$(cd "$OUT" && sha256sum --quiet --strict -c manifest.sha256 >/dev/null 2>&1; echo $?)"
check "manifest.sha256 covers every other file" \
	"captures.sha256 evidence.txt manifest.txt packets.pcap" \
	"$(awk '{ print $2 }' "$OUT/manifest.sha256" | sort | tr '\n' ' ' | sed 's/ $//')"
cp "$OUT/evidence.txt" "$TMP/evidence.saved"
echo "a line added later" >> "$OUT/evidence.txt"
check "and fails once a file is modified" 1 \
	"$(cd "$OUT" && sha256sum --quiet -c manifest.sha256 >/dev/null 2>&1; echo $?)"
cp "$TMP/evidence.saved" "$OUT/evidence.txt"
printf '\001' | dd of="$OUT/packets.pcap" bs=1 seek=100 conv=notrunc 2>/dev/null
check "or a byte of the pcap flipped" 1 \
	"$(cd "$OUT" && sha256sum --quiet -c manifest.sha256 >/dev/null 2>&1; echo $?)"

check "the capture's SHA-256 in the manifest is sha256sum's" \
	"$(sha256sum "$CAP" | cut -d' ' -f1)" \
	"$(awk '$1 == "sha256:" { print $2 }' "$OUT/manifest.txt")"
check "captures.sha256 verifies the capture in place" 0 \
	"$(sha256sum --quiet --strict -c "$OUT/captures.sha256" >/dev/null 2>&1; echo $?)"
M=$(cat "$OUT/manifest.txt")
check_match "the manifest names the capture, its size" \
	"capture: $(realpath "$CAP")
  run: 1, file 1
  sha256: [0-9a-f]{64}
  size: $(stat -c %s "$CAP") bytes" "$M"
check_match "the sensor and the run" "run: 1
  sensor: evidence-test" "$M"
check_match "the program and its version" "program: spanwatch-analyzer [0-9]+\.[0-9]+" "$M"
check_match "the time of export" "exported: 20[0-9-]{8}T[0-9:.]+Z" "$M"
check_match "the incident's times, in microseconds too" \
	"incident first seen: [0-9T:.-]+Z \($FIRST us\).*incident last seen: [0-9T:.-]+Z \($LAST us\)" \
	"$(echo "$M" | tr '\n' ' ')"
check_match "the filter" "bpf filter: .*host $SRC" "$M"
check_match "and how many packets were kept" "packets.pcap: $WANT packets, link type EN10MB" "$M"
E=$(cat "$OUT/evidence.txt")
check_match "evidence.txt: the incident" "^incident $ID \(source level\): host_sweep from $SRC" "$E"
check "evidence.txt: every evidence line of its detections" \
	"$(q "$DB" "SELECT count(*) FROM evidence e JOIN incident_detections x ON x.detection_id = e.detection_id
	            WHERE x.incident_id = $ID")" \
	"$(grep -c '^    20' "$OUT/evidence.txt")"
check "evidence.txt: each detection" \
	"$(q "$DB" "SELECT count(*) FROM incident_detections WHERE incident_id = $ID")" \
	"$(grep -c '^detection [0-9]* (run 1, sensor evidence-test): ' "$OUT/evidence.txt")"

# refusals: one line, status, nothing written
err=$("$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$OUT" 2>&1); rc=$?
check "a non-empty DIR is refused with status 2" 2 "$rc"
check_match "in one line naming it" "^spanwatch-analyzer: $OUT: exists and is not empty; refusing to write into it$" "$err"
check "and left as it was" 5 "$(ls "$OUT" | wc -l)"
mkdir "$TMP/empty"
"$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$TMP/empty" 2>/dev/null; rc=$?
check "an empty DIR is used" "0 5" "$rc $(ls "$TMP/empty" | wc -l)"
err=$("$ANALYZER" -q -w "$DB" --evidence 99999 -o "$TMP/none" 2>&1); rc=$?
check "an unknown incident: status 2" 2 "$rc"
check_match "named in one line" "^spanwatch-analyzer: .*: no incident 99999" "$err"
out=$("$ANALYZER" -q -w "$DB" --evidence "$ID" 2>&1); rc=$?
check "--evidence without -o is a usage error" 2 "$rc"

mv "$CAP" "$TMP/moved.pcap"
err=$("$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$TMP/gone" 2>&1); rc=$?
check "a missing capture: status 1" 1 "$rc"
check "in one line naming the file" 1 "$(printf '%s\n' "$err" | wc -l)"
check_match "saying it is missing" "^spanwatch-analyzer: $(realpath "$TMP/caps")/mixed.pcap: missing \(capture of run 1\)$" "$err"
check "no DIR, nothing beside it" "" "$(ls -d "$TMP"/gone* 2>/dev/null)"
mv "$TMP/moved.pcap" "$CAP"
touch -d '2001-01-01 00:00:00 UTC' "$CAP"
err=$("$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$TMP/touched" 2>&1); rc=$?
check "a capture modified since: status 1" 1 "$rc"
check_match "in one line naming the file" "^spanwatch-analyzer: [^ ]*/mixed.pcap: changed since the sensor recorded it \(modified 2001-01-01" "$err"
check "no DIR, nothing beside it" "" "$(ls -d "$TMP"/touched* 2>/dev/null)"
touch -r "$TMP/mtime.ref" "$CAP"
"$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$TMP/again" 2>/dev/null; rc=$?
check "its time put back, the capture exports again" 0 "$rc"
# one byte more, the time put back: the size alone tells
printf 'x' >> "$CAP"
touch -r "$TMP/mtime.ref" "$CAP"
err=$("$ANALYZER" -q -w "$DB" --evidence "$ID" -o "$TMP/grown" 2>&1); rc=$?
check "a capture that grew: status 1" 1 "$rc"
check_match "its sizes named" "mixed.pcap: changed since the sensor recorded it \(size [0-9]+, recorded [0-9]+; run 1\)$" "$err"
check "no DIR, nothing beside it" "" "$(ls -d "$TMP"/grown* 2>/dev/null)"

# --evidence-pcap on a capture file (deterministic): what is kept and its caps
F="$CORPUS/dev_01_nmap_sS_top1000.pcap"
A=198.51.100.66
"$SENSOR" -q -n evpcap-test -r "$F" -w "$TMP/evf.db" --evidence-pcap "$TMP/evf.pcap" ||
	fail "sensor with --evidence-pcap exited $?"
check "the evidence pcap is recorded with the run, its final size too" \
	"evidence|$TMP/evf.pcap|$(stat -c %s "$TMP/evf.pcap")" \
	"$(q "$TMP/evf.db" "SELECT kind, path, size FROM run_files WHERE seq = 2")"
check "one detection, its first 1000 packets kept (the default cap)" "1 1000" \
	"$(q "$TMP/evf.db" "SELECT count(*) FROM detections") $("$TCPDUMP" -nn -r "$TMP/evf.pcap" 2>/dev/null | wc -l)"
check "they begin with the source's first packet, from before the detection" \
	"$("$TCPDUMP" -nn -tt -r "$F" "ip host $A" 2>/dev/null | head -1)" \
	"$("$TCPDUMP" -nn -tt -r "$TMP/evf.pcap" 2>/dev/null | head -1)"
check "and hold only packets of the source" 1000 \
	"$("$TCPDUMP" -nn -r "$TMP/evf.pcap" "host $A" 2>/dev/null | wc -l)"
"$SENSOR" -q -n evpcap-test -r "$F" -w "$TMP/evf2.db" --evidence-pcap "$TMP/evf2.pcap" \
	--evidence-recent 0 --evidence-per-detection 10
first=$("$TCPDUMP" -nn -tt -r "$TMP/evf2.pcap" 2>/dev/null | head -1 | cut -d' ' -f1 | tr -d .)
check "--evidence-per-detection 10: 10 packets" 10 "$("$TCPDUMP" -nn -r "$TMP/evf2.pcap" 2>/dev/null | wc -l)"
check "--evidence-recent 0: nothing from before the detection" 1 \
	"$(q "$TMP/evf2.db" "SELECT $first >= detected_at FROM detections")"
"$SENSOR" -q -n evpcap-test -r "$F" -w "$TMP/evf3.db" --evidence-pcap "$TMP/evf3.pcap" \
	--evidence-max-packets 7
check "--evidence-max-packets 7: 7 packets" 7 "$("$TCPDUMP" -nn -r "$TMP/evf3.pcap" 2>/dev/null | wc -l)"
out=$("$SENSOR" -q -n evpcap-test -r "$F" -w "$TMP/evf3.db" --evidence-pcap "$TMP/evf3.pcap" 2>&1); rc=$?
check "an existing evidence pcap is never overwritten" "1 7" \
	"$rc $("$TCPDUMP" -nn -r "$TMP/evf3.pcap" 2>/dev/null | wc -l)"
check_match "and the sensor says so" "evf3.pcap: File exists \(evidence is never overwritten\)" "$out"
check "and records no run" 1 "$(q "$TMP/evf3.db" "SELECT count(*) FROM runs")"

# an export from an evidence pcap whose run never ended (a sensor killed
# with SIGKILL records no size): read all the same, and said so
q "$TMP/evf.db" "DELETE FROM run_files WHERE kind = 'capture'; UPDATE run_files SET size = NULL, mtime = NULL"
"$ANALYZER" -q -w "$TMP/evf.db" || fail "analyzer on evf.db exited $?"
FID=$(q "$TMP/evf.db" "SELECT id FROM incidents WHERE src = '$A'")
FIRST=$(q "$TMP/evf.db" "SELECT first_seen FROM incidents WHERE id = $FID")
LAST=$(q "$TMP/evf.db" "SELECT last_seen FROM incidents WHERE id = $FID")
WANT=$("$TCPDUMP" -nn -tt -r "$TMP/evf.pcap" "host $A" 2>/dev/null | in_window | wc -l)
"$ANALYZER" -q -w "$TMP/evf.db" --evidence "$FID" -o "$TMP/evf-export" 2>/dev/null; rc=$?
check "an evidence pcap with no recorded size exports" 0 "$rc"
check "as many packets as tcpdump finds in it" "$WANT" \
	"$("$TCPDUMP" -nn -r "$TMP/evf-export/packets.pcap" 2>/dev/null | wc -l)"
check_match "the manifest says the size was not recorded" \
	"size: $(stat -c %s "$TMP/evf.pcap") bytes \(the sensor recorded none: its run did not end\)" \
	"$(cat "$TMP/evf-export/manifest.txt")"

# a live capture on lo, kept with --evidence-pcap, then exported
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the live part needs root"
	finish
fi
LDB="$TMP/live.db"
EV="$TMP/live-evidence.pcap"
LO=$(( 40000 + $$ % 10000 ))
HI=$(( LO + 11 ))
"$SENSOR" -q -Z nobody -i lo -w "$LDB" --stats-interval 1 -n evidence-live \
	--evidence-pcap "$EV" tcp and portrange $LO-$HI 2>>"$TMP/sensor.err" &
pid=$!
( sleep 60; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
watchdog=$!
i=0
while [ "$(q "$LDB" "SELECT count(*) FROM runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# bounded: one connect() to each of 12 closed loopback ports
p=$LO
while [ $p -le $HI ]; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
	p=$((p + 1))
done
i=0
while [ "$(q "$LDB" "SELECT packets >= 24 FROM runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $pid
wait $pid; rc=$?
kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null
check "the live sensor (seccomp, as nobody) ends with status 0" 0 "$rc"
check "its evidence pcap is recorded, with its final size" \
	"evidence|$EV|$(stat -c %s "$EV")" \
	"$(q "$LDB" "SELECT kind, path, size FROM run_files")"
check "it holds all 12 SYNs of the scan, those before the detection too" 12 \
	"$("$TCPDUMP" -nn -r "$EV" "tcp[tcpflags] & tcp-syn != 0 and dst portrange $LO-$HI" 2>/dev/null | wc -l)"
"$ANALYZER" -q -w "$LDB" || fail "analyzer on the live run exited $?"
LID=$(q "$LDB" "SELECT id FROM incidents WHERE src = '127.0.0.1'")
FIRST=$(q "$LDB" "SELECT first_seen FROM incidents WHERE id = '$LID'")
LAST=$(q "$LDB" "SELECT last_seen FROM incidents WHERE id = '$LID'")
"$TCPDUMP" -nn -tt -r "$EV" "host 127.0.0.1" 2>/dev/null | in_window > "$TMP/live-expected.txt"
WANT=$(wc -l < "$TMP/live-expected.txt")
err=$("$ANALYZER" -q -w "$LDB" --evidence "$LID" -o "$TMP/live-export" 2>&1); rc=$?
check "the live incident exports" "0 " "$rc $err"
check_match "packets in its window" '^[1-9]' "$WANT"
"$TCPDUMP" -nn -tt -r "$TMP/live-export/packets.pcap" 2>/dev/null > "$TMP/live-got.txt"
check "the export holds what tcpdump finds in the evidence pcap" "$WANT" "$(wc -l < "$TMP/live-got.txt")"
check "the very same packets" "" "$(diff "$TMP/live-expected.txt" "$TMP/live-got.txt" | head -3)"
check "its manifest verifies" 0 \
	"$(cd "$TMP/live-export" && sha256sum --quiet --strict -c manifest.sha256 >/dev/null 2>&1; echo $?)"
check "and names the evidence pcap's SHA-256" "$(sha256sum "$EV" | cut -d' ' -f1)" \
	"$(awk '$1 == "sha256:" { print $2 }' "$TMP/live-export/manifest.txt")"
check_match "as the run's evidence file" "evidence: $EV" "$(cat "$TMP/live-export/manifest.txt")"

[ -s "$TMP/sensor.err" ] && { echo "sensor stderr:"; cat "$TMP/sensor.err"; }
finish
