#!/usr/bin/env bash
# show.sh: `aim show hello` beside `apt-cache show hello`, warm caches
# (both updated from the same local mirror first), 20 runs in a loop per
# timed run. Target (issue 18): aim's CPU <= apt-cache's.
. "$(dirname "$0")/lib.sh"
header show
mirror_setup || { echo "show: skipped (debian-mirror unavailable)"; exit 0; }
apt_update_script; bash "$work/apt-update.sh" >/dev/null 2>&1; "$aim" --root "$R" update >/dev/null
LOOP=20
A_CMD=("$aim" --root "$R" show hello)
B_CMD=(apt-cache "${O[@]}" show hello)
vs "show hello, warm (aim show | apt-cache show)"
verdict "cpu aim/apt" "$VS_CPU" 1
