#!/bin/sh
# detect_corpus.sh - every capture of the corpus against its truth.tsv:
# each attacker is detected with the right kind (and variant, and tool
# where the capture was made by nmap, masscan, zmap or hping3 with raw
# packets) and, after the analyzer, is reportable (unless its sources are
# forged: truth src '*'); no benign source gets anything but a port_probe
# or a traceroute, and no benign source or decoy is ever reportable.
. "$(dirname "$0")/lib.sh"
need_sqlite3

TRUTH="$CORPUS/truth.tsv"

# kind and variant expected for a truth kind
expect() {
	case "$1" in
	vertical_scan|slow_scan|distributed_scan) echo "port_scan" ;;
	horizontal_sweep) echo "host_sweep" ;;
	stealth_fin) echo "stealth_scan fin" ;;
	stealth_null) echo "stealth_scan null" ;;
	stealth_xmas) echo "stealth_scan xmas" ;;
	ack_scan) echo "stealth_scan ack" ;;
	traceroute_udp) echo "traceroute udp" ;;
	traceroute_icmp) echo "traceroute icmp" ;;
	*) echo "$1" ;;
	esac
}

# one database per capture, the sensor run once each, alerts on stderr
for f in $(cut -f1 "$TRUTH" | tail -n +2 | sort -u); do
	"$SENSOR" -q -A stderr -n corpus -r "$CORPUS/$f" -w "$TMP/$f.db" 2>"$TMP/$f.alerts" ||
		fail "$f: sensor exited $?"
done

# the analyzer on each, offline (no name to resolve in packets)
for f in $(cut -f1 "$TRUTH" | tail -n +2 | sort -u); do
	"$ANALYZER" -q --offline -w "$TMP/$f.db" || fail "$f: analyzer exited $?"
done

