#!/bin/bash
# gen_rw.sh -- generates the "rw_" (real-world) captures of the corpus, next to gen.sh's dev_ set.
# Real tools (unbound, dig, swaks, traceroute, curl, nc, nmap, hping3) run in a namespace that plays
# the internet; two router namespaces forward towards our network; tcpdump captures on our side of
# the last router (a span port of our border). Nothing leaves the four namespaces created here.
#
#     rwatk  rwa0 ==== rwr1a  rwr1  rwr1b ==== rwr2a  rwr2  rwr2b ==== rwt0  rwtgt
#   (internet side)   (router 1, forwarding) (router 2, forwarding)  (our network, AnyIP hosts)
#                                                             capture point: rwt0 ^
#
# Usage (root, Debian 12):  bash gen_rw.sh    (OUT=/other/dir bash gen_rw.sh writes elsewhere)
# Rewrites only rw_*.pcap and the rw_ rows of truth.tsv; dev_* files and rows are left alone.
# Needs: iproute2 tcpdump nmap hping3 traceroute swaks unbound bind9-dnsutils(dig) nftables curl
#        netcat-openbsd ethtool tshark(capinfos) python3 python3-aiosmtpd
set -u
OUT=${OUT:-$(cd "$(dirname "$0")" && pwd)}
WORK=${WORK:-$(mktemp -d)}                    # helpers, logs and the capture in progress
P=rw                                          # file name prefix
PY=/usr/bin/python3                           # Debian's python (python3-aiosmtpd lives there)
# ---------------- address plan (documentation ranges only) ----------------
# links: every address a /32 with onlink routes (no transit subnets needed)
ATK_GW=192.0.2.252     # rwatk on rwa0: r1's next hop towards "the internet"
R1_A=192.0.2.254       # r1 on rwr1a (facing the internet side)
R1_B=192.0.2.253       # r1 on rwr1b (facing r2)
R2_A=198.51.100.254    # r2 on rwr2a (facing r1)
R2_B=198.51.100.253    # r2 on rwr2b (facing our network)
T_GW=203.0.113.254     # rwtgt on rwt0 (r2's next hop into our network)
TGT_NET=203.0.113.0/24 # AnyIP: every address is a live test host in rwtgt
# sources on the internet side (rwatk owns each as a /32 on rwa0)
B_RES=198.51.100.53                                  # 01 recursive resolver (unbound)
B_MAIL=192.0.2.25                                    # 02 mail server (swaks)
B_TRU=198.51.100.71; B_TRI=192.0.2.72; B_TRT=198.51.100.73   # 03 traceroute udp / icmp / tcp
B_TELNET=192.0.2.23; B_SYSLOG=198.51.100.114         # 04 retrying clients
A_FRAG=198.51.100.45                                 # 05 nmap -f
A_MTU=192.0.2.46; A_FF=198.51.100.47                 # 06 nmap --mtu 8, nmap -ff
A_PING=192.0.2.88                                    # 07 ICMP echo flood
A_CARPET=192.0.2.89                                  # 08 hping3's own address (every packet is spoofed)
A_DECOY=192.0.2.99                                   # 09 real source of the decoy scans
DECOYS=(198.51.100.17 192.0.2.163 198.51.100.233)   # owned by no namespace: they never answer
ATK_ADDRS=($ATK_GW $B_RES $B_MAIL $B_TRU $B_TRI $B_TRT $B_TELNET $B_SYSLOG $A_FRAG $A_MTU $A_FF
           $A_PING $A_CARPET $A_DECOY)
DEFAULT_SRC=$ATK_GW
# targets in our network
T_RES_FIRST=101; N_RES=40; RES_DEAD=(105 117 129 138)        # 203.0.113.101-140 name servers, 4 silent
T_MAIL_FIRST=141; N_MAIL=30; MAIL_REJECT=(147 156 163); MAIL_DROP=(151 168)
T_TR=(203.0.113.10 203.0.113.80 203.0.113.200); T_TRI=203.0.113.53; T_TRT=203.0.113.80
T_TELNET=203.0.113.23; T_SYSLOG=203.0.113.114
T_FRAG=203.0.113.30; T_MTU=203.0.113.31; T_FF=203.0.113.32; T_PING=203.0.113.40; T_DECOY=203.0.113.44

