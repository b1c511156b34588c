#!/bin/bash
# chroot.sh - spanwatch-sensor -t DIR, OpenBSD tcpdump's chroot: a bad DIR,
# a database outside DIR or a start without root is refused with status 2
# before any file is made; a live capture on loopback runs inside DIR
# (/proc/PID/root), as _spanwatch under the filter, stores its packets and
# a scan in the database inside DIR, counts the interface's drops from
# sysfs (which libpcap reads by path) and leaves no -wal/-shm after SIGTERM;
# an offline run under -t stores what a run without it stores and sends
# its alerts to a syslog socket it can no longer reach by path.
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ "$(id -u)" = 0 ] || skip_all "chroot needs root"
if ! id -u _spanwatch >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin _spanwatch 2>/dev/null ||
		skip_all "cannot create the user _spanwatch"
fi
# LeakSanitizer's exit scan (the sanitizer build) lists the threads in
# /proc, which DIR does not hold: runs under -t skip that scan (the same
# code runs with it in confine.sh and live.sh)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
F="$CORPUS/dev_01_nmap_sS_top1000.pcap"
# mount namespaces of this test's own, to put its files in the place of
# /dev/log and of lo's drop counter for one process
NS=no
unshare --mount --propagation private true 2>/dev/null && NS=yes

# DIR: root's, as OpenBSD's /var/empty; the database in a directory of it
# that the user owns, so that the user can remove the -wal and -shm
JAIL="$TMP/jail"
mkdir -p "$JAIL/state"
chown _spanwatch: "$JAIL/state"

# ---- refused before anything is made -------------------------------------
files() { find "$TMP" -name refused.err -prune -o -print | sort; }
refused() { # NAME MESSAGE-REGEX SENSOR-ARGS...
	local name=$1 msg=$2
	shift 2
	before=$(files)
	"$SENSOR" -q "$@" 2>"$TMP/refused.err"
	check "$name: exit 2" 2 "$?"
	check "$name: no file made" "$before" "$(files)"
	check_match "$name: one line says why" "^spanwatch-sensor: $msg\$" "$(cat "$TMP/refused.err")"
}
refused "-t missing DIR" "-t $TMP/nowhere: No such file or directory" \
	-t "$TMP/nowhere" -r "$F" -w "$TMP/nowhere/x.db"
touch "$TMP/plain"
refused "-t a file" "-t $TMP/plain: not a directory" -t "$TMP/plain" -r "$F" -w "$JAIL/state/x.db"
rm "$TMP/plain"
refused "database outside DIR" "-w $TMP/out.db: the database must be inside -t $JAIL \(it is $TMP/out.db\)" \
	-t "$JAIL" -r "$F" -w "$TMP/out.db"
mkdir "$TMP/jail2"
refused "database in DIR's sibling with the same prefix" \
	"-w $TMP/jail/\.\./jail2/x\.db: the database must be inside -t $JAIL \(it is $TMP/jail2/x\.db\)" \
	-t "$JAIL" -r "$F" -w "$TMP/jail/../jail2/x.db"
ln -s "$TMP" "$JAIL/state/up"
refused "database out of DIR by a symbolic link" \
	"-w $JAIL/state/up/x.db: the database must be inside -t $JAIL \(it is $TMP/x.db\)" \
	-t "$JAIL" -r "$F" -w "$JAIL/state/up/x.db"
rm "$JAIL/state/up"
rmdir "$TMP/jail2"
refused "-A json: outside DIR" \
	"-A json: $TMP/events\.json: the file must be inside -t $JAIL \(it is $TMP/events\.json\)" \
	-t "$JAIL" -A json:"$TMP/events.json" -r "$F" -w "$JAIL/state/x.db"
# started as the user itself (no capability at all)
before=$(files)
setpriv --reuid=_spanwatch --regid=_spanwatch --clear-groups --inh-caps=-all \
	"$SENSOR" -q -t "$JAIL" -r "$F" -w "$JAIL/state/x.db" 2>"$TMP/refused.err"
check "-t as a user: exit 2" 2 "$?"
check "-t as a user: no file made" "$before" "$(files)"
check "-t as a user: says chroot needs root" \
	"spanwatch-sensor: -t $JAIL: chroot needs root (CAP_SYS_CHROOT)" "$(cat "$TMP/refused.err")"

