#!/bin/sh
# analyzer.sh - spanwatch-analyzer on corpus captures: incidents per source
# and netblock, the distributed scan, nothing for benign sources, re-runs
# that change nothing, regrouping when whois ranges arrive, compromise from
# outward scans and the operator's marks; the policy's reasons not to
# write (traceroute, mostly answered, retries, allowlist, decoy scans).
. "$(dirname "$0")/lib.sh"
need_sqlite3

sense() { # DB FILE [sensor options]
	db=$1 f=$2
	shift 2
	"$SENSOR" -q -n analyzer-test "$@" -r "$CORPUS/$f" -w "$db" || fail "sensor on $f exited $?"
}

# the distributed scan: five sources of one /24 on one target
DB="$TMP/dist.db"
sense "$DB" dev_11_distributed_scan.pcap
out=$("$ANALYZER" -w "$DB" 2>&1); rc=$?
check "analyzer exits 0" 0 "$rc"
check_match "and says what it did" "5 detections, 6 incidents \(1 distributed, 6 reportable\)" "$out"
check "one netblock-level distributed_scan" \
	"198.51.100.0/24|198.51.100.10,198.51.100.11,198.51.100.12,198.51.100.13,198.51.100.14|1" \
	"$(q "$DB" "SELECT netblock, src, reportable FROM v_incidents WHERE kinds = 'distributed_scan'")"
check "five source incidents, one netblock" "5 1" \
	"$(q "$DB" "SELECT count(*), count(DISTINCT netblock) FROM incidents WHERE level = 'source'" | tr '|' ' ')"
check "severity and reasons in words" "3|scan of 200 tcp ports of 203.0.113.10" \
	"$(q "$DB" "SELECT severity, reasons FROM incidents WHERE src = '198.51.100.12'")"
check "each detection linked to its incidents" 10 "$(q "$DB" "SELECT count(*) FROM incident_detections")"
before=$(q "$DB" "SELECT group_concat(id || ikey || severity || reasons, ';') FROM incidents")
out=$("$ANALYZER" -w "$DB" 2>&1)
check_match "a second run changes nothing" " 0 rows changed" "$out"
check "same rows, same ids" "$before" \
	"$(q "$DB" "SELECT group_concat(id || ikey || severity || reasons, ';') FROM incidents")"

# attackers and benign clients sharing a /24
DB="$TMP/mixed.db"
sense "$DB" dev_13_mixed.pcap
"$ANALYZER" -q -w "$DB"
check "attackers of 192.0.2.0/24 grouped in their netblock" \
	"192.0.2.0/24|192.0.2.124|login_attempts 192.0.2.0/24|192.0.2.60|host_sweep" \
	"$(q "$DB" "SELECT netblock || '|' || src || '|' || kinds FROM incidents
	            WHERE src LIKE '192.0.2.%' ORDER BY src" | tr '\n' ' ' | sed 's/ $//')"
check "benign sources have no incident" 0 \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE src IN ('192.0.2.201', '198.51.100.200',
	            '198.51.100.201', '2001:db8:51::200')")"
check_match "a sweep is described with its service" "sweep of 256 hosts on 8080/tcp \(http-alt\)" \
	"$(q "$DB" "SELECT reasons FROM incidents WHERE src = '192.0.2.60'")"

# whois data arrives: the most specific range wins, a re-run regroups
q "$DB" "INSERT INTO whois_ranges (family, first_addr, last_addr, prefix_len, cidr, fetched_at)
         VALUES (4, x'c0000240000000000000000000000000', x'c000027f000000000000000000000000',
                 26, '192.0.2.64/26', 0),
                (4, x'c0000200000000000000000000000000', x'c00002ff000000000000000000000000',
                 24, '192.0.2.0/24', 0)"
out=$("$ANALYZER" -w "$DB" 2>&1)
check_match "regrouping changes rows" " [1-9][0-9]* rows changed" "$out"
check "192.0.2.124 now in the whois range 192.0.2.64/26" "192.0.2.64/26" \
	"$(q "$DB" "SELECT netblock FROM incidents WHERE src = '192.0.2.124'")"
