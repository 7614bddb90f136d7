#!/usr/bin/env bash
# real.sh: install real Debian packages into a minbase root with aim and
# with dpkg -i, on the same .debs in the same run, and print the median
# wall time of RUNS (default 3) runs of each and their ratio.
#
# The packages (PKGS, default below) and whatever of their dependencies a
# minbase root lacks are fetched with apt-get download, using the
# machine's own apt configuration; the minbase root is made once with
# debootstrap from the first Debian mirror that configuration names.
# Needs root, apt-get, dpkg, debootstrap and GNU time. CACHE (default
# /var/tmp/aim-bench-real) keeps the root and the .debs between runs.
# STRACE=1 also counts the read() calls of installing perl (and what it
# needs that minbase lacks) with aim.
set -euo pipefail
cd "$(dirname "$0")/.."
# Both tools run the maintainer scripts with debconf's noninteractive
# frontend (aim's default without a terminal), whatever the caller's
# environment or terminal.
export DEBIAN_FRONTEND=noninteractive
RUNS=${RUNS:-3}
SUITE=${SUITE:-bookworm}
PKGS=${PKGS:-"hello sl cowsay tree jq libjq1 libonig5 bc less nano ed busybox man-db perl"}
CACHE=${CACHE:-/var/tmp/aim-bench-real}
work=$(mktemp -d)
# SETTLE: see bench/settle.sh.
. bench/settle.sh
settle_setup real "$work"

for t in apt-get dpkg debootstrap; do
	command -v "$t" >/dev/null || { echo "real.sh: $t is missing (apt-get install -y debootstrap)"; exit 1; }
done
CGO_ENABLED=0 go build -o "$work/aim" ./cmd/aim # as the Makefile builds it

# mirror prints the first Debian archive URI of the machine's apt
# configuration (deb822 .sources or one-line .list).
mirror() {
	apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | grep -m1 -v security || true
}

base="$CACHE/base-$SUITE"
if [ ! -x "$base/bin/sh" ]; then
	m=$(mirror)
	[ -n "$m" ] || { echo "real.sh: no Debian mirror in the apt configuration"; exit 1; }
	rm -rf "$base"; mkdir -p "$CACHE"
	debootstrap --variant=minbase "$SUITE" "$base" "$m" >"$CACHE/debootstrap.log" 2>&1 ||
		{ echo "real.sh: debootstrap failed, see $CACHE/debootstrap.log"; exit 1; }
fi

# plan prints what apt would install into the minbase root ("new") or
# upgrade there ("upgrade").
plan() {
	# shellcheck disable=SC2086
	apt-get install -s -o Dir::State::status="$base/var/lib/dpkg/status" $PKGS 2>/dev/null |
		awk -v want="$1" '/^Inst /{ if (($3 ~ /^\[/) == (want == "upgrade")) print $2 }' | sort -u
}
# fetch downloads the current version of each package named, once.
debs="$CACHE/debs"
mkdir -p "$debs"
fetch() {
	(cd "$debs" && for p in "$@"; do ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download -q "$p" >/dev/null 2>&1 ||
		{ echo "real.sh: apt-get download $p failed" >&2; exit 1; }; done)
}
debsOf() { for p in "$@"; do ls "$debs/${p}"_*.deb | head -1; done; }

# Bring the root up to date first (with dpkg, once): aim leaves dpkg's
# packages to apt, so the set must not need an upgrade of one.
# shellcheck disable=SC2046
up=$(plan upgrade)
if [ -n "$up" ]; then
	# shellcheck disable=SC2086
	fetch $up
	# shellcheck disable=SC2046
	dpkg --root="$base" -i $(debsOf $up) >"$CACHE/upgrade.log" 2>&1 ||
		{ echo "real.sh: upgrading the base root failed, see $CACHE/upgrade.log"; exit 1; }
fi
want=$(plan new)
[ -n "$want" ] || { echo "real.sh: apt-get could not plan $PKGS"; exit 1; }
# shellcheck disable=SC2086
fetch $want
n=$(echo "$want" | wc -w)
# shellcheck disable=SC2086
mapfile -t list < <(debsOf $want)

# Every run gets its own copy of the root, all made before the first
# run and put in the trash after the last (see bench/settle.sh):
# deleting a root between runs made the
# next run's file creation scan the inodes just freed (ext4 skips an
# inode deleted in the last minute, reading its table block to learn
# so), a cost of the harness that an install meets on a real system only
# when many files were deleted in the minute before.
# FRESH_EACH=1 brings back delete-and-copy before every run.
if [ "${FRESH_EACH:-0}" != 1 ]; then
	for i in $(seq 1 $((2 * RUNS))); do cp -a "$base" "$work/r$i"; done
	sync
	sleep 2
fi
settle
# fresh N prints the root for run N (1 to 2*RUNS).
fresh() {
	if [ "${FRESH_EACH:-0}" = 1 ]; then
		rm -rf "$work/r"; cp -a "$base" "$work/r"; echo "$work/r"
	else
		echo "$work/r$1"
	fi
}
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# timed FILE CMD... runs CMD and prints its wall time; the CPU time of
# CMD and every process it waited for (xz, maintainer scripts) goes to
# FILE. Needs GNU time.
timed() {
	local out=$1; shift
	local s; s=$(now)
	/usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >"$out" 2>&1 ||
		{ { echo "$1 failed:"; tail -20 "$out"; } >&2; exit 1; }
	echo "$(now) - $s" | bc
	awk '{ print $1 + $2 }' "$work/cpu" >>"$out.cpu"
}
run_aim() { timed "$work/aim.out" "$work/aim" --root "$(fresh "$1")" --no-progress -y install "${list[@]}"; }
run_dpkg() { timed "$work/dpkg.out" dpkg --root="$(fresh "$1")" -i "${list[@]}"; }

