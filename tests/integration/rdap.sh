#!/bin/sh
# rdap.sh - RDAP first, port 43 as the fallback (reporter/rdap.c,
# reporter/rdap_net.c and their hook in reporter/whois.c), end to end
# through sw_whois_lookup()/sw_whois_domain() (tests/whoislookup):
# an HTTPS server on loopback with a throwaway CA (tests/tools/rdapd.py)
# serves the recorded answers of tests/data/rdap, a bootstrap directory
# written here points the registries at it, and whoisd.py serves the port
# 43 answers of tests/data/whois. Checked: the designated abuse contact of
# each recorded network, the same first contact via RDAP and via port 43,
# port 43 after an RDAP answer naming only a national registry's IRT, RDAP
# unreachable / untrusted / slow / oversized / closing / an error object,
# redirects followed and bounded (loops, the hop limit, non-https
# targets), HTTP 429 retried, the cache replayed without a request, an
# abuse entity's self link, a domain with its registrar's link, a
# special-use address with the operator's bootstrap, and --rdap-refresh.
# All traffic stays on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
need_sqlite3

WL="$top_builddir/tests/whoislookup"
RDAPD="$top_srcdir/tests/tools/rdapd.py"
WHOISD="$top_srcdir/tests/tools/whoisd.py"
RD="$top_srcdir/tests/data/rdap"
WD="$top_srcdir/tests/data/whois"
SYN="$WD/synthetic"
NOW=1800000000000000
[ -x "$WL" ] || { echo "FAIL: $WL not built"; exit 1; }
[ -x "$REPORTER" ] || { echo "FAIL: $REPORTER not built"; exit 1; }

PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# ---- the servers -----------------------------------------------------------
cat >"$TMP/rdapd.json" <<EOF
{"rules": [
 {"match": "^/arin/ip/2001:4860:", "file": "$RD/01-arin-2001_4860__.json"},
 {"match": "^/arin/ip/13\\\\.", "file": "$RD/02-arin-13.64.0.0.json"},
 {"match": "^/arin/ip/3\\\\.3\\\\.3\\\\.3$", "file": "$RD/04-arin-3.3.3.3.json"},
 {"match": "^/arin/ip/206\\\\.41\\\\.110\\\\.", "file": "$RD/03-arin-206.41.110.0.json"},
 {"match": "^/arin/ip/200\\\\.57\\\\.141\\\\.161$", "status": 301,
  "location": "{base}/lacnic/ip/200.57.141.161"},
 {"match": "^/ripe/ip/130\\\\.59\\\\.", "file": "$RD/05-ripe-130.59.31.80.json"},
 {"match": "^/ripe/ip/193\\\\.0\\\\.6\\\\.", "file": "$RD/06-ripe-193.0.6.139.json"},
 {"match": "^/apnic/ip/210\\\\.107\\\\.", "file": "$RD/10-apnic-210.107.73.73.json"},
 {"match": "^/lacnic/ip/179\\\\.0\\\\.", "file": "$RD/11-lacnic-179.0.0.0_23.json"},
 {"match": "^/lacnic/ip/200\\\\.57\\\\.", "file": "$RD/12-lacnic-200.57.141.161.json"},
 {"match": "^/lacnic/ip/2801:10:", "file": "$RD/13-lacnic-2801_10_c000__.json"},
 {"match": "^/loopa/", "status": 302, "location": "{base}/loopb/ip/200.57.141.161"},
 {"match": "^/loopb/", "status": 307, "location": "{base}/loopa/ip/200.57.141.161"},
 {"match": "^/hop1/", "status": 308, "location": "{base}/hop2/ip/200.57.141.161"},
 {"match": "^/hop2/", "status": 303, "location": "{base}/hop3/ip/200.57.141.161"},
 {"match": "^/hop3/", "status": 302, "location": "{base}/hop4/ip/200.57.141.161"},
 {"match": "^/hop4/", "status": 302, "location": "{base}/hop5/ip/200.57.141.161"},
 {"match": "^/hop5/", "file": "$RD/12-lacnic-200.57.141.161.json"},
 {"match": "^/tohttp/", "status": 302, "location": "http://192.0.2.1/ip/200.57.141.161"},
 {"match": "^/tofile/", "status": 301, "location": "file:///etc/passwd"},
 {"match": "^/busy/", "status": 429, "retry_after": 1, "times": 1},
 {"match": "^/busy/", "file": "$RD/12-lacnic-200.57.141.161.json"},
 {"match": "^/alwaysbusy/", "status": 429, "retry_after": 0},
 {"match": "^/slow/", "delay": 6, "file": "$RD/12-lacnic-200.57.141.161.json"},
 {"match": "^/big/", "bytes": 300000},
 {"match": "^/gone/", "behaviour": "close"},
 {"match": "^/errobj/", "file": "$TMP/errobj.json"},
 {"match": "^/lab/ip/192\\\\.0\\\\.2\\\\.", "file": "$RD/12-lacnic-200.57.141.161.json"},
 {"match": "^/nicbr/ip/177\\\\.", "file": "$RD/14-nicbr-177.0.0.0_14.json"},
 {"match": "^/rdap\\\\.registro\\\\.br/entity/CSIOI$", "file": "$TMP/csioi.json"},
 {"match": "^/verisign/domain/google\\\\.com$", "file": "$RD/18-verisign-google.com.json"},
 {"match": "^/iana-bad/dns\\\\.json$", "file": "$RD/README.md"},
 {"match": "^/iana(-bad)?/ipv4\\\\.json$", "file": "$TMP/main/ipv4.json"},
 {"match": "^/iana(-bad)?/ipv6\\\\.json$", "file": "$TMP/main/ipv6.json"},
 {"match": "^/iana(-bad)?/dns\\\\.json$", "file": "$TMP/main/dns.json"},
 {"match": "^/iana(-bad)?/asn\\\\.json$", "file": "$TMP/main/asn.json"}
]}
EOF
printf '{"errorCode": 404, "title": "Not Found"}\n' >"$TMP/errobj.json"
cat >"$TMP/csioi.json" <<'EOF'
{"objectClassName": "entity", "handle": "CSIOI", "vcardArray": ["vcard", [["version", {}, "text", "4.0"],
 ["fn", {}, "text", "CSIRT OI"], ["email", {}, "text", "csirt@oi.example.net"]]]}
EOF
timeout 300 python3 "$RDAPD" --config "$TMP/rdapd.json" --port-file "$TMP/rdapd.port" \
	--tls-dir "$TMP/tls" --log "$TMP/rdapd.log" --lifetime 240 &
PIDS="$PIDS $!"

cat >"$TMP/whoisd.json" <<EOF
{"servers": [
 {"names": ["whois.lacnic.net"], "rules": [
   {"match": "200\\\\.57\\\\.", "file": "$WD/200.57.141.161.whois"},
   {"match": "2801:10:", "file": "$WD/2801_10_c000__.whois"}]},
 {"names": ["whois.apnic.net"], "rules": [
   {"match": "210\\\\.107\\\\.", "file": "$WD/210.107.73.73.whois"}]},
 {"names": ["whois.krnic.net", "whois.nic.or.kr", "whois.kisa.or.kr"],
  "default": "$SYN/krnic-210.107.73.73.whois"},
 {"names": ["whois.ripe.net", "whois.arin.net", "whois.afrinic.net", "whois.iana.org"]}
]}
EOF
timeout 300 python3 "$WHOISD" --config "$TMP/whoisd.json" --port-file "$TMP/whois.hosts" \
	--log "$TMP/whois.log" --lifetime 240 &
PIDS="$PIDS $!"

i=0
while [ ! -s "$TMP/rdapd.port" ] || [ ! -s "$TMP/whois.hosts" ]; do
	i=$((i + 1))
	[ "$i" -le 300 ] || { echo "FAIL: rdapd or whoisd did not start"; exit 1; }
	sleep 0.1
