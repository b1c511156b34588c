#!/bin/sh
# units.sh - the service files as `make install` puts them (into a
# temporary DESTDIR): systemd-analyze verify accepts every unit, with the
# programs their ExecStart names found under that root; each ExecStart,
# run with only its paths moved into the test's directory, is accepted by
# the installed program and does its work (the sensor on a capture file
# instead of an interface, the analyzer over several databases, the
# reporter offline), and so is the README's drop-in that adds -t; the
# sysusers.d entry makes the user _spanwatch and the tmpfiles.d entry its
# 0750 directory, in a scratch root.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip_all "systemd-analyze not installed"
need_sqlite3

# ---- install ------------------------------------------------------------
ROOT="$TMP/root"
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install \
	DESTDIR="$ROOT" >"$TMP/install.log" 2>&1; then
	cat "$TMP/install.log"
	fail "make install DESTDIR=$ROOT"
	finish
fi
sensor_unit=$(find "$ROOT" -name 'spanwatch-sensor@.service' | head -n 1)
[ -n "$sensor_unit" ] || skip_all "configured --without-systemdsystemunitdir: no units installed"
unitdir=${sensor_unit%/*}
for u in spanwatch-sensor@.service spanwatch-analyzer.service spanwatch-analyzer.timer \
	 spanwatch-reporter.service spanwatch-reporter.timer; do
	check "installed: $u" yes "$([ -f "$unitdir/$u" ] && echo yes)"
done

# ExecStart= of a unit, as written
execstart() { sed -n 's/^ExecStart=//p' "$unitdir/$1"; }

line=$(execstart spanwatch-sensor@.service)
bindir=${line%%/spanwatch-sensor *}
conf=$(printf '%s\n' "$line" | sed -n 's/.* -c \([^ ]*\).*/\1/p')
check "the units name the installed programs" yes \
	"$([ -x "$ROOT$bindir/spanwatch-sensor" ] && [ -x "$ROOT$bindir/spanwatch-analyzer" ] &&
	   [ -x "$ROOT$bindir/spanwatch-reporter" ] && echo yes)"
check "the units read the installed configuration" yes "$([ -f "$ROOT$conf" ] && echo yes)"
check "the installed configuration is the template" yes \
	"$(cmp -s "$top_srcdir/etc/spanwatch.conf" "$ROOT$conf" && echo yes)"
for f in sysusers.d tmpfiles.d; do
	check "installed: $f/spanwatch.conf" 1 "$(find "$ROOT" -path "*/$f/spanwatch.conf" | wc -l)"
done

# ---- systemd-analyze verify ----------------------------------------------
# --root: the ExecStart programs are looked for under ROOT, which needs the
# targets the units are ordered against (the host's) and a /bin/sh.
for d in /lib/systemd/system /usr/lib/systemd/system; do
	if [ -f "$d/sysinit.target" ]; then
		mkdir -p "$ROOT$d"
		cp -Rn "$d/." "$ROOT$d/" 2>/dev/null
		break
	fi
done
mkdir -p "$ROOT/bin" && cp /bin/sh "$ROOT/bin/sh"
# verify --root finds units only on systemd's own paths under the root (not
# beside the file named, as it does without --root): the installed units
# are copied to its /etc/systemd/system, wherever they were installed.
vdir=/etc/systemd/system
mkdir -p "$ROOT$vdir" && cp "$unitdir"/spanwatch* "$ROOT$vdir/"
verify() {
	SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no --root="$ROOT" "$@" >"$TMP/verify.out" 2>&1
	echo "rc=$? $(cat "$TMP/verify.out")"
}
out=$(verify "$vdir/spanwatch-sensor@eth1.service" "$vdir/spanwatch-analyzer.service" \
	"$vdir/spanwatch-analyzer.timer" "$vdir/spanwatch-reporter.service" "$vdir/spanwatch-reporter.timer")
check "systemd-analyze verify: no error, nothing to say" "rc=0 " "$out"
# the check can fail: a program missing under the root, a key misspelt
mv "$ROOT$bindir/spanwatch-sensor" "$TMP/sensor.moved"
check_match "verify notices a missing program" "^rc=[1-9].*spanwatch-sensor is not executable" \
	"$(verify "$vdir/spanwatch-sensor@eth1.service")"
