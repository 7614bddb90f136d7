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
# The same with one package that aim installed, so that aim's database is
# not empty: show of a package aim did not install reads the
# installed-names index instead of opening SQLite.
mkdir -p "$work/tiny/DEBIAN" "$work/tiny/usr/share/aim-bench-tiny"
printf 'Package: aim-bench-tiny\nVersion: 1\nArchitecture: all\nMaintainer: bench <bench@example.org>\nDescription: a tiny package for the show bench\n' > "$work/tiny/DEBIAN/control"
echo tiny > "$work/tiny/usr/share/aim-bench-tiny/README"
"$aim" deb build "$work/tiny" "$work/tiny.deb" >/dev/null
"$aim" --root "$R" install -y --scripts-chrootless "$work/tiny.deb" >/dev/null
vs "show hello, warm, one package installed by aim (aim show | apt-cache show)"
verdict "cpu aim/apt" "$VS_CPU" 1
A_CMD=("$aim" --root "$R" show aim-bench-tiny)
vs "show of the package aim installed (aim show aim-bench-tiny | apt-cache show hello)"
