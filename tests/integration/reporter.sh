#!/bin/sh
# reporter.sh - spanwatch-reporter end to end: the sensor and the analyzer
# on a corpus capture, then the reporter against a whois server and a DNS
# server on loopback (tests/tools/whoisd.py, dnsd.py) serving the synthetic
# answers of tests/data/reporter/. Checks the memos against golden files
# under three time zones (America/New_York, Asia/Kolkata with +05:30,
# America/St_Johns with -03:30), the recipients, the ledger (a second run
# writes nothing; new incidents wait for the cooldown; --force), --offline
# from the cache and without it, every format (eml, mbox, text, xarf with
# its JSON validated), --send, hostile whois and PTR answers (nothing gets
# into a header or onto a terminal), an unreachable whois server, and bad
# input. Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate
# change of the memo's wording.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
need_sqlite3

D="$top_srcdir/tests/data/reporter"
GOLDEN="$D/golden"
CONF="$D/reporter.conf"
NOW=1795809600                  # 2026-11-27T20:00:00Z, the reporter's clock
DAY=86400
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

for p in "$SENSOR" "$ANALYZER" "$REPORTER"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done

# wait_file FILE: until a server has written its port file
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { echo "FAIL: $1 never appeared"; exit 1; }
		sleep 0.1
	done
}

# start_whoisd NAME CONFIG -> $TMP/NAME.hosts (a --whois-hosts file), NAME.log
start_whoisd() {
	rm -f "$TMP/$1.hosts"
	timeout 300 python3 "$top_srcdir/tests/tools/whoisd.py" --config "$2" \
		--port-file "$TMP/$1.hosts" --log "$TMP/$1.log" --lifetime 280 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	wait_file "$TMP/$1.hosts"
	: >>"$TMP/$1.log"
}

# start_dnsd NAME ZONE -> $TMP/NAME.port
start_dnsd() {
	timeout 300 python3 "$top_srcdir/tests/tools/dnsd.py" --zone "$2" \
		--port-file "$TMP/$1.port" --log "$TMP/$1.log" --lifetime 280 &
	PIDS="$PIDS $!"
	wait_file "$TMP/$1.port"
}

start_whoisd w "$D/whoisd.json"
start_whoisd hostile "$D/whoisd-hostile.json"
start_dnsd dns "$D/dns.zone"
start_dnsd evildns "$D/dns-hostile.zone"
DNS="127.0.0.1:$(cat "$TMP/dns.port")"
EVILDNS="127.0.0.1:$(cat "$TMP/evildns.port")"

# The incidents: the mixed capture (an nmap port scan from 198.51.100.30,
# a masscan sweep from 192.0.2.60, SSH login attempts from 192.0.2.124).
BASE="$TMP/base.db"
"$SENSOR" -n span0 -r "$CORPUS/dev_13_mixed.pcap" -w "$BASE" >/dev/null 2>&1 ||
	{ echo "FAIL: sensor"; exit 1; }
"$ANALYZER" -q -w "$BASE" || { echo "FAIL: analyzer"; exit 1; }
check "three reportable incidents" 3 "$(q "$BASE" 'SELECT count(*) FROM incidents WHERE reportable = 1')"

# fresh NAME: a copy of the analysed database and an empty output folder
fresh() {
	cp "$BASE" "$TMP/$1.db"
	rm -rf "$TMP/$1.out"
	mkdir -p "$TMP/$1.out"
}

# report NAME [ARGS...]: the reporter on $TMP/NAME.db into $TMP/NAME.out,
# asking whoisd w and the DNS server; stderr in $TMP/NAME.err, status in RC
report() {
	n=$1
	shift
	SOURCE_DATE_EPOCH=${SDE:-$NOW} timeout 120 "$REPORTER" -w "$TMP/$n.db" -o "$TMP/$n.out" \
		-c "$CONF" --whois-server whois.testnets.example \
		--whois-hosts "$TMP/${WHOIS:-w}.hosts" --dns-server "${DNSS:-$DNS}" "$@" \
		>"$TMP/$n.stdout" 2>"$TMP/$n.err"
	RC=$?
}

memos() { ls "$TMP/$1.out" | grep -c '\.eml$'; }

