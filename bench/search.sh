#!/usr/bin/env bash
# search.sh: `aim search network daemon` beside `apt-cache search network
# daemon`, warm caches on the same local mirror. Target (issue 18): keep
# aim at about a third of apt-cache's time.
. "$(dirname "$0")/lib.sh"
header search
mirror_setup || { echo "search: skipped (debian-mirror unavailable)"; exit 0; }
apt_update_script; bash "$work/apt-update.sh" >/dev/null 2>&1; "$aim" --root "$R" update >/dev/null
LOOP=5
A_CMD=("$aim" --root "$R" search network daemon)
B_CMD=(apt-cache "${O[@]}" search network daemon)
vs "search network daemon, warm (aim search | apt-cache search)"
verdict "wall aim/apt" "$VS_WALL" 0.5
