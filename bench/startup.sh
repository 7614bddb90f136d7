#!/usr/bin/env bash
# startup.sh: process start-up, `aim version compare 1 lt 2` run 200
# times in a loop, beside an empty Go program built by the same
# toolchain, and `dpkg --compare-versions 1 lt 2` for reference.
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
GODEBUG=inittrace=1 "$aim" version compare 1 lt 2 2>&1 | awk '{ c += $5 } END { printf "package init of aim version compare: %.1f ms (GODEBUG=inittrace=1, %d packages)\n", c, NR }'
