#!/bin/sh
# ledger.sh - the neighbourly ledger end to end, on a real SQLite file: the
# sensor and the analyzer on a corpus capture (IPv4 and IPv6 scanners), the
# reporter's memos against the loopback whois server (tests/tools/whoisd.py),
# new scans crafted after each memo (tests/tools/pcapwrite.py), then
# --ack / --bounced (and their bad input: exit 2 naming the argument; a
# netblock never written to: exit 1), v_offenders' rows (memos, outcome
# acked / bounced / ignored / waiting, answers, incidents since the last
# memo and their days, the summary), and --export-nft: exactly the
# expected prefixes of both families, no rule, and `nft -c -f` accepting
# the file alone and included in a ruleset (skipped, with a note, where nft
# -c cannot run). Memo dates are fixed in November 2026 (SOURCE_DATE_EPOCH)
# with a one-day cooldown, so "ignored" holds on any later day; "waiting"
# uses a memo dated now.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
need_sqlite3

D="$top_srcdir/tests/data/reporter"
NOW=1795809600                  # 2026-11-27T20:00:00Z: the first memos
DAY=86400
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

# a one-day cooldown: a memo is answered, or ignored, within a day
{ cat "$D/reporter.conf"; echo "cooldown_days = 1"; } >"$TMP/r.conf"
DB="$TMP/l.db"
mkdir -p "$TMP/out"

# memos AT: the reporter's memo run with the clock at AT (seconds)
memos() {
	SOURCE_DATE_EPOCH=$1 timeout 120 "$REPORTER" -w "${MDB:-$DB}" -o "$TMP/out" -c "$TMP/r.conf" \
		--whois-server whois.testnets.example --whois-hosts "$TMP/w.hosts" --no-dns \
		>/dev/null 2>"$TMP/memos.err"
	RC=$?
}
# rep AT ARGS...: the reporter's ledger commands with the clock at AT
rep() {
	at=$1
	shift
	SOURCE_DATE_EPOCH=$at timeout 60 "$REPORTER" "$@" >"$TMP/rep.out" 2>"$TMP/rep.err"
	RC=$?
}

# scans SRC4 SRC6 T0 FILE: a SYN scan of ten closed ports of our host,
# answered by RSTs, from SRC4 (and from SRC6 unless it is -), at T0 (seconds)
scans() {
	PYTHONPATH="$top_srcdir/tests/tools" python3 - "$@" <<'PY'
import ipaddress, sys
from pcapwrite import eth, ip4, ip6, tcp, write_pcap
src4, src6, t0, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
frames = []
def scan(src, dst, v6):
    for p in range(10):
        for s, d, sp, dp, fl in ((src, dst, 41000, 1000 + p, 0x02), (dst, src, 1000 + p, 41000, 0x14)):
            seg = tcp(s, d, sp, dp, 1000, 0 if fl == 0x02 else 1001, fl)
            pkt = ip6(s, d, 6, seg) if v6 else ip4(s, d, 6, 1, 64, 0, seg)
            frames.append(eth(pkt, v6))
scan(ipaddress.ip_address(src4).packed, ipaddress.ip_address('203.0.113.10').packed, False)
if src6 != '-':
    scan(ipaddress.ip_address(src6).packed, ipaddress.ip_address('2001:db8:113::10').packed, True)
write_pcap(out, frames, t0_us=t0 * 1000000)
PY
	"$SENSOR" -n span0 -r "$4" -w "$DB" >/dev/null 2>&1 || { echo "FAIL: sensor on $4"; exit 1; }
	"$ANALYZER" -q -w "$DB" || { echo "FAIL: analyzer after $4"; exit 1; }
}

# off NETBLOCK: memos|outcome|acks|bounces|incidents_since|days_seen_since
off() {
	q "$DB" "SELECT memos || '|' || outcome || '|' || acks || '|' || bounces || '|'
		|| incidents_since || '|' || coalesce(days_seen_since, '-')
		FROM v_offenders WHERE netblock = '$1'"
}

# elements FILE SET: the set's elements, one a line
elements() {
	sed -n "/^add element inet spanwatch $2 {\$/,/^}\$/p" "$1" | sed -e '1d' -e '$d' \
		-e 's/^[[:space:]]*//' -e 's/,$//'
}