done
: >>"$TMP/rdapd.log"
: >>"$TMP/whois.log"
PORT=$(cat "$TMP/rdapd.port")
B="https://127.0.0.1:$PORT"
CA="$TMP/tls/ca.pem"
# a port nothing listens on: bound and closed again
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# boot NAME IPV4-SERVICES [IPV6-SERVICES]: a bootstrap directory $TMP/NAME
# ("@" in the services is the server's base URL); .com goes to /verisign/
boot() {
	mkdir -p "$TMP/$1"
	for f in ipv4:"$2" ipv6:"${3:-}"; do
		printf '{"version": "1.0", "publication": "2026-12-01T00:00:00Z", "services": [%s]}\n' \
			"${f#*:}" | sed "s#@#$B#g" >"$TMP/$1/${f%%:*}.json"
	done
	printf '{"version": "1.0", "publication": "2026-12-01T00:00:00Z", "services": [[["com"], ["%s/verisign/"]]]}\n' \
		"$B" >"$TMP/$1/dns.json"
	printf '{"version": "1.0", "publication": "2026-12-01T00:00:00Z", "services": [[["64496-64511"], ["%s/arin/"]]]}\n' \
		"$B" >"$TMP/$1/asn.json"
}
boot main '[["3.0.0.0/8", "13.0.0.0/8", "206.0.0.0/8"], ["@/arin/"]],
	[["130.59.0.0/16", "193.0.0.0/8"], ["@/ripe/"]],
	[["210.0.0.0/8"], ["@/apnic/"]],
	[["179.0.0.0/8", "200.0.0.0/8"], ["@/lacnic/"]],
	[["192.0.2.0/24"], ["@/lab/"]], [["177.0.0.0/8"], ["@/nicbr/"]]' \
	'[["2001:4800::/23"], ["@/arin/"]], [["2801::/16"], ["@/lacnic/"]]'

COMMON="--whois-hosts $TMP/whois.hosts --pace-ms 0 --timeout-ms 2000 --now-us $NOW"
RDAP="--rdap-bootstrap $TMP/main --rdap-ca-file $CA"

# wl OUTPUT ARGS...: whoislookup bounded by a timeout; $TMP/OUTPUT.out/.err, $RC
wl() {
	out=$1
	shift
	timeout 120 "$WL" "$@" >"$TMP/$out.out" 2>"$TMP/$out.err"
	RC=$?
}
field() { sed -n "s/^$2=//p" "$TMP/$1.out" | head -n 1; }
first_contact() { sed -n 's/^contact=//p' "$TMP/$1.out" | head -n 1 | cut -d' ' -f1; }
traces() { sed -n 's/^rtrace=//p' "$TMP/$1.out"; }
requests() { grep -c "	$1" "$TMP/rdapd.log" || true; }
whois_queries() { grep -c . "$TMP/whois.log" || true; }
trace_has() { traces "$1" | grep -Ec -- "$2" || true; }

# ---- the recorded networks, RDAP alone ------------------------------------
for pair in 2001:4860::1=network-abuse@google.com 13.64.1.1=abuse@microsoft.com \
	3.3.3.3=abuse@amazonaws.com 130.59.31.80=abuse@switch.ch 206.41.110.7=neteng@unitedix.net \
	179.0.0.1=tomas.cribb@neuralsoft.com 200.57.141.161=operacion.redes@triara.com \
	2801:10:c000::=sistemas.red@uco.edu.co; do
	a=${pair%%=*}
	n0=$(whois_queries)
	wl one -w "$TMP/rdap.db" $COMMON $RDAP "$a"
	check "RDAP $a: resolved" ok "$(field one status)"
	check "RDAP $a: the designated abuse contact first" "${pair#*=}" "$(first_contact one)"
	check "RDAP $a: no port 43 query (a designated contact)" "$n0" "$(whois_queries)"
	check "RDAP $a: traced" 1 "$(trace_has one "^rdap $B/[a-z]+/ ip/$a ok HTTP 200\$")"