check "192.0.2.60 stays in 192.0.2.0/24" "192.0.2.0/24" \
	"$(q "$DB" "SELECT netblock FROM incidents WHERE src = '192.0.2.60'")"

# benign captures only: no incident at all
DB="$TMP/benign.db"
for f in dev_12a_benign_http300.pcap dev_12b_benign_http_30hosts.pcap \
         dev_12c_benign_dns200.pcap dev_12d_benign_mix.pcap; do
	sense "$DB" $f
done
"$ANALYZER" -q -w "$DB"
check "benign traffic makes no incident" 0 "$(q "$DB" "SELECT count(*) FROM incidents")"

# a home host scanning outward is probably compromised; the operator decides
printf '[networks]\nhome = 198.51.100.0/24\n' > "$TMP/home.conf"
DB="$TMP/home.db"
sense "$DB" dev_01_nmap_sS_top1000.pcap -c "$TMP/home.conf"
"$ANALYZER" -q -w "$DB"
check "an outward scan suspects a compromise" "1|a home host acting outward (port_scan)" \
	"$(q "$DB" "SELECT compromised, compromise_reason FROM incidents WHERE src = '198.51.100.66'")"
"$ANALYZER" -q -w "$DB" --clear-compromised 198.51.100.66; rc=$?
check "the operator clears it" "0 0" \
	"$rc $(q "$DB" "SELECT compromised FROM v_incidents WHERE src = '198.51.100.66'")"
"$ANALYZER" -q -w "$DB"
check "and the mark outlives a re-run" 0 \
	"$(q "$DB" "SELECT compromised FROM v_incidents WHERE src = '198.51.100.66'")"
"$ANALYZER" -q -w "$DB" --mark-compromised 198.51.100.66
check "or confirms it" 1 "$(q "$DB" "SELECT compromised FROM v_incidents WHERE src = '198.51.100.66'")"
out=$("$ANALYZER" -w "$DB" --mark-compromised 'not-an-address' 2>&1); rc=$?
check "a bad address is refused" 1 "$rc"
check_match "with a message naming it" "not-an-address: not an IP address" "$out"

# a scanner that came back to a port its scan found open (the sensor counts
# it on the scan's detection; test_detect checks that part)
q "$TMP/dist.db" "UPDATE detections SET sessions_after_scan = 1 WHERE src = '198.51.100.13'"
"$ANALYZER" -q -w "$TMP/dist.db"
check "a session after the scan suspects a compromise" \
	"1|after the scan, 1 session with payload to ports it had found open" \
	"$(q "$TMP/dist.db" "SELECT compromised, compromise_reason FROM incidents
	                     WHERE level = 'source' AND src = '198.51.100.13'")"

# log lines: the article's own kind of detect, stored once, feeding incidents
DB="$TMP/logs.db"
L="$top_srcdir/tests/data/syslog"
sense "$DB" dev_09_nmap_slow_scan.pcap
set -- --offline --tz America/New_York --syslog "$L/secure" --syslog "$L/auth.log" \
	--syslog "$L/kern.log" --syslog "$L/vsftpd.log" --syslog "$L/hostile.log"
out=$("$ANALYZER" -w "$DB" "$@" 2>&1); rc=$?
check "analyzer with --syslog exits 0" 0 "$rc"
check_match "it says what each file held" "auth.log: 14 lines, 10 events \(10 new, 0 already stored\)" "$out"
lines=$(q "$DB" "SELECT count(*) FROM log_lines")
out=$("$ANALYZER" -w "$DB" "$@" 2>&1)
check "reading the files again stores nothing twice" "$lines" "$(q "$DB" "SELECT count(*) FROM log_lines")"
check_match "and changes no row" " 0 rows changed" "$out"
check_match "hostile lines are refused with a counted reason" "binary\|2 .*too_long\|1" \
	"$(q "$DB" "SELECT group_concat(reason || '|' || count, ' ') FROM log_rejects WHERE file LIKE '%hostile.log'")"
check "sshd failures make login_attempts, with the log lines as evidence" "login_attempts|1" \
	"$(q "$DB" "SELECT i.kinds, i.reportable FROM incidents i WHERE i.src = '203.0.113.7'")"
