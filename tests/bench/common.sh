# tests/bench/common.sh - sourced by run.sh, instr.sh and profile.sh: what
# the benchmark scripts share. The captures' names and how pktgen makes
# them, the checks of what they are given, and a temporary folder removed
# on exit. The caller sets me (its name, for messages).

# take_builddir "$@": the one argument, BUILDDIR (else usage, exit 2),
# and the programs under it unless the environment names others: PKTGEN,
# FLOOR, SENSOR
take_builddir() {
	if [ $# -ne 1 ] || [ -z "$1" ]; then
		echo "usage: $me BUILDDIR" >&2
		exit 2
	fi
	builddir=$1
	PKTGEN=${PKTGEN:-$builddir/tests/bench/pktgen}
	FLOOR=${FLOOR:-$builddir/tests/bench/floor}
	SENSOR=${SENSOR:-$builddir/spanwatch-sensor}
}

fail() {
	echo "$me: $*" >&2
	exit 1
}

# check_captures LIST: every name in LIST is a benchmark capture, else exit 2
check_captures() {
	for cc_name in $1; do
		case $cc_name in
		mixed | flood | heavy | flood24) ;;
		*)
			echo "$me: BENCH_CAPTURES: unknown capture '$cc_name' (mixed, flood, heavy, flood24)" >&2
			exit 2 ;;
		esac
	done
}

# need_programs TARGET PROG...: each PROG is executable, else exit 1 and
# say to build it with make TARGET
need_programs() {
	np_target=$1
	shift
	for np_prog in "$@"; do
		if [ ! -x "$np_prog" ]; then
			echo "$me: $np_prog: not found or not executable (build it first: make $np_target)" >&2
			exit 1
		fi
	done
}

# make_tmp WHAT: tmp is a new folder under TMPDIR, removed on exit
make_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/spanwatch-$1.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# make_capture NAME PACKETS FILE [PKTGEN OPTION...]: the benchmark capture
# NAME of PACKETS packets in FILE, or exit 1. pktgen's packet time runs at
# ~100,000 packets a second, but the /24 flood at 10,000 (--gap-us 100),
# under the default prefix_syn_pps (20,000): it never becomes a flood
# detection, so every spoofed source goes through the per-source tables,
# the sensor's worst case.
make_capture() {
	mc_name=$1
	mc_n=$2
	mc_file=$3
	shift 3
	if [ "$mc_name" = flood24 ]; then
		set -- "$@" --gap-us 100
	fi
	"$PKTGEN" "$@" -o "$mc_file" -n "$mc_n" --mix "$mc_name" ||
		fail "pktgen failed ($mc_name, exit $?)"
}