done
check "requests ask for application/rdap+json" 0 \
	"$(cut -f3 "$TMP/rdapd.log" | grep -cvx 'application/rdap+json')"
check "requests say who asks" 0 "$(cut -f4 "$TMP/rdapd.log" | grep -cv '^spanwatch-reporter/')"
check "RDAP answers cached under the base URL" "$B/lacnic/|ip/200.57.141.161" \
	"$(q "$TMP/rdap.db" "SELECT r.server, r.query FROM whois_responses r JOIN whois_lookups l ON l.id = r.lookup_id WHERE l.query = '200.57.141.161'")"

# ---- the same first contact via RDAP and via port 43 -----------------------
for a in 200.57.141.161 2801:10:c000::; do
	wl r43 -w "$TMP/p43.db" $COMMON "$a"
	wl rr -w "$TMP/rdap.db" $COMMON $RDAP "$a"
	check "$a: port 43 resolves" ok "$(field r43 status)"
	check "$a: RDAP and port 43 agree on the first contact" "$(first_contact r43)" \
		"$(first_contact rr)"
done

# ---- APNIC's RDAP names KRNIC's IRT only: port 43 reaches KRNIC -----------
n0=$(whois_queries)
wl kr -w "$TMP/rdap.db" $COMMON $RDAP 210.107.73.73
check "210.107.73.73: RDAP asked" 1 "$(trace_has kr "^rdap $B/apnic/ ip/210.107.73.73 ok")"
check "210.107.73.73: port 43 asked too, KRNIC reached" 1 \
	"$(sed -n "$((n0 + 1)),\$p" "$TMP/whois.log" | grep -Ec '^whois\.(krnic\.net|nic\.or\.kr|kisa\.or\.kr)	')"
check "210.107.73.73: the network's own contact first" abuse@bora.net "$(first_contact kr)"
check_match "210.107.73.73: the IRT only as the labelled fallback" \
	'^(|hostmaster@nic\.or\.kr [^ ]* ?[^ ]* ?IRT.*)$' \
	"$(sed -n 's/^contact=//p' "$TMP/kr.out" | grep '^hostmaster@nic.or.kr ' || true)"

# ---- RDAP unreachable, untrusted, slow, oversized, closing: port 43 -------
boot dead '[["200.0.0.0/8"], ["https://127.0.0.1:'"$DEAD"'/lacnic/"]]'
boot slow '[["200.0.0.0/8"], ["@/slow/"]]'
boot big '[["200.0.0.0/8"], ["@/big/"]]'
boot gone '[["200.0.0.0/8"], ["@/gone/"]]'
boot errobj '[["200.0.0.0/8"], ["@/errobj/"]]'
wl r43 -w "$TMP/p43-2.db" $COMMON 200.57.141.161
want=$(first_contact r43)
for case in dead:'cannot connect' tls:'TLS: ' slow:'timed out after 1500 ms' \
	big:'answer larger than 100000 bytes' gone:'' errobj:'HTTP 200, RDAP error 404'; do
	name=${case%%:*}
	boot=$name; extra="--rdap-ca-file $CA"; tmo=2000
	[ "$name" = tls ] && { boot=main; extra=""; }
	[ "$name" = slow ] && tmo=500
	f0=$FAILED
	t0=$(date +%s)
	wl fb -w "$TMP/fb-$name.db" $COMMON --timeout-ms $tmo --max-bytes 100000 \
		--rdap-bootstrap "$TMP/$boot" $extra 200.57.141.161
	t1=$(date +%s)
	check "RDAP $name: port 43 alone resolves" ok "$(field fb status)"
	check "RDAP $name: the port 43 contact" "$want" "$(first_contact fb)"
	check "RDAP $name: the failure traced" 1 \
		"$(trace_has fb "^rdap https://127\.0\.0\.1:[0-9]+/[a-z]+/ ip/200\.57\.141\.161 failed ${case#*:}")"
	check_match "RDAP $name: bounded in time" '^[0-6]$' "$((t1 - t0))"
	[ "$FAILED" -eq "$f0" ] || traces fb
