#!/bin/sh
# manpages.sh - the manual pages say what the programs do: every option a
# program's --help lists is in its page, every section and key of the
# example configuration is in spanwatch.conf(5), and groff (when present)
# formats each page without a warning.
. "$(dirname "$0")/lib.sh"

MAN="$top_srcdir/man"
CONF="$top_srcdir/etc/spanwatch.conf"

# the options of --help: "-r", "--read", ... one per line
options() {
	"$1" --help 2>&1 | grep -Eo '(^|[[:space:],[])--?[A-Za-z][A-Za-z-]*' |
		sed 's/^[[:space:],[]*//' | sort -u
}

for prog in "$SENSOR" "$ANALYZER" "$REPORTER"; do
	name=$(basename "$prog")
	page="$MAN/$name.8"
	if [ ! -f "$page" ]; then
		fail "$page is missing"
		continue
	fi
	n=0
	missing=
	for opt in $(options "$prog"); do
		n=$((n + 1))
		# in man source a '-' is written '\-'
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		# ... not followed by more of a longer option ("-r" in "-rx", "\-\-read" in
		# "\-\-read\-only"); a font change "\fR" may follow
		grep -q -- "$esc\\($\\|[^A-Za-z\\\\]\\|\\\\[^-]\\)" "$page" || missing="$missing $opt"
	done
	check "$name: --help lists options" yes "$([ "$n" -ge 5 ] && echo yes || echo "only $n")"
	check "$name.8 documents every option of --help" "" "$missing"
	check_match "$name.8 names the program" "^\\.TH \"?${name}\"? 8" "$(grep '^\.TH' "$page")"
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		check_match "$name.8 has $sec" "^\\.SH \"?$sec\"?\$" "$(grep '^\.SH' "$page")"
	done
done

page="$MAN/spanwatch.conf.5"
if [ ! -f "$page" ]; then
	fail "$page is missing"
else
	missing=
	for sec in $(sed -n 's/^\[\([a-z]*\)\].*/\1/p' "$CONF" | sort -u); do
		grep -q "\\[$sec\\]" "$page" || missing="$missing [$sec]"
	done
	for key in $(sed -n 's/^\([a-z0-9_]*\) *=.*/\1/p' "$CONF" | sort -u); do
		esc=$(printf '%s' "$key" | sed 's/_/\\(_\\|\\\\_\\)/g')
		grep -q "$esc" "$page" || missing="$missing $key"
	done
	check "spanwatch.conf.5 documents every section and key of etc/spanwatch.conf" "" "$missing"
fi

if command -v groff >/dev/null 2>&1; then
	for page in "$MAN"/*.[58]; do
		out=$(groff -man -ww -z "$page" 2>&1)
		check "groff: $(basename "$page") formats without a warning" "" "$out"
	done
else
	echo "note: groff not installed, the pages are not formatted"
fi

finish
