#!/bin/sh
# alerts.sh - -A stderr when nobody reads standard error: a capture of 300
# scanning sources, its alerts into a pipe of 4 KiB that is held open and
# never read. The detections are all stored all the same, the sensor ends
# promptly, and says nothing more on the blocked output.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# 300 sources, each 6 SYNs to closed ports of one host answered by RST
python3 - "$TMP/scans.pcap" <<'PY'
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

def addr(a):
    return bytes(int(x) for x in a.split('.'))

def frame(src, dst, sport, dport, flags):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, 1000, 0, 5 << 4, flags, 1024, 0, 0)
    pseudo = addr(src) + addr(dst) + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, addr(src), addr(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00' + ip + tcp

with open(sys.argv[1], 'wb') as out:
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    us = 1795800000 * 1000000
    for s in range(300):
        src = '198.18.%d.%d' % (s // 250, s % 250 + 1)
        for p in range(6):
            for f in ((src, '203.0.113.9', 40000, 1000 + p, 0x02),
                      ('203.0.113.9', src, 1000 + p, 40000, 0x14)):
                b = frame(*f)
                us += 1000
                out.write(struct.pack('<IIII', us // 1000000, us % 1000000, len(b), len(b)) + b)
        us += 2000000
PY
[ -s "$TMP/scans.pcap" ] || { echo "FAIL: no capture"; exit 1; }

"$SENSOR" -q -Z root -r "$TMP/scans.pcap" -w "$TMP/plain.db" 2>"$TMP/plain.err"
check "without alerts: exit 0" 0 "$?"
want=$(q "$TMP/plain.db" "SELECT count(*) FROM v_detections WHERE kind = 'port_scan'")
check "without alerts: 300 port scans" 300 "$want"

# a 4 KiB pipe, held open by a reader that never reads
mkfifo "$TMP/fifo"
python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
open(sys.argv[2], "w").close()
time.sleep(90)
' "$TMP/fifo" "$TMP/held" &
HOLDER=$!
i=0
while [ ! -e "$TMP/held" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start=$(date +%s)
timeout 60 "$SENSOR" -Z root -A stderr -r "$TMP/scans.pcap" -w "$TMP/alerts.db" 2>"$TMP/fifo"
rc=$?
took=$(($(date +%s) - start))
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
check "alerts into a pipe nobody reads: exit 0, not stuck" 0 "$rc"
check "alerts into a pipe nobody reads: done within seconds" yes "$([ "$took" -le 10 ] && echo yes || echo "no, $took s")"
check "alerts into a pipe nobody reads: every detection stored" "$want" \
	"$(q "$TMP/alerts.db" "SELECT count(*) FROM v_detections WHERE kind = 'port_scan'")"
check "alerts into a pipe nobody reads: the run is finished" 1 \
	"$(q "$TMP/alerts.db" "SELECT count(*) FROM runs WHERE finished = 1")"

finish