# ---- the memos -------------------------------------------------------------------
"$SENSOR" -n span0 -r "$CORPUS/dev_13_mixed.pcap" -w "$DB" >/dev/null 2>&1 &&
	"$SENSOR" -n span0 -r "$CORPUS/dev_10_nmap_ipv6_sS.pcap" -w "$DB" >/dev/null 2>&1 &&
	"$ANALYZER" -q -w "$DB" || { echo "FAIL: sensor or analyzer"; exit 1; }
memos "$NOW"
check "first memos: exit 0" 0 "$RC"
check "first memos: one per netblock" "192.0.2.0/24 198.51.100.0/24 2001:db8:51::/48" \
	"$(q "$DB" "SELECT group_concat(netblock, ' ') FROM (SELECT netblock FROM reports ORDER BY netblock)")"
check "each memo's answer is due after the cooldown (1 day)" 3 \
	"$(q "$DB" "SELECT count(*) FROM reports WHERE answer_by = created + 86400000000")"
check "the netblocks' ranges are kept" 3 "$(q "$DB" 'SELECT count(DISTINCT netblock) FROM netblock_ranges')"
check "v_offenders: one row per netblock" 3 "$(q "$DB" 'SELECT count(*) FROM v_offenders')"
check "v_offenders: nothing seen since the memo" "1|ignored|0|0|0|-" "$(off 198.51.100.0/24)"

# the scanners come back two days later (2026-11-29T12:00Z)
scans 198.51.100.77 2001:db8:51::77 $((NOW + DAY + 16 * 3600)) "$TMP/back1.pcap"
check "v_offenders: still active after the memo (IPv4)" "1|ignored|0|0|1|2026-11-29" "$(off 198.51.100.0/24)"
check "v_offenders: still active after the memo (IPv6)" "1|ignored|0|0|1|2026-11-29" "$(off 2001:db8:51::/48)"
check "v_offenders: 192.0.2.0/24 quiet" "1|ignored|0|0|0|-" "$(off 192.0.2.0/24)"

# ---- what came back ----------------------------------------------------------------
rep $((NOW + DAY)) -w "$DB" --ack 198.51.100.0/24 --note 'we are looking into it'
check "--ack: exit 0" 0 "$RC"
check_match "--ack: says what it recorded" \
	'^198\.51\.100\.0/24: acknowledgment recorded \(answers the memo of 2026-11-27T20:00:00\.000000Z; 1 memo in all\)$' \
	"$(cat "$TMP/rep.err")"
check "--ack: acked" "1|acked|1|0|1|2026-11-29" "$(off 198.51.100.0/24)"
rep $((NOW + DAY)) -w "$DB" --ack 192.0.2.0/24 --note 'customer disconnected, thanks'
check "--ack with a note: exit 0" 0 "$RC"
check "--ack: the note in v_offenders" "acked|customer disconnected, thanks|2026-11-28T20:00:00.000000Z" \
	"$(q "$DB" "SELECT outcome || '|' || note || '|' || last_answer FROM v_offenders WHERE netblock = '192.0.2.0/24'")"

# second memos (2026-11-30T20:00Z) for the activity since: the ack
# answered the first memo, not this one
memos $((NOW + 3 * DAY))
check "second memos: exit 0" 0 "$RC"
check "second memos: to the two netblocks still active" "198.51.100.0/24|2 2001:db8:51::/48|2" \
	"$(q "$DB" "SELECT group_concat(netblock || '|' || n, ' ') FROM (SELECT netblock, count(*) AS n
		FROM reports GROUP BY netblock HAVING n > 1 ORDER BY netblock)")"
check "an ack answers the memos before it, not a later one" "2|ignored|1|0|0|-" "$(off 198.51.100.0/24)"
rep $((NOW + 3 * DAY + 3600)) -w "$DB" --bounced 2001:DB8:51:0::/48 --note 'mailbox unknown'
check "--bounced (a netblock written another way): exit 0" 0 "$RC"
check "--bounced: bounced" "2|bounced|0|1|0|-" "$(off 2001:db8:51::/48)"
check "--bounced: kept under the ledger's name" "2001:db8:51::/48|bounce|mailbox unknown" \
	"$(q "$DB" "SELECT netblock || '|' || kind || '|' || note FROM report_answers WHERE kind = 'bounce'")"