# scripts N prints the wall time the maintainer scripts of aim's run N
# took, summed from the times its transcript gives each script ("(16ms)",
# "(1.591s)"): the scripts run one after another under both tools.
scripts() {
	local r="$work/r$1"
	[ "${FRESH_EACH:-0}" = 1 ] && r="$work/r"
	"$work/aim" --root "$r" log -n 1 | awk '
		/ exit .*: exit status/ {
			t = $NF; gsub(/[()]/, "", t)
			if (t ~ /ms$/) { sub(/ms$/, "", t); s += t / 1000 }
			else if (t ~ /µs$/) { sub(/µs$/, "", t); s += t / 1e6 }
			else if (t ~ /s$/) { sub(/s$/, "", t); s += t }
		}
		END { printf "%.3f\n", s }'
}

# timing N appends the timing note of aim's run N ("plan 0.055s
# (0.06s), stage 1.010s (1.83s), ...": each phase's wall and CPU time)
# to $work/timing, one "PHASE WALL CPU" line a phase.
timing() {
	local r="$work/r$1"
	[ "${FRESH_EACH:-0}" = 1 ] && r="$work/r"
	"$work/aim" --root "$r" log -n 1 | sed -n 's/.* note timing: //p' | tr ',' '\n' |
		sed -E 's/^ *([a-z]+) ([0-9.]+)s \(([0-9.]+)s\).*/\1 \2 \3/' >>"$work/timing"
}

a=(); d=(); sc=()
for i in $(seq 1 "$RUNS"); do
	t=$(run_aim $((2 * i - 1))) || exit 1
	a+=("$t")
	sc+=("$(scripts $((2 * i - 1)))")
	timing $((2 * i - 1))
	t=$(run_dpkg $((2 * i))) || exit 1
	d+=("$t")
done
am=$(printf '%s\n' "${a[@]}" | median)
dm=$(printf '%s\n' "${d[@]}" | median)
ac=$(median <"$work/aim.out.cpu")
dc=$(median <"$work/dpkg.out.cpu")
cores=$(nproc)
printf 'installing %d real packages into a minbase root, median of %d: aim %.2fs, dpkg -i %.2fs, aim/dpkg %.2f\n' \
	"$n" "$RUNS" "$am" "$dm" "$(echo "$am / $dm" | bc -l)"
printf '  aim runs: %s\n  dpkg runs: %s\n' "${a[*]}" "${d[*]}"
# The floor: no schedule on this machine's cores finishes before all the
# CPU time of the install (aim's, xz's, the maintainer scripts') is spent.
printf '  CPU time (with child processes), median: aim %.2fs, dpkg -i %.2fs; aim CPU / %d cores = %.2fs, %.2f of dpkg -i wall\n' \
	"$ac" "$dc" "$cores" "$(echo "$ac / $cores" | bc -l)" "$(echo "$ac / $cores / $dm" | bc -l)"
# The scripts are the same programs, run one at a time, under both tools:
# what is left once their time is taken from both is each tool's own.
sm=$(printf '%s\n' "${sc[@]}" | median)
printf '  maintainer scripts (aim'"'"'s transcripts), median: %.2fs; without them: aim %.2fs, dpkg -i %.2fs, aim/dpkg %.2f\n' \
	"$sm" "$(echo "$am - $sm" | bc -l)" "$(echo "$dm - $sm" | bc -l)" "$(echo "($am - $sm) / ($dm - $sm)" | bc -l)"

# aim's phases (its transcript's timing note), median wall and CPU time
# of each; then what the install would take with staging, the one phase
# that runs on every core, at its CPU time divided by the cores, and the
# other phases (serial by design: renames in plan order, scripts one
# after another) as they are.
if [ -s "$work/timing" ]; then
	printf '  aim phases, median wall (CPU):'
	for p in recover plan stage check unpack mark configure triggers commit cleanup ldconfig total; do
		w=$(awk -v p=$p '$1==p{print $2}' "$work/timing" | median)
		c=$(awk -v p=$p '$1==p{print $3}' "$work/timing" | median)
		[ -n "$w" ] && printf ' %s %.3fs (%.2fs)' "$p" "$w" "$c"
	done
	echo
	sw=$(awk '$1=="stage"{print $2}' "$work/timing" | median)
	scpu=$(awk '$1=="stage"{print $3}' "$work/timing" | median)
	floor=$(echo "$am - $sw + $scpu / $cores" | bc -l)
	printf '  staging kept %.0f%% of %d cores busy; with staging at its CPU floor (%.2fs): aim %.2fs, aim/dpkg %.2f\n' \
		"$(echo "100 * $scpu / $sw / $cores" | bc -l)" "$cores" "$(echo "$scpu / $cores" | bc -l)" "$floor" "$(echo "$floor / $dm" | bc -l)"
fi

if [ "${STRACE:-0}" = 1 ] && command -v strace >/dev/null; then
	# shellcheck disable=SC2046
	mapfile -t perl < <(debsOf $(PKGS=perl plan new))
	rm -rf "$work/r"; cp -a "$base" "$work/r"
	strace -f -c -e trace=read -o "$work/strace" "$work/aim" --root "$work/r" --no-progress -y install "${perl[@]}" >/dev/null 2>&1 || true
	printf 'read() calls installing perl with aim: %s\n' "$(awk '$NF=="read"{print $4}' "$work/strace")"
fi
