#!/bin/sh
# cert.sh - CERT escalation end to end (issue 16, item 2): the sensor and
# the analyzer on corpus captures, the reporter against a whois server on
# loopback (tests/tools/whoisd.py) with a test CERT table. A compromised
# incident gets a second memo, to our own CSIRT and to the national CERT of
# the source's country; a probe or an ordinary scan gets none; our host
# acting outward gets one to the CERT of the victims' country; with nobody
# to write to, nothing is written and the log says why, once; values that
# could inject a header are refused; the CERT memo never counts as a memo
# to the netblock's owner (cooldown, v_offenders).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
need_sqlite3

D="$top_srcdir/tests/data/cert"
NOW=1795809600                  # 2026-11-27T20:00:00Z, the reporter's clock
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

for p in "$SENSOR" "$ANALYZER" "$REPORTER"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done

timeout 300 python3 "$top_srcdir/tests/tools/whoisd.py" --config "$D/whoisd.json" \
	--port-file "$TMP/w.hosts" --log "$TMP/w.log" --lifetime 280 &
PIDS="$PIDS $!"
i=0
while [ ! -s "$TMP/w.hosts" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { echo "FAIL: whoisd never started"; exit 1; }
	sleep 0.1
done

# conf NAME [CERT LINES...]: the reporter's test identity and a [cert] section
conf() {
	f="$TMP/$1.conf"
	shift
	cat "$top_srcdir/tests/data/reporter/reporter.conf" >"$f"
	printf '\n[cert]\n' >>"$f"
	for l in "$@"; do
		printf '%s\n' "$l" >>"$f"
	done
}

# report DB OUT CONF [ARGS...]: stderr in $TMP/err, status in RC
report() {
	db=$1 out=$2 c=$3
	shift 3
	mkdir -p "$out"
	SOURCE_DATE_EPOCH=$NOW TZ=UTC timeout 120 "$REPORTER" -w "$db" -o "$out" -c "$c" \
		--whois-server whois.testnets.example --whois-hosts "$TMP/w.hosts" --no-dns \
		"$@" >"$TMP/stdout" 2>"$TMP/err"
	RC=$?
}

certs() { ls "$1" 2>/dev/null | grep -c -- '-cert-.*\.eml$'; }
owners() { ls "$1" 2>/dev/null | grep -v -- '-cert-' | grep -c '\.eml$'; }
# hdr FILE NAME: the header field, unfolded
hdr() { tr -d '\r' <"$1" | sed '/^$/q' | awk -v n="$2:" '
	index($0, n) == 1 { v = $0; on = 1; next }
	on && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
	{ on = 0 }
	END { print v }'; }

# ---- an inbound compromise, two ordinary scans ---------------------------
# dev_13_mixed: an nmap port scan from 198.51.100.30 (NL in the whois
# answer), a masscan sweep from 192.0.2.60, SSH login attempts from
# 192.0.2.124. The operator confirms 198.51.100.30 broke in.
BASE="$TMP/base.db"
"$SENSOR" -n span0 -r "$CORPUS/dev_13_mixed.pcap" -w "$BASE" >/dev/null 2>&1 ||
	{ echo "FAIL: sensor"; exit 1; }
"$ANALYZER" -q -w "$BASE" || { echo "FAIL: analyzer"; exit 1; }
"$ANALYZER" -q -w "$BASE" --mark-compromised 198.51.100.30 || { echo "FAIL: mark"; exit 1; }
check "one compromised incident among three reportable ones" "3|1" \
	"$(q "$BASE" 'SELECT count(*), sum(compromised) FROM incidents WHERE reportable = 1')"

conf in 'our_csirt = BigISP CSIRT <csirt@bigisp.example>' "table = $D/certs-test.tsv"
cp "$BASE" "$TMP/in.db"
report "$TMP/in.db" "$TMP/in.out" "$TMP/in.conf"
check "inbound: exit 0" 0 "$RC"
check "inbound: the owners' memos as before (one per netblock)" 2 "$(owners "$TMP/in.out")"
check "inbound: one CERT memo, for the compromise only (no probe, no ordinary scan)" 1 \
	"$(certs "$TMP/in.out")"
M=$(ls "$TMP"/in.out/*-cert-*.eml 2>/dev/null | head -1)
check "inbound: named for the source" "20261127T200000Z-cert-198.51.100.30.eml" \
	"$(basename "$M")"
check "inbound: to our CSIRT and the source's country's CERT" \
	"To: <csirt@bigisp.example>, <cert@nl-cert.example>" "$(hdr "$M" To)"
check_match "inbound: the subject says what happened and how bad" \
	"^Subject: Security incident: a host of ours compromised from 198.51.100.30 \(severity [1-5] of 5\)" \
	"$(hdr "$M" Subject)"
body=$(tr -d '\r' <"$M" | tr '\n' ' ')
check_match "inbound: the compromise stated plainly" \
	"appears to have been broken into: marked compromised by the operator|appears to have been broken into" "$body"
check_match "inbound: the source's network and country" \
	"the network TESTNET2-DSL-POOL \(198.51.100.0/24\) registered in NL" "$body"
check_match "inbound: the owner is told too" "That network's owner gets a memo of its own from us" "$body"
check_match "inbound: severity line" "Severity:    [1-5] of 5" "$body"
check_match "inbound: evidence lines from the sensor's log" \
	" 2026-11-27 [0-9:.]+ \+0000 TCP 198.51.100.30:[0-9]+ -> " "$body"
check_match "inbound: the table's source cited" \
	"Test CERT NL's address is from .*certs-test.tsv, as published at https://nl-cert.example/rfc2350" \
	"$body"
check_match "inbound: the summary counts it" "2 memos written, 1 CERT memo" "$(cat "$TMP/err")"
check "inbound: recorded as kind cert with its country" "198.51.100.30|cert|NL" \
	"$(q "$TMP/in.db" "SELECT netblock, kind, country FROM v_reports WHERE kind = 'cert'")"
check "inbound: the owners' memos recorded as kind owner" 2 \
	"$(q "$TMP/in.db" "SELECT count(*) FROM v_reports WHERE kind = 'owner'")"
check "inbound: v_offenders counts the owner's memo only" "198.51.100.0/24|1" \
	"$(q "$TMP/in.db" "SELECT netblock, memos FROM v_offenders WHERE netblock LIKE '198.51.100.%'")"
check "inbound: no CERT memo in v_offenders" 0 \
	"$(q "$TMP/in.db" "SELECT count(*) FROM v_offenders WHERE netblock = '198.51.100.30'")"
# the headers hold exactly what we meant: nothing added
check "inbound: header fields" "From To Subject Date Message-ID X-Spanwatch-Netblock MIME-Version Content-Type Content-Transfer-Encoding" \
	"$(tr -d '\r' <"$M" | sed '/^$/q' | grep -o '^[A-Za-z-]*:' | tr -d ':' | tr '\n' ' ' | sed 's/ $//')"

# the sensor's own sign of a break-in: a session with payload after the
# scan, to a port it found open (the analyzer's compromise_reason)
"$SENSOR" -n span0 -r "$CORPUS/dev_13_mixed.pcap" -w "$TMP/sess.db" >/dev/null 2>&1
q "$TMP/sess.db" "UPDATE detections SET sessions_after_scan = 1 WHERE src = '198.51.100.30'"
"$ANALYZER" -q -w "$TMP/sess.db" || { echo "FAIL: analyzer (sessions)"; exit 1; }
report "$TMP/sess.db" "$TMP/sess.out" "$TMP/in.conf"
check "session after a scan: one CERT memo" 1 "$(certs "$TMP/sess.out")"
M=$(ls "$TMP"/sess.out/*-cert-*.eml 2>/dev/null | head -1)
body=$(tr -d '\r' <"$M" | tr '\n' ' ')
check_match "session after a scan: the compromise stated plainly" \
	"broken into: after the scan, 1 session with payload to ports it had found open" "$body"
check_match "session after a scan: and why it is believed" "hardly for a session that completed" "$body"

# a second run: nothing new, no second CERT memo
rm -rf "$TMP/in.out"
report "$TMP/in.db" "$TMP/in.out" "$TMP/in.conf" --force
check "again: exit 0" 0 "$RC"
check "again: no second CERT memo for the same incident" 0 "$(certs "$TMP/in.out")"
check "again: one CERT memo recorded" 1 \
	"$(q "$TMP/in.db" "SELECT count(*) FROM reports WHERE kind = 'cert'")"

# the CERT memo is no memo to the owner: the owners' cooldown ignores it
cp "$BASE" "$TMP/cool.db"
q "$TMP/cool.db" "UPDATE incidents SET compromised = 0"
q "$TMP/cool.db" "INSERT INTO reports (netblock, created, subject, kind) VALUES
	('198.51.100.0/24', ($NOW - 3600) * 1000000, 'x', 'cert')"
report "$TMP/cool.db" "$TMP/cool.out" "$TMP/in.conf"
check "a CERT memo does not start the owner's cooldown" 2 "$(owners "$TMP/cool.out")"

# and it tells the owner nothing: with the owner's memo cooling down, the
# CERT memo goes now and the owner's memo after the cooldown (--force)
cp "$BASE" "$TMP/late.db"
q "$TMP/late.db" "INSERT INTO reports (netblock, created, subject) VALUES
	('198.51.100.0/24', ($NOW - 3600) * 1000000, 'an earlier memo')"
report "$TMP/late.db" "$TMP/late1.out" "$TMP/in.conf"
check "cooling down: the CERT memo now, no owner's memo for 198.51.100.0/24" "1 0" \
	"$(certs "$TMP/late1.out") $(ls "$TMP/late1.out" | grep -c -- '-198.51.100.0_24.eml$')"
report "$TMP/late.db" "$TMP/late2.out" "$TMP/in.conf" --force
check "after it: the owner's memo still due, no second CERT memo" "0 1" \
	"$(certs "$TMP/late2.out") $(ls "$TMP/late2.out" | grep -c -- '-198.51.100.0_24.eml$')"

# ---- our own host acting outward -----------------------------------------
printf '[networks]\nhome = 198.51.100.0/24\n' >"$TMP/home.conf"
"$SENSOR" -n span0 -r "$CORPUS/dev_01_nmap_sS_top1000.pcap" -w "$TMP/out.db" \
	-c "$TMP/home.conf" >/dev/null 2>&1 || { echo "FAIL: sensor (home)"; exit 1; }
"$ANALYZER" -q -w "$TMP/out.db" || { echo "FAIL: analyzer (home)"; exit 1; }
check "outbound: the analyzer's incident" "198.51.100.66|1|1" \
	"$(q "$TMP/out.db" "SELECT src, outbound, compromised FROM incidents WHERE level = 'source'")"
report "$TMP/out.db" "$TMP/out.out" "$TMP/in.conf"
check "outbound: exit 0" 0 "$RC"
check "outbound: no memo to an owner" 0 "$(owners "$TMP/out.out")"
check "outbound: one CERT memo" 1 "$(certs "$TMP/out.out")"
M=$(ls "$TMP"/out.out/*-cert-*.eml 2>/dev/null | head -1)
check "outbound: to our CSIRT and the victims' country's CERT (JP)" \
	"To: <csirt@bigisp.example>, <cert@jp-cert.example>" "$(hdr "$M" To)"
check_match "outbound: the subject" \
	"Subject: Security incident: our host 198.51.100.66 used against other computers" \
	"$(hdr "$M" Subject)"
body=$(tr -d '\r' <"$M" | tr '\n' ' ')
check_match "outbound: the victims' network" \
	"the network TESTNET3-HOSTING \(203.0.113.0/24\) registered in JP" "$body"
check_match "outbound: the targets named" "Targets:     203.0.113.10" "$body"
check "outbound: recorded with the victims' country" "cert|JP" \
	"$(q "$TMP/out.db" "SELECT kind, country FROM v_reports")"

# our host flooding another: a DoS from our side (dev_07: a SYN flood from
# 192.0.2.77 to 203.0.113.80, JP in the whois answer)
printf '[networks]\nhome = 192.0.2.0/24\n' >"$TMP/home2.conf"
"$SENSOR" -n span0 -r "$CORPUS/dev_07_hping3_synflood.pcap" -w "$TMP/flood.db" \
	-c "$TMP/home2.conf" >/dev/null 2>&1 || { echo "FAIL: sensor (flood)"; exit 1; }
"$ANALYZER" -q -w "$TMP/flood.db" || { echo "FAIL: analyzer (flood)"; exit 1; }
report "$TMP/flood.db" "$TMP/flood.out" "$TMP/in.conf"
check "outbound flood: exit 0, one CERT memo" "0 1" "$RC $(certs "$TMP/flood.out")"
M=$(ls "$TMP"/flood.out/*-cert-*.eml 2>/dev/null | head -1)
check "outbound flood: to our CSIRT and the flooded host's country's CERT (JP)" \
	"To: <csirt@bigisp.example>, <cert@jp-cert.example>" "$(hdr "$M" To)"
body=$(tr -d '\r' <"$M" | tr '\n' ' ')
check_match "outbound flood: what and whom" "What: +syn_flood \(tcp\).*Targets: +203.0.113.80" "$body"

# our CSIRT alone when the table has no entry for the country
conf ours 'our_csirt = csirt@bigisp.example' "table = $D/certs-test.tsv" \
	"local_table = $TMP/empty.tsv"
printf '# nothing\n' >"$TMP/empty.tsv"
cp "$BASE" "$TMP/ours.db"
q "$TMP/ours.db" "UPDATE incidents SET compromised = 1 WHERE src = '192.0.2.60'"
report "$TMP/ours.db" "$TMP/ours.out" "$TMP/ours.conf"
check "no country: two CERT memos (NL and unknown)" 2 "$(certs "$TMP/ours.out")"
M=$(ls "$TMP"/ours.out/*-cert-192.0.2.60.eml 2>/dev/null | head -1)
check "no country: to our CSIRT only" "To: <csirt@bigisp.example>" "$(hdr "$M" To)"
check_match "no country: and it says so" "We know of no national CERT to tell" \
	"$(tr -d '\r' <"$M" | tr '\n' ' ')"

# a local table overrides the shipped one
printf 'NL\tLocal CERT NL\tlocal@nl-local.example\thttps://nl-local.example/\n' >"$TMP/local.tsv"
conf local "table = $D/certs-test.tsv" "local_table = $TMP/local.tsv"
cp "$BASE" "$TMP/local.db"
report "$TMP/local.db" "$TMP/local.out" "$TMP/local.conf"
M=$(ls "$TMP"/local.out/*-cert-*.eml 2>/dev/null | head -1)
check "local_table: its entry wins, and no our_csirt: the national CERT alone" \
	"To: <local@nl-local.example>" "$(hdr "$M" To)"

# ---- nobody to write to ---------------------------------------------------
conf nobody "table = $TMP/empty.tsv"
cp "$BASE" "$TMP/nobody.db"
report "$TMP/nobody.db" "$TMP/nobody.out" "$TMP/nobody.conf"
check "nobody: exit 0" 0 "$RC"
check "nobody: no CERT memo" 0 "$(certs "$TMP/nobody.out")"
check "nobody: the owners' memos still written" 2 "$(owners "$TMP/nobody.out")"
check "nobody: said once" 1 "$(grep -c 'due a CERT memo' "$TMP/err")"
check_match "nobody: and why" \
	"1 incident due a CERT memo .*none written: no \[cert\] our_csirt, and no national CERT for NL in .*empty.tsv" \
	"$(cat "$TMP/err")"
check "nobody: nothing recorded" 0 "$(q "$TMP/nobody.db" "SELECT count(*) FROM reports WHERE kind = 'cert'")"

# escalate = no: nothing, silently
conf off 'escalate = no' 'our_csirt = csirt@bigisp.example'
cp "$BASE" "$TMP/off.db"
report "$TMP/off.db" "$TMP/off.out" "$TMP/off.conf"
check "escalate = no: no CERT memo" "0 0" "$RC $(certs "$TMP/off.out")"

# ---- refused: bad tables, hostile values ------------------------------------
printf 'NL\tTeam <evil@evil.example>\tcert@nl.example\thttps://x.example/\n' >"$TMP/bad1.tsv"
conf bad1 "table = $TMP/bad1.tsv"
report "$TMP/in.db" "$TMP/bad.out" "$TMP/bad1.conf"
check "a table with address syntax in a team name: usage error" 2 "$RC"
check_match "naming the file and line" "\[cert\] table: .*bad1.tsv:1: the team name holds" "$(cat "$TMP/err")"
check "one line" 1 "$(wc -l <"$TMP/err" | tr -d ' ')"
printf '# ok\nNL\tTeam\tcert@nl.example, evil@evil.example\thttps://x.example/\n' >"$TMP/bad2.tsv"
conf bad2 "table = $D/certs-test.tsv" "local_table = $TMP/bad2.tsv"
report "$TMP/in.db" "$TMP/bad.out" "$TMP/bad2.conf"
check "a local table with two addresses in one: usage error" 2 "$RC"
check_match "naming the file and line" "\[cert\] local_table: .*bad2.tsv:2: not a usable e-mail address" \
	"$(cat "$TMP/err")"
printf 'NL\tTeam\rBcc: evil@evil.example\tcert@nl.example\thttps://x.example/\n' >"$TMP/bad3.tsv"
conf bad3 "table = $TMP/bad3.tsv"
report "$TMP/in.db" "$TMP/bad.out" "$TMP/bad3.conf"
check "a CR in a team name: usage error" 2 "$RC"
conf bad4 'our_csirt = csirt@bigisp.example, evil@evil.example'
report "$TMP/in.db" "$TMP/bad.out" "$TMP/bad4.conf"
check "our_csirt with two addresses: usage error" 2 "$RC"
check_match "naming the file and line" "bad4.conf:[0-9]+: \[cert\] our_csirt: not a usable" "$(cat "$TMP/err")"
conf bad5 "table = $TMP/none.tsv"
report "$TMP/in.db" "$TMP/bad.out" "$TMP/bad5.conf"
check "a table that is not there: usage error" 2 "$RC"
check "nothing written by a refused run" 0 "$(ls "$TMP/bad.out" | wc -l | tr -d ' ')"

# the shipped table parses and is used as given
conf shipped "table = $top_srcdir/data/certs.tsv" 'our_csirt = csirt@bigisp.example'
cp "$BASE" "$TMP/shipped.db"
report "$TMP/shipped.db" "$TMP/shipped.out" "$TMP/shipped.conf"
check "the shipped table: exit 0, a CERT memo (NL is not in it: our CSIRT alone)" "0 1" \
	"$RC $(certs "$TMP/shipped.out")"

finish
