#!/usr/bin/env bash
# update-http.sh: `aim update` from the Debian archive that the machine's
# apt configuration names, over HTTP, into a fresh root, beside `apt-get
# update` + `apt-cache gencaches` into a fresh sandbox on the same archive
# and suite (main, amd64, no translations), alternately. RUNS defaults to
# 3 here. Target (issue 18): aim's wall <= apt's, peak RSS <= apt's.
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.sh"
header update-http
SUITE=${SUITE:-bookworm}
KEYRING=${KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
uri=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | grep -m1 -v security || true)
case "$uri" in http://*|https://*) ;; *) echo "update-http: skipped (no HTTP Debian archive in the apt configuration)"; exit 0 ;; esac
[ -r "$KEYRING" ] || { echo "update-http: skipped (no $KEYRING)"; exit 0; }
curl -fsI -m 10 "${uri%/}/dists/$SUITE/InRelease" >/dev/null || { echo "update-http: skipped (archive unreachable)"; exit 0; }
line="deb [arch=amd64 signed-by=$KEYRING] $uri $SUITE main"
sandbox_setup "$line" -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
apt_update_script
A_CMD=("$aim" --root "$R" update); PREP_A=aim_fresh
B_CMD=(bash "$work/apt-update.sh"); PREP_B=apt_fresh
vs "update over HTTP, fresh state (aim update | apt-get update + apt-cache gencaches)"
verdict "wall aim/apt" "$VS_WALL" 1
verdict "peak aim/apt" "$VS_PEAK" 1
