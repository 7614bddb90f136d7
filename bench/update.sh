#!/usr/bin/env bash
# update.sh: `aim update` from a local copy of the real signed Debian
# release into a fresh root, beside `apt-get update` + `apt-cache
# gencaches` into a fresh apt sandbox on the same index, alternately.
# Target (issue 18): aim's wall <= 0.5 of apt's, peak RSS <= apt's.
. "$(dirname "$0")/lib.sh"
header update
mirror_setup || { echo "update: skipped (debian-mirror unavailable)"; exit 0; }
apt_update_script
A_CMD=("$aim" --root "$R" update); PREP_A=aim_fresh
B_CMD=(bash "$work/apt-update.sh"); PREP_B=apt_fresh
vs "update from the local mirror, fresh state (aim update | apt-get update + apt-cache gencaches)"
verdict "wall aim/apt" "$VS_WALL" 0.5
verdict "peak aim/apt" "$VS_PEAK" 1