done

# ---- redirects: followed, loops and the hop limit bounded ------------------
boot viaarin '[["200.0.0.0/8"], ["@/arin/"]]'
wl redir -w "$TMP/redir.db" $COMMON --rdap-bootstrap "$TMP/viaarin" --rdap-ca-file $CA 200.57.141.161
check "redirect: resolved" ok "$(field redir status)"
check "redirect: traced" 1 \
	"$(trace_has redir "^rdap $B/arin/ ip/200.57.141.161 ok redirected to $B/lacnic/ip/200.57.141.161\$")"
check "redirect: followed to LACNIC" 1 "$(trace_has redir "^rdap $B/ lacnic/ip/200.57.141.161 ok HTTP 200\$")"
check "redirect: LACNIC's contact" operacion.redes@triara.com "$(first_contact redir)"

boot loop '[["200.0.0.0/8"], ["@/loopa/"]]'
n0=$(requests /loop)
wl loop -w "$TMP/loop.db" $COMMON --rdap-bootstrap "$TMP/loop" --rdap-ca-file $CA 200.57.141.161
check "redirect loop: each URL asked once" 2 "$(($(requests /loop) - n0))"
check "redirect loop: port 43 still resolves" "$want" "$(first_contact loop)"

boot hops '[["200.0.0.0/8"], ["@/hop1/"]]'
n0=$(requests /hop)
wl hops -w "$TMP/hops.db" $COMMON --max-hops 2 --rdap-bootstrap "$TMP/hops" --rdap-ca-file $CA 200.57.141.161
check "hop limit 2: three requests" 3 "$(($(requests /hop) - n0))"
check "hop limit 2: the next one traced as not asked" 1 "$(trace_has hops 'hop4/.* failed not asked: hop limit')"
n0=$(requests /hop)
wl hops5 -w "$TMP/hops5.db" $COMMON --max-hops 4 --rdap-bootstrap "$TMP/hops" --rdap-ca-file $CA 200.57.141.161
check "hop limit 4: the fifth URL answers" 5 "$(($(requests /hop) - n0))"
check "hop limit 4: resolved by RDAP" 1 "$(trace_has hops5 "hop5/ip/200.57.141.161 ok HTTP 200")"

for bad in tohttp tofile; do
	boot $bad '[["200.0.0.0/8"], ["@/'$bad'/"]]'
	wl $bad -w "$TMP/$bad.db" $COMMON --rdap-bootstrap "$TMP/$bad" --rdap-ca-file $CA 200.57.141.161
	check "redirect to a non-https URL ($bad): not followed" "1 1" \
		"$(requests /$bad/) $(traces $bad | grep -c '^rdap')"
	check "redirect to a non-https URL ($bad): port 43 resolves" "$want" "$(first_contact $bad)"
done

# ---- HTTP 429: waited for and asked again ---------------------------------
boot busy '[["200.0.0.0/8"], ["@/busy/"]]'
t0=$(date +%s)
wl busy -w "$TMP/busy.db" $COMMON --rdap-bootstrap "$TMP/busy" --rdap-ca-file $CA 200.57.141.161
t1=$(date +%s)
check "429: asked twice" 2 "$(requests /busy/)"
check "429: resolved by RDAP" 1 "$(trace_has busy '^rdap .*/busy/ ip/200.57.141.161 ok HTTP 200$')"
check_match "429: Retry-After waited for" '^[1-4]$' "$((t1 - t0))"
boot alwaysbusy '[["200.0.0.0/8"], ["@/alwaysbusy/"]]'
wl abusy -w "$TMP/abusy.db" $COMMON --rate-limit-retries 2 --rdap-bootstrap "$TMP/alwaysbusy" \
	--rdap-ca-file $CA 200.57.141.161
