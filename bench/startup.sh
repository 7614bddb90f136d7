#!/usr/bin/env bash
# startup.sh: process start-up, `aim version compare 1 lt 2` run 200
# times in a loop, beside an empty Go program built by the same
# toolchain, and `dpkg --compare-versions 1 lt 2` for reference; then the
# floor (an empty main that imports what aim imports) beside both; with
# STARTUP_DEPS=1, the floor without each heavy dependency in turn.
# Target (issue 18): aim <= 1.5x the empty Go program.
. "$(dirname "$0")/lib.sh"
header startup
mkdir -p "$work/empty"
printf 'module empty\n\ngo 1.21\n' > "$work/empty/go.mod"
printf 'package main\n\nfunc main() {}\n' > "$work/empty/main.go"
(cd "$work/empty" && go build -o "$work/empty-go" .)
LOOP=200
A_CMD=("$aim" version compare 1 lt 2)
B_CMD=("$work/empty-go")
vs "start-up (aim version compare 1 lt 2 | an empty Go program)"
verdict "wall aim/empty" "$VS_WALL" 1.5
B_CMD=(dpkg --compare-versions 1 lt 2)
RUNS=3 vs "start-up (aim version compare 1 lt 2 | dpkg --compare-versions 1 lt 2)"
# The floor: an empty main that imports every package aim's own packages
# import, so it runs all the package init and runtime set-up aim does but
# aim's own. The empty program beside it says how far the target is
# reachable with these dependencies.
go list -f '{{join .Imports "\n"}}' $(go list -deps ./cmd/aim | grep '^aim\(/\|$\)') | grep -v '^aim\(/\|$\)' | grep -vx C | sort -u > "$work/floor-imports"
# build_floor NAME [REGEX] builds $work/NAME-go, the floor without the
# imports that match the extended regular expression REGEX.
build_floor() {
  local d=$work/$1
  mkdir -p "$d"
  sed 's/^module aim$/module floor/' go.mod > "$d/go.mod"
  cp go.sum "$d/"
  { printf 'package main\n\nimport (\n'
    grep -Ev "${2:-^$}" "$work/floor-imports" | sed 's/.*/\t_ "&"/'
    printf ')\n\nfunc main() {}\n'; } > "$d/main.go"
  (cd "$d" && go build -o "$work/$1-go" .)
}
build_floor floor
B_CMD=("$work/floor-go")
RUNS=3 vs "start-up over the floor (aim version compare 1 lt 2 | an empty main importing what aim imports)"
A_CMD=("$work/floor-go")
B_CMD=("$work/empty-go")
RUNS=3 vs "the floor (an empty main importing what aim imports | an empty Go program)"
# Start-up cost follows the pages a process touches: on a virtual machine
# each page fault costs tens of microseconds. perf counts the faults the
# process takes (the rusage count would add the pages the kernel maps for
# it in one madvise, see internal/prefault); without perf the line is left out.
faults() { perf stat -x, -e page-faults -r 21 "$@" 2>&1 >/dev/null | awk -F, '/page-faults/ { print $1 }'; }
if command -v perf >/dev/null && [ -n "$(faults "$work/empty-go")" ]; then
  echo "page faults a run (perf stat, means of 21): aim $(faults "$aim" version compare 1 lt 2), the floor $(faults "$work/floor-go"), an empty Go program $(faults "$work/empty-go")"
fi
GODEBUG=inittrace=1 "$aim" version compare 1 lt 2 2>&1 | awk '{ c += $5 } END { printf "package init of aim version compare: %.1f ms (GODEBUG=inittrace=1, %d packages)\n", c, NR }'
# What each heavy dependency costs every aim process (STARTUP_DEPS=1, as
# it takes another minute or two): the floor without it (and without what
# only it needs), run in turn with the floor and the empty program, a
# round of DEP_LOOP runs each, seven rounds after a warm-up (short rounds,
# so that a burst of other work moves a round, not a program). The
# floor's time less the variant's is the dependency's share of package
# init and of the pages start-up touches; the page faults, which load
# moves least, say the same. net/http goes with the AWS SDK, which
# imports it.
[ "${STARTUP_DEPS:-}" = 1 ] || exit 0
deps=(
  "modernc.org/sqlite;^modernc\.org/sqlite|^database/sql"
  "aws-sdk-go-v2 and smithy-go;^github\.com/aws/"
  "ProtonMail/go-crypto;^github\.com/ProtonMail/"
  "godbus/dbus;^github\.com/godbus/"
  "net/http and the AWS SDK;^net/http$|^mime/multipart$|^github\.com/aws/"
  "klauspost/compress;^github\.com/klauspost/"
  "ulikunitz/xz;^github\.com/ulikunitz/"
)
all=""
for i in "${!deps[@]}"; do
  re=${deps[$i]#*;}
  build_floor "dep$i" "$re"
  all="$all${all:+|}$re"
done
deps+=("all seven above;$all")
build_floor "dep$(( ${#deps[@]} - 1 ))" "$all"
names=(floor empty)
for i in "${!deps[@]}"; do names+=("dep$i"); done
DEP_LOOP=${DEP_LOOP:-20}
for round in $(seq 0 7); do
  for n in "${names[@]}"; do LOOP=$DEP_LOOP run1 "$work/t-$n" "$work/$n-go"; done
  if [ "$round" = 0 ]; then for n in "${names[@]}"; do : > "$work/t-$n"; done; fi
done
# per NAME FIELD prints the median of FIELD (1 wall, 2 CPU) a run, in ms.
per() { cut -d' ' -f"$2" "$work/t-$1" | median | awk -v n="$DEP_LOOP" '{ printf "%.2f", $1 / n }'; }
has_perf=$(command -v perf >/dev/null && [ -n "$(faults "$work/empty-go")" ] && echo 1 || true)
fw=$(per floor 1); fc=$(per floor 2); ew=$(per empty 1)
echo "what each dependency costs at start-up (the floor without it, a run of $DEP_LOOP, medians of 7, per run):"
line() { # LABEL NAME: the saving is the floor's figure less NAME's
  local w c f=""
  w=$(per "$2" 1); c=$(per "$2" 2)
  [ -n "$has_perf" ] && f="  faults $(faults "$work/$2-go")"
  awk -v l="$1" -v w="$w" -v c="$c" -v fw="$fw" -v fc="$fc" -v ew="$ew" -v f="$f" -v n="$2" 'BEGIN {
    s = (n == "floor" || n == "empty") ? sprintf("%27s", "") : sprintf("  saves wall %4.1f cpu %4.1f ms", fw - w, fc - c)
    printf "  %-36s wall %5.1f ms  cpu %5.1f ms%s  %4.2fx empty%s\n", l, w, c, s, w / ew, f }'
}
line "the floor" floor
for i in "${!deps[@]}"; do line "without ${deps[$i]%%;*}" "dep$i"; done
line "an empty Go program" empty