write_helpers() {   # python helpers, written to $WORK at run time
cat > "$WORK/services.py" <<'PYEOF'
#!/usr/bin/python3
# Test-host services for rwtgt (as gen.sh's services.py): FTP-like banner on 21, SSH-like banner on 22,
# http.server on 80 and 8080, and an AUTHORITATIVE DNS responder on udp/53 (AA set, RA clear, so a
# recursive resolver's stub queries are answered like a real zone's name server would). IPv4 only.
import http.server, socket, socketserver, struct, threading, sys, hashlib, time

class TS(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 256

class FTP(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request; s.settimeout(5)
        try:
            s.sendall(b"220 (vsFTPd 3.0.3)\r\n")
            for _ in range(6):
                d = s.recv(512)
                if not d: break
                c = d.split(b" ")[0].strip().upper()
                if c == b"USER": s.sendall(b"331 Please specify the password.\r\n")
                elif c == b"PASS": time.sleep(0.05); s.sendall(b"530 Login incorrect.\r\n")
                elif c == b"QUIT": s.sendall(b"221 Goodbye.\r\n"); break
                else: s.sendall(b"530 Please login with USER and PASS.\r\n")
        except OSError: pass

class SSH(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request; s.settimeout(3)
        try:
            s.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
            for _ in range(3):
                d = s.recv(4096)
                if not d: break
        except OSError: pass

def dns_answer(q, net):
    if len(q) < 12: return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if flags & 0x8000: return None
    if qd == 0 or (flags >> 11) & 0xF:
        return struct.pack("!HHHHHH", qid, 0x8000 | (flags & 0x7900) | 4, 0, 0, 0, 0)
    i = 12; labels = []
    while i < len(q) and q[i] != 0:
        l = q[i]; labels.append(q[i+1:i+1+l]); i += 1 + l
    i += 1
    if i + 4 > len(q): return None
    qtype, qclass = struct.unpack("!HH", q[i:i+4])
    question = q[12:i+4]
    hdr_flags = 0x8400 | (flags & 0x0100)          # QR + AA (+RD echoed), no RA: authoritative
    if qtype == 1:
        h = hashlib.md5(b".".join(labels).lower()).digest()[0] % 200 + 20
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton(net + str(h))
        return struct.pack("!HHHHHH", qid, hdr_flags, 1, 1, 0, 0) + question + ans
    return struct.pack("!HHHHHH", qid, hdr_flags, 1, 0, 0, 0) + question

def dns(net):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_IP, 8, 1)          # IP_PKTINFO: reply from the queried AnyIP address
    u.setsockopt(socket.SOL_IP, 15, 1)         # IP_FREEBIND
    u.bind(("0.0.0.0", 53))
    while True:
        data, anc, _, addr = u.recvmsg(2048, 256)
        r = dns_answer(data, net)
        if r is None: continue
        cm = []
        for (l, t, d) in anc:
            if l == socket.SOL_IP and t == 8 and len(d) >= 12:   # struct in_pktinfo: ifindex, spec_dst, addr
                cm = [(socket.SOL_IP, 8, struct.pack("=i4s4s", 0, d[8:12], b"\0" * 4))]
        try: u.sendmsg([r], cm, 0, addr)
        except OSError: pass

class Web(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=WEBROOT, **k)
    def log_message(self, *a): pass

if __name__ == "__main__":
    net = sys.argv[1] if len(sys.argv) > 1 else "203.0.113."
    WEBROOT = sys.argv[2] if len(sys.argv) > 2 else "."
    for port, h in ((21, FTP), (22, SSH), (80, Web), (8080, Web)):
        srv = TS(("0.0.0.0", port), h)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    dns(net)
PYEOF
cat > "$WORK/smtpd.py" <<'PYEOF'
#!/usr/bin/python3
# SMTP on tcp/25 for every AnyIP address of rwtgt: aiosmtpd's SMTP protocol with the Sink handler
# (accepts and discards). Fixed hostname, so no name lookup ever leaves the namespace.
import asyncio
from aiosmtpd.smtp import SMTP
from aiosmtpd.handlers import Sink

async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(Sink(), hostname="mx.example.net", ident="ESMTP Postfix (Debian/GNU)"),
        "0.0.0.0", 25, backlog=128, reuse_address=True)
    await srv.serve_forever()

asyncio.run(main())
PYEOF
}

###########################################################################
# Machinery (same conventions as gen.sh)
###########################################################################
ATK_NS=rwatk; R1_NS=rwr1; R2_NS=rwr2; TGT_NS=rwtgt; ALL_NS="$ATK_NS $R1_NS $R2_NS $TGT_NS"
VA=rwa0; V1A=rwr1a; V1B=rwr1b; V2A=rwr2a; V2B=rwr2b; VT=rwt0
TDPID=""; SVCPID=""; SMTPPID=""; UBPID=""; BGPIDS=(); PENDING=()
say() { echo "[$(date +%T)] $*" >&2; }
die() { say "FATAL: $*"; exit 1; }
q()   { local s; s=$(printf '%q ' "$@"); printf '%s' "${s% }"; }
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cleanup() {
  set +e
  [ -n "$TDPID" ] && kill -TERM "$TDPID" 2>/dev/null && wait "$TDPID" 2>/dev/null
  for p in "${BGPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "$UBPID" "$SMTPPID" "$SVCPID"; do
    [ -n "$p" ] && kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  for ns in $ALL_NS; do
    if ip netns list | grep -qw "^$ns"; then
      left=$(ip netns pids $ns 2>/dev/null | tr '\n' ' ')
      [ -n "$left" ] && say "WARNING: processes still in $ns: $left"
      ip netns del $ns
    fi
  done
}

# veth pair between two namespaces; offloads off on both ends (real, checksummed, <=MTU frames)
link() {   # link NS1 IF1 MAC1 NS2 IF2 MAC2
  ip link add $2 address $3 type veth peer name $5 address $6 || die "veth $2"
  ip link set $2 netns $1; ip link set $5 netns $4
  local nd; for nd in "$1 $2" "$4 $5"; do
    set -- $nd
    inns $1 ip link set $2 up
    inns $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1
  done
}

setup() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  for b in ip tcpdump nmap hping3 traceroute swaks unbound dig nft curl nc capinfos ethtool $PY timeout; do
    command -v $b >/dev/null || die "missing $b"; done
  $PY -c 'import aiosmtpd' 2>/dev/null || die "missing python3-aiosmtpd"
  for ns in $ALL_NS; do ip netns list | grep -qw "^$ns" && die "netns $ns already exists; refusing"; done
  mkdir -p "$OUT" "$WORK/www/img" || die "mkdir"
  [ -f "$OUT/truth.tsv" ] ||
    printf 'file\tsrc\trole\tkind\ttargets\tproto_ports\ttool\tcommand\tpackets\tnotes\n' > "$OUT/truth.tsv"
  if [ -z "${ONLY:-}" ]; then              # full run: drop all our files and rows, keep every other set's
    rm -f "$OUT"/${P}_*.pcap
    grep -v "^${P}_" "$OUT/truth.tsv" > "$WORK/truth.keep"; cat "$WORK/truth.keep" > "$OUT/truth.tsv"
  fi                                       # (ONLY=...: cap_begin replaces just the files it writes)
  : > "$WORK/commands.log"; : > "$WORK/tool.log"; : > "$WORK/summary.txt"; : > "$WORK/files.txt"
  write_helpers
  trap cleanup EXIT; trap 'exit 1' INT TERM
  # --- four namespaces, IPv4 only ----------------------------------------
  for ns in $ALL_NS; do
    ip netns add $ns || die "netns add $ns"
    inns $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    inns $ns ip link set lo up
  done
  link $ATK_NS $VA  02:00:5e:20:00:0a  $R1_NS $V1A 02:00:5e:20:01:0a
  link $R1_NS  $V1B 02:00:5e:20:01:0b  $R2_NS $V2A 02:00:5e:20:02:0a
  link $R2_NS  $V2B 02:00:5e:20:02:0b  $TGT_NS $VT 02:00:5e:20:00:01
  # routers: forwarding on, no reverse-path filter (spoofed sources are forwarded, as on the internet)
  for ns in $R1_NS $R2_NS; do
    inns $ns sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  inns $R1_NS sysctl -qw net.ipv4.conf.$V1A.rp_filter=0 net.ipv4.conf.$V1B.rp_filter=0
  inns $R2_NS sysctl -qw net.ipv4.conf.$V2A.rp_filter=0 net.ipv4.conf.$V2B.rp_filter=0
  inns $R1_NS ip addr add $R1_A/32 dev $V1A; inns $R1_NS ip addr add $R1_B/32 dev $V1B
  inns $R2_NS ip addr add $R2_A/32 dev $V2A; inns $R2_NS ip addr add $R2_B/32 dev $V2B
  inns $R1_NS ip route add $TGT_NET via $R2_A dev $V1B onlink
  inns $R1_NS ip route add default via $ATK_GW dev $V1A onlink          # everything else: the internet
  inns $R2_NS ip route add $TGT_NET via $T_GW dev $V2B onlink
  inns $R2_NS ip route add default via $R1_B dev $V2A onlink
  # our network: AnyIP test hosts, default route towards the border router r2
  inns $TGT_NS sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.tcp_syncookies=1
  inns $TGT_NS ip addr add $T_GW/32 dev $VT
  inns $TGT_NS ip route add local $TGT_NET dev lo || die "anyip"
  inns $TGT_NS ip route add default via $R2_B dev $VT onlink
  inns $TGT_NS nft -f - <<EOF || die "nft"
table inet rw {
  chain in { type filter hook input priority 0; policy accept; }
}
EOF
  # internet side: every source a /32 on rwa0; our network reached through r1
  for a in "${ATK_ADDRS[@]}"; do inns $ATK_NS ip addr add $a/32 dev $VA || die "addr $a"; done
  inns $ATK_NS ip route add $TGT_NET via $R1_A dev $VA onlink src $DEFAULT_SRC
  # web content + services on the test hosts
  $PY - "$WORK/www" <<'PYW'
import sys, random, os
r = random.Random(7); d = sys.argv[1]
body = "".join("<p>%s</p>\n" % " ".join(r.choice(["lorem","ipsum","dolor","sit","amet","consectetur","adipiscing","elit","sed","do"]) for _ in range(12)) for _ in range(18))
open(os.path.join(d, "index.html"), "w").write("<!doctype html><html><head><title>test host</title></head><body>\n%s</body></html>\n" % body)
PYW
  ip netns exec $TGT_NS timeout 3600 $PY "$WORK/services.py" 203.0.113. "$WORK/www" >"$WORK/services.log" 2>&1 &
  SVCPID=$!
  ip netns exec $TGT_NS timeout 3600 $PY "$WORK/smtpd.py" >"$WORK/smtpd.log" 2>&1 &
  SMTPPID=$!
  for i in $(seq 50); do inns $TGT_NS ss -lntu | grep -q ':53 ' && inns $TGT_NS ss -lnt | grep -q ':25 ' && break; sleep 0.1; done
  inns $TGT_NS ss -lntu >> "$WORK/tool.log"
  say "topology up; output -> $OUT"
}