# ---- golden memos under three zones ---------------------------------------
for tz in America/New_York Asia/Kolkata America/St_Johns; do
	tag=$(echo "$tz" | tr '/' '_')
	fresh "$tag"
	TZ=$tz report "$tag"
	check "$tz: exit 0" 0 "$RC"
	check "$tz: two memos (one per netblock)" 2 "$(memos "$tag")"
	for f in "$TMP/$tag.out"/*.eml; do
		g="$GOLDEN/$tag-$(basename "$f")"
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$f" "$g"
		fi
		CHECKS=$((CHECKS + 1))
		if cmp -s "$f" "$g"; then
			pass "$tz: $(basename "$f") is the golden memo"
		else
			fail "$tz: $(basename "$f") differs from $g"
			diff "$g" "$f" | head -20
		fi
	done
done

NY="$TMP/America_New_York"
M198="$NY.out/20261127T200000Z-198.51.100.0_24.eml"
M192="$NY.out/20261127T200000Z-192.0.2.0_24.eml"
check_match "Kolkata memo dated +0530" 'Date: Sat, 28 Nov 2026 01:30:00 \+0530' \
	"$(cat "$TMP/Asia_Kolkata.out/"*198.51.100*)"
check_match "St John's log lines at -0330" '2026-11-27 14:12:19\.729231 -0330 TCP 198\.51\.100\.30' \
	"$(cat "$TMP/America_St_Johns.out/"*198.51.100*)"
check_match "St John's zone line" 'America/St_Johns time \(GMT-03:30\)' \
	"$(cat "$TMP/America_St_Johns.out/"*198.51.100* | tr -d '\r' | tr '\n' ' ')"

# ---- what a mail system sees ----------------------------------------------
cat >"$TMP/eml.py" <<'EOF'
import email, email.policy, sys
want = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'X-Spanwatch-Netblock',
        'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding']
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.strict)
keys = [k for k in m.keys()]
extra = [k for k in keys if k not in want]
print('headers=%s' % ('ok' if not extra and len(keys) == len(set(keys)) else 'bad %r' % keys))
print('to=%s' % ','.join(a.addr_spec for a in m['To'].addresses))
print('cc=%s' % ','.join(a.addr_spec for a in m['Cc'].addresses) if m['Cc'] else 'cc=')
print('subject=%s' % m['Subject'])
print('crlf=%s' % ('ok' if raw.count(b'\n') == raw.count(b'\r\n') else 'bad'))
print('ctl=%s' % ('bad' if any(b < 0x20 and b not in (9, 10, 13) for b in raw) else 'ok'))
print('defects=%d' % len(m.defects))
EOF
emlinfo() { python3 "$TMP/eml.py" "$1"; }
I198=$(emlinfo "$M198")
I192=$(emlinfo "$M192")
check "198.51.100.0/24: header fields" "headers=ok" "$(echo "$I198" | grep '^headers=')"
check "198.51.100.0/24: To is the abuse mailbox (the % Abuse contact line)" \
	"to=abuse@testnet2.example" "$(echo "$I198" | grep '^to=')"
check "198.51.100.0/24: Cc: the domain's admin/tech/billing contacts and security@" \
	"cc=domain-admin@testnet2.example,domain-tech@testnet2.example,invoices@testnet2.example,security@testnet2.example" \
	"$(echo "$I198" | grep '^cc=')"
check "198.51.100.0/24: subject names the domain and the CIDR" \
	"subject=[SECURITY] Port scan from testnet2.example (198.51.100.0/24)" \
	"$(echo "$I198" | grep '^subject=')"
check "192.0.2.0/24: To is OrgAbuseEmail, not the NOC" "to=abuse@hosting.example.com" \
	"$(echo "$I192" | grep '^to=')"
check "192.0.2.0/24: no Cc (the PTR name is not forward-confirmed)" "cc=" \
	"$(echo "$I192" | grep '^cc=')"
check "eml: CRLF line ends" "crlf=ok" "$(echo "$I198" | grep '^crlf=')"
check "eml: parses without defects" "defects=0" "$(echo "$I198" | grep '^defects=')"
B198=$(tr -d '\r' <"$M198" | tr '\n' ' ' | tr -s ' ')
check_match "memo: our host by name and address" 'www\.ours\.example \(203\.0\.113\.10\)' "$B198"
check_match "memo: the scanner's confirmed name" 'host30\.dsl\.testnet2\.example \(198\.51\.100\.30\)' "$B198"
check_match "memo: the DSL sentence" 'suggests a DSL line' "$B198"
check_match "memo: SYN-only probes may be forged" 'source addresses can be forged: none of these packets completed' "$B198"
check_match "memo: tool named" 'marks of the nmap scanner' "$B198"
check_match "memo: the origin AS of the most specific route object with a valid origin" \
	'Origin AS: AS64500 \(route 198\.51\.100\.0/24, from the answer of whois\.testnets\.example\)\.' "$B198"
B192=$(tr -d '\r' <"$M192" | tr '\n' ' ' | tr -s ' ')
check_match "memo: unconfirmed PTR shown as such" 'www\.bank\.example, does not resolve back' "$B192"
check_match "memo: login attempts in words" '60 connections to the ssh service \(port 22/tcp\)' "$B192"
check_match "memo: 256 hosts of the sweep counted" 'and 24[0-9] more' "$B192"
check "memo: no origin AS line when the answer has no route object (ARIN)" 0 \
	"$(grep -c 'Origin AS' "$M192")"

# ---- the ledger ------------------------------------------------------------
check "v_reports: one row per memo" 2 "$(q "$NY.db" 'SELECT count(*) FROM v_reports')"
check "v_reports: recipients recorded" "abuse@hosting.example.com" \
	"$(q "$NY.db" "SELECT recipients FROM v_reports WHERE netblock = '192.0.2.0/24'")"
check "v_reportable_unreported is empty" 0 "$(q "$NY.db" 'SELECT count(*) FROM v_reportable_unreported')"
before=$(wc -l <"$TMP/w.log")
TZ=America/New_York report America_New_York
check "second run: exit 0" 0 "$RC"
check "second run: no new memo" 2 "$(memos America_New_York)"
check "second run: no new report" 2 "$(q "$NY.db" 'SELECT count(*) FROM reports')"
check_match "second run: says so" '0 memos written' "$(cat "$NY.err")"
check "second run: no whois query" "$before" "$(wc -l <"$TMP/w.log")"

# new incidents in a reported netblock: the slow scan of 198.51.100.140
"$SENSOR" -n span0 -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$NY.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$NY.db"
check "new incident is unreported" 1 "$(q "$NY.db" "SELECT count(*) FROM v_reportable_unreported WHERE src = '198.51.100.140'")"
TZ=America/New_York report America_New_York
check "cooldown: no memo the same day" 2 "$(memos America_New_York)"
check_match "cooldown: says when" '198\.51\.100\.0/24: new incidents, but the last memo is recent' "$(cat "$NY.err")"
SDE=$((NOW + 8 * DAY)) TZ=America/New_York report America_New_York
check "after the cooldown: one more memo" 3 "$(memos America_New_York)"
NEW=$(ls "$NY.out"/20261205*)
check_match "the new memo covers only the new source" '198\.51\.100\.140' "$(cat "$NEW")"
CHECKS=$((CHECKS + 1))
if grep -q '198\.51\.100\.30' "$NEW"; then fail "the reported scan is told again"; else pass "the reported scan is not told again"; fi
# the second memo to the range says when we wrote before (the ledger): a
# recurring problem is what makes an ISP care; the first one says nothing
FIRSTMEMO=$(ls "$NY.out"/20261127*198.51.100.0_24.eml)
check "recurrence: the new memo names the earlier one's date" 1 \
	"$(sed 's/=$//' "$NEW" | tr -d '\n' | grep -c 'We wrote to you about this range before, on 2026-11-27\.')"
check "recurrence: the first memo does not" 0 "$(grep -c 'wrote to you about this range' "$FIRSTMEMO")"
# the analyzer may regroup detections into incidents with new ids: the
# activity is still told, and the next run writes nothing
q "$NY.db" 'PRAGMA foreign_keys = ON; DELETE FROM incidents' >/dev/null
"$ANALYZER" -q -w "$NY.db"
SDE=$((NOW + 30 * DAY)) TZ=America/New_York report America_New_York
check "regrouped incidents: no memo for activity already told" 3 "$(memos America_New_York)"
check "regrouped incidents: v_reportable_unreported is empty" 0 \
	"$(q "$NY.db" 'SELECT count(*) FROM v_reportable_unreported')"
check "report_detections: each detection told once" 0 \
	"$(q "$NY.db" 'SELECT count(*) FROM (SELECT detection_id FROM report_detections GROUP BY detection_id HAVING count(*) > 1)')"
check "report_incidents: each incident covered once" 0 \
	"$(q "$NY.db" 'SELECT count(*) FROM (SELECT incident_id FROM report_incidents GROUP BY incident_id HAVING count(*) > 1)')"

# --force ignores the cooldown
fresh force
report force
"$SENSOR" -n span0 -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$TMP/force.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$TMP/force.db"
SDE=$((NOW + 3600)) report force --force
check "--force: memo despite the cooldown" 3 "$(memos force)"

# [reporter] cc_self: our own copy, in Cc of the message and in the ledger's
# record, even when it is our From address
fresh ccself
{ cat "$CONF"; echo "cc_self = jose@bigisp.example"; } >"$TMP/ccself.conf"
TZ=UTC report ccself -c "$TMP/ccself.conf"
check "cc_self: exit 0" 0 "$RC"
for f in "$TMP/ccself.out"/*.eml; do
	check_match "cc_self: in Cc of $(basename "$f")" '^cc=(.*,)?jose@bigisp\.example$' \
		"$(emlinfo "$f" | grep '^cc=')"
done
check "cc_self: the ledger records it as a Cc of each memo" 2 \
	"$(q "$TMP/ccself.db" "SELECT count(*) FROM reports WHERE recipients LIKE '%cc:jose@bigisp.example'")"
check "without cc_self: no copy to us" 0 \
	"$(q "$NY.db" "SELECT count(*) FROM reports WHERE recipients LIKE '%jose@bigisp.example%'")"

# ---- max_netblocks: the most severe netblock first, the rest wait ------------
fresh capped
sed 's/^\[reporter\]$/[reporter]\nmax_netblocks = 1/' "$CONF" >"$TMP/capped.conf"
FIRST=$(q "$BASE" "SELECT netblock FROM incidents WHERE reportable = 1 GROUP BY netblock
	ORDER BY max(severity) DESC, netblock LIMIT 1")
LATER=$(q "$BASE" "SELECT netblock FROM incidents WHERE reportable = 1 AND netblock <> '$FIRST' LIMIT 1")
LATER_SRC=$(q "$BASE" "SELECT src FROM incidents WHERE reportable = 1 AND netblock = '$LATER' LIMIT 1")
before=$(wc -l <"$TMP/w.log")
SAVED_CONF=$CONF
CONF="$TMP/capped.conf"
report capped
check "max_netblocks 1: exit 0" 0 "$RC"
check "max_netblocks 1: one memo" 1 "$(memos capped)"
check "max_netblocks 1: for the most severe netblock ($FIRST)" 1 \
	"$(q "$TMP/capped.db" "SELECT count(*) FROM reports WHERE netblock = '$FIRST'")"
check_match "max_netblocks 1: says what waits" 'incidents? left for the next run \(max_netblocks 1\)' \
	"$(cat "$TMP/capped.err")"
CHECKS=$((CHECKS + 1))
if tail -n +"$((before + 1))" "$TMP/w.log" | grep -q "$LATER_SRC"; then
	fail "max_netblocks 1: whois was asked about $LATER_SRC, which waits"
else
	pass "max_netblocks 1: no whois query for the netblock that waits"
fi
before=$(wc -l <"$TMP/w.log")
report capped
check "max_netblocks 1, next run: the other memo" 2 "$(memos capped)"
CHECKS=$((CHECKS + 1))
if tail -n +"$((before + 1))" "$TMP/w.log" | grep -q "$LATER_SRC"; then
	pass "max_netblocks 1, next run: whois asked about $LATER_SRC now"
else
	fail "max_netblocks 1, next run: no whois query for $LATER_SRC"
fi
check "max_netblocks 1, next run: for $LATER" 1 \
	"$(q "$TMP/capped.db" "SELECT count(*) FROM reports WHERE netblock = '$LATER'")"
CHECKS=$((CHECKS + 1))
if grep -q 'left for the next run' "$TMP/capped.err"; then
	fail "max_netblocks 1, next run: nothing should wait"
else
	pass "max_netblocks 1, next run: nothing waits"
fi
check "max_netblocks 1: v_reportable_unreported is empty" 0 \
	"$(q "$TMP/capped.db" 'SELECT count(*) FROM v_reportable_unreported')"
# a netblock cooling down does not use up the cap: the first run tells
# $FIRST; new activity there (an FTP sweep from 192.0.2.50) waits for the
# cooldown, and the same day's run tells $LATER
fresh starve
report starve
check "cap and cooldown: first run, one memo" 1 "$(memos starve)"
"$SENSOR" -n span0 -r "$CORPUS/dev_06a_nmap_ftp_sweep.pcap" -w "$TMP/starve.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$TMP/starve.db"
check "cap and cooldown: the new sweep is in $FIRST and comes first" "$FIRST" \
	"$(q "$TMP/starve.db" "SELECT netblock FROM v_reportable_unreported LIMIT 1")"
SDE=$((NOW + 3600)) report starve
check "cap and cooldown: the same day, $LATER is told" 1 \
	"$(q "$TMP/starve.db" "SELECT count(*) FROM reports WHERE netblock = '$LATER'")"
check "cap and cooldown: two memos" 2 "$(memos starve)"
check_match "cap and cooldown: $FIRST waits for its cooldown" 'new incidents, but the last memo is recent' \
	"$(cat "$TMP/starve.err")"
# a netblock whois cannot resolve does not hold the others back either:
# the sources of $FIRST are moved where the whois server knows nothing
fresh unknown
q "$TMP/unknown.db" "UPDATE incidents SET src = '100.64.0.' || id
	WHERE netblock = '$FIRST' AND level = 'source'" >/dev/null
report unknown
check "cap and an unresolvable netblock: $LATER is told" 1 \
	"$(q "$TMP/unknown.db" "SELECT count(*) FROM reports WHERE netblock = '$LATER'")"
check_match "cap and an unresolvable netblock: says what it could not resolve" 'not resolved \(whois\)' \
	"$(cat "$TMP/unknown.err")"
CONF=$SAVED_CONF

# ---- --offline -------------------------------------------------------------
fresh nocache
report nocache --offline
check "--offline, empty cache: exit 0" 0 "$RC"
check "--offline, empty cache: no memo" 0 "$(memos nocache)"
check_match "--offline, empty cache: names what it could not resolve" \
	'198\.51\.100\.0/24 \(198\.51\.100\.30\): whois: .*not in the whois cache' "$(cat "$TMP/nocache.err")"
check "--offline, empty cache: nothing recorded" 0 "$(q "$TMP/nocache.db" 'SELECT count(*) FROM reports')"
# a database whose cache was filled by a run that wrote nothing (its
# memos are removed again) resolves from the cache with whoisd stopped
fresh cached
report cached
q "$TMP/cached.db" 'DELETE FROM report_detections; DELETE FROM report_incidents; DELETE FROM reports' >/dev/null
rm -f "$TMP/cached.out"/*
kill "$PID_w" 2>/dev/null
wait "$PID_w" 2>/dev/null
report cached --offline
check "--offline from the cache: two memos" 2 "$(memos cached)"
check_match "--offline: same recipient" 'To: <abuse@testnet2.example>' "$(cat "$TMP/cached.out/"*198.51.100*)"
check_match "--offline: the origin AS from the cached answer" 'Origin AS: AS64500 \(route 198\.51\.100\.0/24' \
	"$(cat "$TMP/cached.out/"*198.51.100*)"

# ---- an unreachable whois server -------------------------------------------
fresh unreach
report unreach
check "whois down: exit 0" 0 "$RC"
check "whois down: no memo" 0 "$(memos unreach)"
check_match "whois down: says why" 'whois:' "$(cat "$TMP/unreach.err")"
check "whois down: nothing recorded" 0 "$(q "$TMP/unreach.db" 'SELECT count(*) FROM reports')"
start_whoisd w "$D/whoisd.json"

# ---- formats -----------------------------------------------------------------
fresh mbox
TZ=UTC report mbox --format mbox
check "mbox: exit 0" 0 "$RC"
check "mbox: two messages" 2 "$(python3 -c 'import mailbox,sys; print(len(mailbox.mbox(sys.argv[1])))' "$TMP/mbox.out/spanwatch.mbox")"
check "mbox: LF line ends" 0 "$(grep -c "$(printf '\r')" "$TMP/mbox.out/spanwatch.mbox")"

fresh text
TZ=UTC report text --format text
check "text: exit 0" 0 "$RC"
check "text: two memos on stdout" 2 "$(grep -c '^Subject: \[SECURITY\]' "$TMP/text.stdout")"
check "text: nothing written to the folder" 0 "$(ls "$TMP/text.out" | wc -l)"

fresh xarf
TZ=UTC report xarf --format xarf
check "xarf: exit 0" 0 "$RC"
cat >"$TMP/xarf.py" <<'EOF'
import email, email.policy, json, sys, glob
n = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_bytes(open(f, 'rb').read(), policy=email.policy.strict)
    assert m.get_content_type() == 'multipart/mixed', m.get_content_type()
    parts = list(m.iter_parts())
    assert parts[0].get_content_type() == 'text/plain'
    for i, p in enumerate(parts[1:]):
        assert p.get_content_type() == 'application/json'
        out = '%s/report-%d-%d.json' % (sys.argv[2], n, i)
        open(out, 'wb').write(p.get_payload(decode=True))
        r = json.load(open(out))
        print(r['type'], r['source_identifier'])
    n += 1
EOF
mkdir -p "$TMP/xarfjson"
XR=$(python3 "$TMP/xarf.py" "$TMP/xarf.out" "$TMP/xarfjson" 2>&1)
check "xarf: one JSON report per source" "login_attack 192.0.2.124
port_scan 192.0.2.60
port_scan 198.51.100.30" "$(echo "$XR" | sort)"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 "$top_srcdir/tests/mailcheck.py" --validate "$top_srcdir/tests/data/xarf/schemas" \
		"$TMP/xarfjson"/*.json >"$TMP/validate.out" 2>&1
	check "xarf: reports validate against the X-ARF v4 schemas" 0 "$?"
else
	echo "note: python3-jsonschema missing, X-ARF schema validation not run"
fi

# ---- --send ------------------------------------------------------------------
fresh send
cat >"$TMP/sendmail.sh" <<EOF
#!/bin/sh
cat >>"$TMP/sent.txt"
echo "--" >>"$TMP/sent.txt"
EOF
chmod +x "$TMP/sendmail.sh"
sed "s|^whois_pace_ms.*|&\nsendmail = $TMP/sendmail.sh -t -oi|" "$CONF" >"$TMP/send.conf"
SOURCE_DATE_EPOCH=$NOW timeout 60 "$REPORTER" -w "$TMP/send.db" -o "$TMP/send.out" -c "$TMP/send.conf" \
	--whois-server whois.testnets.example --whois-hosts "$TMP/w.hosts" --dns-server "$DNS" \
	--send 2>"$TMP/send.err"
check "--send: exit 0" 0 "$?"
check "--send: two messages handed to sendmail" 2 "$(grep -c '^Subject: \[SECURITY\]' "$TMP/sent.txt")"
check "--send: marked sent" 2 "$(q "$TMP/send.db" 'SELECT count(*) FROM reports WHERE sent = 1')"
fresh sendfail
sed "s|^whois_pace_ms.*|&\nsendmail = false|" "$CONF" >"$TMP/sendfail.conf"
SOURCE_DATE_EPOCH=$NOW timeout 60 "$REPORTER" -w "$TMP/sendfail.db" -o "$TMP/sendfail.out" \
	-c "$TMP/sendfail.conf" --whois-server whois.testnets.example --whois-hosts "$TMP/w.hosts" \
	--dns-server "$DNS" --send 2>"$TMP/sendfail.err"
check "--send failing: exit 1" 1 "$?"
check_match "--send failing: says so" 'not sent: false: exited 1' "$(cat "$TMP/sendfail.err")"
check "--send failing: memos kept and recorded as not sent" "2 0" \
	"$(memos sendfail) $(q "$TMP/sendfail.db" 'SELECT count(*) FROM reports WHERE sent = 1')"
fresh nosend
report nosend
check "without --send: nothing marked sent" 0 "$(q "$TMP/nosend.db" 'SELECT count(*) FROM reports WHERE sent = 1')"

# ---- hostile whois and PTR answers --------------------------------------------
fresh hostile
WHOIS=hostile DNSS=$EVILDNS TZ=UTC report hostile
check "hostile: exit 0" 0 "$RC"
H=$(ls "$TMP/hostile.out"/*198.51.100* 2>/dev/null)
check "hostile: the memo is written" 1 "$(echo "$H" | grep -c .)"
IH=$(emlinfo "$H")
check "hostile: no injected header field" "headers=ok" "$(echo "$IH" | grep '^headers=')"
check "hostile: no control bytes in the file" "ctl=ok" "$(echo "$IH" | grep '^ctl=')"
check "hostile: recipient is the real abuse address only" "to=abuse@testnet2.example" \
	"$(echo "$IH" | grep '^to=')"
CHECKS=$((CHECKS + 1))
if grep -qi 'elsewhere' "$H" && grep -i 'elsewhere' "$H" | grep -qiE '^(to|cc|bcc):'; then
	fail "hostile: an injected address became a recipient"
else
	pass "hostile: no injected recipient"
fi
check "hostile: no origin AS from route objects whose origin: is no AS number" 0 \
	"$(grep -c 'Origin AS' "$H")"
fresh hostiletext
WHOIS=hostile DNSS=$EVILDNS TZ=UTC report hostiletext --format text
CHECKS=$((CHECKS + 1))
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$TMP/hostiletext.stdout" "$TMP/hostiletext.err"; then
	fail "hostile: control bytes reach the terminal"
else
	pass "hostile: text output and messages carry no control bytes"
fi
# registry text is for people: its control characters are dropped, not
# written out as \x1b sequences, in the subject and in the body
check "hostile: the netname without its control characters, in the subject" 1 \
	"$(grep -c '^Subject: .* from EVIL\]0;pwnedNET\[2J (198\.51\.100\.0/24)$' "$TMP/hostiletext.stdout")"
check "hostile: the netname without its control characters, in the body" 1 \
	"$(tr '\n' ' ' <"$TMP/hostiletext.stdout" | grep -c '198\.51\.100\.0/24 (EVIL\]0;pwnedNET\[2J)')"
check "hostile: no escape sequence written out in the memo" 0 \
	"$(grep -c '\\x[01][0-9a-f]\|\\x7f' "$TMP/hostiletext.stdout")"

# ---- several sources of one netblock, and IPv6 --------------------------------
for cap in dev_11_distributed_scan dev_10_nmap_ipv6_sS; do
	rm -rf "$TMP/$cap.out"
	mkdir -p "$TMP/$cap.out"
	"$SENSOR" -n span0 -r "$CORPUS/$cap.pcap" -w "$TMP/$cap.db" >/dev/null 2>&1
	"$ANALYZER" -q -w "$TMP/$cap.db"
	TZ=UTC report "$cap"
	check "$cap: exit 0" 0 "$RC"
	check "$cap: one memo" 1 "$(memos "$cap")"
done
DIST=$(cat "$TMP/dev_11_distributed_scan.out"/*.eml | tr -d '\r' | tr '\n' ' ' | tr -s ' ')
check_match "distributed: subject" 'Subject: \[SECURITY\] Coordinated port scan from TESTNET2-DSL-POOL \(198\.51\.100\.0/24\)' "$DIST"
check_match "distributed: the five sources named together" 'These 5 addresses \(198\.51\.100\.10, 198\.51\.100\.11, 198\.51\.100\.12, 198\.51\.100\.13, 198\.51\.100\.14\)' "$DIST"
check "distributed: the memo covers all six incidents" 6 \
	"$(q "$TMP/dev_11_distributed_scan.db" 'SELECT count(*) FROM report_incidents')"
V6=$(cat "$TMP/dev_10_nmap_ipv6_sS.out"/*.eml | tr -d '\r')
check_match "IPv6: netblock from whois" 'X-Spanwatch-Netblock: 2001:db8:51::/48' "$V6"
check_match "IPv6: its abuse contact" 'To: <abuse6@testnet2\.example>' "$V6"
check_match "IPv6: the origin AS of the more specific route6 object" \
	'Origin AS: AS64511 \(route 2001:db8:51::/48, from the answer of whois\.testnets\.example\)\.' \
	"$(echo "$V6" | tr '\n' ' ' | tr -s ' ')"
check_match "IPv6: log lines" 'TCP \[2001:db8:51::66\]:[0-9]+ -> \[2001:db8:113::10\]:[0-9]+' "$V6"

# ---- --sign (PGP/MIME) -----------------------------------------------------------
cat >"$TMP/sig.py" <<'PYEOF'
import email, email.policy, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.strict)
print(m.get_content_type(), m.get_param('protocol'))
# the signed part exactly as sent: the bytes between the first two boundaries
b = ('--' + m.get_boundary()).encode()
start = raw.index(b + b'\r\n') + len(b) + 2
end = raw.index(b'\r\n' + b, start)
open(sys.argv[2], 'wb').write(raw[start:end])
sig = list(m.iter_parts())[1]
open(sys.argv[3], 'wb').write(sig.get_payload(decode=True))
PYEOF
if grep -q 'define HAVE_GPGME 1' "$top_builddir/config.h" 2>/dev/null && command -v gpg >/dev/null 2>&1; then
	export GNUPGHOME="$TMP/gnupg"
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --passphrase '' --quick-gen-key 'Jose Test <jose@bigisp.example>' ed25519 default never \
		>/dev/null 2>&1
	fresh signed
	TZ=UTC report signed --sign jose@bigisp.example
	check "--sign: exit 0" 0 "$RC"
	SF=$(ls "$TMP/signed.out"/*198.51.100*)
	check "--sign: PGP/MIME structure" "multipart/signed application/pgp-signature" \
		"$(python3 "$TMP/sig.py" "$SF" "$TMP/signed.part" "$TMP/signed.asc")"
	gpg --batch --verify "$TMP/signed.asc" "$TMP/signed.part" >/dev/null 2>&1
	check "--sign: gpg --verify accepts the signature" 0 "$?"
	printf 'x' >>"$TMP/signed.part"
	gpg --batch --verify "$TMP/signed.asc" "$TMP/signed.part" >/dev/null 2>&1
	check "--sign: and refuses a changed memo" 1 "$?"
	gpgconf --kill gpg-agent 2>/dev/null
	unset GNUPGHOME
else
	echo "note: built without GPGME or no gpg: --sign not tested here"
fi

# ---- bad input -----------------------------------------------------------------
"$REPORTER" -o "$TMP" 2>"$TMP/e1"; check "no -w: usage error" 2 "$?"
"$REPORTER" -w "$BASE" 2>"$TMP/e2"; check "no -o for eml: usage error" 2 "$?"
"$REPORTER" -w "$BASE" -o "$TMP" --format pdf 2>"$TMP/e3"; check "bad --format: usage error" 2 "$?"
"$REPORTER" -w "$BASE" -o "$TMP" --from 'Evil <a@b>, c@d' 2>"$TMP/e4"; check "bad --from: usage error" 2 "$?"
"$REPORTER" -w "$BASE" -o "$TMP/nonexistent" --from 'A <a@b.example>' 2>"$TMP/e5"
check "missing output folder: runtime error" 1 "$?"
check_match "missing output folder: named" 'nonexistent: not a directory' "$(cat "$TMP/e5")"
printf '[reporter]\ncooldown_dayz = 3\n' >"$TMP/bad.conf"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$TMP/bad.conf" --from 'A <a@b.example>' 2>"$TMP/e6"
check "bad config key: usage error" 2 "$?"
check_match "bad config key: file, line and key named" 'bad\.conf:2: \[reporter\] cooldown_dayz' "$(cat "$TMP/e6")"
printf '[reporter]\nname = A\n\nemail = not an address\n' >"$TMP/bademail.conf"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$TMP/bademail.conf" 2>"$TMP/e6b"
check "bad sender address in the config: usage error" 2 "$?"
check_match "bad sender address: file, line and key named" \
	'bademail\.conf:4: \[reporter\] email: not a usable e-mail address' "$(cat "$TMP/e6b")"
printf '[reporter]\nemail = a@b.example\ncc_self = me@x.example, evil@y.example\n' >"$TMP/badcc.conf"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$TMP/badcc.conf" --offline -q 2>"$TMP/e6d"
check "bad cc_self address: usage error" 2 "$?"
check_match "bad cc_self address: file, line and key named" \
	'badcc\.conf:3: \[reporter\] cc_self: not a usable e-mail address' "$(cat "$TMP/e6d")"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$TMP/bademail.conf" --from 'A <a@b.example>' --offline -q \
	2>"$TMP/e6c"
check "bad sender address in the config, good --from: --from wins" 0 "$?"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$top_srcdir/etc/spanwatch.conf" --offline -q 2>"$TMP/e7"
check "shipped config: no sender is a usage error" 2 "$?"
"$REPORTER" -w "$BASE" -o "$TMP" -c "$top_srcdir/etc/spanwatch.conf" --from 'A <a@b.example>' \
	--offline -q 2>"$TMP/e8"
check "shipped config loads" 0 "$?"
printf 'not a database' >"$TMP/junk.db"
"$REPORTER" -w "$TMP/junk.db" -o "$TMP" --from 'A <a@b.example>' 2>"$TMP/e9"
check "not a database: runtime error" 1 "$?"

finish
