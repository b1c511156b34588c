#!/bin/sh
# run.sh - run each libFuzzer harness of tests/fuzz for a while.
#
#   run.sh TOP_SRCDIR BIN_DIR CORPUS_DIR SECONDS [HARNESS...]
#
# Seeds each harness's corpus (CORPUS_DIR/<harness>) from tests/data
# (seeds.py), runs it on that corpus and on the inputs that once crashed
# it (tests/fuzz/regress/<harness>, read only) for SECONDS, and says what
# it found. A crash, leak or broken invariant leaves its input as
# CORPUS_DIR/<harness>.crash-* (add it to tests/fuzz/regress/<harness>/
# once fixed). Exit 0 when every harness ran clean, 1 otherwise.
set -u
[ $# -ge 4 ] || { echo "usage: run.sh TOP_SRCDIR BIN_DIR CORPUS_DIR SECONDS [HARNESS...]" >&2; exit 2; }
top=$1 bin=$2 corpus=$3 secs=$4
shift 4
[ $# -gt 0 ] || set -- fuzz_packets fuzz_whois fuzz_logline fuzz_config fuzz_rdap \
	fuzz_rdap_bootstrap fuzz_mail fuzz_asn
: "${PYTHON:=python3}"
# leaks count as failures; a report, not a core file
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

mkdir -p "$corpus" || exit 1
"$PYTHON" "$top/tests/fuzz/seeds.py" "$top" "$corpus" "$@" || exit 1
failed=0
for h in "$@"; do
	[ -x "$bin/$h" ] || { echo "run.sh: $bin/$h not built" >&2; failed=1; continue; }
	regress="$top/tests/fuzz/regress/$h"
	[ -d "$regress" ] || regress=
	log="$corpus/$h.log"
	# new inputs go to the first directory (the run's own corpus), the
	# committed regression inputs are only read
	"$bin/$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$corpus/$h." "$corpus/$h" $regress >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $h: ${runs:-?} runs in ${secs}s, $cov, corpus $(ls "$corpus/$h" | wc -l) inputs: clean"
	else
		failed=1
		echo "fuzz: $h: FAILED (exit $rc); input kept as $(ls "$corpus/$h".*-* 2>/dev/null | head -1)"
		grep -E 'ERROR|invariant|SUMMARY|runtime error' "$log" | head -5
		echo "  (the whole report: $log)"
	fi
done
exit $failed
