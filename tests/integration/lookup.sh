#!/bin/sh
# lookup.sh - `spanwatch-reporter --lookup` (reporter/lookup.c) against a
# whois server on loopback (tests/tools/whoisd.py) serving the registry
# answers of tests/data/whois/: the text account (range, name, servers
# asked, contacts one per line with field and server), --json (every line
# one valid JSON object with the documented fields), exit statuses 0, 1, 2
# and 3, a dead referral shown in the chain (the partial answer kept), the cache with -w (a second
# run asks nothing), no database written without -w, --offline, domains,
# and hostile bytes that never reach the terminal. All traffic stays on
# 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
[ -x "$REPORTER" ] || { echo "FAIL: $REPORTER not built"; exit 1; }

WHOISD="$top_srcdir/tests/tools/whoisd.py"
DATA="$top_srcdir/tests/data/whois"
SYN="$DATA/synthetic"
CL="$DATA/client"
# the clock: cache ages are judged with it
SOURCE_DATE_EPOCH=1800000000
export SOURCE_DATE_EPOCH

PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

cat >"$TMP/whoisd.json" <<EOF
{"servers": [
 {"names": ["whois.ripe.net"], "rules": [
   {"match": "62\\\\.239\\\\.237\\\\.", "file": "$DATA/62.239.237.1.whois"},
   {"match": "198\\\\.51\\\\.100\\\\.7$", "file": "$SYN/hostile-escapes-198.51.100.7.whois"}]},
 {"names": ["whois.arin.net"], "rules": [
   {"match": "74\\\\.125\\\\.", "file": "$DATA/74.125.225.229.whois"},
   {"match": "23\\\\.131\\\\.4\\\\.", "file": "$SYN/arin-refer-rwhois-23.131.4.20.whois"}]},
 {"names": ["rwhois.example.net"], "behaviour": "unreachable"},
 {"names": ["whois.iana.org"], "rules": [{"match": "^net$", "file": "$CL/iana-net.txt"}]},
 {"names": ["whois.verisign-grs.com"], "default": "$CL/verisign-casema.txt"},
 {"names": ["whois.registrar.test"], "default": "$CL/registrar-casema.txt"}
]}
EOF
timeout 300 python3 "$WHOISD" --config "$TMP/whoisd.json" --port-file "$TMP/hosts" \
	--log "$TMP/whoisd.log" --lifetime 240 &