check "429 every time: retries bounded" 3 "$(requests /alwaysbusy/)"
check "429 every time: traced" 1 "$(trace_has abusy 'failed HTTP 429 \(refused 3 times\)')"

# ---- the cache: replayed through the RDAP parser, no request ---------------
n0=$(grep -c . "$TMP/rdapd.log")
wl again -w "$TMP/rdap.db" $COMMON $RDAP 206.41.110.7 2801:10:c000::
wl off -w "$TMP/rdap.db" $COMMON $RDAP --offline 130.59.31.80
check "cache: no new request" "$n0" "$(grep -c . "$TMP/rdapd.log")"
check "cache: the same first contacts" "neteng@unitedix.net sistemas.red@uco.edu.co" \
	"$(awk '/^query=/ { q = 1 } /^contact=/ && q { sub(/^contact=/, ""); printf "%s%s", s, $1; s = " "; q = 0 }' "$TMP/again.out")"
check "cache, --offline: resolved" "ok abuse@switch.ch" "$(field off status) $(first_contact off)"

# ---- an abuse entity without e-mail: its self link ----------------------
# (a synthetic entity answer: no recorded one is at hand)
wl br -w "$TMP/br.db" $COMMON $RDAP 177.2.3.4
check "abuse entity's self link followed (on loopback)" 1 "$(requests /rdap.registro.br/entity/CSIOI)"
check "abuse entity's self link: its e-mail first" csirt@oi.example.net "$(first_contact br)"
check "abuse entity's self link: traced" 1 \
	"$(trace_has br "^rdap $B/ rdap.registro.br/entity/CSIOI ok HTTP 200\$")"

# ---- a domain, with the registrar's link -----------------------------------
n0=$(whois_queries)
wl dom -w "$TMP/dom.db" $COMMON $RDAP --domain google.com
check "domain: the registry asked" 1 "$(requests /verisign/domain/google.com)"
check "domain: the registrar's related link followed (on loopback)" 1 \
	"$(requests /rdap.markmonitor.com/rdap/domain/GOOGLE.COM)"
check "domain: resolved" ok "$(field dom status)"
check "domain: the registrar's abuse contact" abusecomplaints@markmonitor.com "$(first_contact dom)"
check "domain: no port 43 query" "$n0" "$(whois_queries)"
n0=$(grep -c . "$TMP/rdapd.log")
wl dom2 -w "$TMP/dom.db" $COMMON $RDAP --domain google.com
check "domain: cached" "$n0 abusecomplaints@markmonitor.com" \
	"$(grep -c . "$TMP/rdapd.log") $(first_contact dom2)"

# ---- special-use: RDAP with the operator's bootstrap only ------------------
wl lab -w "$TMP/lab.db" $COMMON $RDAP 192.0.2.7
check "special-use, operator's bootstrap: RDAP asked" 1 "$(requests /lab/ip/192.0.2.7)"
wl lab2 -w "$TMP/lab2.db" $COMMON 192.0.2.8
check "special-use, no bootstrap: nothing asked" "unresolved 0" \
	"$(field lab2 status) $(requests /lab/ip/192.0.2.8)"

# ---- --rdap-refresh from loopback -------------------------------------------
mkdir "$TMP/refreshed"
printf '[reporter]\nrdap_bootstrap_url = %s/iana/\nrdap_ca_file = %s\nwhois_timeout_ms = 2000\n' \
	"$B" "$CA" >"$TMP/refresh.conf"
timeout 60 "$REPORTER" -c "$TMP/refresh.conf" --rdap-refresh "$TMP/refreshed" \
	>"$TMP/refresh.out" 2>&1
check "--rdap-refresh: exit 0" 0 "$?"
check "--rdap-refresh: four files fetched" "4 4" \
	"$(grep -c '/iana/' "$TMP/rdapd.log") $(ls "$TMP/refreshed" | grep -c '\.json$')"
