#!/usr/bin/env bash
# startup.sh: process start-up, `aim version compare 1 lt 2` run 200
# times in a loop, beside an empty Go program built by the same
# toolchain, and `dpkg --compare-versions 1 lt 2` for reference; then the
# floor (an empty main that imports what aim imports) beside both.
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
mkdir -p "$work/floor"
sed 's/^module aim$/module floor/' go.mod > "$work/floor/go.mod"
cp go.sum "$work/floor/"
{ printf 'package main\n\nimport (\n'
  go list -f '{{join .Imports "\n"}}' $(go list -deps ./cmd/aim | grep '^aim\(/\|$\)') | grep -v '^aim\(/\|$\)' | grep -vx C | sort -u | sed 's/.*/\t_ "&"/'
  printf ')\n\nfunc main() {}\n'; } > "$work/floor/main.go"
(cd "$work/floor" && go build -o "$work/floor-go" .)
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
