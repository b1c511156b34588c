#!/bin/sh
# whois.sh - the whois client (reporter/whois.c) against a whois server on
# loopback (tests/tools/whoisd.py) serving the real registry answers of
# tests/data/whois/ and the synthetic ones of tests/data/whois/synthetic/
# and tests/data/whois/client/: first-server table and query forms,
# referral chains (ARIN -> RIPE, APNIC -> KRNIC, APNIC -> JPNIC,
# ARIN -> rwhois, IANA -> ARIN), loops and the hop limit, the cache (one
# query per netblock per TTL, --offline), special-use addresses, rate
# limits, pacing, a never-ending answer, a silent, a closing and an
# unreachable server, hostile bytes, domain whois, --whois-hosts errors, and
# broken chains that keep the best answer (partial, its cache TTL, the
# trace) and special-use referrals between servers the operator named.
# All traffic stays on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
need_sqlite3

WL="$top_builddir/tests/whoislookup"
WHOISD="$top_srcdir/tests/tools/whoisd.py"
DATA="${WHOIS_DATA:-$top_srcdir/tests/data/whois}"
SYN="$top_srcdir/tests/data/whois/synthetic"
CL="$top_srcdir/tests/data/whois/client"
NOW=1800000000000000          # the clock every lookup is judged with
DAY=86400000000
[ -x "$WL" ] || { echo "FAIL: $WL not built"; exit 1; }

PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# start_whoisd NAME CONFIG: a server whose hosts map is $TMP/NAME.hosts and
# whose query log is $TMP/NAME.log
start_whoisd() {
	timeout 300 python3 "$WHOISD" --config "$2" --port-file "$TMP/$1.hosts" \
		--log "$TMP/$1.log" --lifetime 240 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	i=0
	while [ ! -s "$TMP/$1.hosts" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { echo "FAIL: whoisd $1 did not start"; exit 1; }
		sleep 0.1
	done
	: >>"$TMP/$1.log"
}

# queries LOG [SERVER]: how many queries reached the server(s)
queries() {
	if [ $# -ge 2 ]; then grep -c "^$2	" "$1"; else grep -c . "$1"; fi
}

# wl OUTPUT ARGS...: run whoislookup bounded by a timeout; stdout in
# $TMP/OUTPUT.out, stderr in $TMP/OUTPUT.err, exit status in $RC
wl() {
	out=$1
	shift
	timeout 60 "$WL" "$@" >"$TMP/$out.out" 2>"$TMP/$out.err"
	RC=$?
}

field() { sed -n "s/^$2=//p" "$TMP/$1.out" | head -n 1; }
contacts() { sed -n 's/^contact=//p' "$TMP/$1.out"; }
first_contact() { contacts "$1" | head -n 1 | cut -d' ' -f1; }
# line number of an address in the contact list (0 when absent)
rank() { contacts "$1" | cut -d' ' -f1 | grep -Fnx "$2" | cut -d: -f1 | head -n 1 | grep . || echo 0; }

cat >"$TMP/main.json" <<EOF
{"servers": [
 {"names": ["whois.ripe.net"], "rules": [
   {"match": "62\\\\.239\\\\.237\\\\.", "file": "$DATA/62.239.237.1.whois"},
   {"match": "2a00:2381:", "file": "$DATA/2a00_2381_ffff__1.whois"},
   {"match": "198\\\\.51\\\\.100\\\\.7$", "file": "$SYN/hostile-escapes-198.51.100.7.whois"},
   {"match": "198\\\\.51\\\\.100\\\\.8$", "file": "$SYN/hostile-crlf-198.51.100.7.whois"}]},
 {"names": ["whois.arin.net"], "rules": [
   {"match": "74\\\\.125\\\\.", "file": "$DATA/74.125.225.229.whois"},
   {"match": "62\\\\.239\\\\.", "file": "$SYN/arin-refer-ripe-62.239.237.1.whois"},
   {"match": "23\\\\.131\\\\.4\\\\.", "file": "$SYN/arin-refer-rwhois-23.131.4.20.whois"},
   {"match": "23\\\\.131\\\\.9\\\\.", "file": "$SYN/selfref-arin-23.131.4.20.whois"},
   {"match": "2a20:", "file": "$DATA/74.125.225.229.whois"},
   {"match": "23\\\\.129\\\\.", "file": "$CL/arin-refer-iana.txt"},
   {"match": "2001:4860:", "file": "$DATA/2001_4860_4860__8888.whois"}]},
 {"names": ["rwhois.example.net"], "default": "$SYN/rwhois-23.131.4.20.whois"},
 {"names": ["rwhois.backbone.example.net"]},
 {"names": ["whois.apnic.net"], "rules": [
   {"match": "210\\\\.107\\\\.", "file": "$DATA/210.107.73.73.whois"},
   {"match": "2001:240:", "file": "$DATA/2001_240_10c_1__ca20_9d1d.whois"},
   {"match": "1\\\\.0\\\\.0\\\\.", "file": "$SYN/hostile-selfref-apnic.whois"},
   {"match": "103\\\\.10\\\\.", "file": "$SYN/transferred-103.10.1.1.whois"}]},
 {"names": ["whois.krnic.net", "whois.nic.or.kr", "whois.kisa.or.kr"],
  "default": "$SYN/krnic-210.107.73.73.whois"},
 {"names": ["whois.nic.ad.jp"], "default": "$SYN/jpnic-2001_240_10c_1__ca20_9d1d.whois"},
 {"names": ["whois.lacnic.net"], "rules": [
   {"match": "200\\\\.57\\\\.", "file": "$DATA/200.57.141.161.whois"},
   {"match": "2801:10:", "file": "$DATA/2801_10_c000__.whois"}]},
 {"names": ["whois.afrinic.net"], "rules": [
   {"match": "196\\\\.11\\\\.", "file": "$DATA/196.11.240.215.whois"},
   {"match": "2001:43f8:", "file": "$DATA/2001_43f8_7b0__.whois"}]},
 {"names": ["whois.iana.org"], "rules": [
   {"match": "^net$", "file": "$CL/iana-net.txt"},
   {"match": "^23\\\\.129\\\\.", "file": "$CL/iana-refer-arin.txt"},
   {"match": "^2a20:", "file": "$SYN/iana-74.125.225.229.whois"},
   {"match": "^nowhois$", "file": "$CL/iana-none.txt"}]},
 {"names": ["whois.verisign-grs.com"], "default": "$CL/verisign-casema.txt"},
 {"names": ["whois.registrar.test"], "default": "$CL/registrar-casema.txt"}
]}
EOF
start_whoisd main "$TMP/main.json"
H="$TMP/main.hosts"
LOG="$TMP/main.log"
DB="$TMP/whois.db"
COMMON="-w $DB --whois-hosts $H --pace-ms 0 --timeout-ms 2000"

# ---- the first server, query forms, the real answers -------------------
wl ripe $COMMON --now-us $NOW 62.239.237.1
check "RIPE: resolved" ok "$(field ripe status)"
check "RIPE: protect@bt.com first" protect@bt.com "$(first_contact ripe)"
check "RIPE: asked in RIPE's form, CRLF-terminated" 1 \
	"$(grep -cx 'whois.ripe.net	-B 62.239.237.1	CRLF' "$LOG")"

wl arin $COMMON --now-us $NOW 74.125.225.229
check "ARIN: OrgAbuseEmail first" arin-contact@google.com "$(first_contact arin)"
check "ARIN: listed once" 1 "$(contacts arin | grep -c '^arin-contact@google.com ')"
check "ARIN: range" 74.125.0.0/16 "$(field arin cidr)"
check "ARIN: asked 'n + ADDR'" 1 "$(grep -cx 'whois.arin.net	n + 74.125.225.229	CRLF' "$LOG")"

wl lacnic $COMMON --now-us $NOW 200.57.141.161
check "LACNIC: range 200.57.128.0/19" 200.57.128.0/19 "$(field lacnic cidr)"
check "LACNIC: bare query" 1 "$(grep -cx 'whois.lacnic.net	200.57.141.161	CRLF' "$LOG")"

wl afrinic $COMMON --now-us $NOW 196.11.240.215
check "AFRINIC: remarks address" abuse@mtnbusiness.co.za "$(first_contact afrinic)"
check_match "AFRINIC: labelled as taken from remarks" '^abuse@mtnbusiness.co.za remarks' \
	"$(contacts afrinic | head -n 1)"

wl v6 $COMMON --now-us $NOW 2a00:2381:ffff::1 2001:4860:4860::8888 2801:10:c000:: 2001:43f8:7b0::
check "IPv6: four resolved" 4 "$(grep -c '^status=ok' "$TMP/v6.out")"
for want in 'whois.ripe.net	-B 2a00:2381:ffff::1' 'whois.arin.net	n + 2001:4860:4860::8888' \
	'whois.lacnic.net	2801:10:c000::' 'whois.afrinic.net	-B 2001:43f8:7b0::'; do
	check "IPv6: $want" 1 "$(grep -cx "$want	CRLF" "$LOG")"
done

# ---- referral chains ----------------------------------------------------
n0=$(queries "$LOG")
wl chain $COMMON --now-us $NOW --ttl-s 0 --whois-server whois.arin.net 62.239.237.1
check "ARIN -> RIPE: ARIN asked 'n + ADDR' first" \
	"whois.arin.net	n + 62.239.237.1	CRLF" "$(sed -n "$((n0 + 1))p" "$LOG")"
check "ARIN -> RIPE: then RIPE in its form" \
	"whois.ripe.net	-B 62.239.237.1	CRLF" "$(sed -n "$((n0 + 2))p" "$LOG")"
check "ARIN -> RIPE: the RIPE contact is picked" protect@bt.com "$(first_contact chain)"
check "ARIN -> RIPE: never RIPE's own abuse desk" 0 "$(rank chain abuse@ripe.net)"

n0=$(queries "$LOG")
wl krnic $COMMON --now-us $NOW 210.107.73.73
check "APNIC -> KRNIC: resolved" ok "$(field krnic status)"
check "APNIC -> KRNIC: the chain went on to KRNIC" 1 \
	"$(sed -n "$((n0 + 1)),\$p" "$LOG" | grep -Ec '^whois\.(krnic\.net|nic\.or\.kr|kisa\.or\.kr)	')"
check "APNIC -> KRNIC: abuse@bora.net first" abuse@bora.net "$(first_contact krnic)"
ra=$(rank krnic abuse@bora.net)
rs=$(rank krnic security@bora.net)
rh=$(rank krnic hostmaster@nic.or.kr)
check "APNIC -> KRNIC: bora.net contacts before the NIR's IRT" yes \
	"$([ "$ra" -gt 0 ] && [ "$rs" -gt 0 ] && { [ "$rh" -eq 0 ] || { [ "$ra" -lt "$rh" ] && [ "$rs" -lt "$rh" ]; }; } && echo yes || echo "no ($ra $rs $rh)")"
check_match "APNIC -> KRNIC: hostmaster@nic.or.kr only labelled as NIR IRT" \
	'^(|hostmaster@nic\.or\.kr [^ ]* ?[^ ]* ?IRT.*)$' "$(contacts krnic | grep '^hostmaster@nic.or.kr ' || true)"

wl jpnic $COMMON --now-us $NOW 2001:240:10c:1::ca20:9d1d
check "APNIC -> JPNIC: asked JPNIC in English" 1 \
	"$(grep -cx 'whois.nic.ad.jp	2001:240:10c:1::ca20:9d1d/e	CRLF' "$LOG")"
check "APNIC -> JPNIC: never JPNIC's hostmaster" 0 "$(rank jpnic hostmaster@nic.ad.jp)"
check "APNIC -> JPNIC: resolved" ok "$(field jpnic status)"

# ARIN -> the LAST ReferralServer, rwhois://rwhois.example.net:4321: the
# bare address at the referral's port
wl rwhois $COMMON --now-us $NOW 23.131.4.20
check "rwhois: ARIN's referral followed" ok "$(field rwhois status)"
check "rwhois: asked the bare address" 1 "$(grep -cx 'rwhois.example.net	23.131.4.20	CRLF' "$LOG")"
check "rwhois: not the first ReferralServer" 0 "$(queries "$LOG" rwhois.backbone.example.net)"
check "rwhois: stored as host:port" "rwhois.example.net:4321|23.131.4.20" \
	"$(q "$DB" "SELECT r.server, r.query FROM whois_responses r JOIN whois_lookups l ON l.id = r.lookup_id WHERE l.query = '23.131.4.20' AND r.hop = 1")"
check "rwhois: its contact reached the result" 1 "$(contacts rwhois | grep -c '^abuse@customer42.example.com ')"

# APNIC -> RIPE: a block transferred to another RIR
n0=$(queries "$LOG")
wl moved $COMMON --now-us $NOW 103.10.1.1
check "transfer: APNIC, then RIPE in its form" \
	"whois.apnic.net	-B 103.10.1.1	CRLF|whois.ripe.net	-B 103.10.1.1	CRLF" \
	"$(sed -n "$((n0 + 1)),\$p" "$LOG" | tr '\n' '|' | sed 's/|$//')"

# IANA as the fallback: an address no RIR block of the table holds
n0=$(queries "$LOG")
wl iana $COMMON --now-us $NOW 2a20::1
check "fallback: IANA asked the bare address, then its referral" \
	"whois.iana.org	2a20::1	CRLF|whois.arin.net	n + 2a20::1	CRLF" \
	"$(sed -n "$((n0 + 1)),\$p" "$LOG" | tr '\n' '|' | sed 's/|$//')"

# a server that refers to itself (WHOIS.ARIN.NET:43 is whois.arin.net)
for a in 23.131.9.9 1.0.0.9; do
	n0=$(queries "$LOG")
	wl self $COMMON --now-us $NOW $a
	check "self-referral $a: asked once" 1 "$(($(queries "$LOG") - n0))"
	check_match "self-referral $a: a result or unresolved" '^(ok|unresolved)$' "$(field self status)"
done

# ARIN -> IANA -> ARIN: a referral loop, stopped when a server would be
# asked the same query twice
n0=$(queries "$LOG")
t0=$(date +%s)
wl loop $COMMON --now-us $NOW 23.129.5.9
t1=$(date +%s)
check "loop: ends" 0 "$RC"
check_match "loop: a result or unresolved" '^(ok|unresolved)$' "$(field loop status)"
check "loop: ARIN, IANA, then stopped" "whois.arin.net whois.iana.org" \
	"$(sed -n "$((n0 + 1)),\$p" "$LOG" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_match "loop: bounded in time" '^[0-2]$' "$((t1 - t0))"
# the hop limit: --max-hops 0 follows no referral, 1 follows one
for hops in 0 1; do
	n0=$(queries "$LOG")
	wl hops $COMMON --now-us $NOW --max-hops $hops --ttl-s 0 23.129.7.7
	check "hop limit $hops: $((hops + 1)) queries" $((hops + 1)) "$(($(queries "$LOG") - n0))"
done

# ---- the cache ----------------------------------------------------------
n0=$(queries "$LOG")
wl cache1 $COMMON --now-us $((NOW + DAY)) 74.125.1.1 74.125.225.229
check "cache: same netblock, no new query" "$n0" "$(queries "$LOG")"
check "cache: answer from the cache" arin-contact@google.com "$(first_contact cache1)"
check "cache: one lookup row per netblock" 1 \
	"$(q "$DB" "SELECT count(*) FROM whois_lookups WHERE kind='ip' AND cidr='74.125.0.0/16'")"
check "cache: the answer stored with server and query" "whois.arin.net|n + 74.125.225.229|1686" \
	"$(q "$DB" "SELECT r.server, r.query, length(r.response) FROM whois_responses r JOIN whois_lookups l ON l.id = r.lookup_id WHERE l.query = '74.125.225.229'")"
check "cache: whois_ranges row for the analyzer" "4|16|16|GOOGLE" \
	"$(q "$DB" "SELECT family, length(first_addr), prefix_len, netname FROM whois_ranges WHERE cidr = '74.125.0.0/16'")"
wl cache2 $COMMON --now-us $((NOW + 8 * DAY)) 74.125.1.1
check "cache: older than the TTL (7 days): asked again" $((n0 + 1)) "$(queries "$LOG")"

# ---- special-use addresses ----------------------------------------------
n0=$(queries "$LOG")
wl special $COMMON --now-us $NOW 10.1.2.3 192.0.2.7 fe80::1
check "special-use: unresolved" "unresolved unresolved unresolved" \
	"$(sed -n 's/^status=//p' "$TMP/special.out" | tr '\n' ' ' | sed 's/ $//')"
check "special-use: no query sent" "$n0" "$(queries "$LOG")"
check_match "special-use: the reason" 'special-use' "$(cat "$TMP/special.err")"
wl special2 $COMMON --now-us $NOW --whois-server whois.arin.net 10.1.2.3
check "special-use: asked of an explicit --whois-server" 1 \
	"$(grep -cx 'whois.arin.net	n + 10.1.2.3	CRLF' "$LOG")"

# ---- hostile answers (documentation addresses: only an explicit server) --
wl hostile $COMMON --now-us $NOW --ttl-s 0 --whois-server whois.ripe.net 198.51.100.7 198.51.100.8
check "hostile: both answered" 2 "$(grep -c '^status=ok' "$TMP/hostile.out")"
check "hostile: no control byte in the output" 0 \
	"$(LC_ALL=C tr -d '\n' <"$TMP/hostile.out" | LC_ALL=C tr -d '[:print:]' | wc -c | tr -d ' ')"
check "hostile: no control byte in stderr" 0 \
	"$(LC_ALL=C tr -d '\n' <"$TMP/hostile.err" | LC_ALL=C tr -d '[:print:]' | wc -c | tr -d ' ')"
check "hostile: no line but the known keys" "" \
	"$(grep -Ev '^(query|status|cidr|netname|org|country|server|contact|rate_limited|partial|from_cache|trace)=' "$TMP/hostile.out")"
check "hostile: no injected recipient" 0 "$(contacts hostile | grep -ci 'victim\|bcc\|subject')"
check "hostile: no address built from an escape" 0 "$(contacts hostile | grep -c '\\x\|\[2J')"

# ---- domain whois -------------------------------------------------------
n0=$(queries "$LOG")
wl dom $COMMON --now-us $NOW --domain casema.net
check "domain: resolved" ok "$(field dom status)"
check "domain: IANA asked for the TLD" 1 "$(grep -cx 'whois.iana.org	net	CRLF' "$LOG")"
check "domain: registry, then the registrar" "whois.verisign-grs.com whois.registrar.test" \
	"$(sed -n "$((n0 + 2)),$((n0 + 3))p" "$LOG" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check "domain: admin/tech/billing, no REDACTED, no registrar abuse desk" \
	"hostmaster@casema.net noc@casema.net billing@casema.net" \
	"$(contacts dom | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
check_match "domain: labelled as domain contacts" '^hostmaster@casema.net domain' \
	"$(contacts dom | head -n 1)"
n0=$(queries "$LOG")
wl dom2 $COMMON --now-us $NOW --domain other.net casema.net
check "domain: TLD server cached, domain cached" $((n0 + 2)) "$(queries "$LOG")"
check "domain: from the cache" hostmaster@casema.net "$(sed -n 's/^contact=//p' "$TMP/dom2.out" | head -n 1 | cut -d' ' -f1)"
wl dom3 $COMMON --now-us $NOW --domain example.nowhois
check "domain: a TLD without whois is unresolved" unresolved "$(field dom3 status)"

# ---- --offline: only the cache, no server running -----------------------
kill "$PID_main" 2>/dev/null
wait "$PID_main" 2>/dev/null
wl off -w "$DB" --offline --now-us $((NOW + 365 * DAY)) 74.125.225.229 62.239.237.1 8.8.4.4
check "offline: resolved from the cache" "ok ok unresolved" \
	"$(sed -n 's/^status=//p' "$TMP/off.out" | tr '\n' ' ' | sed 's/ $//')"
check "offline: cached contact" arin-contact@google.com "$(first_contact off)"
check_match "offline: says it is not in the cache" '8\.8\.4\.4: not in the whois cache' \
	"$(cat "$TMP/off.err")"
wl offdom -w "$DB" --offline --now-us $NOW --domain casema.net
check "offline: domain from the cache" hostmaster@casema.net "$(first_contact offdom)"

# ---- misbehaving servers ------------------------------------------------
cat >"$TMP/bad.json" <<EOF
{"servers": [
 {"names": ["whois.ripe.net"], "behaviour": "ratelimit-once",
  "ratelimit_file": "$SYN/ratelimit-ripe.whois",
  "rules": [{"match": "62\\\\.239\\\\.237\\\\.", "file": "$DATA/62.239.237.1.whois"}]},
 {"names": ["whois.arin.net"], "behaviour": "trickle"},
 {"names": ["whois.apnic.net"], "behaviour": "silent"},
 {"names": ["whois.lacnic.net"], "behaviour": "unreachable"},
 {"names": ["whois.afrinic.net"], "behaviour": "close"},
 {"names": ["whois.refuser.test"], "behaviour": "ratelimit",
  "ratelimit_file": "$SYN/ratelimit-arin.whois"}
]}
EOF
start_whoisd bad "$TMP/bad.json"
BDB="$TMP/bad.db"
BAD="-w $BDB --whois-hosts $TMP/bad.hosts --now-us $NOW --pace-ms 0"

wl rl $BAD --rate-limit-wait-ms 200 62.239.237.1
check "rate limit: retried, then resolved" "ok protect@bt.com" \
	"$(field rl status) $(first_contact rl)"
check "rate limit: asked twice" 2 "$(queries "$TMP/bad.log" whois.ripe.net)"
check "rate limit: the refusal is not cached as an answer" 1 \
	"$(q "$BDB" "SELECT count(*) FROM whois_responses")"

n0=$(queries "$TMP/bad.log" whois.refuser.test)
wl rlfail $BAD --whois-server whois.refuser.test --rate-limit-wait-ms 100 \
	--rate-limit-retries 2 --ttl-s 0 62.239.237.1
check "rate limit: unresolved after the retries" "unresolved 1" \
	"$(field rlfail status) $(field rlfail rate_limited)"
check "rate limit: asked 1 + 2 times" $((n0 + 3)) "$(queries "$TMP/bad.log" whois.refuser.test)"
check_match "rate limit: says so" 'rate limit exceeded' "$(cat "$TMP/rlfail.err")"

t0=$(date +%s)
wl trickle $BAD --timeout-ms 500 74.125.1.2
t1=$(date +%s)
check "never-ending answer: ends" 0 "$RC"
check_match "never-ending answer: within the deadline (3 x 0.5 s)" '^[0-3]$' "$((t1 - t0))"
check "never-ending answer: kept, marked truncated" 1 \
	"$(q "$BDB" "SELECT truncated FROM whois_responses WHERE query = 'n + 74.125.1.2'")"
wl trickle2 $BAD --timeout-ms 5000 --max-bytes 300 74.125.1.3
check "never-ending answer: capped at --max-bytes" "300|1" \
	"$(q "$BDB" "SELECT length(response), truncated FROM whois_responses WHERE query = 'n + 74.125.1.3'")"

t0=$(date +%s)
wl silent $BAD --timeout-ms 500 210.107.73.74
t1=$(date +%s)
check "silent server: unresolved" unresolved "$(field silent status)"
check_match "silent server: says so" 'no answer within 500 ms' "$(cat "$TMP/silent.err")"
check_match "silent server: quickly" '^[0-2]$' "$((t1 - t0))"

t0=$(date +%s)
wl refused $BAD --timeout-ms 2000 200.57.141.161
t1=$(date +%s)
check "unreachable server: unresolved" unresolved "$(field refused status)"
check_match "unreachable server: the reason" 'whois\.lacnic\.net: connect: Connection refused' \
	"$(cat "$TMP/refused.err")"
check_match "unreachable server: quickly" '^[0-1]$' "$((t1 - t0))"

wl closed $BAD --timeout-ms 2000 196.11.240.215
check "closing server: unresolved" unresolved "$(field closed status)"
check_match "closing server: the reason" 'without an answer' "$(cat "$TMP/closed.err")"

# ---- pace: at least --pace-ms between two queries to one server ---------
ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
t0=$(ms)
wl pace $BAD --pace-ms 600 --rate-limit-wait-ms 0 --ttl-s 0 62.239.237.20 62.239.237.21 62.239.237.22
t1=$(ms)
check "pace: three answers" 3 "$(grep -c '^status=ok' "$TMP/pace.out")"
check_match "pace: three queries to one server took >= 2 x 600 ms" '^yes' \
	"$([ $((t1 - t0)) -ge 1200 ] && echo yes || echo "no: $((t1 - t0)) ms")"

# ---- the --whois-hosts file ---------------------------------------------
printf '# comment\n\nwhois.ripe.net 127.0.0.1:4343 # ok\nwhois.arin.net [::1]:4344\nwhois.apnic.net 127.0.0.1:99999\n' >"$TMP/badhosts"
wl badhosts -w "$TMP/h.db" --whois-hosts "$TMP/badhosts" 62.239.237.1
check "hosts file: a bad line is an error" 1 "$RC"
check "hosts file: FILE:LINE: why" "whoislookup: $TMP/badhosts:5: bad port" "$(cat "$TMP/badhosts.err")"
printf 'whois.ripe.net\n' >"$TMP/badhosts2"
wl badhosts2 -w "$TMP/h.db" --whois-hosts "$TMP/badhosts2" 62.239.237.1
check_match "hosts file: a line without a target" 'badhosts2:1: expected' "$(cat "$TMP/badhosts2.err")"

# ---- broken chains keep the best answer (partial), the trace ------------
cat >"$TMP/lab-refer.whois" <<'EOF'
NetRange:       10.20.0.0 - 10.20.255.255
CIDR:           10.20.0.0/16
NetName:        LAB-NET
NetType:        Reassigned
OrgName:        Lab Registry
OrgAbuseEmail:  abuse@lab.example
ReferralServer: whois://whois.internal.test
EOF
sed -e 's/10\.20\./10.30./g' -e 's|whois://whois.internal.test|whois://127.0.0.1:9|' \
	"$TMP/lab-refer.whois" >"$TMP/lab-refer-unnamed.whois"
cat >"$TMP/internal.whois" <<'EOF'
inetnum:        10.20.0.0 - 10.20.0.255
netname:        BENCH-RACK-1
abuse-mailbox:  rack1-abuse@internal.example
EOF
cat >"$TMP/dead.json" <<EOF
{"servers": [
 {"names": ["whois.arin.net"], "rules": [
   {"match": "69\\\\.65\\\\.", "file": "$DATA/arin_referral_rwhois.whois"},
   {"match": "130\\\\.66\\\\.", "file": "$DATA/arin_referral_whois.whois"}]},
 {"names": ["rwhois.servernap.net"], "behaviour": "unreachable"},
 {"names": ["whois.ripe.net"], "behaviour": "unreachable"},
 {"names": ["whois.apnic.net"], "rules": [
   {"match": "210\\\\.107\\\\.", "file": "$DATA/210.107.73.73.whois"},
   {"match": "203\\\\.0\\\\.113\\\\.", "file": "$SYN/apnic-irt-jpnic-203.0.113.77.whois"}]},
 {"names": ["whois.krnic.net"], "behaviour": "silent"},
 {"names": ["whois.nic.ad.jp"], "behaviour": "close"},
 {"names": ["whois.lab.test"], "rules": [
   {"match": "^10\\\\.20\\\\.", "file": "$TMP/lab-refer.whois"},
   {"match": "^10\\\\.30\\\\.", "file": "$TMP/lab-refer-unnamed.whois"}]},
 {"names": ["whois.internal.test"], "default": "$TMP/internal.whois"}
]}
EOF
start_whoisd dead "$TMP/dead.json"
DDB="$TMP/dead.db"
DLOG="$TMP/dead.log"
DEAD="-w $DDB --whois-hosts $TMP/dead.hosts --pace-ms 0 --timeout-ms 500"
traces() { sed -n 's/^trace=//p' "$TMP/$1.out"; }

# ARIN's answer (real, whois-parser) refers to an rwhois server that is gone
wl deadrw $DEAD --now-us $NOW 69.65.39.166
check "dead rwhois: resolved, partial" "ok 1" "$(field deadrw status) $(field deadrw partial)"
check "dead rwhois: ARIN's OrgAbuseEmail kept" abuse@gigenet.com "$(first_contact deadrw)"
check "dead rwhois: the trace" \
	"whois whois.arin.net ok referred to rwhois.servernap.net:4321 (query: n + 69.65.39.166)|rwhois rwhois.servernap.net:4321 fail connection refused (query: 69.65.39.166)" \
	"$(traces deadrw | tr '\n' '|' | sed 's/|$//')"
check_match "dead rwhois: says where it broke" 'rwhois\.servernap\.net:4321.*partial' \
	"$(cat "$TMP/deadrw.err")"
check "dead rwhois: stored as partial, with its range" "partial|69.65.0.0/18" \
	"$(q "$DDB" "SELECT status, cidr FROM whois_lookups WHERE query = '69.65.39.166'")"

# APNIC's answer (real, ipwhois) points at KRNIC, which never answers
wl deadkr $DEAD --now-us $NOW 210.107.73.73
check "silent KRNIC: resolved, partial" "ok 1" "$(field deadkr status) $(field deadkr partial)"
check "silent KRNIC: abuse@bora.net from APNIC's answer" abuse@bora.net "$(first_contact deadkr)"
check "silent KRNIC: timed out, in the trace" \
	"whois whois.krnic.net fail timed out after 500 ms (query: 210.107.73.73)" \
	"$(traces deadkr | sed -n 2p)"

# a documentation address asked of an APNIC the operator named: the
# referral to JPNIC (also named, in --whois-hosts) is followed; JPNIC
# closes the connection
n0=$(queries "$DLOG")
wl deadjp $DEAD --now-us $NOW --whois-server whois.apnic.net 203.0.113.77
check "closing JPNIC: resolved, partial" "ok 1" "$(field deadjp status) $(field deadjp partial)"
check "closing JPNIC: the ISP's IRT" abuse@examplenet.example.jp "$(first_contact deadjp)"
check "closing JPNIC: never JPNIC's hostmaster" 0 "$(rank deadjp hostmaster@nic.ad.jp)"
check "closing JPNIC: special-use referral to a named server followed" \
	"whois.apnic.net whois.nic.ad.jp" \
	"$(sed -n "$((n0 + 1)),\$p" "$DLOG" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check_match "closing JPNIC: in the trace" '^whois whois\.nic\.ad\.jp fail closed without an answer' \
	"$(traces deadjp | sed -n 2p)"

# no contact before the break: unresolved (ARIN's stub for RIPE space
# names only RIPE's own mailboxes; RIPE is unreachable)
wl deadstub $DEAD --now-us $NOW 130.66.1.1
check "broken chain without a contact: unresolved" unresolved "$(field deadstub status)"
check "broken chain without a contact: stored unresolved" unresolved \
	"$(q "$DDB" "SELECT status FROM whois_lookups WHERE query = '130.66.1.1'")"
check "broken chain without a contact: the trace" "2 fail" \
	"$(traces deadstub | wc -l | tr -d ' ') $(traces deadstub | sed -n 2p | cut -d' ' -f3)"

# the partial answer is fresh for whois_partial_ttl_hours (24 h) only
n0=$(queries "$DLOG")
wl deadrw2 $DEAD --now-us $((NOW + DAY / 24)) 69.65.1.1
check "partial cache: within 24 h no query" "$n0" "$(queries "$DLOG")"
check "partial cache: replayed as partial, from the cache" "ok 1 1 abuse@gigenet.com" \
	"$(field deadrw2 status) $(field deadrw2 partial) $(field deadrw2 from_cache) $(first_contact deadrw2)"
check_match "partial cache: the trace from the stored hop" \
	'^whois whois\.arin\.net ok cached; referred to rwhois\.servernap\.net:4321; the chain broke after this answer \(partial\) \(query: n \+ 69\.65\.39\.166\)$' \
	"$(traces deadrw2)"
wl deadrw3 $DEAD --now-us $((NOW + DAY + DAY / 24)) 69.65.1.1
# (the unreachable rwhois server logs nothing: one query each time)
check "partial cache: after 24 h asked again" $((n0 + 1)) "$(queries "$DLOG")"
check "partial cache: not from the cache then" "" "$(field deadrw3 from_cache)"
n0=$(queries "$DLOG")
wl deadrw4 $DEAD --now-us $((NOW + DAY + DAY / 24 + 120000000)) --partial-ttl-s 60 69.65.1.1
check "partial cache: --partial-ttl-s 60, two minutes later: asked again" $((n0 + 1)) \
	"$(queries "$DLOG")"
wl deadoff -w "$DDB" --offline --now-us $((NOW + 30 * DAY)) 69.65.39.166
check "partial cache: --offline uses it at any age" "ok 1" \
	"$(field deadoff status) $(field deadoff partial)"

# special-use addresses: referrals between operator-named servers are
# followed, to any other server never
n0=$(queries "$DLOG")
wl lab $DEAD --now-us $NOW --whois-server whois.lab.test 10.20.0.5
check "special-use: referral to a mapped host followed" "whois.lab.test whois.internal.test" \
	"$(sed -n "$((n0 + 1)),\$p" "$DLOG" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
check "special-use: the internal registry's contact first" "ok rack1-abuse@internal.example" \
	"$(field lab status) $(first_contact lab)"
check "special-use: range of the internal answer" 10.20.0.0/24 "$(field lab cidr)"
check "special-use: trace" "whois whois.lab.test ok referred to whois.internal.test (query: 10.20.0.5)|whois whois.internal.test ok answered (query: 10.20.0.5)" \
	"$(traces lab | tr '\n' '|' | sed 's/|$//')"
n0=$(queries "$DLOG")
wl lab2 $DEAD --now-us $NOW --whois-server whois.lab.test 10.30.0.5
check "special-use: referral to an unnamed host not followed" $((n0 + 1)) "$(queries "$DLOG")"
check "special-use: one server asked, the answer complete" "1 " \
	"$(traces lab2 | wc -l | tr -d ' ') $(field lab2 partial)"
check "special-use: the named server's answer kept" "ok abuse@lab.example" \
	"$(field lab2 status) $(first_contact lab2)"
check_match "special-use: the trace says why" 'referred to 127\.0\.0\.1:9: not followed \(special-use' \
	"$(traces lab2)"
wl lab3 $DEAD --now-us $NOW 10.99.0.6
check "special-use: without --whois-server still unresolved" unresolved "$(field lab3 status)"

# ---- nothing the sanitizers would complain about ------------------------
check "no sanitizer report" "" \
	"$(cat "$TMP"/*.err | grep -E 'AddressSanitizer|LeakSanitizer|runtime error' | head -n 3)"

finish
