#!/bin/sh
# upstream.sh - the network around an offending netblock (issue 16, item 1)
# end to end: the sensor and the analyzer on a corpus capture, then the
# reporter against registries and an IP-to-ASN service (Team Cymru's
# format) on loopback (tests/tools/whoisd.py). Checks: the origin AS from
# the service for a netblock whose (ARIN-style) answer has no route
# object, and from the route object otherwise (the service then not
# asked); the origin's upstreams from its aut-num (import ... accept ANY),
# each upstream's abuse contact, in --lookup text and JSON; the upstream
# Cc'd on a recurring netblock's memo (with the sentence saying why) and
# NOT on a first memo, nor after an answer (--ack) when the activity
# stopped before it, nor with recurring_reports = 0; nothing asked with
# the defaults; a special-use address never sent to a service the
# operator did not name; the origin AS in the X-ARF reports, validated
# against the X-ARF v4 schemas.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
need_sqlite3
for p in "$SENSOR" "$ANALYZER" "$REPORTER"; do
	[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
done

D="$top_srcdir/tests/data/reporter"
SYN="$top_srcdir/tests/data/whois/synthetic"
NOW=1795809600                  # 2026-11-27T20:00:00Z, the reporter's clock
DAY=86400
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { echo "FAIL: $1 never appeared"; exit 1; }
		sleep 0.1
	done
}

# the test registry of reporter.sh, which also answers aut-num queries,
# and the IP-to-ASN service
cat >"$TMP/whoisd.json" <<JSON
{"servers": [
  {"names": ["whois.testnets.example"],
   "rules": [{"match": "^AS64500\$", "file": "$SYN/ripe-autnum-AS64500.whois"},
             {"match": "^AS64501\$", "file": "$SYN/ripe-autnum-AS64501.whois"},
             {"match": "^AS64502\$", "file": "$SYN/ripe-autnum-AS64502.whois"},
             {"match": "198\\\\.51\\\\.100\\\\.", "file": "$D/testnet2.whois"},
             {"match": "192\\\\.0\\\\.2\\\\.", "file": "$D/testnet1.whois"},
             {"match": "(?i)testnet2\\\\.example", "file": "$D/domain-testnet2.whois"}]},
  {"names": ["whois.ripe.net"],
   "rules": [{"match": "^-B -T aut-num AS64500\$", "file": "$SYN/ripe-autnum-AS64500.whois"},
             {"match": "^-B -T aut-num AS64501\$", "file": "$SYN/ripe-autnum-AS64501.whois"},
             {"match": "^-B -T aut-num AS64502\$", "file": "$SYN/ripe-autnum-AS64502.whois"}]},
  {"names": ["whois.cymru.com"],
   "rules": [{"match": "^ -v 192\\\\.0\\\\.2\\\\.99\$", "file": "$SYN/cymru-192.0.2.99.txt"},
             {"match": "^ -v 192\\\\.0\\\\.2\\\\.60\$", "file": "$SYN/cymru-192.0.2.60.txt"},
             {"match": "^ -v 192\\\\.0\\\\.2\\\\.124\$", "file": "$SYN/cymru-192.0.2.124.txt"}]}
]}
JSON
timeout 300 python3 "$top_srcdir/tests/tools/whoisd.py" --config "$TMP/whoisd.json" \
	--port-file "$TMP/w.hosts" --log "$TMP/w.log" --lifetime 280 &
PIDS="$PIDS $!"
wait_file "$TMP/w.hosts"
: >>"$TMP/w.log"
timeout 300 python3 "$top_srcdir/tests/tools/dnsd.py" --zone "$D/dns.zone" \
	--port-file "$TMP/dns.port" --lifetime 280 &