mv "$TMP/sensor.moved" "$ROOT$bindir/spanwatch-sensor"
sed 's/^ProtectSystem=/ProtectSytem=/' "$unitdir/spanwatch-analyzer.service" >"$ROOT$vdir/spanwatch-typo.service"
check_match "a misspelt key is reported" "Unknown key.* 'ProtectSytem'" \
	"$(verify "$vdir/spanwatch-typo.service")"
rm "$ROOT$vdir/spanwatch-typo.service"
# the README's drop-in for the sensor's own chroot (-t)
chroot_line="$bindir/spanwatch-sensor -t /var/lib/spanwatch ${line#"$bindir/spanwatch-sensor "}"
mkdir "$ROOT$vdir/spanwatch-sensor@.service.d"
printf '[Service]\nExecStart=\nExecStart=%s\nCapabilityBoundingSet=CAP_SYS_CHROOT\n' \
	"$chroot_line" >"$ROOT$vdir/spanwatch-sensor@.service.d/chroot.conf"
check "verify: the sensor's unit with the chroot drop-in" "rc=0 " \
	"$(verify "$vdir/spanwatch-sensor@eth1.service")"
rm -r "$ROOT$vdir/spanwatch-sensor@.service.d"

# ---- the ExecStart lines, run ------------------------------------------
# Only paths change: the state directory, the configuration (with a sender
# for the reporter) and the programs under ROOT. As root the sensor drops
# to _spanwatch (or nobody): the directories are open to it.
STATE="$TMP/state"
mkdir -p "$STATE" && chmod 777 "$STATE"
sed -e 's/^name =.*/name = Unit Test/' -e 's/^email =.*/email = abuse-test@example.org/' \
	"$ROOT$conf" >"$TMP/spanwatch.conf"
moved() {
	sed -e "s|/var/lib/spanwatch|$STATE|g" -e "s|$bindir/|$ROOT$bindir/|g" \
	    -e "s|$conf|$TMP/spanwatch.conf|g"
}

check_match "the sensor captures on the instance's interface" \
	"spanwatch-sensor -i %I -w /var/lib/spanwatch/%I\\.db -n %H-%I " "$line"
# the interface's part replaced by a capture file: every other option as written
args=$(printf '%s\n' "$line" | moved | sed -e "s|-i %I|-r $CORPUS/dev_05_nmap_sn_pingsweep.pcap|" \
	-e 's/%H/unithost/g' -e 's/%I/sweep/g')
# shellcheck disable=SC2086
$args 2>"$TMP/sensor.err"
check "the sensor's ExecStart options are accepted (exit 0)" 0 "$?"
check "its run is stored under the instance's name" "unithost-sweep|1" \
	"$(q "$STATE/sweep.db" "SELECT s.name, r.finished FROM runs r JOIN sensors s ON s.id = r.sensor_id")"
args=$(printf '%s\n' "$args" | sed -e "s|dev_05_nmap_sn_pingsweep|dev_12c_benign_dns200|" \
	-e 's/sweep/benign/g')
# shellcheck disable=SC2086
$args 2>>"$TMP/sensor.err"
check "a second instance, its own database" "unithost-benign|1" \
	"$(q "$STATE/benign.db" "SELECT s.name, r.finished FROM runs r JOIN sensors s ON s.id = r.sensor_id")"

# the drop-in's -t line: the same run, shut in the state directory (the
# sanitizer build's leak scan needs /proc, which is not there)
args=$(printf '%s\n' "$chroot_line" | moved | sed -e "s|-i %I|-r $CORPUS/dev_05_nmap_sn_pingsweep.pcap|" \
	-e 's/%H/unithost/g' -e 's/%I/chroot/g')