check_match "evidence is the log line itself" "sshd\[4242\]: Failed password for root from 203\.0\.113\.7 port 51122" \
	"$(q "$DB" "SELECT e.line FROM evidence e JOIN detections d ON d.id = e.detection_id
	            WHERE d.src = '203.0.113.7' ORDER BY e.ts LIMIT 1")"
check "the article's tcpd line: an FTP probe from an unresolved name" \
	"7dyn94.ztm.casema.net|port_probe|probe of 21/tcp (ftp)|1" \
	"$(q "$DB" "SELECT netblock, kinds, reasons, reportable FROM incidents WHERE src = '7dyn94.ztm.casema.net'")"
check "packet and log incidents side by side" 1 \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE src = '198.51.100.140' AND kinds = 'port_scan'")"
# names in log lines are resolved, once per name: 40 lines from
# "localhost" (found in /etc/hosts, so no DNS query leaves the machine)
# all get its address
NDB="$TMP/names.db"
sense "$NDB" dev_09_nmap_slow_scan.pcap
i=0
while [ "$i" -lt 40 ]; do
	printf 'Nov 27 12:00:%02d gw sshd[42]: Failed password for root from localhost port %d ssh2\n' \
		"$i" "$((40000 + i))"
	i=$((i + 1))
done >"$TMP/names.log"
"$ANALYZER" -q -w "$NDB" --year 2026 --syslog "$TMP/names.log"
check "named sources: one address for the 40 lines from localhost" 1 \
	"$(q "$NDB" "SELECT count(DISTINCT src) FROM log_lines WHERE src_name = 'localhost'")"
check_match "named sources: localhost is a loopback address" '^(127\.0\.0\.1|::1)\|40$' \
	"$(q "$NDB" "SELECT src, count(*) FROM log_lines WHERE src_name = 'localhost' GROUP BY src")"
out=$("$ANALYZER" -w "$DB" --syslog "$TMP/no-such.log" 2>&1); rc=$?
check "a missing log file exits 1" 1 "$rc"
check_match "naming it" "no-such.log: No such file" "$out"

# a big database: 30000 detections of 3000 sources, a progress bar on a TTY
DB="$TMP/big.db"
sense "$DB" dev_09_nmap_slow_scan.pcap
q "$DB" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29999)
         INSERT INTO detections (run_id, seq, kind, proto, src, src_family, src_bin,
                                 first_seen, last_seen, detected_at, targets, ports, packets)
         SELECT 1, 1000 + i, 'port_probe', 'tcp', '198.18.' || (i % 3000 / 256) || '.' || (i % 256),
                4, unhex(printf('c612%02x%02x000000000000000000000000', i % 3000 / 256, i % 256)),
                1795800000000000 + i * 1000000, 1795800000000000 + i * 1000000,
                1795800000000000 + i * 1000000, 1, 1, 2 FROM n" 2>/dev/null ||
q "$DB" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29999)
         INSERT INTO detections (run_id, seq, kind, proto, src, src_family, src_bin,
                                 first_seen, last_seen, detected_at, targets, ports, packets)
         SELECT 1, 1000 + i, 'port_probe', 'tcp', '198.18.' || (i % 3000 / 256) || '.' || (i % 256),
                4, randomblob(16), 1795800000000000 + i * 1000000, 1795800000000000 + i * 1000000,
                1795800000000000 + i * 1000000, 1, 1, 2 FROM n"
if command -v script >/dev/null; then
	script -qc "'$ANALYZER' -w '$DB'" /dev/null > "$TMP/tty.out" 2>&1
	check_match "a progress bar on a terminal" "correlating \[#+ *\] +[0-9]+%" "$(tr '\r' '\n' < "$TMP/tty.out")"
fi
out=$("$ANALYZER" -w "$DB" 2>&1)
check_match "30000 detections correlated, no bar when not a terminal" "^spanwatch-analyzer: 30001 detections" "$out"
check "once more: nothing changes" 1 "$(printf '%s' "$out" | grep -c ' 0 rows changed')"

