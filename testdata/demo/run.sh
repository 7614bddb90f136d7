#!/usr/bin/env bash
# The demo: what aim does today, on the bundled demo package.
# Usage: testdata/demo/run.sh path/to/aim
set -euo pipefail
aim=${1:-bin/aim}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/demo-out
rm -rf "$out" && mkdir -p "$out"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$aim" deb build "$top/testdata/demo/hello" "$out/"
deb=$(ls "$out"/*.deb)
step "$aim" deb info "$deb"
step "$aim" deb info "$deb" Package Version Maemo-Display-Name
step "$aim" deb contents "$deb"
step "$aim" deb extract "$deb" "$out/root"
step find "$out/root" -type f
step "$aim" version compare "$("$aim" deb info "$deb" Version)" lt 1.0
echo "(the demo package's version sorts before 1.0)"
printf '1.0\n1.0~rc1\n1:0.1\n1.0-1\n1.0+b1\n' > "$out/versions"
echo; echo '$ aim version sort < versions'
"$aim" version sort < "$out/versions"