if [ "$(id -u)" = 0 ]; then
	# shellcheck disable=SC2086
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" $args 2>>"$TMP/sensor.err"
	check "the drop-in's ExecStart with -t is accepted (exit 0)" 0 "$?"
	check "its run is stored in the state directory" \
		"unithost-chroot|1|$(q "$STATE/sweep.db" "SELECT count(*) FROM detections")" \
		"$(q "$STATE/chroot.db" "SELECT s.name, r.finished, (SELECT count(*) FROM detections)
		   FROM runs r JOIN sensors s ON s.id = r.sensor_id")"
else
	echo "(not root: the drop-in's -t line is not run)"
fi

# /bin/sh -c '...' as systemd hands it over: $$ and %% unescaped
shell_of() {
	execstart "$1" | sed -e "s|^/bin/sh -c '||" -e "s|'\$||" -e 's/\$\$/$/g' -e 's/%%/%/g' | moved
}
script=$(shell_of spanwatch-analyzer.service)
check_match "the analyzer runs on every database" 'for db in .*/state/\*\.db' "$script"
printf 'not a database\n' >"$STATE/broken.db"
sh -c "$script" >"$TMP/analyzer.out" 2>&1
check "a database the analyzer cannot read fails the unit" 1 "$?"
check_match "the others are analyzed all the same" "^[1-9]" \
	"$(q "$STATE/sweep.db" "SELECT count(*) FROM v_incidents")"
rm -f "$STATE/broken.db"
sh -c "$script" >>"$TMP/analyzer.out" 2>&1
check "the analyzer's ExecStart options are accepted (exit 0)" 0 "$?"

# the reporter on the benign database alone, offline: nothing to look up,
# and nothing could leave the machine if there were
rm -f "$STATE"/sweep.db*
script=$(shell_of spanwatch-reporter.service | \
	sed "s|$ROOT$bindir/spanwatch-reporter |&--offline --no-dns |")
sh -c "$script" >"$TMP/reporter.out" 2>&1
rc=$?
check "the reporter's ExecStart options are accepted (exit 0)" 0 "$rc"
[ "$rc" = 0 ] || cat "$TMP/reporter.out"
check "its memos go to outbox/IFACE" "yes 0" \
	"$([ -d "$STATE/outbox/benign" ] && echo yes) $(ls "$STATE/outbox/benign" 2>/dev/null | wc -l)"

# ---- sysusers.d and tmpfiles.d, in a scratch root ---------------------
if command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
	SYS="$TMP/sysroot"
	mkdir -p "$SYS/etc"
	for f in passwd group shadow gshadow; do : >"$SYS/etc/$f"; done
	systemd-sysusers --root="$SYS" "$(find "$ROOT" -path '*/sysusers.d/spanwatch.conf')" \
		>"$TMP/sysusers.out" 2>&1
	check "systemd-sysusers reads the entry" 0 "$?"
	check_match "it makes the system user _spanwatch, no login" \
		"^_spanwatch:x:[0-9]+:[0-9]+:[^:]*:/var/lib/spanwatch:/usr/sbin/nologin$" \
		"$(grep '^_spanwatch:' "$SYS/etc/passwd")"
	check_match "and its group" "^_spanwatch:x:[0-9]+:" "$(grep '^_spanwatch:' "$SYS/etc/group")"
	systemd-tmpfiles --create --root="$SYS" "$(find "$ROOT" -path '*/tmpfiles.d/spanwatch.conf')" \
		>"$TMP/tmpfiles.out" 2>&1
	rc=$?
	check "systemd-tmpfiles makes /var/lib/spanwatch 0750" 750 \
		"$(stat -c %a "$SYS/var/lib/spanwatch" 2>/dev/null)"
	if [ "$(id -u)" = 0 ]; then
		check "systemd-tmpfiles reads the entry" 0 "$rc"
		uid=$(awk -F: '$1 == "_spanwatch" { print $3 ":" $4 }' "$SYS/etc/passwd")
		check "owned by _spanwatch" "$uid" "$(stat -c %u:%g "$SYS/var/lib/spanwatch")"
	else
		# only root may give it away
		check "systemd-tmpfiles reads the entry (fails only to chown)" "" \
			"$(grep -v 'fchownat' "$TMP/tmpfiles.out")"
	fi
else
	echo "systemd-sysusers or systemd-tmpfiles missing: their entries not checked"
fi

finish
