#!/bin/sh
# rdns.sh - the reporter's reverse DNS (reporter/rdns.c, through
# tests/rdnslookup) against a DNS server on loopback (tests/tools/dnsd.py):
# forward confirmation over IPv4 and IPv6, unconfirmed names, NXDOMAIN,
# SERVFAIL, a server that never answers, a PTR with CR/LF/ESC in a label,
# CNAMEs, registrable domain and line type. Only 127.0.0.1 and ::1 are asked.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
LOOKUP="$top_builddir/tests/rdnslookup"
DNSD="$top_srcdir/tests/tools/dnsd.py"
[ -x "$LOOKUP" ] || { echo "FAIL: $LOOKUP not built"; exit 1; }

DNSD_PIDS=
trap 'for p in $DNSD_PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# The zone: \xNN is a raw byte inside a label (see dnsd.py).
cat >"$TMP/zone" <<'EOF'
# forward-confirmed, IPv4 and IPv6
PTR 198.51.100.66 scanner-66.dyn.example.net
A scanner-66.dyn.example.net 198.51.100.66
PTR 2001:db8::66 7dyn94.ztm.casema.net
AAAA 7dyn94.ztm.casema.net 2001:db8::66
# unconfirmed: the name's A is another address / the name has no A
PTR 198.51.100.67 host.dsl.example.net
A host.dsl.example.net 198.51.100.99
PTR 198.51.100.68 ppp-12.dialup.example.com
# the name's A confirms only through a CNAME; upper case on the way back
PTR 198.51.100.70 mail.example.org
CNAME MAIL.Example.ORG mx1.example.org
A mx1.example.org 198.51.100.70
# hostile: CR LF, a header, a space and an ESC sequence in one label; its A
# would "confirm" it if the name were ever used
PTR 198.51.100.69 evil\x0d\x0aSubject:\x20pwned\x1b[31m.example.net
A evil\x0d\x0aSubject:\x20pwned\x1b[31m.example.net 198.51.100.69
# a dot and a NUL inside labels
PTR 198.51.100.74 a\x2eb.c\x00d.example.net
# two PTRs: the hostile one first, the honest one confirms
PTR 198.51.100.75 bad\x1b.example.net
PTR 198.51.100.75 cable-75.hfc.example.co.uk
A cable-75.hfc.example.co.uk 198.51.100.75
# a CNAME loop never confirms and never hangs
PTR 198.51.100.76 loop1.example.org
CNAME loop1.example.org loop2.example.org
CNAME loop2.example.org loop1.example.org
# malformed answers
LOOP 198.51.100.77
SHORT 198.51.100.78
# the PTR answers, the forward query never does
PTR 198.51.100.79 slow.example.net
DROP slow.example.net
# failures
SERVFAIL 198.51.100.71
DROP 198.51.100.72
EOF

# start_dnsd PORTFILE ARGS...: a server that exits by itself in any case
start_dnsd() {
	pf=$1
	shift
	timeout 120 python3 "$DNSD" --zone "$TMP/zone" --port-file "$pf" \
		--lifetime 90 "$@" &
	DNSD_PIDS="$DNSD_PIDS $!"
	n=0
	while [ ! -s "$pf" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	[ -s "$pf" ]
}

start_dnsd "$TMP/port" --log "$TMP/queries.log" || { echo "FAIL: dnsd.py did not start"; exit 1; }
SERVER="127.0.0.1:$(cat "$TMP/port")"

# lookup TAG ADDR...: run rdnslookup, output in $TMP/TAG.out, status in $TMP/TAG.rc
lookup() {
	tag=$1
	shift
	"$LOOKUP" --server "$SERVER" --timeout 2000 "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
	echo $? >"$TMP/$tag.rc"
}
# field TAG KEY: the value of KEY in the (first) block of TAG's output
field() { sed -n "s/^$2=//p" "$TMP/$1.out" | head -n 1; }

lookup v4 198.51.100.66
check "v4 status" 0 "$(cat "$TMP/v4.rc")"
check "v4 rc" 0 "$(field v4 rc)"
check "v4 name" scanner-66.dyn.example.net "$(field v4 name)"
check "v4 valid" 1 "$(field v4 valid)"
check "v4 confirmed" 1 "$(field v4 confirmed)"
check "v4 domain" example.net "$(field v4 domain)"
check "v4 line" "dynamic pool" "$(field v4 line)"

lookup v6 2001:db8::66
check "v6 name (the article's casema example)" 7dyn94.ztm.casema.net "$(field v6 name)"
check "v6 confirmed by AAAA" 1 "$(field v6 confirmed)"
check "v6 domain" casema.net "$(field v6 domain)"
check "v6 line" "dynamic pool" "$(field v6 line)"
check_match "v6 PTR asked under ip6.arpa" \
	'^6\.6\.0\.0(\.0){20}\.8\.b\.d\.0\.1\.0\.0\.2\.ip6\.arpa PTR' "$(cat "$TMP/queries.log")"

lookup other 198.51.100.67
check "A of another address: name kept" host.dsl.example.net "$(field other name)"
check "A of another address: valid" 1 "$(field other valid)"
check "A of another address: unconfirmed" 0 "$(field other confirmed)"
check "DSL line" DSL "$(field other line)"

lookup noa 198.51.100.68
check "no A: unconfirmed" 0 "$(field noa confirmed)"
check "no A: rc 0" 0 "$(field noa rc)"
check "dial-up line" dial-up "$(field noa line)"
check "dial-up domain" example.com "$(field noa domain)"

lookup cname 198.51.100.70
check "confirmed through a CNAME" 1 "$(field cname confirmed)"
check "mail host is static/server" static/server "$(field cname line)"

lookup nx 198.51.100.73
check "NXDOMAIN: status" 0 "$(cat "$TMP/nx.rc")"
check "NXDOMAIN: rc" 0 "$(field nx rc)"
check "NXDOMAIN: empty name" "" "$(field nx name)"
check "NXDOMAIN: not confirmed" 0 "$(field nx confirmed)"

lookup evil 198.51.100.69
check "hostile PTR: rc 0" 0 "$(field evil rc)"
check "hostile PTR: invalid" 0 "$(field evil valid)"
check "hostile PTR: unconfirmed" 0 "$(field evil confirmed)"
check "hostile PTR: no domain" "" "$(field evil domain)"
check "hostile PTR: escaped" 'evil\x0d\x0aSubject\x3a\x20pwned\x1b\x5b31m.example.net' "$(field evil name)"
# every byte of the output is printable ASCII or a newline
ctl=$(od -An -v -tx1 "$TMP/evil.out" | tr -s ' ' '\n' | grep -Ec '^(0[0-9a-f]|1[0-9a-f]|7f|[89a-f][0-9a-f])$' || true)
nl=$(od -An -v -tx1 "$TMP/evil.out" | tr -s ' ' '\n' | grep -c '^0a$' || true)
check "hostile PTR: no control byte but newlines in the output" "$nl" "$ctl"
check "hostile PTR: one line per field" 8 "$(wc -l <"$TMP/evil.out" | tr -d ' ')"
if grep -q '^evil.* A ' "$TMP/queries.log"; then
	fail "the hostile name was used for a forward query"
else
	pass "the hostile name was never asked for"
fi

lookup dots 198.51.100.74
check "dot and NUL inside labels: invalid" 0 "$(field dots valid)"
check "dot and NUL inside labels: escaped" 'a\x2eb.c\x00d.example.net' "$(field dots name)"

lookup two 198.51.100.75
check "two PTRs: the honest one" cable-75.hfc.example.co.uk "$(field two name)"
check "two PTRs: confirmed" 1 "$(field two confirmed)"
check "two PTRs: domain under a two-level suffix" example.co.uk "$(field two domain)"
check "cable line" cable "$(field two line)"

lookup loop 198.51.100.76
check "CNAME loop: answered" 0 "$(field loop rc)"
check "CNAME loop: unconfirmed" 0 "$(field loop confirmed)"

lookup selfptr 198.51.100.77
check "PTR rdata pointing at itself: no name" "" "$(field selfptr name)"
check "PTR rdata pointing at itself: answered" 0 "$(field selfptr rc)"
lookup short 198.51.100.78
check "answer shorter than its header says: failure" -1 "$(field short rc)"
check "answer shorter than its header says: no name" "" "$(field short name)"

lookup servfail 198.51.100.71
check "SERVFAIL: rc -1" -1 "$(field servfail rc)"
check "SERVFAIL: status 1" 1 "$(cat "$TMP/servfail.rc")"
check "SERVFAIL: empty name" "" "$(field servfail name)"

# A server that never answers: the lookup fails within its timeout (1 s,
# libresolv counts whole seconds) plus slack, never hangs.
t0=$(date +%s)
"$LOOKUP" --server "$SERVER" --timeout 1000 198.51.100.72 >"$TMP/drop.out" 2>&1
drop_rc=$?
t1=$(date +%s)
check "DROP: status 1" 1 "$drop_rc"
check "DROP: rc -1" -1 "$(sed -n 's/^rc=//p' "$TMP/drop.out")"
CHECKS=$((CHECKS + 1))
if [ $((t1 - t0)) -le 3 ]; then pass "DROP: gave up after $((t1 - t0)) s"; else fail "DROP: took $((t1 - t0)) s"; fi
check_match "DROP: the query did reach the server" '^72\.100\.51\.198\.in-addr\.arpa PTR DROP' \
	"$(cat "$TMP/queries.log")"

# the forward query times out: the name stands, unconfirmed, in time
t0=$(date +%s)
"$LOOKUP" --server "$SERVER" --timeout 1000 198.51.100.79 >"$TMP/slow.out" 2>&1
slow_rc=$?
t1=$(date +%s)
check "forward timeout: status 0" 0 "$slow_rc"
check "forward timeout: name kept" slow.example.net "$(sed -n 's/^name=//p' "$TMP/slow.out")"
check "forward timeout: unconfirmed" 0 "$(sed -n 's/^confirmed=//p' "$TMP/slow.out")"
CHECKS=$((CHECKS + 1))
if [ $((t1 - t0)) -le 3 ]; then pass "forward timeout: $((t1 - t0)) s"; else fail "forward timeout: took $((t1 - t0)) s"; fi

# one resolver, several addresses: each block stands alone
lookup many 198.51.100.66 198.51.100.73 198.51.100.67
check "three blocks" 3 "$(grep -c '^addr=' "$TMP/many.out")"
check "second block is empty" "" "$(sed -n '/^addr=198.51.100.73$/,/^$/s/^name=//p' "$TMP/many.out")"

# bad server arguments are refused before anything is sent
for bad in 'localhost:53' '127.0.0.1:0' '127.0.0.1:65536' '[::1' '[::1]53'; do
	"$LOOKUP" --server "$bad" 198.51.100.66 >/dev/null 2>"$TMP/bad.err"
	check "bad server '$bad' refused" 1 "$?"
done

# an IPv6 server on ::1, where the host has IPv6 loopback
if start_dnsd "$TMP/port6" --ipv6 --no-chase 2>/dev/null; then
	SERVER="[::1]:$(cat "$TMP/port6")"
	lookup v6srv 198.51.100.70 2001:db8::66
	check "IPv6 server: answered" 0 "$(cat "$TMP/v6srv.rc")"
	check "IPv6 server, CNAME left open by the server: confirmed" 1 "$(field v6srv confirmed)"
	check "IPv6 server: second address confirmed" 2 "$(grep -c '^confirmed=1$' "$TMP/v6srv.out")"
else
	echo "note: no IPv6 loopback, IPv6 server not tested"
fi

finish
