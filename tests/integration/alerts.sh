#!/bin/sh
# alerts.sh - -A stderr when nobody reads standard error: a capture of 300
# scanning sources, its alerts into a pipe of 4 KiB that is held open and
# never read. The detections are all stored all the same, the sensor ends
# promptly, and says nothing more on the blocked output.
. "$(dirname "$0")/lib.sh"
need_sqlite3
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

# 300 sources, each 6 SYNs to closed ports of one host answered by RST
PYTHONPATH="$top_srcdir/tests/tools" python3 - "$TMP/scans.pcap" <<'PY'
import sys
from pcapwrite import a4, eth, ip4, tcp, write_pcap

def frame(src, dst, sport, dport, flags):
    s, d = a4(src), a4(dst)
    return eth(ip4(s, d, 6, 1, 64, 0, tcp(s, d, sport, dport, 1000, 0, flags)))

frames = []
for s in range(300):
    src = '198.18.%d.%d' % (s // 250, s % 250 + 1)
    for p in range(6):
        for f in ((src, '203.0.113.9', 40000, 1000 + p, 0x02),
                  ('203.0.113.9', src, 1000 + p, 40000, 0x14)):
            # each source two seconds after the last
            gap = 2001000 if s and p == 0 and f[0] == src else 1000
            frames.append((gap, frame(*f)))
write_pcap(sys.argv[1], frames)
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
