#!/bin/sh
# build-deb.sh - build the Debian package (dpkg-buildpackage -us -uc -b) from
# a clean copy of the tree and check it with lintian (when installed).
# Usage: scripts/build-deb.sh [OUTDIR]   (default: ./build-deb)
# The copy holds the files git tracks or would track (not ignored), as they
# are in the working tree: uncommitted edits included, build products never. Missing build
# dependencies are installed (apt, needs root). The build runs in a network
# namespace with only loopback when it can make one (root): the test suite
# it runs (make check) cannot reach any other host.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build-deb}" && cd "${1:-$top/build-deb}" && pwd)

"$top/scripts/deps.sh"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
need=
for p in debhelper dh-autoreconf systemd; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "build-deb.sh: installing:$need" >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

version=$(cd "$top" && dpkg-parsechangelog -S Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/spanwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$work/spanwatch-$version"
mkdir "$src"
(cd "$top" && git ls-files -z -co --exclude-standard | tar --null --no-recursion -T - -cf -) |
	tar -xf - -C "$src"
cd "$src"
dpkg-checkbuilddeps

: "${DEB_BUILD_OPTIONS:=parallel=2}"
export DEB_BUILD_OPTIONS
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	echo "build-deb.sh: building without network (loopback only)" >&2
	unshare -n sh -c 'ip link set lo up && exec dpkg-buildpackage -us -uc -b'
else
	echo "build-deb.sh: cannot make a network namespace: building with the host's network" >&2
	dpkg-buildpackage -us -uc -b
fi

cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
echo "build-deb.sh: $(ls "$out"/*.deb)"
if command -v lintian >/dev/null 2>&1; then
	# errors fail the build; warnings are shown
	lintian --tag-display-limit 0 "$out/spanwatch_${version}_$(dpkg --print-architecture).changes"
fi