# ---- a live capture inside DIR -------------------------------------------
DB="$JAIL/state/live.db"
PORT=$(( 20000 + $$ % 20000 ))
LO=$(( 40000 + $$ % 10000 ))
HI=$(( LO + 11 ))
EV="$JAIL/state/events.json"
set -- -q -t "$JAIL" -i lo -w "$DB" --stats-interval 1 -A stderr -A json:"$EV" \
	"(udp and dst port $PORT) or (tcp and portrange $LO-$HI)"
# lo never drops: in the sensor's namespace its rx_missed_errors is a file
# of ours, 5 at the start; libpcap reads it by path at each pcap_stats()
echo 5 > "$TMP/missed"
if [ "$NS" = yes ]; then
	unshare --mount --propagation private sh -c \
		'mount --bind "$1" /sys/class/net/lo/statistics/rx_missed_errors && shift &&
		 exec "$@"' sh "$TMP/missed" "$SENSOR" "$@" 2>"$TMP/sensor.err" &
else
	"$SENSOR" "$@" 2>"$TMP/sensor.err" &
fi
pid=$!
( sleep 60; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
watchdog=$!
i=0
while [ "$(q "$DB" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
i=0
while [ "$(awk '/^Seccomp:/ { print $2 }' /proc/$pid/status 2>/dev/null)" != 2 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the process's root is DIR" "$(realpath "$JAIL")" "$(readlink /proc/$pid/root)"
check "its working directory is DIR's root" "$(realpath "$JAIL")" "$(readlink /proc/$pid/cwd)"
status=$(cat /proc/$pid/status)
field() { printf '%s\n' "$status" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
uid=$(id -u _spanwatch)
check "runs as _spanwatch in DIR" "$uid $uid $uid $uid" "$(field Uid)"
check "the bounding set is empty in DIR" 0000000000000000 "$(field CapBnd)"
check "NoNewPrivs in DIR" 1 "$(field NoNewPrivs)"
check "the seccomp filter is on in DIR" 2 "$(field Seccomp)"
check "the database inside DIR belongs to _spanwatch" _spanwatch "$(stat -c %U "$DB")"
check "the WAL is open beside it" yes "$([ -e "$DB-wal" ] && [ -e "$DB-shm" ] && echo yes || echo no)"

for i in $(seq 1 20); do
	printf 'chroot %d\n' "$i" > /dev/udp/127.0.0.1/$PORT 2>/dev/null
done
p=$LO
while [ $p -le $HI ]; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
	p=$((p + 1))
done
# 20 datagrams, 12 SYNs and their 12 RSTs, stored every second
seen=0 i=0
while [ $i -lt 100 ]; do
	seen=$(q "$DB" "SELECT packets FROM v_runs" 2>/dev/null || echo err)
	[ "$seen" = 44 ] && break
	sleep 0.1; i=$((i + 1))
done
check "packets stored in the database inside DIR" 44 "$seen"
row= i=0
while [ $i -lt 100 ]; do
	row=$(q "$DB" "SELECT kind || ' ' || src FROM v_detections WHERE kind = 'port_scan'" 2>/dev/null)
	[ -n "$row" ] && break
	sleep 0.1; i=$((i + 1))
done
check "the scan is stored while it runs in DIR" "port_scan 127.0.0.1" "$row"
# the JSON events: the opening one written, then the file renamed away and
# SIGHUP: the closing one goes to a new file, opened by its path inside DIR
i=0
while ! grep -q '"detection-opened"' "$EV" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
mv "$EV" "$EV.1"
kill -HUP $pid
if [ "$NS" = yes ]; then
	echo 12 > "$TMP/missed"
	drops= i=0
	while [ $i -lt 100 ]; do
		drops=$(q "$DB" "SELECT ifdropped FROM runs" 2>/dev/null)
		[ "$drops" = 7 ] && break
		sleep 0.1; i=$((i + 1))
	done
	check "the interface's drops counted in DIR (5 then 12 in sysfs)" 7 "$drops"
else
	echo "(no mount namespace: the interface drops are not checked)"
fi

kill -TERM $pid
wait $pid; rc=$?
kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null
check "SIGTERM ends the run in DIR with status 0" 0 "$rc"
# before any sqlite3 below: the CLI, closing the database last, would
# remove a WAL the sensor left
check "no -wal or -shm left in DIR" "" "$(ls "$JAIL/state" | grep -e '-wal$' -e '-shm$')"
check "the run is finished, its scan closed, its drops kept" "1 1 $([ "$NS" = yes ] && echo 7 || echo 0)" \
	"$(q "$DB" "SELECT finished, (SELECT count(*) FROM detections WHERE kind = 'port_scan'
	            AND closed_at IS NOT NULL), ifdropped FROM runs" | tr '|' ' ')"
check "-A json in DIR: the opening event in the file renamed away" 1 \
	"$(grep -c '"detection-opened".*"port_scan"' "$EV.1")"
check "-A json in DIR: after SIGHUP the closing event in a new file at PATH" 1 \
	"$(grep -c '"detection-closed".*"port_scan"' "$EV" 2>/dev/null)"
check "-A json in DIR: the new file made by _spanwatch" _spanwatch "$(stat -c %U "$EV" 2>/dev/null)"
rm -f "$EV" "$EV.1"
check "nothing made in DIR but the database" "state state/live.db" \
	"$(cd "$JAIL" && find . -mindepth 1 | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
check_match "the alert thread wrote from DIR" "alert: port_scan.* from 127\.0\.0\.1" "$(cat "$TMP/sensor.err")"
check "no system call was refused in DIR" "" "$(grep -i 'bad system call' "$TMP/sensor.err")"

# ---- an offline run under -t, alerts to syslog ------------------------------
# the run a file reading without -t makes: the reference
"$SENSOR" -q -r "$F" -w "$TMP/private.db" || fail "the run without -t"
# In a mount namespace of its own, /dev is a directory of this test's that
# holds the syslog socket (and /dev/null): outside DIR, so the sensor
# reaches it only if it connected before the chroot.
if [ "$NS" = yes ] && command -v python3 >/dev/null; then
	mkdir "$TMP/dev"
	touch "$TMP/dev/null"
	timeout 60 python3 - "$TMP/dev/log" "$TMP/syslog.ready" "$TMP/syslog.out" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
open(sys.argv[2], "w").close()
s.settimeout(20)
with open(sys.argv[3], "wb") as out:
    try:
        while True:
            line = s.recv(4096)
            out.write(line + b"\n")
            out.flush()
            if b"port_scan" in line:
                break
    except socket.timeout:
        pass
EOF
	listener=$!
	i=0
	while [ ! -e "$TMP/syslog.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	# syslog's time stamp is local time: in a zone whose file is outside
	# DIR, read before the chroot (or it would be UTC's)
	zone=America/New_York
	t0=$(TZ=$zone date '+%b %e %H:')
	(cd "$JAIL" && TZ=$zone unshare --mount --propagation private sh -c \
		'mount --bind /dev/null "$1/dev/null" && mount --bind "$1/dev" /dev && shift &&
		 exec "$@"' sh "$TMP" \
		"$SENSOR" -q -t . -A syslog -r "$F" -w state/offline.db) 2>"$TMP/offline.err"
	rc=$?
	t1=$(TZ=$zone date '+%b %e %H:')
	wait $listener
	alert=$(grep port_scan "$TMP/syslog.out")
	check_match "-t: the alert reaches the syslog socket outside DIR" \
		"^<28>.*spanwatch-sensor\[[0-9]+\]: port_scan/syn from 198\.51\.100\.66 " "$alert"
	if [ -f "/usr/share/zoneinfo/$zone" ]; then
		check "-t: its time stamp in the zone TZ names" yes \
			"$(case "$alert" in "<28>$t0"*|"<28>$t1"*) echo yes;; *) echo "no: $t0 or $t1";; esac)"
	fi
else
	(cd "$JAIL" && "$SENSOR" -q -t . -r "$F" -w state/offline.db) 2>"$TMP/offline.err"
	rc=$?
	echo "(no mount namespace or python3: the syslog part is not checked)"
fi
check "-t with -r: exit 0" 0 "$rc"
check "-t with -r: no -wal or -shm left" "" "$(ls "$JAIL/state" | grep -e '-wal$' -e '-shm$')"
check "-t with -r: nothing on stderr" "" "$(cat "$TMP/offline.err")"
check "-t with -r (relative DIR and database): the detections of a run without -t" \
	"$(q "$TMP/private.db" "SELECT kind, src, ports FROM v_detections ORDER BY 1, 2")" \
	"$(q "$JAIL/state/offline.db" "SELECT kind, src, ports FROM v_detections ORDER BY 1, 2")"
check "-t with -r: the packets" "$(q "$TMP/private.db" "SELECT packets FROM v_runs")" \
	"$(q "$JAIL/state/offline.db" "SELECT packets FROM v_runs")"

finish