# -A stderr: one alert per detection but port_probe, naming its kind,
# variant and source as stored
for f in $(cut -f1 "$TRUTH" | tail -n +2 | sort -u); do
	got=$(sed -n 's/^spanwatch-sensor: alert: \(outbound \)*\([a-z_/]*\) from \([^ ,]*\)[ ,].*/\2 \3/p' \
		"$TMP/$f.alerts" | sort)
	want=$(q "$TMP/$f.db" "SELECT kind || ifnull('/' || variant, '') || ' ' || src FROM v_detections
		WHERE kind NOT IN ('port_probe', 'traceroute')" | sort)
	check "$f: -A stderr alerts the detections" "$want" "$got"
done
n=$(grep -c 'alert: port_probe\|alert: traceroute' "$TMP"/*.alerts | awk -F: '{ s += $NF } END { print s + 0 }')
check "no alert for a port_probe or a traceroute" 0 "$n"
f=dev_01_nmap_sS_top1000.pcap
"$SENSOR" -q -A syslog -n corpus -r "$CORPUS/$f" -w "$TMP/syslog.db" 2>"$TMP/syslog.err"
check "-A syslog: exit 0" 0 "$?"
check "-A syslog: nothing on stderr" "" "$(cat "$TMP/syslog.err")"
check "-A syslog: the detection is stored all the same" 1 \
	"$(q "$TMP/syslog.db" "SELECT count(*) FROM v_detections WHERE kind = 'port_scan'")"

tab=$(printf '\t')
tail -n +2 "$TRUTH" | while IFS="$tab" read -r file src role kind targets pp tool command rest; do
	db="$TMP/$file.db"
	# a source is reportable when an incident that names it is (a
	# netblock-level incident lists its sources, comma separated)
	reportable="SELECT count(*) FROM v_incidents WHERE reportable = 1
	            AND (src = '$src' OR ',' || replace(src, ' ', '') || ',' LIKE '%,$src,%')"
	case "$role" in
	benign|decoy)
		n=$(q "$db" "SELECT count(*) FROM v_incidents WHERE reportable = 0 AND reasons IS NULL")
		check "$file: every incident not reportable says why" 0 "$n"
		check "$file: $role $src ($tool) is never reportable" 0 "$(q "$db" "$reportable")"
		;;
	esac
	case "$role $kind" in
	"benign benign")
		n=$(q "$db" "SELECT count(*) FROM v_detections WHERE src = '$src'
		             AND kind NOT IN ('port_probe', 'traceroute')")
		check "$file: benign $src ($tool) has no detection" 0 "$n"
		# a traceroute (truth notes "traceroute udp|icmp: ...") is
		# recorded as such
		notes=${rest#*"$tab"}
		case "$notes" in
		"traceroute udp"*|"traceroute icmp"*)
			v=${notes#traceroute }; v=${v%%[: ]*}
			check "$file: $src is recorded as a traceroute/$v" 1 \
				"$(q "$db" "SELECT count(*) FROM v_detections WHERE src = '$src'
				            AND kind = 'traceroute' AND variant = '$v'")" ;;
		esac
		continue ;;
	"decoy "*) continue ;;
	esac
	set -- $(expect "$kind")
	want_kind=$1 want_variant=${2:-}
	case "$want_kind $command" in
	"port_scan"*" -sT "*|"host_sweep"*" -sT "*) want_variant=connect ;;
	port_scan*|host_sweep*) want_variant=syn ;;
	esac
	# a flood from forged sources is recorded from the unspecified address
	case "$src" in
	'*') cond="src IN ('0.0.0.0', '::') AND kind = '$want_kind'" ;;
	*) cond="src = '$src' AND kind = '$want_kind'" ;;
	esac
	[ -n "$want_variant" ] && cond="$cond AND variant = '$want_variant'"
	n=$(q "$db" "SELECT count(*) FROM v_detections WHERE $cond")
	check "$file: $src is a $want_kind${want_variant:+/$want_variant}" 1 "$([ "$n" -ge 1 ] && echo 1 || echo "0 (has: $(q "$db" "SELECT group_concat(kind || '/' || ifnull(variant, '-'), ' ') FROM v_detections WHERE src = '$src'"))")"
	# tools are named from raw packets only: connect() scans and python
	# clients carry no fingerprint
	case "$tool $command" in
	nmap*" -sT "*|clients.py*) want_tool= ;;
	*--rand-source*) want_tool= ;;  # attributed to nobody: no fingerprint
	*hping3*" --icmp "*) want_tool= ;; # plain echo requests: nothing names hping3
	nmap*|masscan*|zmap*|hping3*) want_tool=$tool ;;
	*) want_tool= ;;
	esac
	got_tool=$(q "$db" "SELECT ifnull(tool, 'NULL') FROM v_detections WHERE $cond ORDER BY packets DESC LIMIT 1")
	check "$file: $src tool" "${want_tool:-NULL}" "$got_tool"
	# every detection carries evidence lines
	ev=$(q "$db" "SELECT count(*) FROM evidence e JOIN detections d ON d.id = e.detection_id
	              WHERE $cond")
	check "$file: $src detection has evidence" 1 "$([ "$ev" -ge 1 ] && echo 1 || echo 0)"
	case "$role $src" in
	"benign "*) ;;  # a traceroute: recorded, never reported (checked above)
	"attacker *") check "$file: a flood from forged sources is not reportable" 0 \
		"$(q "$db" "SELECT count(*) FROM v_incidents WHERE reportable = 1 AND src IN ('0.0.0.0', '::')")" ;;
	*)
		# behind decoys that drew no SYN-ACK (nmap -D -sF) nothing tells
		# the real source from its decoys: precision first, none is
		# reported, and the reason says so
		told_apart=$(q "$db" "SELECT count(*) FROM v_incidents WHERE src = '$src'
		                      AND reasons LIKE '%could not be told apart%'")
		if [ "$told_apart" -ge 1 ]; then
			check "$file: attacker $src hides among decoys: not reportable, said why" 0 \
				"$(q "$db" "$reportable")"
		else
			check "$file: attacker $src is reportable" 1 \
				"$([ "$(q "$db" "$reportable")" -ge 1 ] && echo 1 || echo 0)"
		fi ;;
	esac
	lat=$(q "$db" "SELECT min(failed_contacts) FROM detections WHERE $cond")
	echo "   latency: $file $src $want_kind failed first contacts before detection: $lat"
done > "$TMP/out.txt"
cat "$TMP/out.txt"
# the loop ran in a subshell: add its checks to those made before it
CHECKS=$((CHECKS + $(grep -c '^ok\|^FAIL' "$TMP/out.txt")))
FAILED=$((FAILED + $(grep -c '^FAIL' "$TMP/out.txt")))

# every detection is closed at the end of a run, with an evidence line
# format an administrator can read
db="$TMP/dev_06a_nmap_ftp_sweep.pcap.db"
check "detections are closed at the end of the run" 0 \
	"$(q "$db" "SELECT count(*) FROM detections WHERE closed_at IS NULL")"
line=$(q "$db" "SELECT line FROM evidence e JOIN detections d ON d.id = e.detection_id
                WHERE d.kind = 'host_sweep' ORDER BY e.ts LIMIT 1")
check_match "evidence line reads like a log excerpt" \
	'^2026-11-2[67]T[0-9:.]{15}Z TCP 192\.0\.2\.50:[0-9]+ -> 203\.0\.113\.[0-9]+:(21 \(ftp\)|443 \(https\)) SYN, answered ' "$line"
finish