# a distributed scan of 40 sources (their list is longer than any text
# field): the netblock incident links every member's scan detection
DB="$TMP/many.db"
sense "$DB" dev_09_nmap_slow_scan.pcap
sql="BEGIN;"
i=1
while [ "$i" -le 40 ]; do
	t=$((1795900000000000 + i * 1000000))
	sql="$sql INSERT INTO detections (id, run_id, seq, kind, variant, proto, src, src_family,
	      src_bin, first_seen, last_seen, detected_at, targets, ports, packets)
	      VALUES ($((5000 + i)), 1, $((5000 + i)), 'port_scan', 'syn', 'tcp', '198.51.100.$i', 4,
	      X'c6336$(printf '4%02x' "$i")000000000000000000000000', $t, $t + 500000, $t, 1, 20, 20);
	      INSERT INTO evidence (detection_id, ts, line) VALUES ($((5000 + i)), $t,
	      'x TCP 198.51.100.$i:40000 -> 203.0.113.10:$((100 + i)) SYN, answered RST');"
	i=$((i + 1))
done
q "$DB" "$sql COMMIT;"
"$ANALYZER" -q -w "$DB"
check "40 sources on one target: one distributed incident" 1 \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE level = 'netblock' AND src LIKE '198.51.100.1,%'")"
check "linked to all 40 scan detections" 40 \
	"$(q "$DB" "SELECT count(*) FROM incident_detections x JOIN incidents i ON i.id = x.incident_id
	            WHERE i.level = 'netblock' AND x.detection_id > 5000")"

# one configuration file for sensor and analyzer, each reading its sections
printf '[networks]\nignore = 192.0.2.0/24\n[analyzer]\nprefix4 = 16\ngap_hours = 48\n' > "$TMP/both.conf"
DB="$TMP/conf.db"
sense "$DB" dev_11_distributed_scan.pcap -c "$TMP/both.conf"
"$ANALYZER" -q -w "$DB" -c "$TMP/both.conf"; rc=$?
check "the analyzer reads its [analyzer] section" "0 198.51.0.0/16" \
	"$rc $(q "$DB" "SELECT DISTINCT netblock FROM incidents")"
"$ANALYZER" -q -w "$DB" -c "$top_srcdir/etc/spanwatch.conf"; rc=$?
check "the shipped example configuration loads" "0 198.51.100.0/24" \
	"$rc $(q "$DB" "SELECT DISTINCT netblock FROM incidents")"
printf '[analyzer]\ngap_hours = 0\n' > "$TMP/bad.conf"
out=$("$ANALYZER" -w "$DB" -c "$TMP/bad.conf" 2>&1); rc=$?
check "a bad value is a usage error" 2 "$rc"
check_match "naming file, line and key" "bad.conf:2: \[analyzer\] gap_hours: 0 is out of range" "$out"

# ---- the policy: every incident not reported says why ----
# detection rows are edited in a database the sensor made, as the sensor
# would have written them
reasons_of() { # DB SRC: "reportable|severity|reasons" of its source incident
	q "$1" "SELECT reportable || '|' || severity || '|' || reasons FROM v_incidents
	        WHERE src = '$2' AND kinds != 'distributed_scan'"
}

# a decoy scan (nmap -D): five sources of one /24 sent the same first
# probes to the same target at the same time; only 198.51.100.12 reset the
# SYN-ACKs it got, the others never answered theirs
DB="$TMP/decoy.db"
sense "$DB" dev_11_distributed_scan.pcap
q "$DB" "UPDATE detections SET probe_sig = 4242, src_resets = 0, src_silent = 3;
         UPDATE detections SET src_resets = 3, src_silent = 0 WHERE src = '198.51.100.12'"
out=$("$ANALYZER" -w "$DB" 2>&1)
check_match "decoys: one incident per source, none distributed, one reportable" \
	"5 detections, 5 incidents \(0 distributed, 1 reportable\)" "$out"
check "decoys: the real source is reportable, says so, one severity more" \
	"1|4|scan of 200 tcp ports of 203.0.113.10; used 4 decoys (198.51.100.10, 198.51.100.11, 198.51.100.13, 198.51.100.14)" \
	"$(reasons_of "$DB" 198.51.100.12)"
check "decoys: the real source's incident keeps its decoys for the memo" \
	"4|198.51.100.10, 198.51.100.11, 198.51.100.13, 198.51.100.14" \
	"$(q "$DB" "SELECT decoys || '|' || decoy_list FROM incidents WHERE src = '198.51.100.12'")"