PIDS="$PIDS $!"
wait_file "$TMP/dns.port"
DNS="127.0.0.1:$(cat "$TMP/dns.port")"
# the same registry, but the service's name left out of the hosts map
grep -v 'whois\.cymru\.com' "$TMP/w.hosts" >"$TMP/nocymru.hosts"
CYMRU_PORT=$(sed -n 's/^whois\.cymru\.com 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/w.hosts")

# reporter.conf, and the network around the netblocks asked for
CONF="$TMP/upstream.conf"
{ cat "$D/reporter.conf"; printf 'asn_server = whois.cymru.com\nupstreams = yes\n'
  printf 'recurring_reports = 2\nrecurring_days = 30\n'; } >"$CONF"

BASE="$TMP/base.db"
"$SENSOR" -n span0 -r "$CORPUS/dev_13_mixed.pcap" -w "$BASE" >/dev/null 2>&1 ||
	{ echo "FAIL: sensor"; exit 1; }
"$ANALYZER" -q -w "$BASE" || { echo "FAIL: analyzer"; exit 1; }

fresh() {
	cp "$BASE" "$TMP/$1.db"
	rm -rf "$TMP/$1.out"
	mkdir -p "$TMP/$1.out"
}

# report NAME [ARGS...]: into $TMP/NAME.out, status in RC
report() {
	n=$1
	shift
	SOURCE_DATE_EPOCH=${SDE:-$NOW} TZ=UTC timeout 120 "$REPORTER" -w "$TMP/$n.db" \
		-o "$TMP/$n.out" -c "${C:-$CONF}" --whois-server whois.testnets.example \
		--whois-hosts "$TMP/${HOSTS:-w}.hosts" --dns-server "$DNS" "$@" \
		>"$TMP/$n.stdout" 2>"$TMP/$n.err"
	RC=$?
}
memos() { ls "$TMP/$1.out" | grep -c '\.eml$'; }
flat() { tr -d '\r' <"$1" | tr '\n' ' ' | tr -s ' '; }
ccof() {
	python3 -c 'import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.strict)
print(",".join(a.addr_spec for a in m["Cc"].addresses) if m["Cc"] else "")' "$1"
}
queries() { grep -c "^$1	$2	" "$TMP/w.log"; }

# ---- a first memo: origin AS, upstreams asked, nobody Cc'd -------------------
fresh first
report first
check "first: exit 0" 0 "$RC"
check "first: two memos" 2 "$(memos first)"
M198="$TMP/first.out/20261127T200000Z-198.51.100.0_24.eml"
M192="$TMP/first.out/20261127T200000Z-192.0.2.0_24.eml"
check_match "ARIN-style answer without route object: the origin AS from the IP-to-ASN service" \
	'Origin AS: AS64496 \(BGP prefix 192\.0\.2\.0/24, from the IP-to-ASN service whois\.cymru\.com\)\.' \
	"$(flat "$M192")"
check_match "route object: its origin, not the service's" \
	'Origin AS: AS64500 \(route 198\.51\.100\.0/24, from the answer of whois\.testnets\.example\)\.' \
	"$(flat "$M198")"
check "the service was asked in its verbose form about the ARIN netblock's source" 1 \
	"$(grep -c '^whois\.cymru\.com	 -v 192\.0\.2\.[0-9]*	CRLF$' "$TMP/w.log")"
check "the service was not asked about the netblock with a route object" 0 \
	"$(grep -c '^whois\.cymru\.com	.*198\.51\.100' "$TMP/w.log")"
check "the origin's aut-num asked of the registry that had its route" 1 \
	"$(queries whois.testnets.example AS64500)"
check "each upstream's aut-num asked once" "1 1" \
	"$(queries whois.testnets.example AS64501) $(queries whois.testnets.example AS64502)"
check "a peer's aut-num is not asked" 0 "$(grep -c 'AS6450[3-6]' "$TMP/w.log")"
check "the ARIN-registry origin's aut-num is not asked (ARIN publishes no import: lines)" 0 \
	"$(queries whois.testnets.example AS64496)"
check "a first memo copies no upstream" "domain-admin@testnet2.example,domain-tech@testnet2.example,invoices@testnet2.example,security@testnet2.example" \
	"$(ccof "$M198")"
check "a first memo says nothing of upstreams" 0 "$(grep -c 'upstream provider' "$M198")"
check "the ledger records no upstream for it" 0 \
	"$(q "$TMP/first.db" "SELECT count(*) FROM reports WHERE recipients LIKE '%transit.example%'")"

# ---- the same netblock again after the cooldown: recurring ---------------------
before=$(wc -l <"$TMP/w.log")
"$SENSOR" -n span0 -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$TMP/first.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$TMP/first.db"
SDE=$((NOW + 8 * DAY)) report first
check "second memo: exit 0" 0 "$RC"
check "second memo: written" 3 "$(memos first)"
NEW=$(ls "$TMP/first.out"/20261205*198.51.100.0_24.eml)
check_match "recurring: the upstream's abuse contact in Cc" '(^|,)abuse@transit\.example(,|$)' \
	"$(ccof "$NEW")"
check "recurring: an upstream without an abuse contact is not copied (nor its NOC)" 0 \
	"$(grep -c 'sixtransit' "$NEW")"
check "recurring: the origin's own mailboxes are not added as an upstream" 0 \
	"$(ccof "$NEW" | grep -c 'noc@')"
check_match "recurring: the sentence saying why" \
	'This is the 2nd memo we have written about this range in the last 30 days, and the traffic has not stopped, so I have copied the abuse contact of your upstream provider, AS64501 \(abuse@transit\.example\), as the routing policy of AS64500 in the registry names it\.' \
	"$(flat "$NEW")"
check "recurring: the ledger records the Cc" 1 \
	"$(q "$TMP/first.db" "SELECT count(*) FROM reports WHERE recipients LIKE '%cc:abuse@transit.example%'")"
check "recurring: a header a mail parser accepts" 0 \
	"$(python3 -c 'import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.strict)
print(len(m.defects))' "$NEW")"

# ---- not recurring ---------------------------------------------------------------
# an answer (--ack) after the new activity had stopped: not recurring
fresh acked
report acked
"$SENSOR" -n span0 -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$TMP/acked.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$TMP/acked.db"
LAST=$(q "$TMP/acked.db" "SELECT max(last_seen) / 1000000 FROM incidents WHERE src = '198.51.100.140'")
SOURCE_DATE_EPOCH=$((NOW + DAY)) "$REPORTER" -w "$TMP/acked.db" --ack 198.51.100.0/24 \
	--note "customer cleaned up" >/dev/null 2>&1
check "ack: recorded after the new activity ended" 1 \
	"$([ "$((NOW + DAY))" -gt "$LAST" ] && echo 1 || echo 0)"
SDE=$((NOW + 8 * DAY)) report acked
check "acked, activity stopped before the answer: a memo" 3 "$(memos acked)"
A=$(ls "$TMP/acked.out"/20261205*198.51.100.0_24.eml)
check "acked, activity stopped before the answer: no upstream Cc" 0 "$(ccof "$A" | grep -c transit)"
check "acked: no sentence about upstreams" 0 "$(grep -c 'upstream provider' "$A")"
# the same with recurring_reports = 0: never
fresh never
sed 's/^recurring_reports = 2$/recurring_reports = 0/' "$CONF" >"$TMP/never.conf"
C="$TMP/never.conf" report never
"$SENSOR" -n span0 -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$TMP/never.db" >/dev/null 2>&1
"$ANALYZER" -q -w "$TMP/never.db"
SDE=$((NOW + 8 * DAY)) C="$TMP/never.conf" report never
check "recurring_reports = 0: the second memo" 3 "$(memos never)"
check "recurring_reports = 0: no upstream Cc" 0 \
	"$(ccof "$(ls "$TMP/never.out"/20261205*198.51.100.0_24.eml)" | grep -c transit)"
# recurring_reports = 1 would copy a first memo: refused
sed 's/^recurring_reports = 2$/recurring_reports = 1/' "$CONF" >"$TMP/one.conf"
fresh one
C="$TMP/one.conf" report one
check "recurring_reports = 1: a configuration error" 2 "$RC"
check_match "recurring_reports = 1: says which line and why" \
	'one\.conf:[0-9]+: \[reporter\] recurring_reports: 1 would copy' "$(cat "$TMP/one.err")"

# an asn_server that is no HOST[:PORT]: refused, naming the file and line
{ cat "$D/reporter.conf"; echo "asn_server = whois.cymru.com:99999"; } >"$TMP/badasn.conf"
fresh badasn
C="$TMP/badasn.conf" report badasn
check "asn_server not a HOST[:PORT]: a configuration error" 2 "$RC"
check_match "asn_server not a HOST[:PORT]: says where" \
	'badasn\.conf:[0-9]+: \[reporter\] asn_server: .whois\.cymru\.com:99999.' "$(cat "$TMP/badasn.err")"

# ---- the defaults: nothing asked beyond the registry ------------------------------
fresh defaults
before=$(wc -l <"$TMP/w.log")
C="$D/reporter.conf" report defaults
check "defaults: two memos" 2 "$(memos defaults)"
check "defaults: neither the service nor an aut-num asked" 0 \
	"$(tail -n +"$((before + 1))" "$TMP/w.log" | grep -c 'cymru\|aut-num\|	AS[0-9]')"
check "defaults: no origin for the ARIN-style netblock" 0 \
	"$(grep -c 'Origin AS' "$TMP/defaults.out/"*192.0.2.0_24.eml)"

# ---- special-use addresses only to a service the operator named -------------------
fresh special
before=$(wc -l <"$TMP/w.log")
{ cat "$D/reporter.conf"; echo "asn_server = 127.0.0.1:$CYMRU_PORT"; } >"$TMP/special.conf"
C="$TMP/special.conf" HOSTS=nocymru report special
check "special-use: memos written" 2 "$(memos special)"
check "special-use: 192.0.2.x never sent to a service not named by --whois-server/--whois-hosts" 0 \
	"$(tail -n +"$((before + 1))" "$TMP/w.log" | grep -c '^whois\.cymru\.com')"
check "special-use: no origin from it" 0 "$(grep -c 'Origin AS' "$TMP/special.out/"*192.0.2.0_24.eml)"

# ---- --lookup ----------------------------------------------------------------------
lookup() {
	SOURCE_DATE_EPOCH=$NOW timeout 60 "$REPORTER" --lookup -c "$CONF" \
		--whois-server whois.testnets.example --whois-hosts "$TMP/w.hosts" "$@"
}
L192=$(lookup 192.0.2.60)
check_match "--lookup: the origin from the service" \
	'origin: +AS64496 \(BGP prefix 192\.0\.2\.0/24, from the IP-to-ASN service whois\.cymru\.com\)' "$L192"
check_match "--lookup: the service's AS name" 'AS name: +HOSTING-EXAMPLE - Hosting Example Inc, US' "$L192"
check_match "--lookup: the service in the servers asked" 'whois whois\.cymru\.com " -v 192\.0\.2\.60": answered' "$L192"
L198=$(lookup 198.51.100.30)
check_match "--lookup: upstreams listed" 'upstreams \(the origin.s aut-num accepts ANY from\):' "$L198"
check_match "--lookup: the upstream with its abuse contact and where it came from" \
	'AS64501  abuse@transit\.example  via abuse-c TA1-TEST, from whois\.testnets\.example' "$L198"
check_match "--lookup: the upstream without one" 'AS64502  no abuse contact found' "$L198"
check "--lookup: peers are no upstreams" 0 "$(echo "$L198" | grep -c 'AS6450[3-6]')"
# the service's origin in RIPE space: its aut-num asked of RIPE, in RIPE's form
before=$(wc -l <"$TMP/w.log")
L99=$(lookup 192.0.2.99)
check_match "--lookup: the service names RIPE: the origin's aut-num asked of whois.ripe.net" \
	'whois whois\.ripe\.net "-B -T aut-num AS64500": answered' "$L99"
check_match "--lookup: and its upstream's, for its abuse contact" \
	'AS64501  abuse@transit\.example  via abuse-c TA1-TEST, from whois\.ripe\.net' "$L99"
check "--lookup: RIPE asked three aut-nums, nothing else" "3 3" \
	"$(tail -n +"$((before + 1))" "$TMP/w.log" | grep -c '^whois\.ripe\.net	-B -T aut-num AS6450[012]	') $(tail -n +"$((before + 1))" "$TMP/w.log" | grep -c '^whois\.ripe\.net	')"
J=$(lookup --json 198.51.100.30)
check "--lookup --json: origin and upstreams" \
	"64500 route True 64501:abuse@transit.example 64502:None" \
	"$(echo "$J" | python3 -c 'import json, sys
o = json.loads(sys.stdin.readline())["origin"]
print(o["asn"], o["via"], o["autnum_found"], " ".join("%d:%s" % (u["asn"], u["abuse"]) for u in o["upstreams"]))')"
J=$(lookup --json 192.0.2.60)
check "--lookup --json: the service's origin" "64496 ip-to-asn arin 192.0.2.0/24" \
	"$(echo "$J" | python3 -c 'import json, sys
o = json.loads(sys.stdin.readline())["origin"]
print(o["asn"], o["via"], o["registry"], o["route"])')"

# from the whois cache (-w): the service's and the aut-num answers are
# stored with the lookup's and replayed; nothing asked the second time
lookup -w "$TMP/lk.db" 198.51.100.30 >/dev/null
lookup -w "$TMP/lk.db" 192.0.2.60 >/dev/null
before=$(wc -l <"$TMP/w.log")
LC=$(lookup -w "$TMP/lk.db" 198.51.100.30 192.0.2.60)
check "--lookup from the cache: nothing asked" "$before" "$(wc -l <"$TMP/w.log")"
check_match "--lookup from the cache: the upstream and its contact" \
	'AS64501  abuse@transit\.example' "$LC"
check_match "--lookup from the cache: the service's origin" \
	'origin: +AS64496 \(BGP prefix 192\.0\.2\.0/24, from the IP-to-ASN service whois\.cymru\.com\)' "$LC"
check_match "--lookup from the cache: the service's answer shown as cached" \
	'whois whois\.cymru\.com " -v 192\.0\.2\.60": cached' "$LC"
# memos --offline from a cache a run filled (its memos removed again)
fresh cached
report cached
q "$TMP/cached.db" 'DELETE FROM report_detections; DELETE FROM report_incidents; DELETE FROM reports' >/dev/null
rm -f "$TMP/cached.out"/*
before=$(wc -l <"$TMP/w.log")
report cached --offline
check "--offline from the cache: two memos, nothing asked" "2 $before" \
	"$(memos cached) $(wc -l <"$TMP/w.log")"
check_match "--offline from the cache: the service's origin in the memo" \
	'Origin AS: AS64496 \(BGP prefix 192\.0\.2\.0/24, from the IP-to-ASN service whois\.cymru\.com\)\.' \
	"$(flat "$TMP/cached.out/"*192.0.2.0_24.eml)"

# ---- X-ARF: the origin AS of each report's source -----------------------------------
fresh xarf
report xarf --format xarf
check "xarf: exit 0" 0 "$RC"
mkdir -p "$TMP/xarfjson"
XR=$(python3 - "$TMP/xarf.out" "$TMP/xarfjson" <<'PY'
import email, email.policy, json, sys, glob
n = 0
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_bytes(open(f, 'rb').read(), policy=email.policy.strict)
    for i, p in enumerate(list(m.iter_parts())[1:]):
        out = '%s/report-%d-%d.json' % (sys.argv[2], n, i)
        open(out, 'wb').write(p.get_payload(decode=True))
        r = json.load(open(out))
        print(r['source_identifier'], r.get('source_asn'), ','.join(r.get('tags', [])))
    n += 1
PY
)
check "xarf: source_asn and the origin-as tag per source" "192.0.2.124 64496 origin-as:as64496
192.0.2.60 64496 origin-as:as64496
198.51.100.30 64500 origin-as:as64500" "$(echo "$XR" | sort)"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 "$top_srcdir/tests/mailcheck.py" --validate "$top_srcdir/tests/data/xarf/schemas" \
		"$TMP/xarfjson"/*.json >"$TMP/validate.out" 2>&1
	check "xarf: reports with the origin AS validate against the X-ARF v4 schemas" 0 "$?"
else
	echo "note: python3-jsonschema missing, X-ARF schema validation not run"
fi

finish
