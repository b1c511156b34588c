#!/bin/bash
# confine.sh - what the live sensor keeps of root, read from /proc while it
# captures on loopback: the dedicated user _spanwatch (created here when
# missing, as the package's sysusers.d entry would), no capability in any
# set, NoNewPrivs, a seccomp filter on every thread; its database files
# given to that user and cleaned up on exit; a -Z user that does not exist
# refused before any file is made.
. "$(dirname "$0")/lib.sh"
need_sqlite3
[ "$(id -u)" = 0 ] || skip_all "confinement needs root to start from"
if ! id -u _spanwatch >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin _spanwatch 2>/dev/null ||
		skip_all "cannot create the user _spanwatch"
fi

# -Z naming a user that does not exist: exit 2, nothing created
"$SENSOR" -q -Z no_such_user_spanwatch -r "$top_srcdir/tests/data/corpus/dev_13_mixed.pcap" \
	-w "$TMP/nouser.db" 2>"$TMP/nouser.err"
check "-Z nosuchuser exits 2" 2 "$?"
check "-Z nosuchuser creates no file" "" "$(ls "$TMP" | grep nouser.db)"
check_match "-Z nosuchuser says so" "no_such_user_spanwatch: no such user" "$(cat "$TMP/nouser.err")"

# a directory the user may write: the WAL can be removed on exit
mkdir "$TMP/state"
chown _spanwatch: "$TMP/state"
chmod 755 "$TMP"
DB="$TMP/state/live.db"
PORT=$(( 20000 + $$ % 20000 ))

EV="$TMP/state/events.json"
"$SENSOR" -q -i lo -w "$DB" --stats-interval 1 -A json:"$EV" udp and dst port $PORT \
	2>"$TMP/sensor.err" &
pid=$!
( sleep 60; kill -9 $pid 2>/dev/null ) >/dev/null 2>&1 &
watchdog=$!
i=0
while [ "$(q "$DB" "SELECT count(*) FROM v_runs" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
# the drop follows the run row closely; give it a moment
i=0
while [ "$(awk '/^Seccomp:/ { print $2 }' /proc/$pid/status 2>/dev/null)" != 2 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done

status=$(cat /proc/$pid/status)
field() { printf '%s\n' "$status" | awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
uid=$(id -u _spanwatch) gid=$(id -g _spanwatch)
check "runs as _spanwatch (real, effective, saved, fs uid)" "$uid $uid $uid $uid" "$(field Uid)"
check "its group (real, effective, saved, fs gid)" "$gid $gid $gid $gid" "$(field Gid)"
check "no supplementary groups" "" "$(field Groups)"
check "no effective capability" 0000000000000000 "$(field CapEff)"
check "no permitted capability" 0000000000000000 "$(field CapPrm)"
check "no inheritable capability" 0000000000000000 "$(field CapInh)"
check "the bounding set is empty" 0000000000000000 "$(field CapBnd)"
check "no ambient capability" 0000000000000000 "$(field CapAmb)"
check "NoNewPrivs is set" 1 "$(field NoNewPrivs)"
check "the seccomp filter is on" 2 "$(field Seccomp)"
unfiltered=0
for t in /proc/$pid/task/*/status; do
	[ "$(awk '/^Seccomp:/ { print $2 }' "$t")" = 2 ] || unfiltered=$((unfiltered + 1))
done
check "every thread is filtered (capture, writer, alerts)" 0 "$unfiltered"
check "the database belongs to _spanwatch" _spanwatch "$(stat -c %U "$DB")"

# traffic while confined: stored by the filtered writer
for i in $(seq 1 20); do
	printf 'confine %d\n' "$i" > /dev/udp/127.0.0.1/$PORT 2>/dev/null
done
seen=0 i=0
while [ $i -lt 100 ]; do
	seen=$(q "$DB" "SELECT packets FROM v_runs" 2>/dev/null || echo err)
	[ "$seen" = 20 ] && break
	sleep 0.1; i=$((i + 1))
done
check "packets stored while confined" 20 "$seen"

# SIGHUP while confined: the events' file, renamed away, is made anew by
# the user (openat under the filter), and the capture goes on
check "the events' file belongs to _spanwatch" _spanwatch "$(stat -c %U "$EV")"
mv "$EV" "$EV.1"
kill -HUP $pid
i=0
while [ ! -e "$EV" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP: a new events' file, made by _spanwatch" _spanwatch "$(stat -c %U "$EV" 2>&1)"
check "SIGHUP: the sensor goes on" yes "$(kill -0 $pid 2>/dev/null && echo yes)"
for i in $(seq 1 5); do
	printf 'after hup %d\n' "$i" > /dev/udp/127.0.0.1/$PORT 2>/dev/null
done
seen=0 i=0
while [ $i -lt 100 ]; do
	seen=$(q "$DB" "SELECT packets FROM v_runs" 2>/dev/null || echo err)
	[ "$seen" = 25 ] && break
	sleep 0.1; i=$((i + 1))
done
check "packets stored after SIGHUP" 25 "$seen"

kill -TERM $pid
wait $pid; rc=$?
kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null
check "SIGTERM ends the confined run with status 0" 0 "$rc"
# before the sqlite3 CLI reads it: closing the database last, the CLI
# would remove a WAL the sensor left
check "no -wal or -shm left behind" "" "$(ls "$TMP/state" | grep -e '-wal$' -e '-shm$')"
check "the run is finished" 1 "$(q "$DB" "SELECT finished FROM runs")"
check "no system call was refused" "" "$(grep -i 'bad system call' "$TMP/sensor.err")"

finish
