#!/bin/sh
# fuzz.sh - make check's short run of the libFuzzer harnesses of
# tests/fuzz: each one on its seeds (from tests/data) and its regression
# inputs, then FUZZ_CHECK_SECONDS (default 4) of fuzzing. Skipped when
# configure found no clang with libFuzzer (FUZZ_CC empty); `make fuzz`
# runs them longer.
. "$(dirname "$0")/lib.sh"

[ -n "${FUZZ_CC:-}" ] || skip_all "no clang with libFuzzer (install the Debian packages clang and libclang-rt-dev and re-run configure)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed (it writes the seed corpora)"
BIN="$top_builddir/tests/fuzz/bin"
HARNESSES="fuzz_packets fuzz_whois fuzz_logline fuzz_config fuzz_rdap fuzz_rdap_bootstrap fuzz_mail fuzz_asn"
secs=${FUZZ_CHECK_SECONDS:-4}

for h in $HARNESSES; do
	[ -x "$BIN/$h" ] || { echo "FAIL: $h not built ($BIN)"; exit 1; }
done
# all in one run (the seeds are written once): about 7 x (secs + 2) s
TMPDIR="$TMP" sh "$top_srcdir/tests/fuzz/run.sh" "$top_srcdir" "$BIN" "$TMP/corpus" "$secs" \
	$HARNESSES >"$TMP/run.out" 2>&1
cat "$TMP/run.out"
for h in $HARNESSES; do
	if grep -q "^fuzz: $h: .*: clean\$" "$TMP/run.out"; then
		pass "$h: ${secs}s on its seeds and regression inputs, clean"
		CHECKS=$((CHECKS + 1))
	else
		[ -f "$TMP/corpus/$h.log" ] && sed -n '1,80p' "$TMP/corpus/$h.log"
		fail "$h found a problem"
		CHECKS=$((CHECKS + 1))
	fi
done
# nothing written outside the test's directory: the harnesses' own
# temporary directories are gone
left=$(find "$TMP" -maxdepth 1 -name 'spanwatch-fuzz.*' | wc -l)
check "the harnesses removed their temporary directories" 0 "$left"
finish
