# lib.sh - shared helpers of the integration tests (sourced, not run).
# Each test is a shell script run by `make check`: exit 0 pass, 1 fail,
# 77 skip. top_srcdir/top_builddir come from the Makefile (or default to
# the source tree for a manual run).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SQLITE3:=$(command -v sqlite3 || true)}"
: "${TCPDUMP:=$(command -v tcpdump || true)}"

SENSOR="$top_builddir/spanwatch-sensor"
ANALYZER="$top_builddir/spanwatch-analyzer"
REPORTER="$top_builddir/spanwatch-reporter"
PCAPCOUNT="$top_builddir/tests/pcapcount"
CORPUS="$top_srcdir/tests/data/corpus"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/spanwatch-test.XXXXXX")
# the sensor drops root to nobody: let it reach its database
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT

FAILED=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; }
skip_all() { echo "SKIP: $*"; exit 77; }

# check DESCRIPTION EXPECTED ACTUAL
check() {
	CHECKS=$((CHECKS + 1))
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_match DESCRIPTION REGEX TEXT
check_match() {
	CHECKS=$((CHECKS + 1))
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1: '$3' does not match /$2/"; fi
}

need_sqlite3() { [ -n "$SQLITE3" ] || skip_all "sqlite3 CLI not installed"; }

q() { "$SQLITE3" -batch -noheader "$1" "$2"; }

finish() {
	echo "$CHECKS checks, $FAILED failed"
	[ "$CHECKS" -gt 0 ] || { echo "FAIL: no check ran"; exit 1; }
	[ "$FAILED" -eq 0 ] || exit 1
	exit 0
}