check "decoys: a decoy's incident has none" "0|" \
	"$(q "$DB" "SELECT decoys || '|' || ifnull(decoy_list, '') FROM incidents WHERE src = '198.51.100.14'")"
check "decoys: each decoy is not reportable, naming the real source" \
	"0|3|scan of 200 tcp ports of 203.0.113.10; decoy of 198.51.100.12" \
	"$(reasons_of "$DB" 198.51.100.14)"
check "decoys: no netblock is written to for holding decoys" \
	"0 198.51.100.12" \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE level = 'netblock'") $(q "$DB" "SELECT group_concat(src) FROM v_incidents WHERE reportable = 1")"
out=$("$ANALYZER" -w "$DB" 2>&1)
check_match "decoys: a second run changes nothing" " 0 rows changed" "$out"
# two of them reset: the real source cannot be told apart, nobody is reported
q "$DB" "UPDATE detections SET src_resets = 1 WHERE src = '198.51.100.10'"
"$ANALYZER" -q -w "$DB"
check "decoys: two members reset, nobody is reportable" "0" \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE reportable = 1")"
check "decoys: and each says why" \
	"0|3|scan of 200 tcp ports of 203.0.113.10; decoy scan: the real source could not be told apart among 5 sources" \
	"$(reasons_of "$DB" 198.51.100.12)"
# no SYN-ACK at all: the same
q "$DB" "UPDATE detections SET src_resets = 0, src_silent = 0"
"$ANALYZER" -q -w "$DB"
check "decoys: without SYN-ACKs nobody is reportable" "0 5" \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE reportable = 1") $(q "$DB" "SELECT count(*) FROM incidents WHERE reasons LIKE '%among 5 sources'")"
# one signature but not at the same time: no decoy scan; the distributed
# scan of the five is back
q "$DB" "UPDATE detections SET first_seen = first_seen + 3600000000, last_seen = last_seen + 3600000000
         WHERE src = '198.51.100.14';
         UPDATE detections SET probe_sig = 77 WHERE src = '198.51.100.13'"
"$ANALYZER" -q -w "$DB"
check "decoys: an hour apart or another signature is no decoy" \
	"0 198.51.100.13,198.51.100.14" \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE src IN ('198.51.100.13', '198.51.100.14') AND reasons LIKE '%decoy%'") $(q "$DB" "SELECT src FROM incidents WHERE level = 'netblock'")"

# the allowlist: addresses, prefixes, names (with --offline a name is a
# warning); allowlisted sources stay recorded, are never reported and never
# join a distributed scan
DB="$TMP/allow.db"
sense "$DB" dev_11_distributed_scan.pcap
printf '[analyzer]\nallow = 198.51.100.10, 198.51.100.12/31,\n  2001:db8:5::/48 monitor.example.org\n' > "$TMP/allow.conf"
out=$("$ANALYZER" -w "$DB" -c "$TMP/allow.conf" --offline 2>&1); rc=$?
check "allow: exits 0" 0 "$rc"
check_match "allow: a name not resolved is a warning" "allow: monitor.example.org not resolved \(--offline\)" "$out"
check "allow: an address" "0|3|scan of 200 tcp ports of 203.0.113.10; allowlisted (198.51.100.10)" \
	"$(reasons_of "$DB" 198.51.100.10)"
check "allow: a prefix" "0|0" \
	"$(q "$DB" "SELECT group_concat(reportable, '|') FROM incidents WHERE reasons LIKE '%allowlisted (198.51.100.12/31)'")"
check "allow: the others' distributed scan without the allowlisted ones" "198.51.100.11,198.51.100.14|1" \
	"$(q "$DB" "SELECT src, reportable FROM incidents WHERE level = 'netblock'")"
check "allow: still recorded" 6 "$(q "$DB" "SELECT count(*) FROM incidents")"
# a name also matches a log line's source that was not resolved (the
# article's tcpd line, read --offline above)
printf '[analyzer]\nallow = 7dyn94.ZTM.casema.net\n' > "$TMP/allow-name.conf"
"$ANALYZER" -q -w "$TMP/logs.db" -c "$TMP/allow-name.conf" --offline 2>/dev/null
check "allow: a name matches an unresolved log source" \
	"0|2|probe of 21/tcp (ftp); allowlisted (7dyn94.ZTM.casema.net)" \
	"$(reasons_of "$TMP/logs.db" 7dyn94.ztm.casema.net)"
