#!/bin/sh
# test.sh - install what is missing, build with warnings as errors and the
# sanitizers (ASan+UBSan), run the whole test suite, then `make distcheck`.
# Ends with the line "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" || exit 1
BUILD_DIR="$top/build-test"
export BUILD_DIR
"$top/scripts/build.sh" --enable-werror --enable-sanitizers || { echo "0 passed, 1 failed"; exit 1; }
cd "$BUILD_DIR"
make -s -j"$(nproc)" check >/dev/null 2>&1
check_rc=$?
# show every test's result and the log of each failure
grep -h '^:test-result:' $(find . -name '*.trs') /dev/null | sort | uniq -c | sed 's/^/  /'
for trs in $(find . -name '*.trs'); do
	if grep -q '^:test-result: FAIL\|^:test-result: ERROR' "$trs"; then
		echo "---- ${trs%.trs}.log"
		cat "${trs%.trs}.log"
	fi
done
passed=$(cat $(find . -name '*.trs') | grep -c '^:test-result: PASS')
failed=$(cat $(find . -name '*.trs') | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)')
skipped=$(cat $(find . -name '*.trs') | grep -c '^:test-result: SKIP')

dist_rc=0
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
	echo "make distcheck ..."
	if make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1; then
		passed=$((passed + 1)); echo "  distcheck: PASS"
	else
		failed=$((failed + 1)); dist_rc=1; echo "  distcheck: FAIL"; tail -40 distcheck.log
	fi
fi
[ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed, $skipped skipped"
[ "$check_rc" -eq 0 ] && [ "$dist_rc" -eq 0 ]