# run in the internet-side namespace, bounded by timeout; LAST = exact command line
atk() { local t=$1; shift; LAST="ip netns exec $ATK_NS timeout $t $(q "$@")"
        echo "+ [$CUR] $LAST" >> "$WORK/commands.log"
        ip netns exec $ATK_NS timeout "$t" "$@" >> "$WORK/tool.log" 2>&1; }
atk_bg() { local t=$1; shift; LAST="ip netns exec $ATK_NS timeout $t $(q "$@")"
        echo "+ [$CUR] (bg) $LAST" >> "$WORK/commands.log"
        ip netns exec $ATK_NS timeout "$t" "$@" >> "$WORK/tool.log" 2>&1 &
        BGPIDS+=($!); }
bgwait() { local p; for p in "${BGPIDS[@]}"; do wait "$p"; done; BGPIDS=(); }
# nft rules in our network, AFTER the capture point (input hook): `fw RULE...`; `fw_clear` between files
fw() { echo "+ [$CUR] ip netns exec $TGT_NS nft add rule inet rw in $*" >> "$WORK/commands.log"
       inns $TGT_NS nft add rule inet rw in "$@" || die "nft rule $*"; }
fw_clear() { inns $TGT_NS nft flush chain inet rw in; }
# row SRC ROLE KIND TARGETS PROTO_PORTS TOOL [NOTES]   (command = $LAST)
row() { local c=${LAST//$WORK/\$WORK}      # the work dir is a temporary: name it $WORK
        PENDING+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t__PKTS__\t%s' "$CUR" "$1" "$2" "$3" "$4" "$5" "$6" "$c" "${7:-}")"); }

cap_begin() {  # cap_begin FILE [SNAPLEN [warm]]
  CUR=$1; local snap=${2:-256}; PENDING=()
  rm -f "$OUT/$CUR"; grep -v "^$CUR"$'\t' "$OUT/truth.tsv" > "$WORK/truth.tmp"; cat "$WORK/truth.tmp" > "$OUT/truth.tsv"
  local ns; for ns in $ALL_NS; do inns $ns ip neigh flush all; done
  if [ "${3:-}" = warm ]; then   # floods: resolve the routers' next hops before the capture starts, else
    # the ARP replies queue behind the flood and r1/r2 drop most of it while unresolved
    inns $ATK_NS ping -q -c 1 -W 2 -I $ATK_GW $T_GW >/dev/null 2>&1
    inns $R2_NS ping -q -c 1 -W 2 $T_GW >/dev/null 2>&1
  fi
  ip netns exec $TGT_NS timeout 900 tcpdump -Z root -i $VT -s $snap -B 65536 -U -w "$WORK/cur.pcap" 2>"$WORK/td.err" &
  TDPID=$!
  for i in $(seq 100); do grep -q 'listening on' "$WORK/td.err" && break; sleep 0.1; done
  sleep 0.5; say "capture $CUR (snaplen $snap)"
}
cap_end() {
  sleep "${1:-1.5}"
  kill -TERM "$TDPID"; wait "$TDPID"; TDPID=""
  fw_clear
  local drops; drops=$(awk '/dropped by kernel/{print $1}' "$WORK/td.err")
  [ "${drops:-0}" != 0 ] && say "WARNING: $CUR: $drops packets dropped by kernel"
  mv "$WORK/cur.pcap" "$OUT/$CUR"; chmod 644 "$OUT/$CUR"
  local n sz dur; n=$(capinfos -c -M "$OUT/$CUR" | awk -F: '/Number of packets/{gsub(/ /,"",$2);print $2}')
  dur=$(capinfos -u -M "$OUT/$CUR" | awk -F: '/Capture duration/{gsub(/ /,"",$2);print $2}')
  sz=$(stat -c %s "$OUT/$CUR")
  if [ -n "${RATE_FILTER:-}" ]; then     # measured rate of the flood packets, into the notes
    local rate; rate=$(tcpdump -tt -nr "$OUT/$CUR" $RATE_FILTER 2>/dev/null | awk -v per="${RATE_PER:-0}" '
      NR == 1 { t0 = $1 } { t1 = $1; n++; split($5, a, "."); dst[a[1] "." a[2] "." a[3] "." a[4]]++ }
      END { d = t1 - t0; r = (d > 0 ? n / d : 0)
            printf "%d packets in %.2f s = %.0f pps", n, d, r
            if (per > 0) {
              nd = 0; mn = -1; mx = 0
              for (k in dst) { nd++; if (mn < 0 || dst[k] < mn) mn = dst[k]; if (dst[k] > mx) mx = dst[k] }
              printf ", ~%.0f pps per address averaged over %d; %d addresses hit, %d-%d packets each", r / per, per, nd, mn, mx } }')
    say "$CUR: measured ($RATE_FILTER): $rate"
    LAST_PPS=$(printf '%s' "$rate" | sed -E 's/.* = ([0-9]+) pps.*/\1/')
    PENDING=("${PENDING[@]//__RATE__/$rate}"); RATE_FILTER=""; RATE_PER=0
  fi
  local r; for r in "${PENDING[@]}"; do printf '%s\n' "${r/__PKTS__/$n}" >> "$OUT/truth.tsv"; done
  printf '%-36s %8s pkts %9s bytes %s drops=%s\n' "$CUR" "$n" "$sz" "$dur" "${drops:-?}" | tee -a "$WORK/summary.txt" >&2
  { printf '%s   %s packets, %s bytes, %s\n' "$CUR" "$n" "$sz" "$dur"
    for r in "${PENDING[@]}"; do
      IFS=$'\t' read -r _ src role kind tg pp tool cmd _ notes <<<"$r"
      printf '   [%s %s] %s -> %s  %s  (%s)\n     $ %s\n' "$role" "$kind" "$src" "$tg" "$pp" "$notes" "$cmd"
    done; echo; } >> "$WORK/files.txt"
}

###########################################################################
# Scenarios
###########################################################################
NM=(nmap -n -e $VA)                                   # every nmap: numeric, pinned to rwa0

# ---- 01 recursive resolver: unbound (stub-zones, one per server) driven by dig --------------------
s01() {
{ cat <<EOF
server:
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: "$WORK/unbound.pid"
  logfile: "$WORK/unbound.log"
  use-syslog: no
  verbosity: 1
  num-threads: 1
  interface: 127.0.0.1
  port: 53
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  outgoing-interface: $B_RES
  outgoing-range: 64
  so-reuseport: no
  module-config: "iterator"
  target-fetch-policy: "0 0 0 0 0"
  harden-referral-path: no
  prefetch: no
remote-control:
  control-enable: no
EOF
  for i in $(seq -w 1 $N_RES); do
    printf 'stub-zone:\n  name: "zone%s.example"\n  stub-addr: 203.0.113.%d\n' $i $((T_RES_FIRST + 10#$i - 1))
  done; } > "$WORK/unbound.conf"
$PY - "$WORK/names_res.txt" $N_RES <<'PYN'
import sys, random; r = random.Random(53); n = int(sys.argv[2])
names = ["%s.zone%02d.example" % (h, z) for z in range(1, n + 1) for h in ("www", "mail", "api", "vpn")]
r.shuffle(names); open(sys.argv[1], "w").write("".join(x + "\n" for x in names))
PYN
cap_begin ${P}_01_resolver.pcap
dead=(); for d in "${RES_DEAD[@]}"; do dead+=(203.0.113.$d); done
fw ip daddr "{ $(IFS=,; echo "${dead[*]}") }" udp dport 53 drop
ip netns exec $ATK_NS timeout 120 unbound -d -c "$WORK/unbound.conf" >> "$WORK/tool.log" 2>&1 &
UBPID=$!
for i in $(seq 50); do inns $ATK_NS ss -lnu | grep -q '127.0.0.1:53 ' && break; sleep 0.1; done
atk 90 xargs -a "$WORK/names_res.txt" -P 8 -n 1 dig @127.0.0.1 +tries=1 +time=4 +short
LAST="ip netns exec $ATK_NS timeout 120 unbound -d -c \$WORK/unbound.conf (40 stub-zones zoneNN.example -> 203.0.113.101-140, outgoing-interface $B_RES); queries: $LAST"
row $B_RES benign benign "203.0.113.$T_RES_FIRST-$((T_RES_FIRST + N_RES - 1))" "udp/53 x160 (4 names x 40 zones)" unbound \
    "resolver: real unbound recursing to 40 authoritative servers; ${dead[*]} never answer (nft drop after the capture point), unbound retries them"
kill -TERM $UBPID; wait $UBPID; UBPID=""
cap_end

}
# ---- 02 mail server: swaks full SMTP sessions to 30 hosts; 3 refuse (RST), 2 silent ----------------
s02() {
cap_begin ${P}_02_mail.pcap
rej=(); for d in "${MAIL_REJECT[@]}"; do rej+=(203.0.113.$d); done
drp=(); for d in "${MAIL_DROP[@]}"; do drp+=(203.0.113.$d); done
fw ip daddr "{ $(IFS=,; echo "${rej[*]}") }" tcp dport 25 reject with tcp reset
fw ip daddr "{ $(IFS=,; echo "${drp[*]}") }" tcp dport 25 drop
cmd_mail=""
for i in $(seq 0 $((N_MAIL - 1))); do
  h=203.0.113.$((T_MAIL_FIRST + i))
  atk 15 swaks --server $h --port 25 --local-interface $B_MAIL --helo mail.example.org \
      --from newsletter@example.org --to postmaster@example.net --timeout 5 --hide-all
  [ -z "$cmd_mail" ] && cmd_mail=$LAST
  sleep 0.2
done
LAST="for h in 203.0.113.$T_MAIL_FIRST..$((T_MAIL_FIRST + N_MAIL - 1)): ${cmd_mail//203.0.113.$T_MAIL_FIRST/\$h}; sleep 0.2"
row $B_MAIL benign benign "203.0.113.$T_MAIL_FIRST-$((T_MAIL_FIRST + N_MAIL - 1))" "tcp/25 x30 SMTP sessions" swaks \
    "mail: EHLO MAIL RCPT DATA QUIT; ${rej[*]} refuse (nft reject with tcp reset), ${drp[*]} silent (nft drop: kernel SYN retransmits until swaks' 5 s timeout)"
cap_end

}
# ---- 03 traceroute: UDP to 3 hosts, ICMP echo to 1, TCP SYN to 1; the routers eat TTL 1 and 2 ------
s03() {
cap_begin ${P}_03_traceroute.pcap
cmd_tr=""
for h in "${T_TR[@]}"; do
  atk 60 traceroute -n -s $B_TRU $h
  [ -z "$cmd_tr" ] && cmd_tr=$LAST; sleep 0.5
done
LAST="for h in ${T_TR[*]}: ${cmd_tr//${T_TR[0]}/\$h}"
row $B_TRU benign benign "$(IFS=,; echo "${T_TR[*]}")" "udp/33434+ (TTL-limited)" traceroute \
    "traceroute udp: default 3 probes/hop, 16 in flight; probes with TTL 1-2 die at the routers, the rest arrive with TTL 1-4 and get port unreachable"
atk 60 traceroute -n -I -s $B_TRI $T_TRI
row $B_TRI benign benign $T_TRI "icmp echo (TTL-limited)" traceroute "traceroute icmp: probes sent with TTL 1 and 2 die at the routers; those sent with TTL 3-8 arrive with TTL 1-6 (traceroute keeps 16 in flight), each answered with an echo reply"
sleep 0.5
atk 60 traceroute -n -T -p 80 -s $B_TRT $T_TRT
row $B_TRT benign benign $T_TRT "tcp/80 SYN (TTL-limited)" traceroute "traceroute tcp: SYNs sent with TTL 1 and 2 die at the routers; those sent with TTL 3-8 arrive with TTL 1-6; open port: SYN-ACK, the sender's kernel resets"
cap_end

}
# ---- 04 retries: telnet client retrying a closed port 30 times; syslog client to a closed UDP port -
s04() {
cap_begin ${P}_04_retry.pcap
atk_bg 60 curl -s -o /dev/null --interface $B_TELNET --retry 29 --retry-connrefused --retry-delay 1 telnet://$T_TELNET:23
row $B_TELNET benign benign $T_TELNET "tcp/23 x30 (closed -> RST)" curl "retry: one client, one closed login port, 30 attempts 1 s apart"
sleep 0.3
LAST="for i in \$(seq 20); do echo '<14>... rw: test message \$i' | ip netns exec $ATK_NS timeout 3 nc -u -w1 -s $B_SYSLOG $T_SYSLOG 514; sleep 1; done"
echo "+ [$CUR] $LAST" >> "$WORK/commands.log"
for i in $(seq 20); do echo "<14>$(date '+%b %e %T') app01 rw: test message $i" | \
  inns $ATK_NS timeout 3 nc -u -w1 -s $B_SYSLOG $T_SYSLOG 514 >> "$WORK/tool.log" 2>&1; sleep 1; done
row $B_SYSLOG benign benign $T_SYSLOG "udp/514 x20 (closed -> ICMP port unreachable)" nc "retry: syslog client resending to a closed port about once a second (nc exits on the ICMP port unreachable, then sleep 1)"
bgwait
cap_end

}
# ---- 05 nmap -f: 8-byte fragments split the TCP header ---------------------------------------------
s05() {
cap_begin ${P}_05_nmap_frag.pcap
atk 300 "${NM[@]}" -sS -f -T4 --top-ports 200 -S $A_FRAG $T_FRAG
row $A_FRAG attacker vertical_scan $T_FRAG "tcp/top-200 SYN" nmap "tiny fragments: -f, every probe in 8-byte fragments (TCP header split); host discovery first"
cap_end

}
# ---- 06 nmap --mtu 8 and -ff -------------------------------------------------------------------------
s06() {
cap_begin ${P}_06_nmap_mtu8.pcap
atk 300 "${NM[@]}" -sS --mtu 8 -T4 -p 1-150 -S $A_MTU $T_MTU
row $A_MTU attacker vertical_scan $T_MTU "tcp/1-150 SYN" nmap "tiny fragments: --mtu 8"
sleep 1
atk 300 "${NM[@]}" -sS -ff -T4 -Pn -p 1-150 -S $A_FF $T_FF
row $A_FF attacker vertical_scan $T_FF "tcp/1-150 SYN" nmap "tiny fragments: -ff (16-byte fragments), -Pn"
cap_end

}
# ---- 07 ICMP echo flood ------------------------------------------------------------------------------
s07() {
cap_begin ${P}_07_icmp_flood.pcap 96 warm
atk 60 hping3 -I $VA -a $A_PING --icmp -i u${PING_IV:-100} -c 10000 $T_PING
row $A_PING attacker icmp_flood $T_PING "icmp echo x10000" hping3 "icmp flood: echo requests __RATE__ (hping3 -i u100: usleep pacing, the rate reached depends on the load of the generating host); every echo answered"
RATE_FILTER="icmp[icmptype] = icmp-echo"
cap_end

}
# ---- 08 carpet bombing: spoofed SYN flood over the whole /24 ------------------------------------------
s08() {
# One hping3 --flood is CPU-bound (~90k packets/s through the two routers on an idle 2-core host, far
# less on a busy one): up to CARPET_TRIES attempts 20 s apart, keep the fastest (first >= CARPET_MIN_PPS).
local best=-1 try pps np=${CARPET_PROCS:-1} sent i
for try in $(seq ${CARPET_TRIES:-6}); do
  cap_begin ${P}_08_carpet_synflood.pcap 96 warm
  fw ip daddr $TGT_NET tcp dport 80 drop     # no SYN-ACKs to the spoofed sources (file size)
  # --flood ignores -c: the count is bounded by the timeout (1 s of sending)
  for i in $(seq $np); do atk_bg ${CARPET_T:-1} hping3 -I $VA -S --rand-source --rand-dest -p 80 --flood 203.0.113.x; done
  bgwait
  [ $np -gt 1 ] && LAST="$np x in parallel: $LAST"
  sent=$(grep -a 'packets transmitted' "$WORK/tool.log" | tail -$np | awk '{s += $1} END {print s}')
  row '*' attacker syn_flood $TGT_NET "tcp/80 SYN flood" hping3 "carpet bombing: spoofed random sources, random last octet; hping3 sent $sent in ${CARPET_T:-1} s, captured __RATE__ (the rest had martian sources, dropped by r1); port 80 dropped by nft in our network after the capture point, so no SYN-ACKs"
  RATE_FILTER="tcp[tcpflags] = tcp-syn"; RATE_PER=256
  cap_end
  pps=$LAST_PPS
  if [ "$pps" -gt "$best" ]; then
    best=$pps; cp "$OUT/$CUR" "$WORK/carpet_best.pcap"; grep "^$CUR"$'\t' "$OUT/truth.tsv" > "$WORK/carpet_best.rows"
  fi
  grep -v "^$CUR"$'\t' "$OUT/truth.tsv" > "$WORK/truth.tmp"; cat "$WORK/truth.tmp" > "$OUT/truth.tsv"
  [ "$pps" -ge ${CARPET_MIN_PPS:-85000} ] && break
  say "carpet attempt $try: $pps pps (target ${CARPET_MIN_PPS:-85000}); retrying in 20 s"; sleep 20
done
cp "$WORK/carpet_best.pcap" "$OUT/$CUR"; cat "$WORK/carpet_best.rows" >> "$OUT/truth.tsv"
say "carpet: kept the attempt with $best pps"
}
# ---- 09 decoy scan -------------------------------------------------------------------------------------
s09() {
dl="${DECOYS[0]},${DECOYS[1]},ME,${DECOYS[2]}"
cap_begin ${P}_09_nmap_decoys.pcap
atk 300 "${NM[@]}" -sS -T4 -p 1-200 -D $dl -S $A_DECOY $T_DECOY
row $A_DECOY attacker vertical_scan $T_DECOY "tcp/1-200 SYN" nmap "decoy scan: -D with 3 decoys; open 21,22,25,80 answer SYN-ACK to every source; only the real source's kernel resets them"
for d in "${DECOYS[@]}"; do
  row $d decoy decoy $T_DECOY "tcp/1-200 SYN" nmap "decoy of $A_DECOY (nmap -D): spoofed copies of every probe; never answers our SYN-ACKs"
done
cap_end 4

}
# ---- 10 decoy FIN scan without discovery --------------------------------------------------------------
s10() {
# rw_09 left half-open connections to the silent decoys: our host retransmits those SYN-ACKs at +1, +3,
# +7, +15, +31 s (tcp_synack_retries 5). Let them run out so they do not leak into this file.
say "waiting 35 s for rw_09's SYN-ACK retransmissions to end"; sleep 35
cap_begin ${P}_10_nmap_decoys_sF.pcap
atk 300 "${NM[@]}" -sF -Pn -T4 -p 1-200 -D $dl -S $A_DECOY $T_DECOY
row $A_DECOY attacker stealth_fin $T_DECOY "tcp/1-200 FIN" nmap "decoy scan: -sF -Pn with 3 decoys; closed ports answer RST to every source"
for d in "${DECOYS[@]}"; do
  row $d decoy decoy $T_DECOY "tcp/1-200 FIN" nmap "decoy of $A_DECOY (nmap -D -sF)"
done
cap_end
}

###########################################################################
ALL_SCENARIOS="01 02 03 04 05 06 07 08 09 10"
for s in ${ONLY:-$ALL_SCENARIOS}; do type s$s >/dev/null 2>&1 || die "no scenario $s"; done
setup; cd "$WORK"
for s in ${ONLY:-$ALL_SCENARIOS}; do s$s; done     # ONLY="07 08": rewrite just those files and their rows
# our rows grouped by file in file-name order (a partial ONLY= run appends), other sets' rows untouched
{ grep -v "^${P}_" "$OUT/truth.tsv"; grep "^${P}_" "$OUT/truth.tsv" | LC_ALL=C sort -s -t$'\t' -k1,1; } > "$WORK/truth.tmp"
cat "$WORK/truth.tmp" > "$OUT/truth.tsv"
say "all captures written to $OUT"; cat "$WORK/summary.txt" >&2
cd /; [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"     # KEEP_WORK=1 keeps tool logs in $WORK