# 198.51.100.0/24 scans again (2026-12-01T12:00Z)
scans 198.51.100.78 - $((NOW + 3 * DAY + 16 * 3600)) "$TMP/back2.pcap"
check "still active after the second memo" "2|ignored|1|0|1|2026-12-01" "$(off 198.51.100.0/24)"
check "v_offenders: the summary an admin reads" \
	"reported 2 times in 3 days, no answer, still active: 1 incident since the last memo, last seen 2026-12-01" \
	"$(q "$DB" "SELECT summary FROM v_offenders WHERE netblock = '198.51.100.0/24'")"
check "v_offenders: the memos' dates" "2026-11-27T20:00:00.000000Z|2026-11-30T20:00:00.000000Z|2026-12-01T20:00:00.000000Z" \
	"$(q "$DB" "SELECT first_memo || '|' || last_memo || '|' || answer_by FROM v_offenders WHERE netblock = '198.51.100.0/24'")"
check "v_offenders: still active first" "198.51.100.0/24" "$(q "$DB" 'SELECT netblock FROM v_offenders LIMIT 1')"

# ---- bad input -----------------------------------------------------------------------
answers() { q "$DB" 'SELECT count(*) FROM report_answers'; }
before=$(answers)
for bad in 198.51.100.1/24 198.51.100.0/33 not-a-netblock '' '198.51.100.0/24, 192.0.2.0/24' \
	"$(printf '198.51.100.0/24\033[2J')"; do
	rep $NOW -w "$DB" --ack "$bad"
	check "--ack '$bad': usage error" 2 "$RC"
	check_match "--ack '$bad': one line naming it" "^spanwatch-reporter: --ack: '.*' is not a netblock" \
		"$(head -1 "$TMP/rep.err")"
done
check "the escape is not written out" 0 "$(grep -c "$(printf '\033')" "$TMP/rep.err")"
rep $NOW -w "$DB" --bounced 203.0.113.0/24
check "--bounced to a netblock never written to: exit 1" 1 "$RC"
check_match "--bounced to a netblock never written to: says so" \
	'--bounced 203\.0\.113\.0/24: no memo was written to this netblock' "$(cat "$TMP/rep.err")"
rep $NOW -w "$DB" --ack 198.51.100.0/25
check "--ack of a part of a netblock written to: exit 1" 1 "$RC"
rep $NOW -w "$DB" --ack 198.51.100.0/24 --note "$(printf 'two\nlines')"
check "--note with a line break: usage error" 2 "$RC"
rep $NOW -w "$DB" --note 'x'
check "--note alone: usage error" 2 "$RC"
rep $NOW --ack 198.51.100.0/24
check "--ack without -w: usage error" 2 "$RC"
rep $NOW -w "$DB" --ack 198.51.100.0/24 -o "$TMP/out"
check "--ack with -o: usage error" 2 "$RC"
rep $NOW -w "$DB" --ack 198.51.100.0/24 --bounced 198.51.100.0/24
check "--ack and --bounced: usage error" 2 "$RC"
rep $NOW -w "$DB" --ack 198.51.100.0/24 --export-nft "$TMP/x.nft"
check "--ack and --export-nft: usage error" 2 "$RC"
rep $NOW -w "$DB" --export-nft "$TMP/x.nft" --min-reports 0
check "--min-reports 0: usage error" 2 "$RC"
rep $NOW -w "$DB" --min-reports 2
check "--min-reports without --export-nft: usage error" 2 "$RC"
rep $NOW -w "$TMP/none.db" --ack 198.51.100.0/24
check "--ack on a missing database: exit 1" 1 "$RC"
check "bad input recorded nothing" "$before" "$(answers)"

# ---- --export-nft ---------------------------------------------------------------------
NFT_OK=
: "${NFT:=$(command -v nft || true)}"
if [ -n "$NFT" ] && [ -x "$NFT" ]; then
	printf 'add table inet spanwatch_probe\n' >"$TMP/probe.nft"
	if "$NFT" -c -f "$TMP/probe.nft" >"$TMP/probe.err" 2>&1; then
		NFT_OK=1
	else
		echo "note: nft -c cannot run here ($(head -1 "$TMP/probe.err")): nft checks skipped"
	fi
else
	echo "note: nft not installed: nft checks skipped"
fi
# nft_accepts DESCRIPTION FILE
nft_accepts() {
	[ -n "$NFT_OK" ] || return 0
	"$NFT" -c -f "$2" >"$TMP/nft.err" 2>&1
	check "$1: nft -c -f accepts it" 0 "$?"
	[ -s "$TMP/nft.err" ] && head -5 "$TMP/nft.err"
}

