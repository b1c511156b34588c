#!/bin/sh
# cli.sh - the contract of the three programs' command lines: --help,
# --version, exit status 0 / 1 / 2, one-line errors naming what was wrong.
. "$(dirname "$0")/lib.sh"

for prog in "$SENSOR" "$ANALYZER" "$REPORTER"; do
	name=$(basename "$prog")
	out=$("$prog" --help 2>&1); rc=$?
	check "$name --help exits 0" 0 "$rc"
	check_match "$name --help shows usage" "^Usage: $name" "$out"
	out=$("$prog" --version 2>&1); rc=$?
	check "$name --version exits 0" 0 "$rc"
	check_match "$name --version names itself" "^$name [0-9]+\.[0-9]+" "$out"
	"$prog" --no-such-option >/dev/null 2>&1; rc=$?
	check "$name with an unknown option exits 2" 2 "$rc"
	"$prog" >/dev/null 2>&1; rc=$?
	check "$name without -w exits 2" 2 "$rc"
done

out=$("$SENSOR" -w "$TMP/x.db" 2>&1); rc=$?
check "sensor without -r/-i exits 2" 2 "$rc"
check_match "and says what is missing" "-r FILE or -i IFACE" "$out"
out=$("$SENSOR" -r a -i lo -w "$TMP/x.db" 2>&1); rc=$?
check "sensor with -r and -i exits 2" 2 "$rc"
out=$("$SENSOR" -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -s 12 -w "$TMP/x.db" 2>&1); rc=$?
check "sensor with a bad snaplen exits 2" 2 "$rc"
check_match "and names the option" "^spanwatch-sensor: -s: '12' is not a number" "$out"
out=$("$SENSOR" -r "$CORPUS/dev_09_nmap_slow_scan.pcap" -w "$TMP/x.db" 'tcp and and' 2>&1); rc=$?
check "sensor with a bad BPF expression exits 2" 2 "$rc"
check_match "and quotes the expression" "bad BPF expression 'tcp and and'" "$out"
check "nothing was created for a usage error" no "$([ -e "$TMP/x.db" ] && echo yes || echo no)"
out=$("$REPORTER" -w "$TMP/x.db" --format pdf 2>&1); rc=$?
check "reporter with an unknown format exits 2" 2 "$rc"
finish
