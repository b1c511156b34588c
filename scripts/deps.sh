#!/bin/sh
# deps.sh - install the Debian packages spanwatch builds, tests and runs
# with, if any is missing. Needs root (or sudo) only when something is.
set -eu
PKGS="build-essential autoconf automake pkg-config
libpcap-dev libsqlite3-dev libnet1-dev libpsl-dev libinih-dev libcmocka-dev libgpgme-dev
libcurl4-openssl-dev libjson-c-dev libcap-ng-dev libseccomp-dev ca-certificates openssl
sqlite3 tcpdump iproute2 tzdata groff-base python3 python3-jsonschema gnupg
clang libclang-rt-dev valgrind"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
