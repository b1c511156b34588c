#!/bin/sh
# mime.sh - the reporter's mail output taken apart by another implementation:
# tests/mimerender renders a memo full of hostile inputs in every format
# (three time zones), tests/mailcheck.py parses it with Python's email and
# mailbox packages and checks headers, body, boundaries and line ends; the
# X-ARF parts and the official samples are validated against the copied
# schemas (python3-jsonschema), and so are broken samples, which must fail;
# PGP/MIME signatures made with a throwaway key are checked with gpg
# --verify on the parts exactly as sent; sw_mail_send runs real commands.
. "$(dirname "$0")/lib.sh"

MIMERENDER="$top_builddir/tests/mimerender"
MAILCHECK="$top_srcdir/tests/mailcheck.py"
XARF="$top_srcdir/tests/data/xarf"
: "${PYTHON:=$(command -v python3 || true)}"

[ -x "$MIMERENDER" ] || skip_all "tests/mimerender is not built"
[ -n "$PYTHON" ] || skip_all "python3 not installed"

# ---- every format, in zones with whole and half-hour offsets -------------
for zone in America/St_Johns:-0330 Asia/Kolkata:+0530 America/New_York:-0500; do
	tz=${zone%%:*}
	off=${zone#*:}
	dir="$TMP/$(echo "$tz" | tr / _)"
	mkdir -p "$dir"
	TZ=$tz "$MIMERENDER" "$dir"
	check "render in $tz" 0 $?
	MAILCHECK_OFFSET=$off "$PYTHON" "$MAILCHECK" "$dir" "$XARF/schemas" >"$dir/check.log" 2>&1
	rc=$?
	check "mailcheck in $tz ($(tail -1 "$dir/check.log"))" 0 $rc
	[ $rc -eq 0 ] || grep -v '^ok:' "$dir/check.log"
done
EML="$TMP/America_St_Johns"

# ---- X-ARF schemas: the samples pass, broken reports fail, ours pass -----
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	"$PYTHON" "$MAILCHECK" --validate "$XARF/schemas" "$XARF"/samples/*.json
	check "official X-ARF samples validate" 0 $?
	"$PYTHON" "$MAILCHECK" --validate "$XARF/schemas" "$EML/xarf-1.json" "$EML/xarf-2.json"
	check "our X-ARF reports validate" 0 $?
	"$PYTHON" - "$XARF/samples/connection-port-scan.json" "$TMP" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
def bad(name, change):
    d = json.loads(json.dumps(s))
    change(d)
    json.dump(d, open('%s/bad-%s.json' % (sys.argv[2], name), 'w'))
bad('no-protocol', lambda d: d.pop('protocol'))
bad('no-source-port', lambda d: d.pop('source_port'))
bad('type', lambda d: d.update(type='port-scan'))
bad('category', lambda d: d.update(category='scan'))
bad('reporter-extra', lambda d: d['reporter'].update(phone='1'))
bad('port-range', lambda d: d.update(source_port=70000))
bad('no-reporter', lambda d: d.pop('reporter'))
EOF
	for f in "$TMP"/bad-*.json; do
		"$PYTHON" "$MAILCHECK" --validate "$XARF/schemas" "$f" >/dev/null
		check "broken report $(basename "$f") is rejected" 1 $?
	done
else
	echo "SKIP (part): python3 jsonschema module not installed (Debian: apt-get install python3-jsonschema): X-ARF schema checks not run"
fi

# ---- sendmail: the message arrives byte for byte; failures are reported --
cat >"$TMP/fake-sendmail" <<'EOF'
#!/bin/sh
cat > "$1"
EOF
chmod +x "$TMP/fake-sendmail"
TZ=America/St_Johns "$MIMERENDER" --send "$TMP/fake-sendmail $TMP/sent.eml"
check "send through a command" 0 $?
cmp -s "$TMP/sent.eml" "$EML/message.eml"
check "the command got the eml rendering exactly" 0 $?
err=$(TZ=America/St_Johns "$MIMERENDER" --send false 2>&1)
check "a failing command fails the send" 1 $?
check "and says how" "mimerender: false: exited 1" "$err"

# ---- PGP/MIME with a throwaway key -------------------------------------
if ! grep -q '^#define HAVE_GPGME 1' "$top_builddir/config.h" 2>/dev/null; then
	err=$("$MIMERENDER" "$TMP" SOMEKEY 2>&1)
	check "signing without GPGME fails" 1 $?
	check_match "and says why" "built without GPGME" "$err"
elif ! command -v gpg >/dev/null 2>&1; then
	echo "SKIP (part): gpg not installed (Debian: apt-get install gnupg): PGP/MIME signing not tested"
else
	GNUPGHOME="$TMP/gnupg"
	export GNUPGHOME
	mkdir -m 700 "$GNUPGHOME"
	trap 'gpgconf --kill all >/dev/null 2>&1; rm -rf "$TMP"' EXIT
	timeout 60 gpg --batch --quiet --passphrase '' --quick-gen-key \
		'Test <test@example.org>' ed25519 default never 2>/dev/null
	check "throwaway key generated" 0 $?
	fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
	dir="$TMP/signed"
	mkdir "$dir"
	TZ=Asia/Kolkata timeout 60 "$MIMERENDER" "$dir" "$fpr"
	check "render signed" 0 $?
	MAILCHECK_OFFSET=+0530 "$PYTHON" "$MAILCHECK" "$dir" "$XARF/schemas" --signed >"$dir/check.log" 2>&1
	rc=$?
	check "mailcheck of the signed messages ($(tail -1 "$dir/check.log"))" 0 $rc
	[ $rc -eq 0 ] || grep -v '^ok:' "$dir/check.log"
	for m in signed-eml signed-xarf signed-mbox; do
		out=$(gpg --batch --verify "$dir/$m.asc" "$dir/$m.part" 2>&1)
		check "gpg --verify $m" 0 $?
		check_match "$m: good signature by the test key" 'Good signature from "Test <test@example.org>"' "$out"
	done
	# one byte changed in the signed part: the signature must not verify
	sed 's/Hello,/Hellp,/' "$dir/signed-eml.part" >"$dir/tampered.part"
	cmp -s "$dir/tampered.part" "$dir/signed-eml.part"
	check "tampered copy differs" 1 $?
	gpg --batch --verify "$dir/signed-eml.asc" "$dir/tampered.part" >/dev/null 2>&1
	check "gpg rejects the tampered part" 1 $?
	err=$(timeout 60 "$MIMERENDER" "$TMP" nosuchkey@example.invalid 2>&1)
	check "signing with an unknown key fails" 1 $?
	check_match "and names the key" "nosuchkey@example.invalid" "$err"
fi

finish