PID=$!
i=0
while [ ! -s "$TMP/hosts" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || { echo "FAIL: whoisd did not start"; exit 1; }
	sleep 0.1
done
: >>"$TMP/whoisd.log"
LOG="$TMP/whoisd.log"

# whois settings come from -c: no pacing, short timeouts
cat >"$TMP/reporter.conf" <<EOF
[reporter]
whois_pace_ms = 0
whois_timeout_ms = 2000
EOF
# never the shipped RDAP bootstrap: it names public servers. These tests
# are port 43 on loopback; where the reporter has RDAP, it is off here.
if grep -q '^rdap *=' "$top_srcdir/etc/spanwatch.conf"; then
	echo "rdap = no" >>"$TMP/reporter.conf"
fi
COMMON="-c $TMP/reporter.conf --whois-hosts $TMP/hosts"

# lk NAME ARGS...: run --lookup from an empty directory (to see that it
# writes nothing there), bounded by a timeout; stdout in $TMP/NAME.out,
# stderr in $TMP/NAME.err, exit status in $RC
mkdir "$TMP/cwd"
lk() {
	name=$1
	shift
	(cd "$TMP/cwd" && timeout 60 "$REPORTER" --lookup "$@") \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}
queries() { grep -c . "$LOG"; }
# the contact lines of a text account, "N. ADDRESS  [SOURCE] via FIELD, from SERVER"
contacts() { sed -n '/^  contacts/,/^$/s/^    \([0-9]*\. .*\)$/\1/p' "$TMP/$1.out"; }
# the servers asked, "N. PROTO SERVER "QUERY": OUTCOME"
chain() { sed -n '/^  asked:$/,/^  contacts/s/^    \([0-9]*\. .*\)$/\1/p' "$TMP/$1.out"; }
# jq-less JSON: python3 reads every line of NAME.out and prints EXPR for each
jsonl() {
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(eval(sys.argv[2]))' "$TMP/$1.out" "$2" 2>>"$TMP/$1.jerr"
}

# ---- text: one address, its range, its chain, its contacts ---------------
lk ripe $COMMON 62.239.237.1
check "text: exit 0 when a contact was found" 0 "$RC"
check_match "text: the query named" '^62\.239\.237\.1 \(address\)$' "$(head -n 1 "$TMP/ripe.out")"
check_match "text: status ok" '^  status: +ok$' "$(grep 'status:' "$TMP/ripe.out")"
check_match "text: the range" '^  range: +62\.239\.237\.0/24' "$(grep 'range:' "$TMP/ripe.out")"
check_match "text: the network's name" '^  name: +[A-Z0-9-]+$' "$(grep 'name:' "$TMP/ripe.out")"
check_match "text: the designated abuse mailbox first, with its field and server" \
	'^1\. protect@bt\.com  \[abuse mailbox\] via .+, from whois\.ripe\.net' \
	"$(contacts ripe | sed -n 1p)"
check "text: one contact per line, numbered" "$(contacts ripe | wc -l | tr -d ' ')" \
	"$(contacts ripe | grep -c '^[0-9]*\. [^ ]*@[^ ]*  \[')"
check "text: the server asked, with its query and outcome" \
	'1. whois whois.ripe.net "-B 62.239.237.1": answered' "$(chain ripe)"
check "text: nothing written in the working directory without -w" "" "$(ls -A "$TMP/cwd")"
check "text: the origin AS of the most specific route object, with its route and server" \
	"  origin:   AS2856 (route 62.239.0.0/16, from whois.ripe.net)" "$(grep 'origin:' "$TMP/ripe.out")"

# ---- a dead referral: the chain shows the failure -------------------------
lk dead $COMMON 23.131.4.20
check "dead referral: a partial answer with a contact is found (exit 0)" 0 "$RC"
check_match "dead referral: ARIN asked first, which referred" \
	'^1\. whois whois\.arin\.net "n \+ 23\.131\.4\.20": referred to rwhois\.example\.net' \
	"$(chain dead | sed -n 1p)"
check_match "dead referral: the rwhois server shown as failed" \
	'^2\. rwhois rwhois\.example\.net(:4321)? "23\.131\.4\.20": FAILED: .*refused' \
	"$(chain dead | sed -n 2p)"
check "dead referral: two servers asked" 2 "$(chain dead | wc -l | tr -d ' ')"
check_match "dead referral: ARIN's good answer kept, said to be partial, with the reason" \
	'^  status: +partial: .*rwhois\.example\.net.*refused' "$(grep 'status:' "$TMP/dead.out")"
check_match "dead referral: ARIN's designated abuse contact first, from ARIN" \
	'^1\. abuse@regional\.example\.net  \[abuse mailbox\] via RAbuseEmail, from whois\.arin\.net$' \
	"$(contacts dead | sed -n 1p)"
lk deadj $COMMON --json 23.131.4.20
check "dead referral, JSON: status, the failed step" "partial whois:True rwhois:False" \
	"$(jsonl deadj 'o["status"] + " " + " ".join(t["proto"] + ":" + str(t["ok"]) for t in o["trace"])')"

# ---- JSON ---------------------------------------------------------------
lk json $COMMON --json 62.239.237.1 74.125.225.229 casema.net
check "json: exit 0" 0 "$RC"
check "json: one line per query" 3 "$(grep -c . "$TMP/json.out")"
check "json: every line is a JSON object" "True True True" \
	"$(jsonl json 'isinstance(o, dict)' | tr '\n' ' ' | sed 's/ $//')"
check "json: the documented fields" \
	"contacts country from_cache kind netname org origin query range rate_limited reason server status trace" \
	"$(jsonl json '" ".join(sorted(o))' | sed -n 1p)"
check "json: queries and kinds" "62.239.237.1 address|74.125.225.229 address|casema.net domain" \
	"$(jsonl json 'o["query"] + " " + o["kind"]' | tr '\n' '|' | sed 's/|$//')"
check "json: RIPE's first contact" "protect@bt.com" \
	"$(jsonl json 'o["contacts"][0]["address"]' | sed -n 1p)"
check "json: a contact's fields" "address rank server source via" \
	"$(jsonl json '" ".join(sorted(o["contacts"][0]))' | sed -n 1p)"
check "json: ARIN's first contact, from ARIN" "arin-contact@google.com whois.arin.net 1" \
	"$(jsonl json 'o["contacts"][0]["address"] + " " + o["contacts"][0]["server"] + " " + str(o["contacts"][0]["rank"])' | sed -n 2p)"
check "json: a trace step's fields" "ok outcome proto query server" \
	"$(jsonl json '" ".join(sorted(o["trace"][0])) if o["trace"] else "-"' | sed -n 1p)"
check "json: the server asked for RIPE's answer" "whois whois.ripe.net -B 62.239.237.1 True" \
	"$(jsonl json '" ".join([o["trace"][0]["proto"], o["trace"][0]["server"], o["trace"][0]["query"], str(o["trace"][0]["ok"])]) if o["trace"] else "-"' | sed -n 1p)"
check "json: the range as CIDRs" "62.239.237.0/24" \
	"$(jsonl json '",".join(o["range"])' | sed -n 1p | cut -d, -f1)"
check "json: a domain's contacts are domain contacts" "domain contact" \
	"$(jsonl json 'o["contacts"][0]["source"] if o["contacts"] else "none"' | sed -n 3p)"
check "json: the origin AS, its route and server (RIPE's answer); none from ARIN's" \
	"2856 62.239.0.0/16 whois.ripe.net|None|None" \
	"$(jsonl json '" ".join([str(o["origin"]["asn"]), o["origin"]["route"], o["origin"]["server"]]) if o["origin"] else "None"' | tr '\n' '|' | sed 's/|$//')"
check "json: status ok, no reason" "ok None" \
	"$(jsonl json 'o["status"] + " " + str(o["reason"])' | sed -n 1p)"
check "json: no parse errors" "" "$(cat "$TMP/json.jerr" 2>/dev/null)"

# ---- exit statuses ------------------------------------------------------
lk miss $COMMON 62.239.237.1 192.0.2.1
check "exit 1 when one query found no contact" 1 "$RC"
check_match "unresolved: the reason" '^  status: +unresolved: .*special-use' \
	"$(grep 'status:' "$TMP/miss.out" | sed -n 2p)"
lk missj $COMMON --json 192.0.2.1
check "json unresolved: exit 1" 1 "$RC"
check "json unresolved: status, a reason, no contacts" "unresolved True 0" \
	"$(jsonl missj 'o["status"] + " " + str(bool(o["reason"])) + " " + str(len(o["contacts"]))')"
lk bad $COMMON 62.239.237.1 not-an-address
check "exit 2: a query that is neither an address nor a domain" 2 "$RC"
check_match "exit 2: says which" "not-an-address" "$(cat "$TMP/bad.err")"
check "exit 2: nothing asked for the good query either" "" "$(cat "$TMP/bad.out")"
lk none $COMMON
check "exit 2: no query" 2 "$RC"
lk memo $COMMON -o "$TMP" 62.239.237.1
check "exit 2: --lookup with a memo option" 2 "$RC"
(cd "$TMP/cwd" && "$REPORTER" --json -w "$TMP/x.db" -o "$TMP") >/dev/null 2>&1
check "exit 2: --json without --lookup" 2 "$?"
echo "not a database" >"$TMP/notdb"
lk dberr $COMMON -w "$TMP/notdb" 62.239.237.1
check "exit 3: the database cannot be used" 3 "$RC"

# ---- the cache: -w keeps answers, a second run asks nothing --------------
DB="$TMP/cache.db"
lk c1 $COMMON -w "$DB" --json 74.125.225.229
check "cache: first run resolved" 0 "$RC"
n1=$(queries)
lk c2 $COMMON -w "$DB" --json 74.125.225.229
check "cache: second run resolved" 0 "$RC"
check "cache: second run asked no server" "$n1" "$(queries)"
check "cache: same first contact" "$(jsonl c1 'o["contacts"][0]["address"]')" \
	"$(jsonl c2 'o["contacts"][0]["address"]')"
check "cache: said to come from the cache" "False True" \
	"$(jsonl c1 'o["from_cache"]') $(jsonl c2 'o["from_cache"]')"
lk c3 $COMMON -w "$DB" 74.125.225.229
check_match "cache: the text says so" 'from the whois cache' "$(grep 'status:' "$TMP/c3.out")"

# ---- --offline: the cache alone --------------------------------------------
n1=$(queries)
lk off1 $COMMON -w "$DB" --offline 74.125.225.229
check "offline: a cached answer will do" 0 "$RC"
lk off2 $COMMON --offline 62.239.237.1
check "offline without a cache: exit 1" 1 "$RC"
check_match "offline without a cache: the reason" 'not in the whois cache' \
	"$(grep 'status:' "$TMP/off2.out")"
check "offline: no server asked" "$n1" "$(queries)"

# ---- domains ------------------------------------------------------------
lk dom $COMMON casema.net
check "domain: exit 0" 0 "$RC"
check_match "domain: kind" '^casema\.net \(domain\)$' "$(head -n 1 "$TMP/dom.out")"
check_match "domain: admin contact first, labelled" \
	'^1\. hostmaster@casema\.net  \[domain contact\] via ' "$(contacts dom | sed -n 1p)"

# ---- hostile answers never reach the terminal ------------------------------
lk hostile $COMMON --whois-server whois.ripe.net 198.51.100.7
lk hostilej $COMMON --whois-server whois.ripe.net --json 198.51.100.7
check "hostile: no control byte in the text" 0 \
	"$(tr -d '\n\t' <"$TMP/hostile.out" | tr -d ' -~' | wc -c | tr -d ' ')"
check "hostile: no control byte in the JSON" 0 \
	"$(tr -d '\n' <"$TMP/hostilej.out" | tr -d ' -~' | wc -c | tr -d ' ')"
check "hostile: the JSON is still valid" "True" "$(jsonl hostilej 'isinstance(o, dict)')"

# ---- -w with a database that does not exist yet: created, used ------------
lk new $COMMON -w "$TMP/new.db" --offline 62.239.237.1
check "a new -w database is created (offline: nothing in it)" "1 yes" \
	"$RC $([ -f "$TMP/new.db" ] && echo yes || echo no)"

echo "$CHECKS checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