check "--rdap-refresh: as served" "" \
	"$(cmp "$TMP/refreshed/ipv4.json" "$TMP/main/ipv4.json" 2>&1; cmp "$TMP/refreshed/asn.json" "$TMP/main/asn.json" 2>&1)"
check "--rdap-refresh: no temporary left" "" "$(ls -A "$TMP/refreshed" | grep -v '\.json$')"
cp "$TMP/refreshed/dns.json" "$TMP/dns.before"
sed "s#/iana/#/iana-bad/#" "$TMP/refresh.conf" >"$TMP/refresh-bad.conf"
timeout 60 "$REPORTER" -c "$TMP/refresh-bad.conf" --rdap-refresh "$TMP/refreshed" \
	>"$TMP/refresh-bad.out" 2>&1
check "--rdap-refresh, a malformed file: exit 1" 1 "$?"
check "--rdap-refresh, a malformed file: nothing replaced" "" \
	"$(cmp "$TMP/refreshed/dns.json" "$TMP/dns.before" 2>&1)"
check "--rdap-refresh, a malformed file: no temporary left" "" \
	"$(ls -A "$TMP/refreshed" | grep -v '\.json$')"
mkdir "$TMP/refreshed2"
printf 'rdap_bootstrap = %s\n' "$TMP/refreshed2" >>"$TMP/refresh.conf"
timeout 60 "$REPORTER" -c "$TMP/refresh.conf" --rdap-refresh -q >"$TMP/refresh2.out" 2>&1
check "--rdap-refresh without DIR: into [reporter] rdap_bootstrap" "0 4" \
	"$? $(ls "$TMP/refreshed2" | grep -c '\.json$')"
printf '[reporter]\nrdap_bootstrap_url = http://192.0.2.1/\n' >"$TMP/refresh-http.conf"
timeout 60 "$REPORTER" -c "$TMP/refresh-http.conf" --rdap-refresh "$TMP/refreshed" \
	>"$TMP/refresh-http.out" 2>&1
check "--rdap-refresh: http:// to a non-loopback host refused" 1 "$?"

# what an operator runs: spanwatch-reporter --lookup over RDAP, on the
# real answers (RIPE NCC's own network, ARIN's nested abuse entity,
# registro.br's abuse entity reached by its self link, APNIC's KRNIC IRT
# with port 43 reaching KRNIC for the network's own contact)
printf '[reporter]\nrdap_bootstrap = %s\nrdap_ca_file = %s\nwhois_timeout_ms = 2000\nwhois_pace_ms = 0\n' \
	"$TMP/main" "$CA" >"$TMP/lookup.conf"
timeout 120 "$REPORTER" -c "$TMP/lookup.conf" --whois-hosts "$TMP/whois.hosts" --lookup --json \
	193.0.6.139 13.64.0.1 177.0.0.1 210.107.73.73 >"$TMP/lookup.json" 2>"$TMP/lookup.err"
check "--lookup over RDAP: every query found a contact (exit 0)" 0 "$?"
first() { # QUERY -> "address source server-proto"
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["query"] == sys.argv[2]:
        c = o["contacts"][0]
        print(c["address"], c["source"], o["trace"][0]["proto"])' "$TMP/lookup.json" "$1"
}
check "--lookup: RIPE NCC's own network: its abuse mailbox first" \
	"abuse@ripe.net abuse mailbox rdap" "$(first 193.0.6.139)"
check "--lookup: ARIN: the abuse-only entity first" \
	"abuse@microsoft.com abuse mailbox rdap" "$(first 13.64.0.1)"
check "--lookup: registro.br: the abuse entity's own object" \
	"csirt@oi.example.net abuse mailbox rdap" "$(first 177.0.0.1)"
check "--lookup: APNIC (KRNIC IRT only): port 43 reaches the network's own contact" \
	"abuse@bora.net" "$(first 210.107.73.73 | cut -d' ' -f1)"

finish
