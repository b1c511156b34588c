#!/bin/sh
# frag.sh - SYN scans in tiny fragments (nmap -f, -ff, and the same over
# IPv6) are detected: the sensor puts the TCP headers split over fragments
# back together, counts the tiny fragments as an anomaly and not as decode
# errors, and an ordinary fragmented datagram is not taken for one.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# 192.0.2.66 scans 30 ports of 203.0.113.9 in 8-byte fragments (nmap -f),
# 192.0.2.77 in 16-byte ones with the last fragment first (nmap -ff),
# 2001:db8::66 in 8-byte fragments over IPv6; the closed ports answer RST.
# 192.0.2.88 sends one ordinary fragmented UDP datagram.
PYTHONPATH="$top_srcdir/tests/tools" python3 - "$TMP/frag.pcap" <<'PY'
import random, struct, sys
from pcapwrite import a4, a6, eth, ip4, ip6, tcp, udp, write_pcap

random.seed(1858)

def frags4(src, dst, proto, ipid, ttl, data, size):
    out = []
    for off in range(0, len(data), size):
        mf = 0x2000 if off + size < len(data) else 0
        out.append(eth(ip4(src, dst, proto, ipid, ttl, mf | off // 8, data[off:off + size])))
    return out

def frags6(src, dst, nh, ident, data, size):
    out = []
    for off in range(0, len(data), size):
        m = 1 if off + size < len(data) else 0
        fh = struct.pack('!BBHI', nh, 0, off | m, ident)
        out.append(eth(ip6(src, dst, 44, fh + data[off:off + size]), True))
    return out

MSS = b'\x02\x04\x05\xb4'
frames = []
target4, target6 = a4('203.0.113.9'), a6(9)
ports = random.sample(range(1, 1024), 30)
scans = (('192.0.2.66', 8, False), ('192.0.2.77', 16, True), ('2001:db8::66', 8, False))
for name, size, reverse in scans:
    v6 = ':' in name
    src = a6(0x66) if v6 else a4(name)
    dst = target6 if v6 else target4
    sport = random.randint(32768, 60999)
    for port in ports:
        seq = random.getrandbits(32)
        syn = tcp(src, dst, sport, port, seq, 0, 0x02, MSS)
        if v6:
            fr = frags6(src, dst, 6, random.getrandbits(32), syn, size)
        else:
            fr = frags4(src, dst, 6, random.getrandbits(16), random.randint(37, 59), syn, size)
        if reverse:
            fr.reverse()
        frames += fr
        rst = tcp(dst, src, port, sport, 0, seq + 1, 0x14)
        frames.append(eth(ip6(dst, src, 6, rst), True) if v6 else
                      eth(ip4(dst, src, 6, 0, 64, 0x4000, rst)))

# an ordinary fragmented datagram: its first fragment holds the UDP header
src, dst = a4('192.0.2.88'), a4('203.0.113.10')
frames += frags4(src, dst, 17, 4242, 64, udp(src, dst, 5000, 53, b'x' * 40), 24)

write_pcap(sys.argv[1], frames)
PY
[ -s "$TMP/frag.pcap" ] || { echo "FAIL: no capture"; exit 1; }

DB="$TMP/frag.db"
"$SENSOR" -q -Z root -r "$TMP/frag.pcap" -w "$DB"
check "sensor exits 0" 0 "$?"

scan() {
	q "$DB" "SELECT kind || ' ' || variant || ' ' || targets || ' ' || ports || ' ' || tool
	         FROM v_detections WHERE src = '$1' AND kind = 'port_scan'"
}
check "nmap -f: a SYN scan of 30 ports by nmap" "port_scan syn 1 30 nmap" "$(scan 192.0.2.66)"
check "nmap -ff, last fragment first: a SYN scan of 30 ports" "port_scan syn 1 30 nmap" \
	"$(scan 192.0.2.77)"
check_match "IPv6 in 8-byte fragments: a SYN scan of 30 ports" '^port_scan syn 1 30 ' \
	"$(scan 2001:db8::66)"
check "the ordinary fragmented datagram is no detection" 0 \
	"$(q "$DB" "SELECT count(*) FROM v_detections WHERE src = '192.0.2.88'")"

# 30 first fragments and 30 at offset 8 (RFC 1858) for each 8-byte scan,
# 30 first fragments for the 16-byte one: anomalies, not decode errors
check "no decode errors" 0 "$(q "$DB" "SELECT decode_errors FROM v_runs")"
check "tiny fragments counted as an anomaly" 150 \
	"$(q "$DB" "SELECT value FROM run_counters WHERE category = 'anomaly' AND name = 'frag_tiny'")"
check "no overlaps" 0 \
	"$(q "$DB" "SELECT count(*) FROM run_counters WHERE name = 'frag_overlap'")"
finish
