#!/bin/sh
# build.sh - configure (when needed) and build out of tree, in ./build or
# $BUILD_DIR. Usage: scripts/build.sh [configure options...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="${BUILD_DIR:-$top/build}"
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }
fi
mkdir -p "$build"
cd "$build"
want="$*"
if [ ! -f Makefile ] || [ "$(cat .configured-with 2>/dev/null)" != "$want" ]; then
	"$top/configure" -q "$@" >/dev/null
	printf '%s\n' "$want" > .configured-with
fi
make -s -j"$(nproc)" >/dev/null