printf '[analyzer]\nallow = 198.51.100.300\n' > "$TMP/allow-bad.conf"
out=$("$ANALYZER" -w "$DB" -c "$TMP/allow-bad.conf" 2>&1); rc=$?
check "allow: a bad entry is a usage error" 2 "$rc"
check_match "allow: naming it" "allow-bad.conf:2: \[analyzer\] allow: bad host \"198.51.100.300\"" "$out"

# the sensor's other words: a traceroute, a source mostly answered, a
# client retrying one port, tiny fragments
DB="$TMP/policy.db"
sense "$DB" dev_09_nmap_slow_scan.pcap
q "$DB" "INSERT INTO detections (run_id, seq, kind, variant, proto, src, src_family, src_bin,
                first_seen, last_seen, detected_at, targets, ports, packets, failed_contacts)
         VALUES (1, 9001, 'traceroute', 'udp', 'udp', '192.0.2.33', 4,
                 X'c0000221000000000000000000000000', 1795801000000000, 1795801001000000,
                 1795801000000000, 2, 6, 6, NULL),
                (1, 9002, 'port_probe', NULL, 'tcp', '192.0.2.44', 4,
                 X'c000022c000000000000000000000000', 1795801000000000, 1795801009000000,
                 1795801000000000, 1, 1, 4, 1);
         INSERT INTO evidence (detection_id, ts, line) SELECT id, first_seen,
                 'x TCP 192.0.2.44:40000 -> 203.0.113.10:8081 SYN, answered RST'
         FROM detections WHERE seq = 9002"
"$ANALYZER" -q -w "$DB"
check "policy: a traceroute is not reportable" \
	"0|1|traceroute (udp) to 2 hosts; traceroute: measuring the path to us is not an attack" \
	"$(reasons_of "$DB" 192.0.2.33)"
check "policy: one port retried is a client's retries" \
	"0|2|probe of 8081/tcp; one contact retried 4 times: a client's retries, not a probe" \
	"$(reasons_of "$DB" 192.0.2.44)"
check "policy: the slow scan is reportable" "1|3|scan of 30 tcp ports of 203.0.113.15" \
	"$(reasons_of "$DB" 198.51.100.140)"
q "$DB" "UPDATE detections SET evasion = 'tiny_fragments' WHERE src = '198.51.100.140'"
"$ANALYZER" -q -w "$DB"
check "policy: tiny fragments raise the severity and say so" \
	"1|4|scan of 30 tcp ports of 203.0.113.15; used tiny fragments to evade filters" \
	"$(reasons_of "$DB" 198.51.100.140)"
# (a scan stands for as many failures as the ports it touched: 30, not the
# 4 it took to fire)
q "$DB" "UPDATE detections SET successes = 30 WHERE src = '198.51.100.140'"
"$ANALYZER" -q -w "$DB"
check "policy: a source mostly answered is not reportable" \
	"0|4|scan of 30 tcp ports of 203.0.113.15; used tiny fragments to evade filters; mostly answered (30 of 60 first contacts answered)" \
	"$(reasons_of "$DB" 198.51.100.140)"
check "policy: every incident not reportable says why" 0 \
	"$(q "$DB" "SELECT count(*) FROM incidents WHERE reportable = 0 AND reasons NOT LIKE '%; %'")"

# the everyday views answer
check "what hit a host" "198.51.100.30|port_scan" \
	"$(q "$TMP/mixed.db" "SELECT src, kind FROM v_host_hits WHERE target = '203.0.113.10'")"
check_match "reportable and not reported" "^[1-9]" \
	"$(q "$TMP/mixed.db" "SELECT count(*) FROM v_reportable_unreported")"
check_match "top netblocks this week" "^192\.0\.2\.0/24\|" \
	"$(q "$TMP/mixed.db" "SELECT * FROM v_top_netblocks_week LIMIT 1")"
finish