OUT="$TMP/out/offenders.nft"
rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT" --min-reports 2 --days 30
check "--export-nft: exit 0" 0 "$RC"
check_match "--export-nft: says what it wrote" \
	'offenders\.nft: 2 netblocks \(1 IPv4, 1 IPv6 prefixes\); no rule' "$(cat "$TMP/rep.err")"
check "--export-nft: the IPv4 set (reported twice, the last memo unanswered)" "198.51.100.0/24" \
	"$(elements "$OUT" offenders_v4)"
check "--export-nft: the IPv6 set (reported twice, bounced)" "2001:db8:51::/48" \
	"$(elements "$OUT" offenders_v6)"
check "--export-nft: both sets defined, interval" 2 \
	"$(grep -c '^add set inet spanwatch offenders_v[46] { type ipv[46]_addr; flags interval; }$' "$OUT")"
check "--export-nft: no rule outside the comments" 0 "$(grep -v '^#' "$OUT" | grep -ciE 'drop|reject|rule|hook|chain')"
check_match "--export-nft: the header says blocking is the operator's act" "operator's act" "$(head -8 "$OUT")"
check_match "--export-nft: the header states the criteria" \
	'^# chosen: 2 or more memos in the last 30 days, and no acknowledgment' "$(grep '^# chosen' "$OUT")"
check "--export-nft: mode 0644, no temporary file left" "644 1" \
	"$(stat -c %a "$OUT") $(ls "$TMP/out" | grep -c offenders)"
nft_accepts "--export-nft" "$OUT"
cat >"$TMP/ruleset.nft" <<EOF
include "$OUT"
table inet spanwatch {
	chain input {
		type filter hook input priority filter - 5; policy accept;
		ip saddr @offenders_v4 drop
		ip6 saddr @offenders_v6 drop
	}
}
EOF
nft_accepts "a ruleset that includes the file and drops" "$TMP/ruleset.nft"

rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT" --min-reports 1 --days 30
check "--min-reports 1: the acked netblock stays out" "198.51.100.0/24" "$(elements "$OUT" offenders_v4)"
rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT" --min-reports 2 --days 3
check "--days 3: the first memos are older, nothing" "" "$(elements "$OUT" offenders_v4)$(elements "$OUT" offenders_v6)"
rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT"
check "defaults (3 memos in 90 days): nothing" 0 "$(grep -c '^add element' "$OUT")"
nft_accepts "--export-nft with empty sets" "$OUT"
# once acked after the last memo, a netblock leaves the set
rep $((NOW + 5 * DAY)) -w "$DB" --ack 198.51.100.0/24
rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT" --min-reports 2 --days 30
check "acked after its last memo: out of the set" "" "$(elements "$OUT" offenders_v4)"
check "acked after its last memo: acked" "2|acked|2|0|1|2026-12-01" "$(off 198.51.100.0/24)"
rep $NOW -w "$DB" --export-nft "$TMP/nonexistent/offenders.nft"
check "--export-nft into a missing folder: exit 1" 1 "$RC"
check_match "--export-nft into a missing folder: named" 'nonexistent/offenders\.nft' "$(cat "$TMP/rep.err")"

# the ranges of memos recorded before they were kept come back at the next start
q "$DB" 'DELETE FROM netblock_ranges' >/dev/null
rep $((NOW + 5 * DAY)) -w "$DB" --export-nft "$OUT" --min-reports 2 --days 30
check "ranges of older memos restored" 3 "$(q "$DB" 'SELECT count(DISTINCT netblock) FROM netblock_ranges')"

# ---- waiting: a memo written now has its answer due tomorrow ---------------------------
cp "$DB" "$TMP/w.db"
MDB="$TMP/w.db" memos "$(date +%s)"
check "a memo dated now: exit 0" 0 "$RC"
check "a memo dated now: waiting for its answer" "3|waiting|2|0|0|-" \
	"$(DB=$TMP/w.db off 198.51.100.0/24)"
check_match "a memo dated now: the summary" '^reported 3 times in [0-9]+ days, answer due by [0-9-]+, nothing seen since the last memo$' \
	"$(q "$TMP/w.db" "SELECT summary FROM v_offenders WHERE netblock = '198.51.100.0/24'")"

finish
